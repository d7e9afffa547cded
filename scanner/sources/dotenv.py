"""`.env` files (`.env`, `.env.local`, `.env.example`, ...), read the way python-dotenv and
docker compose read them.

- `KEY=value`, `export KEY=value`, `KEY = value`: ENV, scope "dotenv".
- Single quotes are literal; double quotes decode `\\n`, `\\t`, `\\"`, `\\\\` and may span lines;
  an unquoted value ends at the line end, and ` #` starts a comment in it.
- `KEY=` is the empty string; `KEY` alone sets nothing (skipped).
- `${VAR}` and `$VAR` are interpolated by both readers, so values are classified as
  references; `$(...)` and backquotes are never run, so they are plain characters here.
Lines that are not assignments are skipped and counted in one notification.
"""

from __future__ import annotations

from scanner import regexcache
from scanner.model import FileKind, Notification, ParsedFile, ValueKind
from scanner.sources.shlex_util import (
    LineIndex,
    Piece,
    PieceKind,
    Recorder,
    classify_pieces,
    internal_error,
    normalize_text,
)

_KEY = regexcache.compile(r"[ \t]*(?:export[ \t]+)?([^=#\s'\"]+)[ \t]*")
_BLANK_OR_COMMENT = regexcache.compile(r"[ \t\f\v]*(?:#[^\n]*)?(?:\n|$)")
_SPACES = regexcache.compile(r"[ \t]*")
_INLINE_COMMENT = regexcache.compile(r"\s+#.*")
_DOUBLE_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "'": "'",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}


def parse(path: str, text: str, kind: FileKind) -> ParsedFile:
    try:
        source = normalize_text(text)
        recorder = Recorder(path, kind, LineIndex(source))
        _read(recorder, source)
        return ParsedFile(
            path=path,
            kind=kind,
            observations=tuple(recorder.observations),
            notifications=_notifications(recorder),
            text=text,
        )
    except Exception:  # a parser bug must cost this file, never the scan
        return internal_error(path, kind, text, ".env file")


def _notifications(recorder: Recorder) -> tuple[Notification, ...]:
    if not recorder.errors:
        return ()
    count = len(recorder.errors)
    first = min(offset for _, offset in recorder.errors)
    line, _ = recorder.index.position(first)
    noun = "line was" if count == 1 else "lines were"
    return (
        Notification(
            level="warning",
            message=f"{count} {noun} not read as KEY=value assignments (first at line {line})",
            path=recorder.path,
            line=line,
            descriptor="parse-error",
        ),
    )


def _line_end(text: str, i: int) -> int:
    j = text.find("\n", i)
    return len(text) if j < 0 else j


def _read(recorder: Recorder, text: str) -> None:
    n = len(text)
    i = 0
    while i < n:
        blank = _BLANK_OR_COMMENT.match(text, i)
        if blank is not None and blank.end() > i:
            i = blank.end()
            continue
        i = _assignment(recorder, text, i)


def _assignment(recorder: Recorder, text: str, i: int) -> int:
    """Read one binding starting at a line start; returns the start of the next line."""
    line_end = _line_end(text, i)
    key = _KEY.match(text, i, line_end)
    if key is None:
        recorder.error("not an assignment", i)
        return line_end + 1
    j = key.end()
    if j >= line_end or text[j] == "#":
        return line_end + 1  # `KEY` alone: python-dotenv binds nothing usable
    if text[j] != "=":
        recorder.error("not an assignment", i)
        return line_end + 1
    j = _SPACES.match(text, j + 1).end()  # type: ignore[union-attr]
    name, name_offset = key.group(1), key.start(1)
    quote = text[j] if j < len(text) else ""
    if quote == "'":
        closing = _find_single(text, j + 1)
        if closing < 0:
            recorder.error("unterminated single quote", i)
            return line_end + 1
        raw = text[j + 1 : closing]
        value = raw.replace("\\'", "'").replace("\\\\", "\\")
        recorder.env(name, name_offset, value, ValueKind.LITERAL, closing + 1, scope="dotenv")
        return _line_end(text, closing) + 1
    if quote == '"':
        closing, value = _read_double(text, j + 1)
        if closing < 0:
            recorder.error("unterminated double quote", i)
            return line_end + 1
        kind = classify_pieces((Piece(value, PieceKind.EXPAND, j + 1, False),), substitutions=False)
        recorder.env(name, name_offset, value, kind, closing + 1, scope="dotenv")
        return _line_end(text, closing) + 1
    raw = text[j:line_end]
    value = _INLINE_COMMENT.sub("", raw).rstrip()
    kind = classify_pieces((Piece(value, PieceKind.EXPAND, j),), substitutions=False)
    recorder.env(name, name_offset, value, kind, j + len(value), scope="dotenv")
    return line_end + 1


def _find_single(text: str, i: int) -> int:
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "'\\":
            i += 2
            continue
        if c == "'":
            return i
        i += 1
    return -1


def _read_double(text: str, i: int) -> tuple[int, str]:
    out: list[str] = []
    n = len(text)
    run = i
    while i < n:
        c = text[i]
        if c == '"':
            out.append(text[run:i])
            return i, "".join(out)
        if c == "\\" and i + 1 < n:
            out.append(text[run:i])
            escaped = text[i + 1]
            out.append(_DOUBLE_ESCAPES.get(escaped, "\\" + escaped))
            i += 2
            run = i
            continue
        i += 1
    return -1, ""
