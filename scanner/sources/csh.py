"""csh and tcsh scripts and startup files (.cshrc, .tcshrc, .login).

- `setenv X v`, `setenv X "v"`, `setenv X` (empty): ENV, scope "export".
- `unsetenv X`: UNSET, scope "unset".
- `env X=1 claude`: ENV, scope "command-local", group ("command", "<line>"); the same in
  `alias name 'env X=1 claude'`: scope "alias", group ("alias", name).
`set X = v` sets a shell variable, which children never see, so it is not an observation.
The lexer splits commands at parentheses, so `if ( $?prompt ) setenv X 1` leaves `setenv X 1`
as a command of its own.

Facts as for POSIX shells: "runs_claude", "commands", "sources", "aliases".
"""

from __future__ import annotations

from collections.abc import Sequence

from scanner.model import FileKind, JSONValue, ParsedFile, ValueKind
from scanner.sources.shlex_util import (
    CSH,
    NAME_RE,
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


def parse(path: str, text: str, kind: FileKind) -> ParsedFile:
    try:
        source = normalize_text(text)
        recorder = Recorder(path, kind, LineIndex(source))
        _Csh(recorder).run(source)
        return ParsedFile(
            path=path,
            kind=kind,
            observations=tuple(recorder.observations),
            notifications=recorder.notifications(),
            facts=recorder.facts(),
            text=text,
        )
    except Exception:  # a parser bug must cost this file, never the scan
        return internal_error(path, kind, text, "csh file")


class _Csh:
    def __init__(self, recorder: Recorder, alias: str | None = None) -> None:
        self.rec = recorder
        self.alias = alias

    def run(self, text: str, report_errors: bool = True) -> None:
        result = lex(text, CSH)
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
        if head == "setenv":
            if args and NAME_RE.fullmatch(args[0].text):
                name_word = args[0]
                value_word = args[1] if len(args) > 1 else None
                scope, group = self._scope("export")
                value = value_word.text if value_word is not None else ""
                kind = classify_pieces(value_word.pieces) if value_word is not None else ValueKind.LITERAL
                end = (value_word or name_word).end
                offset = name_word.offset_of(0)
                self.rec.env(name_word.text, offset, value, kind, end, scope=scope, group=group)
            return
        if head == "unsetenv":
            scope, group = self._scope("unset")
            for word in args:
                if NAME_RE.fullmatch(word.text):
                    self.rec.unset(word.text, word.offset_of(0), word.end, scope, group)
            return
        if head == "alias":
            self.define_alias(args)
            return
        if head == "source" and self.alias is None:
            line, _ = self.rec.position(words[0].start)
            entry: dict[str, JSONValue] = {"line": line, "target": args[-1].text if args else "", "via": head}
            self.rec.sources.append(entry)
        self.invocation(words)

    def invocation(self, words: Sequence[Word]) -> None:
        invocation = resolve_invocation(words, prefix_assignments=False)
        if not (invocation.assignments or invocation.unsets or invocation.runs_claude):
            return
        command = invocation.command.text if invocation.command is not None else ""
        line = self.rec.add_command(words[0].start, command, invocation.runs_claude, self.alias)
        if self.alias is not None:
            scope, group = "alias", ("alias", self.alias)
        else:
            scope, group = "command-local", ("command", line)
        for word in invocation.assignments:
            name, _, _ = word.text.partition("=")
            pieces = word.pieces_from(len(name) + 1)
            value = "".join(p.text for p in pieces)
            kind = classify_pieces(pieces)
            self.rec.env(name, word.offset_of(0), value, kind, word.end, scope=scope, group=group)
        for word in invocation.unsets:
            if NAME_RE.fullmatch(word.text):
                self.rec.unset(word.text, word.offset_of(0), word.end, scope, group)

    def define_alias(self, args: Sequence[Word]) -> None:
        if len(args) < 2:
            return  # `alias` or `alias name` only print
        name = args[0].text
        before = len(self.rec.commands)
        if len(args) == 2:
            view = self.rec.view(sub_origin(args[1], 0))
            _Csh(view, alias=name).run(args[1].text, report_errors=False)
        else:  # `alias name env X=1 claude`: the words are the body
            _Csh(self.rec, alias=name).invocation(args[1:])
        runs = self.rec.runs_claude_since(before)
        line, column = self.rec.position(args[0].offset_of(0))
        self.rec.aliases.append({"name": name, "line": line, "column": column, "runs_claude": runs})
