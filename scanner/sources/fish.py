"""fish scripts and configuration (config.fish, conf.d/*.fish, functions).

- `set -gx X v`, `set -x X v`, `set --export --global X v`, `set -Ux X v`, and `set X v`
  for a name already exported in the file: ENV, scope "export". fish exports a list joined
  with spaces, or with colons for path variables (names ending in PATH, or `--path`).
- `set -e X` / `set --erase X` and `set -u X` (unexport): UNSET, scope "unset".
- `X=1 claude` (fish 3.1+) and `env X=1 claude`: ENV, scope "command-local",
  group ("command", "<line>"); inside `alias` bodies: scope "alias", group ("alias", name).

Facts as for POSIX shells: "runs_claude", "commands", "sources", "aliases".
"""

from __future__ import annotations

from collections.abc import Sequence

from scanner.model import FileKind, JSONValue, ParsedFile, ValueKind
from scanner.sources.shlex_util import (
    ASSIGNMENT_RE,
    FISH,
    NAME_RE,
    LineIndex,
    Piece,
    PieceKind,
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

_LONG_FLAGS = {
    "--export": "x",
    "--global": "g",
    "--universal": "U",
    "--local": "l",
    "--function": "f",
    "--erase": "e",
    "--unexport": "u",
    "--append": "a",
    "--prepend": "p",
    "--query": "q",
    "--names": "n",
    "--show": "S",
    "--long": "L",
    "--path": "P",
    "--unpath": "N",
}


def parse(path: str, text: str, kind: FileKind) -> ParsedFile:
    try:
        source = normalize_text(text)
        recorder = Recorder(path, kind, LineIndex(source))
        _Fish(recorder, set()).run(source)
        return ParsedFile(
            path=path,
            kind=kind,
            observations=tuple(recorder.observations),
            notifications=recorder.notifications(),
            facts=recorder.facts(),
            text=text,
        )
    except Exception:  # a parser bug must cost this file, never the scan
        return internal_error(path, kind, text, "fish file")


class _Fish:
    def __init__(self, recorder: Recorder, exported: set[str], alias: str | None = None) -> None:
        self.rec = recorder
        self.exported = exported
        self.alias = alias

    def run(self, text: str, report_errors: bool = True) -> None:
        result = lex(text, FISH)
        if report_errors:
            for error in result.errors:
                self.rec.error(error.message, error.offset)
        for words in relevant_commands(result):
            self.command(words)

    def _scope(self, default: str) -> tuple[str, tuple[str, ...]]:
        if self.alias is not None:
            return "alias", ("alias", self.alias)
        return default, ()

    def command(self, words: Sequence[Word]) -> None:
        head = words[0].text
        args = words[1:]
        if head == "set":
            self.set_variable(args)
            return
        if head == "alias":
            self.define_alias(args)
            return
        if head in ("source", ".") and self.alias is None:
            line, _ = self.rec.position(words[0].start)
            entry: dict[str, JSONValue] = {"line": line, "target": args[0].text if args else "", "via": head}
            self.rec.sources.append(entry)
        self.invocation(words)

    def invocation(self, words: Sequence[Word]) -> None:
        invocation = resolve_invocation(words)
        if not (invocation.assignments or invocation.unsets or invocation.runs_claude):
            return
        command = invocation.command.text if invocation.command is not None else ""
        line = self.rec.add_command(words[0].start, command, invocation.runs_claude, self.alias)
        if self.alias is not None:
            scope, group = "alias", ("alias", self.alias)
        else:
            scope, group = "command-local", ("command", line)
        for word in invocation.assignments:
            match = ASSIGNMENT_RE.match(word.text)
            if match is None:
                continue
            pieces = word.pieces_from(match.end())
            value = "".join(p.text for p in pieces)
            kind = classify_pieces(pieces)
            self.rec.env(match.group(1), word.offset_of(0), value, kind, word.end, scope=scope, group=group)
        for word in invocation.unsets:
            if NAME_RE.fullmatch(word.text):
                self.rec.unset(word.text, word.offset_of(0), word.end, scope, group)

    def set_variable(self, args: Sequence[Word]) -> None:
        flags: set[str] = set()
        i = 0
        while i < len(args):
            text = args[i].text
            if text == "--":
                i += 1
                break
            if text.startswith("--"):
                flag = _LONG_FLAGS.get(text.split("=", 1)[0])
                if flag is not None:
                    flags.add(flag)
                i += 1
                continue
            if text.startswith("-") and len(text) > 1:
                flags.update(text[1:])
                i += 1
                continue
            break
        if flags & {"q", "n", "S", "L"} or i >= len(args):
            return
        if "e" in flags:
            for word in args[i:]:
                if NAME_RE.fullmatch(word.text):
                    self._unset(word)
            return
        name_word = args[i]
        name = name_word.text
        if not NAME_RE.fullmatch(name):
            return  # `set X[2] v` changes one element of a list: not tracked
        if "u" in flags:
            self._unset(name_word)
            return
        if "x" not in flags and name not in self.exported:
            return
        self.exported.add(name)
        values = args[i + 1 :]
        path_like = "P" in flags or (name.endswith("PATH") and "N" not in flags)
        separator = ":" if path_like else " "
        pieces: list[Piece] = []
        for index, word in enumerate(values):
            if index:
                pieces.append(Piece(separator, PieceKind.LITERAL, word.start, verbatim=False))
            pieces.extend(word.pieces)
        value = separator.join(word.text for word in values)
        kind = classify_pieces(pieces)
        if "a" in flags or "p" in flags:  # extends what the variable held: not knowable here
            parts = ["$" + name]
            if value and "p" in flags:
                parts.insert(0, value)
            if value and "a" in flags:
                parts.append(value)
            value = separator.join(parts)
            kind = ValueKind.DYNAMIC if len(parts) > 1 else ValueKind.REFERENCE
        end = values[-1].end if values else name_word.end
        scope, group = self._scope("export")
        self.rec.env(name, name_word.offset_of(0), value, kind, end, scope=scope, group=group)

    def _unset(self, word: Word) -> None:
        self.exported.discard(word.text)
        scope, group = self._scope("unset")
        self.rec.unset(word.text, word.offset_of(0), word.end, scope, group)

    def define_alias(self, args: Sequence[Word]) -> None:
        args = [word for word in args if not word.text.startswith("-")]
        if not args:
            return
        first = args[0]
        name, eq, body = first.text.partition("=")
        if eq:
            body_word, body_index = first, len(name) + 1
        elif len(args) >= 2:
            body_word, body_index, body = args[1], 0, args[1].text
        else:
            return
        if not name:
            return
        view = self.rec.view(sub_origin(body_word, body_index))
        before = len(self.rec.commands)
        _Fish(view, set(), alias=name).run(body, report_errors=False)
        runs = self.rec.runs_claude_since(before)
        line, column = self.rec.position(first.offset_of(0))
        self.rec.aliases.append({"name": name, "line": line, "column": column, "runs_claude": runs})
