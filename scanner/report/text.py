"""Terminal output: findings grouped by file, then a summary.

Plain text (no rich import at all) when the output is not a terminal or NO_COLOR is set, so the
pre-commit and CI paths stay fast and their logs stay clean; rich colours on a terminal.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from scanner.model import Finding, Notification, Severity
from scanner.report.model import ScanResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import IO

_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def _display_path(target: str, path: str, multi: bool) -> str:
    if not multi or path.startswith("/") or target in (".", ""):
        return path
    return f"{target.rstrip('/')}/{path}"


def _summary(results: Sequence[tuple[str, ScanResult]]) -> str:
    active = [f for _, r in results for f in r.active]
    suppressed = sum(len(r.findings) - len(r.active) for _, r in results)
    failing = sum(len(r.failing()) for _, r in results)
    files = sum(r.files_scanned for _, r in results)
    contexts = sum(len(r.contexts) for _, r in results)
    fail_on = results[0][1].fail_on if results else Severity.HIGH
    parts = [
        f"{sum(1 for f in active if f.severity is s)} {s.label}"
        for s in sorted(Severity, reverse=True)
        if any(f.severity is s for f in active)
    ]
    noun = "finding" if len(active) == 1 else "findings"
    text = f"{len(active)} {noun}"
    if parts:
        text += f" ({', '.join(parts)})"
    text += f" in {files} configuration file{'s' if files != 1 else ''}, {contexts} context{'s' if contexts != 1 else ''}"
    if suppressed:
        text += f"; {suppressed} suppressed"
    notes = sum(len(r.notifications) for _, r in results)
    if notes:
        text += f"; {notes} notification{'s' if notes != 1 else ''}"
    text += "."
    # --baseline (scanner/baseline.py): unchanged findings do not fail the run; say how many are new.
    states = [f.baseline_state for f in active if f.baseline_state]
    fixed = sum(len(r.fixed) for _, r in results)
    if states or fixed:
        text += f" Baseline: {states.count('new')} new, {states.count('unchanged')} unchanged, {fixed} fixed."
    policy = results[0][1].extra.get("policy") if results else None
    if isinstance(policy, dict) and policy.get("source"):
        from scanner.report.jsonout import display_path

        text += f" Policy: {display_path(str(policy['source']))}."
    if failing and fail_on is not None:
        text += f" {failing} at or above {fail_on.label}: failing."
    return text


def _groups(results: Sequence[tuple[str, ScanResult]]) -> list[tuple[str, list[Finding]]]:
    multi = len(results) > 1
    groups: dict[str, list[Finding]] = {}
    for target, result in results:
        for f in result.active:
            groups.setdefault(_display_path(target, f.location.path, multi), []).append(f)
    return sorted(groups.items())


def render_plain(results: Sequence[tuple[str, ScanResult]]) -> str:
    lines: list[str] = []
    for path, findings in _groups(results):
        lines.append(path)
        for f in findings:
            lines.append(
                f"  {f.location.line}:{f.location.column}  {f.severity.label:<8} {f.rule_id}  {f.message}"
            )
        lines.append("")
    for target, result in results:
        for n in result.notifications:
            lines.append(_notification_line(target, n, len(results) > 1))
    lines.append(_summary(results))
    return "\n".join(lines) + "\n"


def _notification_line(target: str, note: Notification, multi: bool) -> str:
    where = ""
    if note.path and note.path not in note.message:
        where = _display_path(target, note.path, multi) + (f":{note.line}" if note.line else "") + ": "
    return f"{note.level}: {where}{note.message}"


def use_color(stream: IO[str]) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def print_text(results: Sequence[tuple[str, ScanResult]], stream: IO[str]) -> None:
    if not use_color(stream):
        stream.write(render_plain(results))
        return
    from rich.console import Console
    from rich.markup import escape

    console = Console(file=stream, highlight=False, soft_wrap=True)
    for path, findings in _groups(results):
        console.print(f"[bold underline]{escape(path)}[/]")
        for f in findings:
            style = _STYLE[f.severity]
            console.print(
                f"  [dim]{f.location.line}:{f.location.column}[/]  [{style}]{f.severity.label:<8}[/] "
                f"[bold]{f.rule_id}[/]  {escape(f.message)}"
            )
        console.print()
    for target, result in results:
        for n in result.notifications:
            line = _notification_line(target, n, len(results) > 1)
            level, _, rest = line.partition(": ")
            console.print(f"[magenta]{level}[/]: {escape(rest)}")
    console.print(f"[bold]{escape(_summary(results))}[/]")
