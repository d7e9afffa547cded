"""PowerShell scripts and profiles (`*.ps1`, `Microsoft.PowerShell_profile.ps1`).

- `$env:X = "v"`, `${env:X} = 'v'` (the `env:` drive name in any case), `$env:X += "v"`,
  `Set-Item -Path Env:X -Value v`, `Set-Item Env:X v`, `New-Item -Path Env: -Name X -Value v`:
  ENV, scope "export".
- `[Environment]::SetEnvironmentVariable('X', 'v', 'User'|'Machine'|'Process')`: ENV, scope
  "setx-user", "setx-machine" or "export" (Process, or no target); a `$null` or empty value
  deletes the variable: UNSET with the same scope.
- `setx X v` (user) and `setx X v /M` (machine): ENV, scope "setx-user"/"setx-machine".
- `Remove-Item Env:X`, `$env:X = $null`: UNSET, scope "unset".
Single-quoted strings are literal; double-quoted and here-strings expand `$env:Y`, `$var`
and `$(...)`. `#` and `<# ... #>` comments are skipped. The caller decodes UTF-16.

Facts: "runs_claude" (a statement runs `claude` or fetches `@anthropic-ai/claude-code`),
"commands" (those statements: "line", "column", "command", "runs_claude", "alias": null).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from scanner import regexcache
from scanner.model import FileKind, ParsedFile, ValueKind
from scanner.records import NamedTuple
from scanner.sources.shlex_util import (
    LineIndex,
    Piece,
    PieceKind,
    Recorder,
    Word,
    classify_pieces,
    command_basename,
    command_runs_claude,
    internal_error,
    normalize_text,
)

_SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"
_DOUBLE_QUOTES = '"\u201c\u201d\u201e'
_SPACE = regexcache.compile(r"[ \t\f\v\r\u00a0]+")
_VARIABLE = regexcache.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*:)?[A-Za-z0-9_]+|\$[$?^_]")
_TYPE = regexcache.compile(r"\[([A-Za-z_][\w.]*(?:\[[^\]\n]*\])?)\]")
_BARE_STOP = frozenset(" \t\f\v\r\n\u00a0;(){},|&`$" + _SINGLE_QUOTES + _DOUBLE_QUOTES)
_OPERATOR = regexcache.compile(r"\?\?=|::|[-+*/%]=|&&|\|\||[=(){},;|&\[\]]")
_QUOTES = _SINGLE_QUOTES + _DOUBLE_QUOTES
# The fast path: blanks and continuations, then one newline, comment, operator, type literal,
# simple variable or plain bare word. Quotes, escapes, `$(`, `${`, here-strings and block
# comments are left to `slow_token`. Compiled on first use (`_master`).
_MASTER = (
    r"(?:[ \t\f\v\r\u00a0]|`\n)*(?:"
    r"(?P<nl>\n)"
    r"|(?P<c>#[^\n]*)"
    r"|(?P<op>\?\?=|::|[-+*/%]=|&&|\|\||[=(){},;|&\]]|\[(?![A-Za-z_]))"
    r"|(?P<type>\[[A-Za-z_][\w.]*(?:\[[^\]\n]*\])?\])"
    r"|(?P<var>\$(?:[A-Za-z_][A-Za-z0-9_]*:)?[A-Za-z0-9_]+(?![({])|\$[$?^_])"
    r"|(?P<sq>'[^\n'" + _SINGLE_QUOTES + r"]*'(?![" + _SINGLE_QUOTES + r"]))"
    r'|(?P<dq>"[^`$\n' + _QUOTES + r']*"(?![' + _DOUBLE_QUOTES + r"]))"
    r"|(?P<w>(?!<#)[^\s;(){},|&`$#@\[" + _QUOTES + r"][^\s;(){},|&`$" + _QUOTES + r"]*)"
    r")"
)
_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}
_ENV_NAME = regexcache.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = regexcache.compile(r"[+-]?(?:0x[0-9A-Fa-f]+|\d+(?:\.\d+)?(?:e[+-]?\d+)?)[a-zA-Z]{0,2}")
_ENV_VAR = regexcache.compile(r"\$\{?env:([^}]+?)\}?$", re.I)
_BRACED_ENV = regexcache.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}", re.I)
_ENV_PATH = regexcache.compile(r"env:[\\/]?", re.I)
_HERE_START = regexcache.compile(r"[ \t]*\n")
_SINGLE_HERE_END = regexcache.compile("\n[ \t]*[" + _SINGLE_QUOTES + "]@")
_DOUBLE_HERE_END = regexcache.compile("\n[ \t]*[" + _DOUBLE_QUOTES + "]@")
_ENVIRONMENT_TYPES = frozenset({"environment", "system.environment"})
_TARGET_SCOPES = {"user": "setx-user", "machine": "setx-machine", "process": "export"}
_SET_COMMANDS = frozenset({"set-item", "si", "new-item", "ni"})
_REMOVE_COMMANDS = frozenset({"remove-item", "ri", "rm", "del", "erase", "rd", "rmdir", "clear-item", "cli"})
_VALUE_PARAMS = {
    "-path": "path",
    "-literalpath": "path",
    "-lp": "path",
    "-pspath": "path",
    "-name": "name",
    "-value": "value",
}
_SWITCHES = frozenset({"-force", "-passthru", "-whatif", "-confirm", "-recurse"})
_INTERESTING_COMMANDS = _SET_COMMANDS | _REMOVE_COMMANDS | {"setx", "setx.exe", "."}
_LAUNCHERS = frozenset({"claude", "npx", "bunx", "pnpx", "npm", "pnpm", "yarn", "bun"})
_STATEMENT_BREAKS = frozenset({"\n", ";", "{", "}", "(", ")", "|", "&&", "||"})


@functools.lru_cache(maxsize=1)
def _master() -> re.Pattern[str]:
    return regexcache.compile(_MASTER)


class _Tok(NamedTuple):
    kind: str  # "word" | "string" | "var" | "expr" | "type" | "op"
    text: str  # decoded text (words, strings), the source text otherwise; "\n" for newlines
    start: int
    end: int
    spaced: bool  # whitespace (or a line start) before it
    word: Word | None = None  # pieces for classification and positions; see `as_word`
    single: bool = False  # a single-quoted string

    def as_word(self) -> Word | None:
        """The token's pieces; made on demand for plain words and variables (most never need them)."""
        if self.word is not None or self.kind not in ("word", "var"):
            return self.word
        return Word(self.text, (Piece(self.text, PieceKind.EXPAND, self.start),), self.start, self.end)


def parse(path: str, text: str, kind: FileKind) -> ParsedFile:
    try:
        source = normalize_text(text)
        recorder = Recorder(path, kind, LineIndex(source))
        tokens = _Tokenizer(source, recorder).run()
        _Statements(recorder, tokens, source).run()
        facts = recorder.facts()
        return ParsedFile(
            path=path,
            kind=kind,
            observations=tuple(recorder.observations),
            notifications=recorder.notifications(),
            facts={key: facts[key] for key in ("runs_claude", "commands", "sources")},
            text=text,
        )
    except Exception:  # a parser bug must cost this file, never the scan
        return internal_error(path, kind, text, "PowerShell file")


# --------------------------------------------------------------------------- tokens


class _Tokenizer:
    def __init__(self, text: str, recorder: Recorder) -> None:
        self.text = text
        self.n = len(text)
        self.rec = recorder
        self.tokens: list[_Tok] = []

    def run(self) -> list[_Tok]:
        """Tokenise with `_MASTER`; strings, escapes, here-strings and block comments go slow."""
        text, n = self.text, self.n
        tokens = self.tokens
        finditer = _master().finditer
        spaced = True
        pos = 0
        while pos < n:
            for m in finditer(text, pos):
                if m.start() != pos:
                    break
                kind = m.lastgroup
                assert kind is not None
                start, end = m.span(kind)
                if kind == "w" and end < n and text[end] == "`":
                    spaced = spaced or start != pos
                    pos = start  # an escape inside a bare word
                    break
                glued = not spaced and start == pos
                pos = end
                if kind == "nl":
                    tokens.append(_Tok("op", "\n", start, end, True))
                    spaced = True
                elif kind == "c":
                    spaced = True
                elif kind == "op":
                    tokens.append(_Tok("op", m.group(kind), start, end, not glued))
                    spaced = False
                elif kind == "type":
                    tokens.append(_Tok("type", text[start + 1 : end - 1], start, end, not glued))
                    spaced = False
                elif kind == "sq":
                    raw = text[start + 1 : end - 1]
                    pieces = (Piece(raw, PieceKind.LITERAL, start + 1),) if raw else ()
                    word = Word(raw, pieces, start, end)
                    tokens.append(_Tok("string", raw, start, end, not glued, word, True))
                    spaced = False
                elif kind == "dq":
                    raw = text[start + 1 : end - 1]
                    pieces = (Piece(raw, PieceKind.EXPAND, start + 1),) if raw else ()
                    tokens.append(_Tok("string", raw, start, end, not glued, Word(raw, pieces, start, end)))
                    spaced = False
                else:  # "w" or "var": verbatim text, expanded where it is used
                    kind = "word" if kind == "w" else "var"
                    tokens.append(_Tok(kind, m.group(0)[start - m.start() :], start, end, not glued))
                    spaced = False
            if pos < n:
                pos, spaced = self.slow_token(pos, spaced)
        return tokens

    def slow_token(self, i: int, spaced: bool) -> tuple[int, bool]:
        """One token (or blank, continuation or comment) at `i`: (next index, spaced)."""
        text, n = self.text, self.n
        tokens = self.tokens
        m = _SPACE.match(text, i)
        if m is not None:
            return m.end(), True
        c = text[i]
        if c == "\n":
            tokens.append(_Tok("op", "\n", i, i + 1, True))
            return i + 1, True
        if c == "`" and i + 1 < n and text[i + 1] == "\n":
            return i + 2, True
        if c == "#":
            j = text.find("\n", i)
            return (n if j < 0 else j), True
        if text.startswith("<#", i):
            j = text.find("#>", i + 2)
            if j < 0:
                self.rec.error("unterminated block comment", i)
                return n, True
            return j + 2, True
        if c == "@" and i + 1 < n and (text[i + 1] in _SINGLE_QUOTES or text[i + 1] in _DOUBLE_QUOTES):
            here = self.here_string(i, spaced)
            if here is not None:
                tokens.append(here)
                return here.end, False
        if c in _SINGLE_QUOTES:
            token = self.single(i, spaced)
        elif c in _DOUBLE_QUOTES:
            token = self.double(i, spaced)
        elif c == "$":
            token = self.variable(i, spaced)
        elif c == "[" and (m := _TYPE.match(text, i)) is not None:
            token = _Tok("type", m.group(1), i, m.end(), spaced)
        else:
            op = _OPERATOR.match(text, i)
            token = _Tok("op", op.group(0), i, op.end(), spaced) if op is not None else self.bare(i, spaced)
        tokens.append(token)
        return max(token.end, i + 1), False

    def single(self, i: int, spaced: bool) -> _Tok:
        text, n = self.text, self.n
        pieces: list[Piece] = []
        j = run = i + 1
        while j < n:
            if text[j] in _SINGLE_QUOTES:
                if j + 1 < n and text[j + 1] in _SINGLE_QUOTES:  # '' is one quote
                    pieces.append(Piece(text[run : j + 1], PieceKind.LITERAL, run))
                    j += 2
                    run = j
                    continue
                if j > run:
                    pieces.append(Piece(text[run:j], PieceKind.LITERAL, run))
                return self._string(pieces, i, j + 1, spaced, single=True)
            j += 1
        self.rec.error("unterminated single-quoted string", i)
        return _Tok("op", "\n", i, n, spaced)  # ends the statement; its assignment never happens

    def double(self, i: int, spaced: bool) -> _Tok:
        text, n = self.text, self.n
        pieces: list[Piece] = []
        j = run = i + 1
        while j < n:
            c = text[j]
            if c in _DOUBLE_QUOTES:
                if j + 1 < n and text[j + 1] in _DOUBLE_QUOTES:
                    pieces.append(Piece(text[run : j + 1], PieceKind.EXPAND, run))
                    j += 2
                    run = j
                    continue
                if j > run:
                    pieces.append(Piece(text[run:j], PieceKind.EXPAND, run))
                return self._string(pieces, i, j + 1, spaced)
            if c == "`" and j + 1 < n:
                if j > run:
                    pieces.append(Piece(text[run:j], PieceKind.EXPAND, run))
                escaped = text[j + 1]
                if escaped != "\n":
                    pieces.append(Piece(_ESCAPES.get(escaped, escaped), PieceKind.LITERAL, j + 1, False))
                j += 2
                run = j
                continue
            if c == "$" and j + 1 < n and text[j + 1] == "(":
                j = self.balanced(j + 1, "(", ")")
                continue
            if c == "$" and j + 1 < n and text[j + 1] == "{":
                j = self.balanced(j + 1, "{", "}")
                continue
            j += 1
        self.rec.error("unterminated double-quoted string", i)
        return _Tok("op", "\n", i, n, spaced)

    def _string(self, pieces: list[Piece], start: int, end: int, spaced: bool, single: bool = False) -> _Tok:
        value = "".join(p.text for p in pieces)
        return _Tok("string", value, start, end, spaced, Word(value, tuple(pieces), start, end), single)

    def here_string(self, i: int, spaced: bool) -> _Tok | None:
        text = self.text
        quote = text[i + 1]
        single = quote in _SINGLE_QUOTES
        m = _HERE_START.match(text, i + 2)
        if m is None:
            return None
        body_start = m.end()
        close = (_SINGLE_HERE_END if single else _DOUBLE_HERE_END).search(text, body_start - 1)
        if close is None:
            self.rec.error("unterminated here-string", i)
            return _Tok("op", "\n", i, self.n, spaced)
        body_end = max(close.start(), body_start)
        body = text[body_start:body_end]
        kind = PieceKind.LITERAL if single else PieceKind.EXPAND
        pieces = [Piece(body, kind, body_start)] if body else []
        token = self._string(pieces, i, close.end(), spaced, single=single)
        return token

    def variable(self, i: int, spaced: bool) -> _Tok:
        text, n = self.text, self.n
        nxt = text[i + 1] if i + 1 < n else ""
        if nxt == "(":
            end = self.balanced(i + 1, "(", ")")
            return self._raw("expr", i, end, spaced)
        if nxt == "{":
            end = text.find("}", i + 2)
            end = n if end < 0 else end + 1
            return self._raw("var", i, end, spaced)
        m = _VARIABLE.match(text, i)
        if m is None:
            return self.bare(i, spaced)
        return self._raw("var", i, m.end(), spaced)

    def _raw(self, kind: str, start: int, end: int, spaced: bool) -> _Tok:
        raw = self.text[start:end]
        word = Word(raw, (Piece(raw, PieceKind.EXPAND, start),), start, end)
        return _Tok(kind, raw, start, end, spaced, word)

    def bare(self, i: int, spaced: bool) -> _Tok:
        text, n = self.text, self.n
        pieces: list[Piece] = []
        j = run = i
        while j < n:
            c = text[j]
            if c == "`" and j + 1 < n:
                if j > run:
                    pieces.append(Piece(text[run:j], PieceKind.EXPAND, run))
                if text[j + 1] == "\n":
                    break
                pieces.append(Piece(text[j + 1], PieceKind.LITERAL, j + 1))
                j += 2
                run = j
                continue
            if c in _BARE_STOP and j > i:
                break
            if c in _BARE_STOP:  # a lone stop character nothing else claimed
                j += 1
                break
            j += 1
        if j > run:
            pieces.append(Piece(text[run:j], PieceKind.EXPAND, run))
        value = "".join(p.text for p in pieces)
        return _Tok("word", value, i, j, spaced, Word(value, tuple(pieces), i, j))

    def balanced(self, i: int, opener: str, closer: str) -> int:
        """`text[i]` is `opener`; index after its match, skipping strings inside."""
        text, n = self.text, self.n
        depth = 0
        j = i
        while j < n:
            c = text[j]
            if c == opener:
                depth += 1
            elif c == closer:
                depth -= 1
                if depth == 0:
                    return j + 1
            elif c in _SINGLE_QUOTES:
                k = j + 1
                while k < n and text[k] not in _SINGLE_QUOTES:
                    k += 1
                j = k
            elif c in _DOUBLE_QUOTES:
                k = j + 1
                while k < n and text[k] not in _DOUBLE_QUOTES:
                    k += 2 if text[k] == "`" else 1
                j = k
            elif c == "`":
                j += 1
            j += 1
        self.rec.error("unterminated subexpression", i)
        return n


# --------------------------------------------------------------------------- statements


def _pwsh_kind(word: Word, single: bool) -> ValueKind:
    if single:
        return ValueKind.LITERAL
    # `${env:X}` means `$env:X`; the shared classifier only knows the second spelling
    pieces = [
        Piece(_BRACED_ENV.sub(r"$env:\1", p.text), p.kind, p.start) if p.kind is PieceKind.EXPAND else p
        for p in word.pieces
    ]
    return classify_pieces(pieces)


class _Value(NamedTuple):
    text: str | None  # None: removes the variable
    kind: ValueKind
    end: int


class _Statements:
    def __init__(self, recorder: Recorder, tokens: list[_Tok], text: str) -> None:
        self.rec = recorder
        self.tokens = tokens
        self.text = text

    def run(self) -> None:
        tokens = self.tokens
        at_start = True
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.kind == "op" and token.text in _STATEMENT_BREAKS:
                at_start = True
                i += 1
                continue
            if token.kind == "var" and self._env_name(token) is not None:
                following = tokens[i + 1] if i + 1 < len(tokens) else None
                if following is not None and following.kind == "op" and following.text in ("=", "+=", "??="):
                    i = self.assignment(i)
                    at_start = False
                    continue
            if token.kind == "type" and token.text.lower() in _ENVIRONMENT_TYPES:
                consumed = self.set_environment_variable(i)
                if consumed > i:
                    i = consumed
                    at_start = False
                    continue
            if at_start and (token.kind in ("word", "string") or (token.kind == "op" and token.text == "&")):
                i = self.command(i)
                at_start = False
                continue
            at_start = False
            i += 1

    # ---- helpers

    def _env_name(self, token: _Tok) -> tuple[str, int] | None:
        m = _ENV_VAR.match(token.text)
        if m is None or not _ENV_NAME.fullmatch(m.group(1)):
            return None
        return m.group(1), token.start + m.start(1)

    def _statement_end(self, i: int) -> int:
        """Index of the first token after the expression starting at `i`."""
        depth = 0
        tokens = self.tokens
        while i < len(tokens):
            token = tokens[i]
            if token.kind == "op":
                if token.text in ("(", "{", "["):
                    depth += 1
                elif token.text in (")", "}", "]"):
                    if depth == 0:
                        return i
                    depth -= 1
                elif depth == 0 and token.text in ("\n", ";"):
                    return i
            i += 1
        return i

    def _value(self, expression: Sequence[_Tok]) -> _Value | None:
        """An expression-mode value: a string, a variable, a number, or something computed."""
        tokens = [t for t in expression if not (t.kind == "op" and t.text == "\n")]
        if not tokens:
            return None
        end = tokens[-1].end
        if len(tokens) == 1:
            token = tokens[0]
            lowered = token.text.lower()
            if token.kind == "var" and lowered == "$null":
                return _Value(None, ValueKind.LITERAL, end)
            if token.kind == "var" and lowered in ("$true", "$false"):
                return _Value("True" if lowered == "$true" else "False", ValueKind.LITERAL, end)
            word = token.as_word()
            if token.kind in ("string", "var") and word is not None:
                return _Value(token.text, _pwsh_kind(word, token.single), end)
            if token.kind == "word" and _NUMBER.fullmatch(token.text):
                return _Value(token.text, ValueKind.LITERAL, end)
        return _Value(self.text[tokens[0].start : end], ValueKind.DYNAMIC, end)

    # ---- forms

    def assignment(self, i: int) -> int:
        token = self.tokens[i]
        operator = self.tokens[i + 1].text
        found = self._env_name(token)
        stop = self._statement_end(i + 2)
        value = self._value(self.tokens[i + 2 : stop])
        if found is None or value is None:
            return max(stop, i + 2)
        name, name_offset = found
        if value.text is None:
            self.rec.unset(name, name_offset, value.end, "unset")
            return stop
        text, kind = value.text, value.kind
        if operator != "=":  # += appends, ??= only sets when unset: neither is knowable here
            text, kind = f"$env:{name}" + (text if operator == "+=" else ""), ValueKind.DYNAMIC
        self.rec.env(name, name_offset, text, kind, value.end, scope="export")
        return stop

    def set_environment_variable(self, i: int) -> int:
        tokens = self.tokens
        if not (
            i + 3 < len(tokens)
            and tokens[i + 1].text == "::"
            and tokens[i + 2].text.lower() == "setenvironmentvariable"
            and tokens[i + 3].text == "("
        ):
            return i
        close = self._statement_end(i + 4)
        args = self._split_args(i + 4, close)
        after = close + 1
        if len(args) < 2 or len(args[0]) != 1 or args[0][0].kind not in ("string", "word"):
            return after
        name_token = args[0][0]
        name_word = name_token.as_word()
        if not _ENV_NAME.fullmatch(name_token.text) or name_word is None:
            return after
        value = self._value(args[1])
        if value is None:
            return after
        scope = "export"
        if len(args) >= 3:
            target = "".join(t.text for t in args[2]).lower().rsplit(":", 1)[-1].strip("'\" ")
            scope = _TARGET_SCOPES.get(target, "export")
        name_offset = name_word.offset_of(0)
        if value.text is None or value.text == "":  # .NET deletes the variable for null or ""
            self.rec.unset(name_token.text, name_offset, name_token.end, scope)
        else:
            self.rec.env(name_token.text, name_offset, value.text, value.kind, value.end, scope=scope)
        return after

    def _split_args(self, first: int, stop: int) -> list[list[_Tok]]:
        args: list[list[_Tok]] = [[]]
        depth = 0
        for token in self.tokens[first:stop]:
            if token.kind == "op" and token.text in ("(", "{", "["):
                depth += 1
            elif token.kind == "op" and token.text in (")", "}", "]"):
                depth -= 1
            if depth == 0 and token.kind == "op" and token.text == ",":
                args.append([])
                continue
            if token.kind == "op" and token.text == "\n":
                continue
            args[-1].append(token)
        return [a for a in args if a]

    def command(self, i: int) -> int:
        tokens = self.tokens
        if tokens[i].kind == "op":  # `& cmd`
            i += 1
            if i >= len(tokens) or tokens[i].kind not in ("word", "string"):
                return i
        head = tokens[i]
        name = head.text.lower()
        if name not in _INTERESTING_COMMANDS and command_basename(name) not in _LAUNCHERS:
            return i + 1
        stop = i
        depth = 0
        while stop < len(tokens):
            token = tokens[stop]
            if token.kind == "op":
                if token.text in ("(", "{"):
                    depth += 1
                elif token.text in (")", "}"):
                    if depth == 0:
                        break
                    depth -= 1
                elif depth == 0 and token.text in ("\n", ";", "|", "&&", "||"):
                    break
            stop += 1
        args = self._arguments(i + 1, stop)
        if name in _SET_COMMANDS:
            self.set_item(args)
        elif name in _REMOVE_COMMANDS:
            self.remove_item(args)
        elif name in ("setx", "setx.exe"):
            self.setx(args)
        if head.text == "." and args:
            line, _ = self.rec.position(head.start)
            target = "".join(t.text for t in args[0])
            self.rec.sources.append({"line": line, "target": target, "via": "."})
        runs = command_runs_claude(head.text, ["".join(t.text for t in arg) for arg in args])
        if runs:
            self.rec.add_command(head.start, head.text, True)
        # the arguments are visited again: script blocks in them (`if (...) { $env:X = 1 }`)
        # hold statements of their own
        return i + 1

    def _arguments(self, first: int, stop: int) -> list[list[_Tok]]:
        """Argument-mode arguments: tokens glued without whitespace form one argument, and so
        does a parenthesised or braced expression."""
        args: list[list[_Tok]] = []
        depth = 0
        for token in self.tokens[first:stop]:
            is_op = token.kind == "op"
            if depth:
                args[-1].append(token)
                if is_op and token.text in ("(", "{"):
                    depth += 1
                elif is_op and token.text in (")", "}"):
                    depth -= 1
                continue
            if is_op and token.text in ("\n", ","):
                continue
            if args and not token.spaced and not is_op:
                args[-1].append(token)
            else:
                args.append([token])
            if is_op and token.text in ("(", "{"):
                depth = 1
        return args

    def _named(self, args: list[list[_Tok]], positional_names: Sequence[str]) -> dict[str, list[_Tok]]:
        named: dict[str, list[_Tok]] = {}
        positional: list[list[_Tok]] = []
        i = 0
        while i < len(args):
            arg = args[i]
            text = arg[0].text.lower() if arg[0].kind == "word" else ""
            if text.startswith("-") and len(text) > 1:
                param, colon, _ = text.partition(":")
                key = _VALUE_PARAMS.get(param)
                if key is not None and colon:
                    named[key] = arg  # `-Path:Env:X` keeps the whole token; stripped below
                    i += 1
                    continue
                if key is not None and i + 1 < len(args):
                    named[key] = args[i + 1]
                    i += 2
                    continue
                i += 1 if param in _SWITCHES or i + 1 >= len(args) else 2
                continue
            positional.append(arg)
            i += 1
        for key, arg in zip(positional_names, positional, strict=False):
            named.setdefault(key, arg)
        return named

    def _env_target(
        self, arg: Sequence[_Tok], name_arg: Sequence[_Tok] | None
    ) -> tuple[str, int, int] | None:
        """(name, name offset, end) for an `Env:X` path, or `Env:` plus `-Name X`."""
        word = arg[0].as_word() if len(arg) == 1 else None
        if word is None:
            return None
        text = word.text
        prefix = text.index(":") + 1 if text.lower().startswith(("-path:", "-literalpath:")) else 0
        m = _ENV_PATH.match(text, prefix)
        if m is None:
            return None
        name = text[m.end() :]
        if name:
            if not _ENV_NAME.fullmatch(name):
                return None
            return name, word.offset_of(m.end()), word.offset_of(len(text) - 1) + 1
        named = name_arg[0].as_word() if name_arg and len(name_arg) == 1 else None
        if named is not None and _ENV_NAME.fullmatch(named.text):
            return named.text, named.offset_of(0), named.offset_of(len(named.text) - 1) + 1
        return None

    def set_item(self, args: list[list[_Tok]]) -> None:
        named = self._named(args, ("path", "value"))
        path = named.get("path")
        target = self._env_target(path, named.get("name")) if path is not None else None
        value_arg = named.get("value")
        if target is None or value_arg is None:
            return
        name, offset, _ = target
        word = value_arg[0].as_word()
        if len(value_arg) == 1 and value_arg[0].kind == "word" and word is not None:
            # argument mode: a bare word is a string, not a command to call
            self.rec.env(name, offset, word.text, _pwsh_kind(word, False), word.end, scope="export")
            return
        value = self._value(value_arg)
        if value is None:
            return
        if value.text is None:
            self.rec.unset(name, offset, value.end, "unset")
        else:
            self.rec.env(name, offset, value.text, value.kind, value.end, scope="export")

    def remove_item(self, args: list[list[_Tok]]) -> None:
        named = self._named(args, ("path",))
        candidates = [named["path"]] if "path" in named else []
        for arg in args:  # `Remove-Item Env:A, Env:B`
            if arg not in candidates and arg[0].kind in ("word", "string"):
                candidates.append(arg)
        seen: set[str] = set()
        for arg in candidates:
            target = self._env_target(arg, None)
            if target is not None and target[0] not in seen:
                seen.add(target[0])
                self.rec.unset(target[0], target[1], target[2], "unset")

    def setx(self, args: list[list[_Tok]]) -> None:
        words = [arg for arg in args if not (len(arg) == 1 and arg[0].text.startswith("/"))]
        machine = any(len(arg) == 1 and arg[0].text.lower() == "/m" for arg in args)
        if any(len(arg) == 1 and arg[0].text.lower() in ("/s", "/k", "/f") for arg in args):
            return  # remote machines, registry or file sources: not a plain assignment
        if len(words) < 2 or len(words[0]) != 1 or words[0][0].as_word() is None:
            return
        name_token = words[0][0]
        if not _ENV_NAME.fullmatch(name_token.text):
            return
        value_arg = words[1]
        scope = "setx-machine" if machine else "setx-user"
        word = value_arg[0].as_word()
        if len(value_arg) == 1 and value_arg[0].kind == "word" and word is not None:
            value: _Value | None = _Value(word.text, _pwsh_kind(word, False), word.end)
        else:
            value = self._value(value_arg)
        if value is None or value.text is None:
            return
        name_word = name_token.as_word()
        if name_word is None:
            return
        self.rec.env(name_token.text, name_word.offset_of(0), value.text, value.kind, value.end, scope=scope)
