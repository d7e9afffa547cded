"""Dockerfiles (BuildKit syntax): `ENV`, `ARG`, and where Claude Code is installed or run.

- `ENV K=V K2="V 2"` and the legacy `ENV K V with spaces`: ENV, scope "dockerfile-env".
- `ARG K=default`: ENV, scope "dockerfile-arg" (`ARG K` without a default sets nothing).
- `RUN`/`CMD`/`ENTRYPOINT ANTHROPIC_API_KEY=x claude -p`: ENV, scope "command-local",
  group ("stage", "<index>", "command", "<line>").
Every other observation has group ("stage", "<index>"); "-1" is before the first FROM
(global build arguments). Docker expands `$VAR`/`${VAR}` in ENV and ARG but never runs
`$(...)`, so only references make a value non-literal.

Facts:
- "stages": [{"index", "name" (AS name or null), "line", "column" (of FROM), "image",
  "parent" (index of an earlier stage it builds FROM, else null), "installs_claude",
  "runs_claude"}]. A stage's flags describe its own instructions only; follow "parent"
  for what it inherits.
- "runs_claude": any stage runs or installs Claude Code.
- "anchor": {"line", "column"} of the FROM of the last stage that runs or installs Claude
  Code, else of the last FROM, else 1:1.
"""

from __future__ import annotations

import bisect
import json
import re

from scanner import regexcache
from scanner.model import FileKind, JSONValue, ParsedFile, ValueKind
from scanner.records import NamedTuple
from scanner.sources.shell import scan_commands
from scanner.sources.shlex_util import (
    LineIndex,
    Origin,
    Piece,
    PieceKind,
    Recorder,
    classify_pieces,
    command_basename,
    command_runs_claude,
    internal_error,
    mentions_claude_install,
    normalize_text,
)

_DIRECTIVE = regexcache.compile(r"#[ \t]*([A-Za-z][A-Za-z0-9]*)[ \t]*=[ \t]*(\S*)[ \t]*$")
_INSTRUCTION = regexcache.compile(r"[ \t]*([A-Za-z]+)(?:[ \t]+|$)")
_HEREDOC = regexcache.compile(r"(?<!<)<<(?!<)(-?)[ \t]*(?:'([^'\s]+)'|\"([^\"\s]+)\"|([A-Za-z0-9_.\-]+))")
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh"})
_SPACE_RUN = regexcache.compile(r"\s+")
_RUN_FLAG = regexcache.compile(r"[ \t]*--\S+")


class _Logical(NamedTuple):
    """One instruction after joining continuation lines; `segments` map it back to the file."""

    text: str
    segments: list[tuple[int, int]]  # (offset in text, offset in file), ascending
    first_line: int  # index of its first physical line
    escape: str
    heredoc_bodies: list[tuple[str, int]]  # (body, file offset), filled in as the bodies are read

    def origin(self, offset: int) -> int:
        i = bisect.bisect_right(self.segments, (offset, 1 << 62)) - 1
        local, original = self.segments[max(i, 0)]
        return original + (offset - local)


class _Stage:
    __slots__ = ("column", "image", "index", "installs_claude", "line", "name", "parent", "runs_claude")

    def __init__(
        self, index: int, name: str | None, line: int, column: int, image: str, parent: int | None
    ) -> None:
        self.index = index
        self.name = name
        self.line = line
        self.column = column
        self.image = image
        self.parent = parent
        self.installs_claude = False
        self.runs_claude = False

    def fact(self) -> dict[str, JSONValue]:
        return {
            "index": self.index,
            "name": self.name,
            "line": self.line,
            "column": self.column,
            "image": self.image,
            "parent": self.parent,
            "installs_claude": self.installs_claude,
            "runs_claude": self.runs_claude or self.installs_claude,
        }


class _Stages(list[_Stage]):
    """The stages so far, and the latest index of each stage name (lower-cased, as Docker does)."""

    def __init__(self) -> None:
        super().__init__()
        self.by_name: dict[str, int] = {}


def parse(path: str, text: str, kind: FileKind) -> ParsedFile:
    try:
        return _parse(path, text, kind)
    except Exception:  # a parser bug must cost this file, never the scan
        return internal_error(path, kind, text, "Dockerfile")


def _parse(path: str, text: str, kind: FileKind) -> ParsedFile:
    source = normalize_text(text)
    recorder = Recorder(path, kind, LineIndex(source))
    stages = _Stages()
    for logical in _instructions(source, recorder):
        _instruction(recorder, logical, stages)
    chosen = [s for s in stages if s.runs_claude or s.installs_claude] or stages
    anchor: dict[str, JSONValue] = (
        {"line": chosen[-1].line, "column": chosen[-1].column} if chosen else {"line": 1, "column": 1}
    )
    facts: dict[str, JSONValue] = {
        "stages": [stage.fact() for stage in stages],
        "runs_claude": any(s.runs_claude or s.installs_claude for s in stages),
        "anchor": anchor,
    }
    return ParsedFile(
        path=path,
        kind=kind,
        observations=tuple(recorder.observations),
        notifications=recorder.notifications(),
        facts=facts,
        text=text,
    )


# --------------------------------------------------------------------------- logical lines


def _instructions(source: str, recorder: Recorder) -> list[_Logical]:
    lines = source.split("\n")
    starts: list[int] = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    escape = "\\"
    i = 0
    while i < len(lines):  # parser directives: only at the very top
        directive = _DIRECTIVE.match(lines[i])
        if directive is None:
            break
        if directive.group(1).lower() == "escape" and directive.group(2) in ("\\", "`"):
            escape = directive.group(2)
        i += 1
    continuation = regexcache.compile(re.escape(escape) + r"[ \t]*$")
    out: list[_Logical] = []
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        parts: list[str] = []
        segments: list[tuple[int, int]] = []
        length = 0
        first = i
        lead = len(lines[i]) - len(lines[i].lstrip())
        while i < len(lines):
            line = lines[i]
            skip = lead if i == first else 0
            cont = continuation.search(line, skip)
            part = line[skip : cont.start()] if cont is not None else line[skip:]
            segments.append((length, starts[i] + skip))
            parts.append(part)
            length += len(part)
            i += 1
            if cont is None:
                break
            while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
                i += 1
        logical = _Logical("".join(parts), segments, first, escape, [])
        i = _heredocs(logical, lines, starts, i, recorder)
        out.append(logical)
    return out


def _heredocs(logical: _Logical, lines: list[str], starts: list[int], i: int, recorder: Recorder) -> int:
    match = _INSTRUCTION.match(logical.text)
    if match is None or match.group(1).upper() not in ("RUN", "COPY", "ADD"):
        return i
    for marker in _HEREDOC.finditer(logical.text, match.end()):
        delimiter = marker.group(2) or marker.group(3) or marker.group(4)
        strip_tabs = marker.group(1) == "-"
        body_start = i
        body_end = len(lines)
        while i < len(lines):
            candidate = lines[i].lstrip("\t") if strip_tabs else lines[i]
            i += 1
            if candidate == delimiter:
                body_end = i - 1
                break
        else:
            recorder.error("unterminated here-document", logical.origin(marker.start()))
        if body_start < len(lines):
            logical.heredoc_bodies.append(("\n".join(lines[body_start:body_end]), starts[body_start]))
    return i


# --------------------------------------------------------------------------- instructions


def _instruction(recorder: Recorder, logical: _Logical, stages: _Stages) -> None:
    match = _INSTRUCTION.match(logical.text)
    if match is None:
        recorder.error("not a Dockerfile instruction", logical.origin(0))
        return
    keyword = match.group(1).upper()
    rest_start = match.end()
    view = recorder.view(logical.origin)
    if keyword == "FROM":
        _from(view, logical.text, rest_start, stages)
        return
    index = len(stages) - 1
    group = ("stage", str(index))
    if keyword in ("ENV", "ARG"):
        _env_or_arg(view, logical, rest_start, keyword, group)
    elif keyword in ("RUN", "CMD", "ENTRYPOINT"):
        runs, installs = _command(recorder, logical, rest_start, keyword, group)
        if stages:
            stages[-1].runs_claude |= runs
            stages[-1].installs_claude |= installs


def _from(recorder: Recorder, text: str, start: int, stages: _Stages) -> None:
    words = [w for w in _SPACE_RUN.split(text[start:].strip()) if w]
    words = [w for w in words if not w.startswith("--")]
    image = words[0] if words else ""
    name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
    parent = stages.by_name.get(image.lower())  # stage names are case-insensitive
    line, column = recorder.position(_first_non_space(text))
    stages.append(_Stage(len(stages), name, line, column, image, parent))
    if name is not None:
        stages.by_name[name.lower()] = len(stages) - 1


def _first_non_space(text: str) -> int:
    return len(text) - len(text.lstrip())


def _raw_words(text: str, start: int, escape: str) -> list[tuple[str, int]]:
    """BuildKit's parseWords: whitespace-separated words, quotes and escapes kept verbatim."""
    words: list[tuple[str, int]] = []
    n = len(text)
    i = start
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        begin = i
        quote = ""
        while i < n:
            c = text[i]
            if quote:
                if c == escape and quote != "'" and i + 1 < n:
                    i += 2
                    continue
                if c == quote:
                    quote = ""
            elif c.isspace():
                break
            elif c in "'\"":
                quote = c
            elif c == escape and i + 1 < n:
                i += 2
                continue
            i += 1
        words.append((text[begin:i], begin))
    return words


def _docker_value(raw: str, base: int, escape: str) -> tuple[str, tuple[Piece, ...], bool]:
    """BuildKit's ProcessWord minus the expansion: quote removal, escapes, pieces to classify."""
    pieces: list[Piece] = []
    n = len(raw)
    i = run = 0
    closed = True

    def flush(end: int) -> None:
        if end > run:
            pieces.append(Piece(raw[run:end], PieceKind.EXPAND, base + run))

    while i < n:
        c = raw[i]
        if c == escape:
            flush(i)
            if i + 1 < n:
                pieces.append(Piece(raw[i + 1], PieceKind.LITERAL, base + i + 1))
            i += 2
            run = i
        elif c == "'":
            flush(i)
            j = raw.find("'", i + 1)
            if j < 0:
                closed, j = False, n
            if j > i + 1:
                pieces.append(Piece(raw[i + 1 : j], PieceKind.LITERAL, base + i + 1))
            i = run = j + 1
        elif c == '"':
            flush(i)
            i += 1
            run = i
            while i < n and raw[i] != '"':
                if raw[i] == escape and i + 1 < n and raw[i + 1] in ('"', "$", escape):
                    flush(i)
                    pieces.append(Piece(raw[i + 1], PieceKind.LITERAL, base + i + 1))
                    i += 2
                    run = i
                    continue
                i += 1
            if i >= n:
                closed = False
            flush(i)
            i += 1
            run = i
        else:
            i += 1
    flush(min(i, n))
    return "".join(p.text for p in pieces), tuple(pieces), closed


def _env_or_arg(
    recorder: Recorder, logical: _Logical, start: int, keyword: str, group: tuple[str, ...]
) -> None:
    text, escape = logical.text, logical.escape
    scope = "dockerfile-env" if keyword == "ENV" else "dockerfile-arg"
    words = _raw_words(text, start, escape)
    if not words:
        recorder.error(f"{keyword} without arguments", start)
        return
    if keyword == "ENV" and "=" not in words[0][0]:
        name, name_offset = words[0]
        if len(words) < 2:
            recorder.error("ENV without a value", name_offset)
            return
        value_start = words[1][1]
        raw = text[value_start:].rstrip()
        _emit(recorder, name, name_offset, raw, value_start, escape=escape, scope=scope, group=group)
        return
    if keyword == "ENV":
        missing = next((offset for word, offset in words if "=" not in word), None)
        if missing is not None:  # Docker rejects the whole instruction
            recorder.error("ENV word without '='", missing)
            return
    for word, offset in words:
        name, eq, raw = word.partition("=")
        if eq:  # `ARG K` declares without a default
            value_offset = offset + len(name) + 1
            _emit(recorder, name, offset, raw, value_offset, escape=escape, scope=scope, group=group)


def _emit(
    recorder: Recorder,
    name: str,
    name_offset: int,
    raw: str,
    value_offset: int,
    *,
    escape: str,
    scope: str,
    group: tuple[str, ...],
) -> None:
    if not name:
        return
    value, pieces, closed = _docker_value(raw, value_offset, escape)
    if not closed:
        recorder.error("unterminated quote", name_offset)
        return
    kind = classify_pieces(pieces, substitutions=False) if pieces else ValueKind.LITERAL
    recorder.env(name, name_offset, value, kind, value_offset + len(raw), scope=scope, group=group)


def _command(
    root: Recorder, logical: _Logical, start: int, keyword: str, group: tuple[str, ...]
) -> tuple[bool, bool]:
    """(runs Claude Code, installs Claude Code) for a RUN, CMD or ENTRYPOINT."""
    recorder = root.view(logical.origin)
    text = logical.text
    i = start
    if keyword == "RUN":  # flags such as --mount=... come before the command
        while True:
            flag = _RUN_FLAG.match(text, i)
            if flag is None:
                break
            i = flag.end()
    command = text[i:].strip()
    offset = i + (len(text[i:]) - len(text[i:].lstrip()))
    bodies = logical.heredoc_bodies
    installs = keyword == "RUN" and (
        mentions_claude_install(command) or any(mentions_claude_install(body) for body, _ in bodies)
    )
    runs = False
    if command.startswith("["):
        runs = _exec_form(recorder, command, offset, group)
    else:
        if _may_matter(command):
            runs = scan_commands(recorder.view(_shift(offset)), command, group)
        first_word = command.split(None, 1)[0] if command else ""
        if bodies and (command.startswith("<<") or command_basename(first_word) in _SHELLS):
            for body, body_offset in bodies:
                if _may_matter(body):
                    runs |= scan_commands(root.view(_shift(body_offset)), body, group)
    return runs, installs


def _may_matter(script: str) -> bool:
    """Only a script with an assignment or a mention of Claude can give a finding here."""
    return "=" in script or "claude" in script.lower()


def _exec_form(recorder: Recorder, command: str, offset: int, group: tuple[str, ...]) -> bool:
    try:
        argv = json.loads(command)
    except ValueError:
        return scan_commands(recorder.view(_shift(offset)), command, group)
    if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
        return False
    if command_runs_claude(argv[0], argv[1:]):
        return True
    if command_basename(argv[0]) in _SHELLS and "-c" in argv[1:-1]:
        script = argv[argv.index("-c", 1) + 1]
        found = command.find(script) if script else -1
        shift = offset + found if found >= 0 else offset
        return scan_commands(recorder.view(_shift(shift)), script, group)
    return False


def _shift(delta: int) -> Origin:
    def origin(offset: int) -> int:
        return offset + delta

    return origin
