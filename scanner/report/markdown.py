"""A Markdown summary for $GITHUB_STEP_SUMMARY and for tickets.

Text from scanned files ends up in table cells (messages, paths), so every cell is escaped:
a stray `|` would split the row, and `<`, `*`, `_` or backticks would turn into markup.
"""

from __future__ import annotations

from scanner import regexcache
from scanner.catalogue.model import Rule
from scanner.model import Finding, Notification, Severity
from scanner.report.model import ScanResult

MAX_ROWS = 200
MAX_NOTIFICATIONS = 50
MAX_CELL_CHARS = 300

_SEVERITIES: tuple[Severity, ...] = tuple(sorted(Severity, reverse=True))
# `_` inside a word (DO_NOT_TRACK) never starts emphasis in GitHub-flavoured Markdown, so only
# underscores at a word edge are escaped: variable names stay readable in the raw text.
_MARKUP = regexcache.compile(r"([\\`*\[\]<>|]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_LINE_BREAKS = regexcache.compile(r"\r\n|\r|\n")


def escape_cell(text: str) -> str:
    """Text safe inside one GitHub-flavoured Markdown table cell, on one line."""
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1].rstrip() + "…"
    return _LINE_BREAKS.sub("<br>", _MARKUP.sub(r"\\\1", text))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _headline(result: ScanResult) -> list[str]:
    active = result.active
    failing = result.failing()
    verdict = "❌ failed" if failing else "✅ passed"
    counts = dict.fromkeys(_SEVERITIES, 0)
    for finding in active:
        counts[finding.severity] += 1
    breakdown = " · ".join(f"{severity.label} {counts[severity]}" for severity in _SEVERITIES)
    if result.fail_on is None:
        reason = "report only, no severity fails the scan"
    elif failing:
        # With a baseline, unchanged findings do not fail the scan: say the count is of new ones.
        noun = "new finding" if any(f.baseline_state for f in active) else "finding"
        reason = f"{_plural(len(failing), noun)} at or above **{result.fail_on.label}**"
    else:
        reason = f"no new findings at or above **{result.fail_on.label}**"
    return [
        f"## ccpolicy: {verdict}",
        "",
        f"{reason}; {_plural(len(active), 'active finding')} in {_plural(result.files_scanned, 'file')} "
        f"({breakdown}).",
    ]


def _rule_cell(finding: Finding, rules: dict[str, Rule]) -> str:
    rule = rules.get(finding.rule_id)
    label = escape_cell(f"{finding.rule_id} {rule.name}" if rule else finding.rule_id)
    if rule is not None and rule.origin == "builtin":
        return f"[{label}]({rule.help_uri})"
    return label


def _location_cell(finding: Finding) -> str:
    location = finding.location
    return escape_cell(f"{location.path}:{location.line}")


def _table(result: ScanResult) -> list[str]:
    active = sorted(result.active, key=lambda f: (-int(f.severity), *f.sort_key()))
    if not active:
        return ["No active findings."]
    rules = {rule.id: rule for rule in result.rules}
    lines = ["| Severity | Rule | Location | Message |", "| --- | --- | --- | --- |"]
    for finding in active[:MAX_ROWS]:
        new = " (new)" if finding.baseline_state == "new" else ""
        cells = (
            f"{finding.severity.label}{new}",
            _rule_cell(finding, rules),
            _location_cell(finding),
            escape_cell(finding.message),
        )
        lines.append("| " + " | ".join(cells) + " |")
    if len(active) > MAX_ROWS:
        lines.extend(["", f"… and {len(active) - MAX_ROWS} more."])
    return lines


def _baseline(result: ScanResult) -> list[str]:
    states = [f.baseline_state for f in result.active if f.baseline_state]
    if not states and not result.fixed:
        return []
    new = states.count("new")
    unchanged = states.count("unchanged")
    return [f"Baseline: {new} new, {unchanged} unchanged, {len(result.fixed)} fixed."]


def _suppressed(result: ScanResult) -> list[list[str]]:
    suppressed = len(result.findings) - len(result.active)
    blocks = []
    if suppressed:
        blocks.append([f"{_plural(suppressed, 'finding')} suppressed (inline ignores or waivers)."])
    if result.stale_waivers:
        blocks.append([f"{_plural(len(result.stale_waivers), 'waiver')} matched nothing (stale)."])
    return blocks


def _notification_line(notification: Notification) -> str:
    where = ""
    if notification.path:
        line = f":{notification.line}" if notification.line else ""
        where = f" {escape_cell(notification.path + line)}:"
    return f"- **{escape_cell(notification.level)}**{where} {escape_cell(notification.message)}"


def _notifications(result: ScanResult) -> list[str]:
    notes = result.notifications
    if not notes:
        return []
    lines = ["### Notifications", ""]
    lines.extend(_notification_line(note) for note in notes[:MAX_NOTIFICATIONS])
    if len(notes) > MAX_NOTIFICATIONS:
        lines.append(f"- … and {len(notes) - MAX_NOTIFICATIONS} more.")
    return lines


def render_markdown(result: ScanResult) -> str:
    """Headline with counts and verdict, findings table, suppressed count, notifications."""
    blocks = [
        _headline(result),
        _table(result),
        _baseline(result),
        *_suppressed(result),
        _notifications(result),
    ]
    return "\n\n".join("\n".join(block) for block in blocks if block) + "\n"
