"""Inline ignores: `ccpolicy: ignore[CCP101] reason` in a comment, in files that allow comments.

    export DO_NOT_TRACK=0  # ccpolicy: ignore[CCP107] the wrapper script sets it to 1 before use
    # ccpolicy: ignore[CCP101,CCP104] throwaway sandbox image, no network
    ENV ...

A comment suppresses the named rules' findings on its own line and, when the comment is alone
on its line, on the line below. The reason is required: an ignore without one suppresses
nothing and is reported. Settings JSON cannot hold comments (Claude Code rejects the file), so
settings, `.mcp.json` and `~/.claude.json` have no inline ignores: use a waiver.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from scanner import regexcache
from scanner.discovery.paths import classify
from scanner.model import FileKind, Notification
from scanner.records import NamedTuple

# Comment syntax by file kind. A Dockerfile comment must start its line: after an instruction,
# `#` is part of the instruction's arguments.
_HASH_KINDS = frozenset(
    {
        FileKind.SHELL,
        FileKind.ENVRC,
        FileKind.FISH,
        FileKind.CSH,
        FileKind.POWERSHELL,
        FileKind.DOTENV,
        FileKind.WORKFLOW,
        FileKind.COMPOSE,
    }
)
_MARKER = "ccpolicy:"
_HASH = regexcache.compile(r"(?:^|(?<=[ \t]))#+[ \t]*ccpolicy:[ \t]*ignore(?P<rest>.*)$")
_HASH_LINE_START = regexcache.compile(r"^[ \t]*#+[ \t]*ccpolicy:[ \t]*ignore(?P<rest>.*)$")
_SLASH = regexcache.compile(r"(?P<block>/\*|//)[ \t]*ccpolicy:[ \t]*ignore(?P<rest>.*)$")
_IDS = regexcache.compile(r"^\[(?P<ids>[^\]]*)\](?P<reason>.*)$")
_REASON_LEAD = " \t:-\u2013\u2014"


class InlineIgnore(NamedTuple):
    line: int
    rule_ids: tuple[str, ...]
    reason: str
    own_line: bool  # the comment is alone on its line, so it also covers the line below


def _comment_pattern(path: str) -> re.Pattern[str] | None:
    if path.endswith(".toml"):
        return _HASH
    kind = classify(path)
    if kind in _HASH_KINDS:
        return _HASH
    if kind is FileKind.DOCKERFILE:
        return _HASH_LINE_START
    if kind is FileKind.DEVCONTAINER:
        return _SLASH
    return None


def supports_comments(path: str) -> bool:
    return _comment_pattern(path) is not None


def _warning(message: str, path: str, line: int, descriptor: str) -> Notification:
    return Notification("warning", message, path, line, descriptor)


def _parse(
    rest: str, path: str, line: int, known: Collection[str], notes: list[Notification]
) -> tuple[tuple[str, ...], str] | None:
    match = _IDS.match(rest)
    if match is None:
        notes.append(
            _warning(
                "inline ignore must name its rules, e.g. `ccpolicy: ignore[CCP101] reason`; "
                "it suppresses nothing",
                path,
                line,
                "inline-ignore-malformed",
            )
        )
        return None
    ids = tuple(dict.fromkeys(p.strip() for p in match.group("ids").split(",") if p.strip()))
    if not ids:
        notes.append(
            _warning(
                "inline ignore names no rule; it suppresses nothing", path, line, "inline-ignore-malformed"
            )
        )
        return None
    for rid in ids:
        if rid not in known:
            notes.append(
                _warning(
                    f"inline ignore names unknown rule {rid!r}", path, line, "inline-ignore-unknown-rule"
                )
            )
    reason = match.group("reason").strip().lstrip(_REASON_LEAD).strip()
    if not reason:
        shown = ",".join(ids)
        notes.append(
            _warning(
                f"inline ignore without a reason: ignore[{shown}] suppresses nothing until it says why "
                f"(ccpolicy: ignore[{shown}] <reason>)",
                path,
                line,
                "inline-ignore-without-reason",
            )
        )
        return None
    return tuple(rid for rid in ids if rid in known), reason


def ignores_in(
    path: str, text: str, known: Collection[str]
) -> tuple[dict[int, InlineIgnore], list[Notification]]:
    """The usable ignores of one file by line, and notifications for the unusable ones."""
    found: dict[int, InlineIgnore] = {}
    notes: list[Notification] = []
    if _MARKER not in text:
        return found, notes
    pattern = _comment_pattern(path)
    if pattern is None:
        return found, notes
    for number, raw in enumerate(text.split("\n"), start=1):
        if _MARKER not in raw:
            continue
        line = raw.rstrip("\r")
        match = pattern.search(line)
        if match is None:
            continue
        rest = match.group("rest")
        if match.groupdict().get("block") == "/*":
            rest = rest.split("*/", 1)[0]
        parsed = _parse(rest, path, number, known, notes)
        if parsed is None or not parsed[0]:
            continue
        own_line = not line[: match.start()].strip()
        found[number] = InlineIgnore(number, parsed[0], parsed[1], own_line)
    return found, notes


def ignore_for(rule_id: str, line: int, ignores: Mapping[int, InlineIgnore]) -> InlineIgnore | None:
    """The ignore that covers a finding of `rule_id` on `line`: same line, or a comment line above."""
    same = ignores.get(line)
    if same is not None and rule_id in same.rule_ids:
        return same
    above = ignores.get(line - 1)
    if above is not None and above.own_line and rule_id in above.rule_ids:
        return above
    return None
