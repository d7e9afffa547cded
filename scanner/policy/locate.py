"""The line of every key in a TOML document, because tomllib reports values but no positions.

`key_lines(text)` walks the document once and maps each key path to the 1-based line where it
is defined: ("waivers", 0) is the `[[waivers]]` header of the first waiver, ("waivers", 0,
"expires") its `expires` key, ("enable", 2) the third element of the `enable` array. It runs
only on text tomllib has already accepted, so it can be forgiving; on anything it does not
understand it stops and returns what it has found so far, never raising.
"""

from __future__ import annotations

import bisect
import contextlib
import sys
from collections.abc import Mapping, Sequence

from scanner import regexcache

KeyPath = tuple[str | int, ...]

_BARE_KEY = regexcache.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = frozenset(",]}\n#")


class _Stop(Exception):
    """The walker met something it does not understand: keep what was found so far."""


class _Walker:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        self.lines: dict[KeyPath, int] = {}
        self.array_tables: dict[KeyPath, int] = {}  # resolved path -> index of its last element

    def line_at(self, pos: int) -> int:
        return bisect.bisect_left(self.newlines, pos) + 1

    def record(self, path: KeyPath, pos: int) -> None:
        line = self.line_at(pos)
        for end in range(1, len(path) + 1):
            self.lines.setdefault(path[:end], line)

    def peek(self, literal: str) -> bool:
        return self.text.startswith(literal, self.pos)

    def expect(self, literal: str) -> None:
        if not self.peek(literal):
            raise _Stop
        self.pos += len(literal)

    def skip_blank(self, *, newlines: bool) -> None:
        text, n = self.text, len(self.text)
        while self.pos < n:
            ch = text[self.pos]
            if ch in " \t\r" or (newlines and ch == "\n"):
                self.pos += 1
            elif ch == "#":
                end = text.find("\n", self.pos)
                self.pos = n if end < 0 else end
            else:
                return

    # keys -------------------------------------------------------------------------------------

    def key(self) -> list[str]:
        parts = [self.key_part()]
        while True:
            self.skip_blank(newlines=False)
            if not self.peek("."):
                return parts
            self.pos += 1
            self.skip_blank(newlines=False)
            parts.append(self.key_part())

    def key_part(self) -> str:
        if self.peek('"') or self.peek("'"):
            start = self.pos
            self.string()
            if sys.version_info >= (3, 11):  # here: the scan path imports this module for KeyPath
                import tomllib
            else:  # pragma: no cover
                import tomli as tomllib
            try:
                value = tomllib.loads("k = " + self.text[start : self.pos])["k"]
            except tomllib.TOMLDecodeError:
                raise _Stop from None
            return str(value)
        match = _BARE_KEY.match(self.text, self.pos)
        if match is None:
            raise _Stop
        self.pos = match.end()
        return match.group()

    def resolve_header(self, keys: Sequence[str], *, array: bool) -> KeyPath:
        path: KeyPath = ()
        for i, k in enumerate(keys):
            path = (*path, k)
            last = i == len(keys) - 1
            if last and array:
                index = self.array_tables.get(path, -1) + 1
                self.array_tables[path] = index
                path = (*path, index)
            elif path in self.array_tables:
                path = (*path, self.array_tables[path])
        return path

    # values -----------------------------------------------------------------------------------

    def string(self) -> None:
        for quote in ('"""', "'''"):
            if self.peek(quote):
                self.pos += 3
                self.multiline_string_body(quote)
                return
        quote = self.text[self.pos]
        self.pos += 1
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "\\" and quote == '"':
                self.pos += 2
                continue
            if ch == "\n":
                raise _Stop
            self.pos += 1
            if ch == quote:
                return
        raise _Stop

    def multiline_string_body(self, quote: str) -> None:
        while self.pos < len(self.text):
            if quote == '"""' and self.text[self.pos] == "\\":
                self.pos += 2
                continue
            if self.peek(quote):
                self.pos += 3
                # A closing delimiter may carry up to two more quote characters of content.
                while self.pos < len(self.text) and self.text[self.pos] == quote[0]:
                    self.pos += 1
                return
            self.pos += 1
        raise _Stop

    def value(self, path: KeyPath) -> None:
        if self.pos >= len(self.text):
            raise _Stop
        ch = self.text[self.pos]
        if ch in "\"'":
            self.string()
        elif ch == "[":
            self.array(path)
        elif ch == "{":
            self.inline_table(path)
        else:
            start = self.pos
            while self.pos < len(self.text) and self.text[self.pos] not in _SCALAR_END:
                self.pos += 1
            if self.pos == start:
                raise _Stop

    def array(self, path: KeyPath) -> None:
        self.expect("[")
        index = 0
        while True:
            self.skip_blank(newlines=True)
            if self.peek("]"):
                self.pos += 1
                return
            self.record((*path, index), self.pos)
            self.value((*path, index))
            self.skip_blank(newlines=True)
            if self.peek(","):
                self.pos += 1
                index += 1
            elif not self.peek("]"):
                raise _Stop

    def inline_table(self, path: KeyPath) -> None:
        self.expect("{")
        while True:
            self.skip_blank(newlines=True)
            if self.peek("}"):
                self.pos += 1
                return
            self.key_value(path)
            self.skip_blank(newlines=True)
            if self.peek(","):
                self.pos += 1
            elif not self.peek("}"):
                raise _Stop

    def key_value(self, table: KeyPath) -> None:
        start = self.pos
        path = (*table, *self.key())
        self.record(path, start)
        self.skip_blank(newlines=False)
        self.expect("=")
        self.skip_blank(newlines=False)
        self.value(path)

    # document ---------------------------------------------------------------------------------

    def document(self) -> None:
        table: KeyPath = ()
        while True:
            self.skip_blank(newlines=True)
            if self.pos >= len(self.text):
                return
            start = self.pos
            if self.peek("[["):
                self.pos += 2
                self.skip_blank(newlines=False)
                table = self.resolve_header(self.key(), array=True)
                self.expect("]]")
                self.record(table, start)
            elif self.peek("["):
                self.pos += 1
                self.skip_blank(newlines=False)
                table = self.resolve_header(self.key(), array=False)
                self.expect("]")
                self.record(table, start)
            else:
                self.key_value(table)


def key_lines(text: str) -> dict[KeyPath, int]:
    walker = _Walker(text)
    with contextlib.suppress(_Stop, IndexError, RecursionError):
        walker.document()
    return walker.lines


def line_of(lines: Mapping[KeyPath, int], path: KeyPath) -> int:
    """The line of `path`, or of its nearest recorded ancestor (a missing key: its table), else 1."""
    for end in range(len(path), 0, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return 1


def format_path(path: KeyPath) -> str:
    """`waivers[0].expires`, `severity.CCP104`, `severity."odd key"`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        if _BARE_KEY.fullmatch(part):
            shown = part
        else:
            shown = '"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"'
        out += f".{shown}" if out else shown
    return out
