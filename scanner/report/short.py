"""`--format short`: the findings that decide the exit status, one line each, for commit hooks.

    .claude/settings.json:3:5: CCP401 [critical] ANTHROPIC_API_KEY is assigned a literal ...
    ccpolicy: 7 findings (1 critical, 4 medium, 2 low) in 1 configuration file; 1 at or above ...

The text format groups findings under a file heading, which reads well in a terminal but not in
a hook log, where each line should stand alone and name its file (editors and terminals make
`path:line:col:` clickable; flake8, ruff and shellcheck print the same shape). A hook runs on
every commit, so only the findings at or above --fail-on (the ones blocking the commit) are
listed, most severe first; the summary line counts the others. With `--fail-on never` nothing
blocks and every finding is listed. Plain text only: this is the pre-commit path.
"""

from __future__ import annotations

from collections.abc import Sequence

from scanner import regexcache
from scanner.model import Finding, Notification, Severity
from scanner.report.model import ScanResult

_LINE_BREAKS = regexcache.compile(r"\s*(?:\r\n|\r|\n)\s*")


def _one_line(text: str) -> str:
    return _LINE_BREAKS.sub(" ", text.strip())


def _display_path(target: str, path: str, multi: bool) -> str:
    if not multi or path.startswith("/") or target in (".", ""):
        return path
    return f"{target.rstrip('/')}/{path}"


def finding_line(finding: Finding, path: str) -> str:
    location = finding.location
    where = f"{path}:{location.line}:{location.column}"
    message = _one_line(finding.message) or finding.rule_id
    return f"{where}: {finding.rule_id} [{finding.severity.label}] {message}"


def notification_line(notification: Notification, path: str | None) -> str:
    where = path or "ccpolicy"
    if path and notification.line:
        where += f":{notification.line}"
    return f"{where}: {notification.level}: {_one_line(notification.message)}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(results: Sequence[tuple[str, ScanResult]]) -> str:
    active = [finding for _, result in results for finding in result.active]
    failing = [finding for _, result in results for finding in result.failing()]
    files = sum(result.files_scanned for _, result in results)
    fail_on = results[0][1].fail_on if results else Severity.HIGH
    counts = [
        f"{sum(1 for f in active if f.severity is severity)} {severity.label}"
        for severity in sorted(Severity, reverse=True)
        if any(f.severity is severity for f in active)
    ]
    text = f"ccpolicy: {_plural(len(active), 'finding')}"
    if counts:
        text += f" ({', '.join(counts)})"
    text += f" in {_plural(files, 'configuration file')}"
    if fail_on is None:
        return f"{text}."
    if not failing:
        return f"{text}; none at or above {fail_on.label}."
    text += f"; {len(failing)} at or above {fail_on.label}: failing"
    unlisted = len(active) - len(failing)
    if unlisted:
        text += f" ({unlisted} below {fail_on.label} not listed: run `ccpolicy scan`)"
    first_rule = min(f.rule_id for f in failing)
    return f"{text}. Details: ccpolicy explain {first_rule}"


def listed(result: ScanResult) -> tuple[Finding, ...]:
    """The findings this format prints for one result: the failing ones, or all without a threshold."""
    return result.active if result.fail_on is None else result.failing()


def render_short(results: Sequence[tuple[str, ScanResult]]) -> str:
    """Listed findings (most severe first, then by position), notifications, one summary line."""
    multi = len(results) > 1
    rows: list[tuple[int, str, int, int, str, str]] = []
    for target, result in results:
        for finding in listed(result):
            path = _display_path(target, finding.location.path, multi)
            location = finding.location
            line = finding_line(finding, path)
            rows.append((-int(finding.severity), path, location.line, location.column, finding.rule_id, line))
    lines = [row[-1] for row in sorted(rows)]
    for target, result in results:
        for note in result.notifications:
            note_path = _display_path(target, note.path, multi) if note.path else None
            lines.append(notification_line(note, note_path))
    lines.append(summary_line(results))
    return "\n".join(lines) + "\n"
