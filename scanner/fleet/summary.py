"""The fleet report: what a security lead acts on, as text or as Markdown for a ticket.

- totals: targets by kind, how many could not be scanned, active findings by severity,
  suppressed findings, other notifications;
- per rule, most severe first (then by how many targets it hits): which targets violate it;
- per target, worst first: its counts and its worst findings (`top`, 0 for all);
- the targets that could not be scanned, and why; suppressed findings per target and rule.

Everything shown is passed through redact.scrub: the inputs come from other machines.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from scanner import regexcache
from scanner.fleet.model import Fleet, FleetFinding
from scanner.model import Severity
from scanner.redact import scrub

SEVERITIES: tuple[Severity, ...] = tuple(sorted(Severity, reverse=True))
DEFAULT_TOP = 5
_KIND_NOUNS = {"repository": ("repository", "repositories"), "host": ("host", "hosts")}
_FAILURE_PREFIX = regexcache.compile(r"^.*?: could not be scanned: ")


@dataclass(frozen=True)
class RuleRow:
    rule_id: str
    title: str
    severity: Severity  # the worst among its active findings
    targets: tuple[str, ...]  # sorted
    findings: int


@dataclass(frozen=True)
class TargetRow:
    name: str
    kind: str
    counts: tuple[int, ...]  # active findings per severity, critical first
    worst: tuple[FleetFinding, ...]  # the first `top`, most severe first
    more: int  # active findings not shown
    suppressed: int

    @property
    def active(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Summary:
    targets: int
    kinds: tuple[tuple[str, int], ...]  # (kind, targets), most common first
    failed: tuple[tuple[str, str], ...]  # (target, reason), input order
    by_severity: tuple[int, ...]  # critical first
    suppressed: tuple[tuple[str, str, int], ...]  # (target, rule, findings)
    notifications: int
    rules: tuple[RuleRow, ...]
    rows: tuple[TargetRow, ...]  # scanned targets with active findings, worst first
    clean: tuple[str, ...]  # scanned targets without active findings, sorted

    @property
    def active(self) -> int:
        return sum(self.by_severity)


def _finding_order(f: FleetFinding) -> tuple[object, ...]:
    return (-int(f.severity), f.rule_id, f.path, f.line, f.column, f.message)


def _counts(findings: Sequence[FleetFinding]) -> tuple[int, ...]:
    tally = Counter(finding.severity for finding in findings)
    return tuple(tally[severity] for severity in SEVERITIES)


def _rules(active: Sequence[FleetFinding], titles: dict[str, str]) -> tuple[RuleRow, ...]:
    by_rule: dict[str, list[FleetFinding]] = {}
    for finding in active:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    rows = [
        RuleRow(
            rule_id=rule_id,
            title=titles.get(rule_id, ""),
            severity=max(finding.severity for finding in findings),
            targets=tuple(sorted({finding.target for finding in findings})),
            findings=len(findings),
        )
        for rule_id, findings in by_rule.items()
    ]
    rows.sort(key=lambda row: (-int(row.severity), -len(row.targets), -row.findings, row.rule_id))
    return tuple(rows)


def summarise(fleet: Fleet, *, top: int = DEFAULT_TOP) -> Summary:
    active = [finding for finding in fleet.findings if not finding.suppressed]
    suppressed = Counter((f.target, f.rule_id) for f in fleet.findings if f.suppressed)
    rows: list[TargetRow] = []
    clean: list[str] = []
    for target in fleet.targets:
        if target.failure is not None:
            continue
        mine = sorted((f for f in active if f.target == target.name), key=_finding_order)
        if not mine:
            clean.append(target.name)
            continue
        shown = tuple(mine if top <= 0 else mine[:top])
        hidden = sum(1 for f in fleet.findings if f.target == target.name and f.suppressed)
        rows.append(TargetRow(target.name, target.kind, _counts(mine), shown, len(mine) - len(shown), hidden))
    rows.sort(key=lambda row: (tuple(-count for count in row.counts), row.name))
    kinds = Counter(target.kind for target in fleet.targets)
    return Summary(
        targets=len(fleet.targets),
        kinds=tuple(sorted(kinds.items(), key=lambda item: (-item[1], item[0]))),
        failed=tuple(
            (target.name, _FAILURE_PREFIX.sub("", target.failure))
            for target in fleet.targets
            if target.failure is not None
        ),
        by_severity=_counts(active),
        suppressed=tuple((target, rule, count) for (target, rule), count in sorted(suppressed.items())),
        notifications=sum(target.notifications for target in fleet.targets),
        rules=_rules(active, fleet.rule_titles),
        rows=tuple(rows),
        clean=tuple(sorted(clean)),
    )


# shared wording ------------------------------------------------------------------------------


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


def _kind_phrase(kind: str, count: int) -> str:
    if kind in _KIND_NOUNS:
        single, several = _KIND_NOUNS[kind]
        return plural(count, single, several)
    if not kind:
        return f"{count} of unknown kind"
    return f"{count} {kind}"


def _targets_phrase(summary: Summary) -> str:
    text = plural(summary.targets, "target")
    if summary.kinds:
        text += " (" + ", ".join(_kind_phrase(kind, count) for kind, count in summary.kinds) + ")"
    return text


def _severity_counts(counts: Sequence[int], *, skip_zero: bool) -> list[str]:
    pairs = zip(SEVERITIES, counts, strict=True)
    return [f"{count} {severity.label}" for severity, count in pairs if count or not skip_zero]


def _findings_phrase(summary: Summary, separator: str) -> str:
    counts = separator.join(_severity_counts(summary.by_severity, skip_zero=False))
    return f"{plural(summary.active, 'active finding')} ({counts})"


def _totals_tail(summary: Summary) -> list[str]:
    suppressed = sum(count for _, _, count in summary.suppressed)
    return [f"{suppressed} suppressed", plural(summary.notifications, "notification")]


def _location(finding: FleetFinding) -> str:
    if finding.line <= 0:
        return finding.path
    if finding.column <= 0:
        return f"{finding.path}:{finding.line}"
    return f"{finding.path}:{finding.line}:{finding.column}"


def _row_counts(row: TargetRow) -> str:
    text = f"{plural(row.active, 'finding')}: {', '.join(_severity_counts(row.counts, skip_zero=True))}"
    if row.suppressed:
        text += f"; {row.suppressed} suppressed"
    return text


# text ----------------------------------------------------------------------------------------


def _text_rules(rules: Sequence[RuleRow]) -> list[str]:
    width = max(len(rule.rule_id) for rule in rules)
    lines = ["", "Rules, most severe first"]
    for rule in rules:
        counts = f"{plural(len(rule.targets), 'target')}, {plural(rule.findings, 'finding')}"
        head = f"  {rule.severity.label:<8}  {rule.rule_id:<{width}}  {counts}  {scrub(rule.title)}"
        lines.append(head.rstrip())
        lines.append("      " + ", ".join(scrub(name) for name in rule.targets))
    return lines


def _text_targets(rows: Sequence[TargetRow]) -> list[str]:
    lines = ["", "Targets, worst first"]
    for row in rows:
        kind = f" ({row.kind})" if row.kind else ""
        lines.append(f"  {scrub(row.name)}{kind}: {_row_counts(row)}")
        for f in row.worst:
            lines.append(f"    {f.severity.label:<8}  {f.rule_id}  {scrub(_location(f))}  {scrub(f.message)}")
        if row.more:
            lines.append(f"    … and {row.more} more")
    return lines


def render_text(summary: Summary) -> str:
    lines = [
        "ccpolicy fleet report",
        "",
        scrub(f"{_targets_phrase(summary)}; {len(summary.failed)} could not be scanned."),
        f"{_findings_phrase(summary, ', ')}; " + "; ".join(_totals_tail(summary)) + ".",
    ]
    if summary.rules:
        lines += _text_rules(summary.rules)
    if summary.rows:
        lines += _text_targets(summary.rows)
    if summary.clean:
        lines += ["", "No active findings: " + ", ".join(scrub(name) for name in summary.clean)]
    if summary.failed:
        lines += ["", "Could not be scanned"]
        lines += [f"  {scrub(name)}: {scrub(reason)}" for name, reason in summary.failed]
    if summary.suppressed:
        lines += ["", "Suppressed (waivers and inline ignores)"]
        lines += [f"  {scrub(target)}  {rule}  {count}" for target, rule, count in summary.suppressed]
    return "\n".join(lines) + "\n"


# Markdown ------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    from scanner.report.markdown import escape_cell

    return escape_cell(scrub(text))


def _table(header: Sequence[str], align: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _markdown_rules(rules: Sequence[RuleRow]) -> list[str]:
    header = ("Severity", "Rule", "Title", "Targets", "Findings", "Where")
    align = ("---", "---", "---", "---:", "---:", "---")
    rows = [
        (
            rule.severity.label,
            _cell(rule.rule_id),
            _cell(rule.title),
            str(len(rule.targets)),
            str(rule.findings),
            ", ".join(_cell(name) for name in rule.targets),
        )
        for rule in rules
    ]
    return ["### Rules, most severe first", "", *_table(header, align, rows)]


def _markdown_targets(rows: Sequence[TargetRow]) -> list[list[str]]:
    header = ("Target", "Kind", *(severity.label.capitalize() for severity in SEVERITIES), "Suppressed")
    align = ("---", "---", *("---:" for _ in SEVERITIES), "---:")
    cells = [(_cell(row.name), _cell(row.kind), *map(str, row.counts), str(row.suppressed)) for row in rows]
    blocks = [["### Targets, worst first", "", *_table(header, align, cells)]]
    for row in rows:
        findings = [
            (f.severity.label, _cell(f.rule_id), _cell(_location(f)), _cell(f.message)) for f in row.worst
        ]
        table = _table(("Severity", "Rule", "Location", "Message"), ("---",) * 4, findings)
        block = [f"#### {_cell(row.name)}", "", *table]
        if row.more:
            block += ["", f"… and {row.more} more."]
        blocks.append(block)
    return blocks


def render_markdown(summary: Summary) -> str:
    failed = f", **{len(summary.failed)} could not be scanned**" if summary.failed else ""
    totals = " · ".join(_totals_tail(summary))
    findings = _findings_phrase(summary, " · ")
    headline = f"**{_cell(_targets_phrase(summary))}**{failed} · **{findings}** · {totals}"
    blocks: list[list[str]] = [["## ccpolicy fleet report"], [headline]]
    if summary.rules:
        blocks.append(_markdown_rules(summary.rules))
    if summary.rows:
        blocks += _markdown_targets(summary.rows)
    if summary.clean:
        blocks.append(["No active findings: " + ", ".join(_cell(name) for name in summary.clean) + "."])
    if summary.failed:
        reasons = [(_cell(name), _cell(reason)) for name, reason in summary.failed]
        failures = _table(("Target", "Reason"), ("---", "---"), reasons)
        blocks.append(["### Could not be scanned", "", *failures])
    if summary.suppressed:
        waived = [(_cell(target), _cell(rule), str(count)) for target, rule, count in summary.suppressed]
        table = _table(("Target", "Rule", "Findings"), ("---", "---", "---:"), waived)
        blocks.append(["### Suppressed (waivers and inline ignores)", "", *table])
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"
