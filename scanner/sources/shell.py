"""POSIX-family shell scripts and profiles (sh, bash, zsh, ksh) and direnv's `.envrc`.

What reaches Claude Code's environment from such a file:
- `export X=v`, `declare -x`/`typeset -x`/`local -x X=v`, `X=v` later named by `export X`,
  plain assignments while `set -a` is on, and re-assignments of already exported names:
  ENV, scope "export". A plain `X=v` that is never exported is not in the environment.
- `unset X`, `export -n X`: UNSET, scope "unset".
- `X=1 claude`, `env X=1 claude`: ENV, scope "command-local", group ("command", "<line>").
- The same inside alias bodies: scope "alias", group ("alias", "<name>").

Facts: "runs_claude" (any command or alias runs Claude Code), "commands" (every command
line with command-local assignments or that runs Claude Code: line, column and group line
of its first word, the command run, "runs_claude", "alias" or null), "sources"
(`source`/`.` and direnv's `dotenv`/`source_env`/`source_up` targets, not followed:
"line", "target", "via") and "aliases" ("name", "line", "column", "runs_claude").
"""

from __future__ import annotations

from collections.abc import Sequence

from scanner.model import FileKind, JSONValue, ParsedFile, ValueKind
from scanner.records import NamedTuple
from scanner.sources.shlex_util import (
    ASSIGNMENT_RE,
    NAME_RE,
    POSIX,
    LineIndex,
    Recorder,
    Word,
    classify_pieces,
    internal_error,
    lex,
    normalize_text,
    relevant_commands,
    resolve_invocation,
    sub_origin,
)

_DECLARATIONS = frozenset({"export", "declare", "typeset", "local", "readonly"})
_DIRENV_SOURCES = {
    "dotenv": ".env",
    "dotenv_if_exists": ".env",
    "source_env": "",
    "source_env_if_exists": "",
    "source_up": ".envrc",
    "source_up_if_exists": ".envrc",
}


class _Pending(NamedTuple):
    """A plain assignment that a later `export NAME` would put into the environment.

    Its value is only worked out if that happens: most plain assignments never are.
    """

    name: str
    word: Word
    value_index: int
    append: bool
    recorder: Recorder


class _State:
    __slots__ = ("allexport", "exported", "pending")

    def __init__(self) -> None:
        self.exported: set[str] = set()
        self.pending: dict[str, _Pending] = {}
        self.allexport = False


def parse(path: str, text: str, kind: FileKind) -> ParsedFile:
    try:
        return _parse(path, text, kind)
    except Exception:  # a parser bug must cost this file, never the scan
        return internal_error(path, kind, text, "shell file")


def _parse(path: str, text: str, kind: FileKind) -> ParsedFile:
    source = normalize_text(text)
    recorder = Recorder(path, kind, LineIndex(source))
    _Shell(recorder, _State(), direnv=kind is FileKind.ENVRC).run(source)
    return ParsedFile(
        path=path,
        kind=kind,
        observations=tuple(recorder.observations),
        notifications=recorder.notifications(),
        facts=recorder.facts(),
        text=text,
    )


def scan_commands(recorder: Recorder, script: str, group_prefix: tuple[str, ...]) -> bool:
    """Command-local assignments of a script embedded elsewhere (a Dockerfile RUN).

    Only `X=1 cmd` / `env X=1 cmd` are recorded (group `group_prefix + ("command", line)`);
    returns whether any command runs Claude Code.
    """
    before = len(recorder.commands)
    _Shell(recorder, _State(), command_local_only=True, group_prefix=group_prefix).run(script, False)
    return recorder.runs_claude_since(before)


class _Shell:
    def __init__(
        self,
        recorder: Recorder,
        state: _State,
        *,
        alias: str | None = None,
        direnv: bool = False,
        command_local_only: bool = False,
        group_prefix: tuple[str, ...] = (),
    ) -> None:
        self.rec = recorder
        self.state = state
        self.alias = alias
        self.direnv = direnv
        self.command_local_only = command_local_only
        self.group_prefix = group_prefix

    def run(self, text: str, report_errors: bool = True) -> None:
        result = lex(text, POSIX)
        if report_errors:
            for error in result.errors:
                self.rec.error(error.message, error.offset)
        for words in relevant_commands(result):
            self.command(words)

    # ---- scopes

    def _export_scope(self) -> tuple[str, tuple[str, ...]]:
        if self.alias is not None:
            return "alias", ("alias", self.alias)
        return "export", ()

    def _unset_scope(self) -> tuple[str, tuple[str, ...]]:
        if self.alias is not None:
            return "alias", ("alias", self.alias)
        return "unset", ()

    # ---- commands

    def command(self, words: Sequence[Word]) -> None:
        if not words:
            return
        count = 0
        while count < len(words) and ASSIGNMENT_RE.match(words[count].bare_prefix):
            count += 1
        if count == len(words):
            if not self.command_local_only:
                for word in words:
                    self.plain(word)
            return
        head = words[count].text
        args = words[count + 1 :]
        if count == 0 and not self.command_local_only:
            if head in _DECLARATIONS:
                self.declare(head, args)
                return
            if head == "unset":
                self.unset(args)
                return
            if head == "set":
                self.set_options(args)
                return
            if head in ("setopt", "unsetopt"):
                self.zsh_options(head == "setopt", args)
                return
            if head == "alias":
                self.define_aliases(args)
                return
        if not self.command_local_only and self.alias is None:  # an alias body runs only when used
            self.record_source(words[count], args)
        self.invocation(words)

    def invocation(self, words: Sequence[Word]) -> None:
        invocation = resolve_invocation(words)
        if not (invocation.assignments or invocation.unsets or invocation.runs_claude):
            return
        command = invocation.command.text if invocation.command is not None else ""
        line = self.rec.add_command(words[0].start, command, invocation.runs_claude, self.alias)
        group: tuple[str, ...]
        if self.alias is not None:
            scope, group = "alias", ("alias", self.alias)
        else:
            scope, group = "command-local", (*self.group_prefix, "command", line)
        for word in invocation.assignments:
            name, _, value_index = _split_assignment(word)
            if name is None or word.array:  # an array never reaches a command's environment
                continue
            self._emit(word, name, value_index, scope=scope, group=group)
        for word in invocation.unsets:
            if NAME_RE.fullmatch(word.text):
                self.rec.unset(word.text, word.offset_of(0), word.end, scope, group)

    def plain(self, word: Word) -> None:
        name, append, value_index = _split_assignment(word)
        if name is None:
            return
        state = self.state
        if word.array:
            state.pending.pop(name, None)  # arrays cannot be exported
            return
        if state.allexport or name in state.exported:
            scope, group = self._export_scope()
            self._emit(word, name, value_index, append=append, scope=scope, group=group)
            state.exported.add(name)
            state.pending.pop(name, None)
            return
        state.pending[name] = _Pending(name, word, value_index, append, self.rec)

    def declare(self, head: str, args: Sequence[Word]) -> None:
        export = head == "export"
        unexport = False
        functions = False
        options = True
        state = self.state
        for word in args:
            text = word.text
            if options and text == "--":
                options = False
                continue
            if options and len(text) > 1 and text[0] in "-+":
                letters = text[1:]
                if text[0] == "-":
                    export |= "x" in letters
                    functions |= "f" in letters or "F" in letters
                    unexport |= head == "export" and "n" in letters
                else:
                    unexport |= "x" in letters
                continue
            options = False
            if functions:
                continue
            match = ASSIGNMENT_RE.match(text)
            if match is not None:
                name = match.group(1)
                if word.array:
                    state.pending.pop(name, None)
                    continue
                if unexport:
                    self._unset(name, word)
                elif export or state.allexport or name in state.exported:
                    scope, group = self._export_scope()
                    append = match.group(2) == "+"
                    self._emit(word, name, match.end(), append=append, scope=scope, group=group)
                    state.exported.add(name)
                    state.pending.pop(name, None)
                else:
                    append = match.group(2) == "+"
                    state.pending[name] = _Pending(name, word, match.end(), append, self.rec)
                continue
            if not NAME_RE.fullmatch(text):
                continue
            if unexport:
                self._unset(text, word)
            elif export:
                pending = state.pending.pop(text, None)
                if pending is not None:
                    scope, group = self._export_scope()
                    value, kind = _value(pending.word, pending.value_index, pending.name, pending.append)
                    pending.recorder.env(
                        pending.name,
                        pending.word.offset_of(0),
                        value,
                        kind,
                        pending.word.end,
                        scope=scope,
                        group=group,
                    )
                state.exported.add(text)

    def unset(self, args: Sequence[Word]) -> None:
        functions = False
        for word in args:
            text = word.text
            if text.startswith("-") and len(text) > 1:
                functions |= "f" in text
                continue
            if functions or not NAME_RE.fullmatch(text):
                continue
            self._unset(text, word)

    def _unset(self, name: str, word: Word) -> None:
        self.state.exported.discard(name)
        self.state.pending.pop(name, None)
        scope, group = self._unset_scope()
        self.rec.unset(name, word.offset_of(0), word.offset_of(0) + len(name), scope, group)

    def set_options(self, args: Sequence[Word]) -> None:
        i = 0
        while i < len(args):
            text = args[i].text
            if text == "--" or len(text) < 2 or text[0] not in "-+":
                return
            on = text[0] == "-"
            letters = text[1:]
            if "a" in letters:
                self.state.allexport = on
            if "o" in letters and i + 1 < len(args):
                i += 1
                if args[i].text == "allexport":
                    self.state.allexport = on
            i += 1

    def zsh_options(self, on: bool, args: Sequence[Word]) -> None:
        """zsh's `setopt allexport` / `unsetopt all_export` (names ignore case and `_`; `no` negates)."""
        for word in args:
            option = word.text.lower().replace("_", "")
            if option in ("allexport", "noallexport"):
                self.state.allexport = on == (option == "allexport")

    def define_aliases(self, args: Sequence[Word]) -> None:
        for word in args:
            text = word.text
            if text.startswith("-"):
                continue
            name, eq, body = text.partition("=")
            if not eq or not name:
                continue
            view = self.rec.view(sub_origin(word, len(name) + 1))
            before = len(self.rec.commands)
            _Shell(view, _State(), alias=name).run(body, report_errors=False)
            runs = self.rec.runs_claude_since(before)
            line, column = self.rec.position(word.offset_of(0))
            self.rec.aliases.append({"name": name, "line": line, "column": column, "runs_claude": runs})

    def record_source(self, head: Word, args: Sequence[Word]) -> None:
        via = head.text
        if via in ("source", "."):
            target = args[0].text if args else ""
        elif self.direnv and via in _DIRENV_SOURCES:
            target = args[0].text if args else _DIRENV_SOURCES[via]
        else:
            return
        line, _ = self.rec.position(head.start)
        entry: dict[str, JSONValue] = {"line": line, "target": target, "via": via}
        self.rec.sources.append(entry)

    def _emit(
        self,
        word: Word,
        name: str,
        value_index: int,
        *,
        append: bool = False,
        scope: str,
        group: tuple[str, ...],
    ) -> None:
        value, kind = _value(word, value_index, name, append)
        self.rec.env(name, word.offset_of(0), value, kind, word.end, scope=scope, group=group)


def _split_assignment(word: Word) -> tuple[str | None, bool, int]:
    match = ASSIGNMENT_RE.match(word.text)
    if match is None:
        return None, False, 0
    return match.group(1), match.group(2) == "+", match.end()


def _value(word: Word, value_index: int, name: str, append: bool) -> tuple[str, ValueKind]:
    pieces = word.pieces_from(value_index)
    value = "".join(piece.text for piece in pieces)
    if append:  # `X+=v` extends whatever X held: not a value the scanner can know
        return "${" + name + "}" + value, ValueKind.DYNAMIC if value else ValueKind.REFERENCE
    return value, classify_pieces(pieces)
