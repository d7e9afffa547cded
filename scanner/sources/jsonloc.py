"""A tolerant JSON/JSONC parser that remembers where every key and value is.

Why not the stdlib: `json` gives no positions and rejects comments and trailing commas, and the
files we read are hand-edited (settings.jsonc, devcontainer.json, templates). We need both the
value Claude Code would see and the exact line/column of each key, plus a list of everything a
strict JSON parser (Claude Code's) would have rejected.

What is tolerated, each reported as a `JsonIssue` so callers can still say "Claude Code would
reject this file": `//` and `/* */` comments, trailing commas, duplicate keys (last wins, like
`JSON.parse`), unescaped control characters other than line breaks inside strings, and invalid
backslash escapes (kept literally). A UTF-8 BOM is skipped silently and does not count as a column.
Everything else (missing commas, unquoted words, single quotes, bad numbers, unterminated strings
or containers, content after the root value) stops the parse: `JsonDoc.error` is set and `value`
holds what was parsed before the error (every completed member of every open container).

Positions are 1-based; columns count code points; lines break at LF, CRLF or a lone CR (the
SARIF definition). An object member's location is its key's opening quote; an array item's
location is the first character of the item; the root's location is the first character of
the root value. `value_ends` is exclusive (the character after the value).

The parser is iterative (an explicit stack), so nesting cannot raise RecursionError; nesting
beyond `max_depth` containers stops the parse with an issue of kind "depth".
"""

from __future__ import annotations

import bisect
import string

from scanner import regexcache
from scanner.model import JSONValue
from scanner.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeAlias

JsonPath: TypeAlias = tuple[str | int, ...]
Position: TypeAlias = tuple[int, int]

__all__ = ["JsonDoc", "JsonIssue", "JsonPath", "Position", "parse_json"]


class JsonIssue(NamedTuple):
    kind: str  # "comment" | "trailing-comma" | "duplicate-key" | "syntax" | "depth"
    line: int  # 1-based
    column: int  # 1-based, in code points
    message: str  # never contains a value from the document


class JsonDoc(NamedTuple):
    value: JSONValue | None
    locations: dict[JsonPath, Position]
    value_ends: dict[JsonPath, Position]
    issues: tuple[JsonIssue, ...]
    error: JsonIssue | None

    @property
    def strict_ok(self) -> bool:
        return not self.issues and self.error is None


_WHITESPACE = regexcache.compile(r"[ \t\n\r]*")
_SKIPPABLE_START = frozenset(" \t\n\r/")
_PLAIN_STRING = regexcache.compile(r'"([^"\\\x00-\x1f]*)"')
_STRING_RUN = regexcache.compile(r'[^"\\\x00-\x1f]*')
_NUMBER = regexcache.compile(r"-?(?:0|[1-9][0-9]*)((?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)?")
# A number directly followed by one of these is malformed ("01", "1.", "1e", "0x1f", "1-2").
_NUMBER_TAIL = frozenset(string.ascii_letters + string.digits + "._+-")
_WORD = regexcache.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_HEX4 = regexcache.compile(r"[0-9A-Fa-f]{4}")
_LINE_BREAK = regexcache.compile(r"\r\n|\r|\n")
_LINE_END_CHAR = regexcache.compile(r"[\r\n]")

_SIMPLE_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}
_LITERALS: dict[str, JSONValue] = {"true": True, "false": False, "null": None}
_SAFE_TO_SHOW = frozenset("{}[]:,'/\\=;<>()#*")

_CONTROL_CHARACTER = "unescaped control character in a string (not allowed in strict JSON)"

# Parser states.
_EXPECT_VALUE = 0
_AFTER_VALUE = 1
_EXPECT_KEY_OR_CLOSE = 2  # right after "{"
_EXPECT_KEY = 3  # right after "," in an object
_EXPECT_VALUE_OR_CLOSE = 4  # right after "["


class _Stop(Exception):
    """Internal: the tolerant parse cannot go on."""

    def __init__(self, kind: str, offset: int, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.offset = offset
        self.message = message


class _Frame:
    __slots__ = ("container", "first_seen", "is_object", "key", "key_offset", "path")

    def __init__(self, container: dict[str, JSONValue] | list[JSONValue], path: JsonPath) -> None:
        self.container = container
        self.path = path
        self.is_object = isinstance(container, dict)
        self.first_seen: dict[str, int] = {}  # key -> offset of its first occurrence
        self.key = ""
        self.key_offset = 0


def _describe_key(key: str) -> str:
    """A key as it may appear in a message: keys are names, not values, but stay bounded."""
    shown = "".join(ch if ch.isprintable() else "?" for ch in key[:64])
    return f'"{shown}..."' if len(key) > 64 else f'"{shown}"'


class _Parser:
    def __init__(self, text: str, max_depth: int) -> None:
        self.text = text
        self.length = len(text)
        self.max_depth = max_depth
        self.bom = text.startswith("\ufeff")
        self.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        self.issues: list[tuple[str, int, str]] = []
        self.locations: dict[JsonPath, int] = {}
        self.value_ends: dict[JsonPath, int] = {}
        self.stack: list[_Frame] = []
        self.root: JSONValue | None = None
        self.replaced_container = False  # a duplicate key dropped a subtree: prune its paths

    # -- positions -------------------------------------------------------------------------

    def position(self, offset: int) -> Position:
        index = bisect.bisect_right(self.line_starts, offset) - 1
        column = offset - self.line_starts[index] + 1
        if index == 0 and self.bom and offset > 0:
            column -= 1
        return index + 1, column

    def issue(self, kind: str, offset: int, message: str) -> JsonIssue:
        line, column = self.position(offset)
        return JsonIssue(kind, line, column, message)

    # -- lexing ----------------------------------------------------------------------------

    def skip(self, offset: int) -> int:
        """Skip whitespace and comments (recording each comment as an issue)."""
        text = self.text
        if offset < self.length and text[offset] not in _SKIPPABLE_START:
            return offset  # the common case: the next token follows directly
        while True:
            match = _WHITESPACE.match(text, offset)
            offset = match.end() if match else offset
            if not text.startswith("/", offset):
                return offset
            following = text[offset + 1 : offset + 2]
            if following == "/":
                self.issues.append(("comment", offset, "comment (not allowed in strict JSON)"))
                line_end = _LINE_END_CHAR.search(text, offset)
                offset = line_end.start() if line_end else self.length
            elif following == "*":
                close = text.find("*/", offset + 2)
                if close < 0:
                    raise _Stop("syntax", offset, "unterminated /* comment")
                self.issues.append(("comment", offset, "comment (not allowed in strict JSON)"))
                offset = close + 2
            else:
                return offset

    def unexpected(self, offset: int, expected: str) -> _Stop:
        if offset >= self.length:
            return _Stop("syntax", offset, f"unexpected end of input: expected {expected}")
        char = self.text[offset]
        found = f"'{char}'" if char in _SAFE_TO_SHOW else self.describe_token(offset)
        return _Stop("syntax", offset, f"expected {expected}, found {found}")

    def describe_token(self, offset: int) -> str:
        char = self.text[offset]
        if char == '"':
            return "a string"
        if char == "-" or char.isdigit():
            return "a number"
        if _WORD.match(self.text, offset):
            return "a bare word"
        if not char.isprintable() or char.isspace():
            return f"character U+{ord(char):04X}"
        return "an unexpected character"

    def string(self, start: int) -> tuple[str, int]:
        """Decode the string whose opening quote is at `start`; return it and the end offset."""
        text = self.text
        plain = _PLAIN_STRING.match(text, start)
        if plain is not None:
            return plain.group(1), plain.end()
        parts: list[str] = []
        offset = start + 1
        while True:
            run = _STRING_RUN.match(text, offset)
            run_end = run.end() if run else offset
            if run_end >= self.length:
                raise _Stop("syntax", start, "unterminated string")
            char = text[run_end]
            if char == '"':
                parts.append(text[offset:run_end])
                return "".join(parts), run_end + 1
            parts.append(text[offset:run_end])
            if char == "\\":
                decoded, offset = self.escape(run_end)
                parts.append(decoded)
            elif char in "\r\n":
                raise _Stop("syntax", start, "unterminated string")
            else:
                self.issues.append(("syntax", run_end, _CONTROL_CHARACTER))
                parts.append(char)
                offset = run_end + 1

    def escape(self, backslash: int) -> tuple[str, int]:
        text = self.text
        code = text[backslash + 1 : backslash + 2]
        simple = _SIMPLE_ESCAPES.get(code)
        if simple is not None:
            return simple, backslash + 2
        if code == "u" and _HEX4.fullmatch(text, backslash + 2, backslash + 6):
            unit = int(text[backslash + 2 : backslash + 6], 16)
            after = backslash + 6
            low = _low_surrogate(text, after) if 0xD800 <= unit < 0xDC00 else None
            if low is not None:
                return chr(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)), after + 6
            if 0xD800 <= unit < 0xE000:
                # JSON.parse accepts a lone surrogate; Python output stages cannot encode one.
                return "\ufffd", after
            return chr(unit), after
        if code in ("", "\r", "\n"):
            # Let the string loop report the unterminated string at its opening quote.
            return "\\", backslash + 1
        self.issues.append(("syntax", backslash, "invalid escape sequence in a string (kept literally)"))
        return "\\", backslash + 1

    def scalar(self, offset: int, expected: str) -> tuple[JSONValue, int]:
        text = self.text
        if offset >= self.length:
            raise self.unexpected(offset, expected)
        char = text[offset]
        if char == '"':
            return self.string(offset)
        if char == "-" or "0" <= char <= "9":
            match = _NUMBER.match(text, offset)
            if match is None:
                raise _Stop("syntax", offset, "invalid number")
            end = match.end()
            if end < self.length and text[end] in _NUMBER_TAIL:
                raise _Stop("syntax", offset, "invalid number")
            if not match.group(1):
                return _to_int(match.group()), end
            return float(match.group()), end
        word = _WORD.match(text, offset)
        if word is not None and word.group() in _LITERALS:
            return _LITERALS[word.group()], word.end()
        raise self.unexpected(offset, expected)

    # -- tree building ---------------------------------------------------------------------

    def attach(self, value: JSONValue, path: JsonPath, offset: int) -> None:
        if not self.stack:
            self.root = value
            self.locations[path] = offset
            return
        frame = self.stack[-1]
        container = frame.container
        if isinstance(container, dict):
            container[frame.key] = value
            self.locations[path] = frame.key_offset
        else:
            container.append(value)
            self.locations[path] = offset

    def read_key(self, frame: _Frame, quote: int) -> tuple[JsonPath, int]:
        key, end = self.string(quote)
        colon = self.skip(end)
        if not self.text.startswith(":", colon):
            raise self.unexpected(colon, "':' after a property name")
        first = frame.first_seen.get(key)
        if first is None:
            frame.first_seen[key] = quote
        else:
            first_line = self.position(first)[0]
            message = f"duplicate key {_describe_key(key)} (first at line {first_line})"
            self.issues.append(("duplicate-key", quote, message))
            container = frame.container
            if isinstance(container, dict) and isinstance(container.get(key), (dict, list)):
                self.replaced_container = True
        frame.key = key
        frame.key_offset = quote
        return (*frame.path, key), self.skip(colon + 1)

    def run(self, start: int) -> None:
        text = self.text
        offset = self.skip(start)
        if offset >= self.length:
            raise _Stop("syntax", offset, "empty document: expected a value")
        state = _EXPECT_VALUE
        path: JsonPath = ()
        stack = self.stack
        while True:
            if state in (_EXPECT_VALUE, _EXPECT_VALUE_OR_CLOSE):
                char = text[offset] if offset < self.length else ""
                if state == _EXPECT_VALUE_OR_CLOSE and char == "]":
                    offset = self.close(offset)
                    state = _AFTER_VALUE
                elif char in ("{", "["):
                    if len(stack) >= self.max_depth:
                        raise _Stop("depth", offset, f"nesting deeper than {self.max_depth} levels")
                    container: dict[str, JSONValue] | list[JSONValue] = {} if char == "{" else []
                    self.attach(container, path, offset)
                    stack.append(_Frame(container, path))
                    offset = self.skip(offset + 1)
                    if char == "{":
                        state = _EXPECT_KEY_OR_CLOSE
                    else:
                        state = _EXPECT_VALUE_OR_CLOSE
                        path = (*path, 0)
                else:
                    expected = "a value or ']'" if state == _EXPECT_VALUE_OR_CLOSE else "a value"
                    if not char or char in "}],:":
                        raise self.unexpected(offset, expected)
                    value, end = self.scalar(offset, expected)
                    self.attach(value, path, offset)
                    self.value_ends[path] = end
                    offset = self.skip(end)
                    state = _AFTER_VALUE
            elif state == _AFTER_VALUE:
                if not stack:
                    if offset < self.length:
                        raise _Stop("syntax", offset, "unexpected content after the JSON value")
                    return
                frame = stack[-1]
                closer = "}" if frame.is_object else "]"
                char = text[offset] if offset < self.length else ""
                if char == ",":
                    comma = offset
                    offset = self.skip(offset + 1)
                    if text.startswith(closer, offset):
                        self.issues.append(
                            ("trailing-comma", comma, "trailing comma (not allowed in strict JSON)")
                        )
                        offset = self.close(offset)
                    elif frame.is_object:
                        state = _EXPECT_KEY
                    else:
                        path = (*frame.path, len(frame.container))
                        state = _EXPECT_VALUE
                elif char == closer:
                    offset = self.close(offset)
                else:
                    raise self.unexpected(offset, f"',' or '{closer}'")
            else:
                frame = stack[-1]
                char = text[offset] if offset < self.length else ""
                if char == '"':
                    path, offset = self.read_key(frame, offset)
                    state = _EXPECT_VALUE
                elif char == "}" and state == _EXPECT_KEY_OR_CLOSE:
                    offset = self.close(offset)
                    state = _AFTER_VALUE
                else:
                    expected = "a property name"
                    if state == _EXPECT_KEY_OR_CLOSE:
                        expected = "a property name or '}'"
                    raise self.unexpected(offset, expected)

    def close(self, offset: int) -> int:
        frame = self.stack.pop()
        self.value_ends[frame.path] = offset + 1
        return self.skip(offset + 1)


def parse_json(text: str, *, max_depth: int = 128) -> JsonDoc:
    """Parse `text` tolerantly; never raises (see the module docstring for what is tolerated)."""
    try:
        parser = _Parser(text, max_depth)
    except Exception as exc:  # a non-str argument: nothing else can fail before parsing
        unreadable = JsonIssue("syntax", 1, 1, f"cannot read input ({type(exc).__name__})")
        return JsonDoc(None, {}, {}, (), unreadable)
    error: JsonIssue | None = None
    try:
        parser.run(1 if parser.bom else 0)
    except _Stop as stop:
        error = parser.issue(stop.kind, stop.offset, stop.message)
        for frame in parser.stack:
            # Open containers end where the parse stopped, so both maps keep the same keys.
            parser.value_ends.setdefault(frame.path, stop.offset)
    except Exception as exc:  # a parser bug must not take the scan down
        error = JsonIssue("syntax", 1, 1, f"internal parser error ({type(exc).__name__})")
        return JsonDoc(None, {}, {}, (), error)
    locations = parser.locations
    value_ends = parser.value_ends
    if parser.replaced_container:
        locations = {path: at for path, at in locations.items() if _resolves(parser.root, path)}
        value_ends = {path: at for path, at in value_ends.items() if path in locations}
    position = parser.position
    issues = tuple(
        JsonIssue(kind, *position(offset), message)
        for kind, offset, message in sorted(parser.issues, key=lambda item: item[1])
    )
    return JsonDoc(
        value=parser.root,
        locations={path: position(at) for path, at in locations.items()},
        value_ends={path: position(at) for path, at in value_ends.items()},
        issues=issues,
        error=error,
    )


def _resolves(root: JSONValue | None, path: JsonPath) -> bool:
    node = root
    for step in path:
        if isinstance(step, str) and isinstance(node, dict) and step in node:
            node = node[step]
            continue
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            node = node[step]
            continue
        return False
    return True


def _low_surrogate(text: str, offset: int) -> int | None:
    """The low surrogate of a `\\uXXXX` escape at `offset`, if one is there."""
    if not text.startswith("\\u", offset) or not _HEX4.fullmatch(text, offset + 2, offset + 6):
        return None
    unit = int(text[offset + 2 : offset + 6], 16)
    return unit if 0xDC00 <= unit < 0xE000 else None


def _to_int(literal: str) -> int | float:
    try:
        return int(literal)
    except ValueError:  # Python refuses to convert integers of more than 4300 digits
        return float(literal)
