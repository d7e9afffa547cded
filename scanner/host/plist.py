"""macOS managed preferences for `com.anthropic.claudecode` (an MDM-delivered property list).

The plist uses the same top-level keys as managed-settings.json; nested dictionaries are objects and
arrays are lists (reference 1.1), so the observations are exactly those of a settings file
(scanner.sources.settings.settings_observations): SETTING per dotted key, ENV per `env` member.

XML plists get exact locations: the line and column of each `<key>` text. Binary plists (`bplist00`,
what `cfprefsd` writes) have no lines, so everything points at 1:1. `<data>` values are not settings
values: they are dropped with a notification. Dates become ISO 8601 strings. Parsing uses the stdlib
`plistlib`, which refuses XML entity declarations (no entity expansion).

Facts: "plist_format" ("xml" | "binary" | null), "valid_plist" (bool).
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

from scanner import regexcache
from scanner.model import FileKind, JSONValue, Notification, ParsedFile
from scanner.sources.jsonloc import JsonDoc, JsonPath, Position
from scanner.sources.settings import settings_observations, shape_name

__all__ = ["parse", "parse_bytes"]

MAX_DEPTH = 64

_TOKEN = regexcache.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE[^>]*>"
    r"|<key>(?P<key>.*?)</key>|<key\s*/>"
    r"|<(?P<close>/)?(?P<tag>[A-Za-z]+)[^>]*?(?P<empty>/)?>",
    re.S,
)
_LINE_BREAK = regexcache.compile(r"\r\n|\r|\n")


def parse(path: str, text: str, kind: FileKind = FileKind.PLIST) -> ParsedFile:
    """An XML plist given as text (the source registry's text interface)."""
    return parse_bytes(path, text.encode("utf-8"), kind)


def parse_bytes(path: str, data: bytes, kind: FileKind = FileKind.PLIST) -> ParsedFile:
    """Any plist (XML or binary); never raises."""
    try:
        return _parse(path, data, kind)
    except Exception as exc:  # a bug here must cost one file, not the scan
        note = Notification(
            "error",
            f"{path}: internal error while reading a property list ({type(exc).__name__})",
            path,
            None,
            "internal-parse-error",
        )
        return ParsedFile(
            path, kind, notifications=(note,), facts={"valid_plist": False, "plist_format": None}
        )


def _parse(path: str, data: bytes, kind: FileKind) -> ParsedFile:
    import plistlib

    binary = data.startswith(b"bplist")
    fmt = "binary" if binary else "xml"
    try:
        loaded = plistlib.loads(data)
    except RecursionError:
        return _invalid(path, kind, fmt, "is nested too deeply to read")
    except Exception as exc:  # plistlib raises several types (InvalidFileException, ExpatError, ...)
        return _invalid(path, kind, fmt, f"is not a valid property list ({type(exc).__name__})")
    notes: list[Notification] = []
    value = _to_json(loaded, path, notes)
    if not isinstance(value, dict):
        notes.append(
            Notification(
                "error",
                f"{path}: a managed-preferences plist must be a dictionary, found {shape_name(value)}",
                path,
                1,
                "invalid-settings",
            )
        )
        return ParsedFile(
            path, kind, notifications=tuple(notes), facts={"valid_plist": True, "plist_format": fmt}
        )
    locations: dict[JsonPath, Position] = {(): (1, 1)}
    if not binary:
        text = data.decode("utf-8", "replace")
        locations.update(_key_locations(text))
    doc = JsonDoc(value=value, locations=locations, value_ends={}, issues=(), error=None)
    observations = settings_observations(doc, path, kind)
    return ParsedFile(
        path=path,
        kind=kind,
        observations=tuple(observations),
        notifications=tuple(notes),
        facts={"valid_plist": True, "plist_format": fmt},
        text=None if binary else data.decode("utf-8", "replace"),
    )


def _invalid(path: str, kind: FileKind, fmt: str, why: str) -> ParsedFile:
    note = Notification("error", f"{path} {why}; it contributes nothing", path, None, "parse-error")
    return ParsedFile(path, kind, notifications=(note,), facts={"valid_plist": False, "plist_format": fmt})


def _to_json(value: object, path: str, notes: list[Notification]) -> JSONValue:
    """plistlib's value as JSON data; recursion is bounded by MAX_DEPTH."""
    dropped: list[str] = []
    too_deep = False

    def scalar(item: object) -> tuple[bool, JSONValue]:
        if item is None or isinstance(item, (bool, int, float, str)):
            return True, item
        if isinstance(item, datetime.datetime):
            return True, item.isoformat()
        return False, None

    def convert(item: object, depth: int, where: str) -> JSONValue:
        nonlocal too_deep
        ok, result = scalar(item)
        if ok:
            return result
        if depth >= MAX_DEPTH:
            too_deep = True
            return None
        if isinstance(item, dict):
            out: dict[str, JSONValue] = {}
            for key, child in item.items():
                child_where = f"{where}.{key}" if where else str(key)
                if isinstance(child, (bytes, bytearray)):
                    dropped.append(child_where)
                    continue
                out[str(key)] = convert(child, depth + 1, child_where)
            return out
        if isinstance(item, list):
            items: list[JSONValue] = []
            for index, child in enumerate(item):
                if isinstance(child, (bytes, bytearray)):
                    dropped.append(f"{where}[{index}]")
                    continue
                items.append(convert(child, depth + 1, f"{where}[{index}]"))
            return items
        dropped.append(where or "(root)")
        return None

    result = convert(value, 0, "")
    for where in dropped:
        notes.append(
            Notification(
                "warning",
                f"{path}: {where} holds binary <data>, which is not a settings value; ignored",
                path,
                None,
                "invalid-settings",
            )
        )
    if too_deep:
        notes.append(
            Notification(
                "warning",
                f"{path}: nested deeper than {MAX_DEPTH} levels; the deepest values are ignored",
                path,
                None,
                "too-complex",
            )
        )
    return result


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    def position(self, offset: int) -> Position:
        import bisect

        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1


@dataclass
class _Frame:
    is_dict: bool
    path: JsonPath  # the container's key path
    in_array: bool  # inside an array (at any depth): settings observations stop at arrays
    pending: str | None = None  # a dict's key whose value comes next


def _key_locations(text: str) -> dict[JsonPath, Position]:
    """Where each dictionary key's text starts, by key path (keys inside arrays are skipped)."""
    lines = _Lines(text)
    found: dict[JsonPath, Position] = {}
    stack: list[_Frame] = []
    for kind, name, offset in _tokens(text):
        top = stack[-1] if stack else None
        if kind == "key":
            if top is not None and top.is_dict:
                top.pending = name
                if not top.in_array:
                    key_path: JsonPath = (*top.path, name)
                    found[key_path] = lines.position(offset)
            continue
        if kind in ("open", "empty") and name != "plist":
            key = top.pending if top is not None and top.is_dict else None
            if top is not None and top.is_dict:
                top.pending = None  # this element is the key's value
            if kind == "open" and name in ("dict", "array"):
                if top is None:
                    found.setdefault((), lines.position(offset))
                    stack.append(_Frame(name == "dict", (), False))
                else:
                    path: JsonPath = (*top.path, key) if key is not None else top.path
                    stack.append(_Frame(name == "dict", path, top.in_array or not top.is_dict))
            continue
        if kind == "close" and name in ("dict", "array") and stack:
            stack.pop()
    return found


def _tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """("key", text, offset of the key text) | ("open"|"close"|"empty", tag, offset of '<')."""
    for m in _TOKEN.finditer(text):
        if m.group("key") is not None:
            yield "key", html.unescape(m.group("key")), m.start("key")
            continue
        tag = m.group("tag")
        if tag is None:
            continue  # comment, CDATA, declaration, empty key
        if m.group("close"):
            yield "close", tag, m.start()
        elif m.group("empty"):
            yield "empty", tag, m.start()
        else:
            yield "open", tag, m.start()
