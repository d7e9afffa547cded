"""The policy's last word on a scan: excluded paths, waivers, inline ignores, stale waivers.

Runs after every target is scanned and before baselines and reporters:

- findings, notifications and contexts under an `exclude` glob are dropped;
- a finding a waiver in force covers is suppressed (kind "external", with owner and expiry);
  one an inline ignore covers is suppressed (kind "inSource"); suppressed findings stay in
  the result, so every reporter can show them;
- a finding whose only waivers have expired counts again, and its message says so;
- a waiver that matched nothing in any target is stale: listed in `stale_waivers` of every
  result and reported once, as a warning naming its line in the policy file;
- `use_ignores=False` (--no-ignores, for central audits) disregards waivers and inline ignores.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Collection, Iterable, Sequence

from scanner.model import Finding, Notification, Suppression
from scanner.policy import globs
from scanner.policy.inline import InlineIgnore, ignore_for, ignores_in
from scanner.policy.spec import Waiver
from scanner.policy.waivers import expired_note, judge
from scanner.report.model import ScanResult
from scanner.ruleset import RuleSet

Results = list[tuple[str, ScanResult]]


def _excluded(path: str | None, patterns: Sequence[str]) -> bool:
    return path is not None and bool(patterns) and globs.matches_any(path, patterns)


def drop_excluded(result: ScanResult, patterns: Sequence[str]) -> ScanResult:
    """Until discovery skips excluded paths itself, nothing under them reaches the report."""
    if not patterns:
        return result
    texts = result.extra.get("texts")
    extra = dict(result.extra)
    if isinstance(texts, dict):
        extra["texts"] = {p: t for p, t in texts.items() if not _excluded(p, patterns)}
    # A context anchored in an excluded file (a script, a Dockerfile) would not exist at all.
    gone = {c.id for c in result.contexts if _excluded(c.anchor.path, patterns)}
    return result._replace(
        findings=tuple(
            f for f in result.findings if not _excluded(f.location.path, patterns) and f.context not in gone
        ),
        notifications=tuple(n for n in result.notifications if not _excluded(n.path, patterns)),
        contexts=tuple(c for c in result.contexts if c.id not in gone),
        extra=extra,
    )


def _texts(result: ScanResult) -> dict[str, str]:
    texts = result.extra.get("texts")
    if not isinstance(texts, dict):
        return {}
    return {p: t for p, t in texts.items() if isinstance(p, str) and isinstance(t, str)}


class _KnownIds:
    """Rule ids an inline ignore may name: loaded only when some file has an ignore comment."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self._ids: frozenset[str] | None = None

    def get(self) -> frozenset[str]:
        if self._ids is None:
            from scanner.catalogue.load import load_builtin_rules

            self._ids = frozenset(load_builtin_rules()) | {r.id for r in self.ruleset.rules}
        return self._ids


IgnoresByPath = dict[str, dict[int, InlineIgnore]]


def inline_ignores(result: ScanResult, known: _KnownIds) -> tuple[IgnoresByPath, list[Notification]]:
    by_path: IgnoresByPath = {}
    notes: list[Notification] = []
    for path, text in sorted(_texts(result).items()):
        if "ccpolicy:" not in text:
            continue
        found, file_notes = ignores_in(path, text, known.get())
        notes.extend(file_notes)
        if found:
            by_path[path] = found
    return by_path, notes


def _suppressed(
    finding: Finding, waivers: Sequence[Waiver], ignores: IgnoresByPath, today: datetime.date, used: set[int]
) -> Finding:
    verdict = judge(finding, waivers, today)
    used.update(verdict.matched)
    if verdict.active is not None:
        w = verdict.active
        return finding._replace(suppressed=Suppression("external", w.reason, w.owner, w.expires.isoformat()))
    ignore = ignore_for(finding.rule_id, finding.location.line, ignores.get(finding.location.path, {}))
    if ignore is not None:
        return finding._replace(suppressed=Suppression("inSource", ignore.reason))
    if verdict.expired is not None:
        return finding._replace(message=finding.message + expired_note(verdict.expired))
    return finding


def _suppress(
    findings: Iterable[Finding],
    waivers: Sequence[Waiver],
    ignores: IgnoresByPath,
    today: datetime.date,
    used: set[int],
) -> list[Finding]:
    out = [_suppressed(f, waivers, ignores, today, used) for f in findings]
    return sorted(out, key=Finding.sort_key)


def _note_key(n: Notification) -> tuple[str, int, str]:
    return (n.path or "", n.line or 0, n.message)


def policy_summary(ruleset: RuleSet, root: str, *, use_ignores: bool) -> dict[str, object]:
    """What ran, for ScanResult.extra["policy"] (reporters show it)."""
    file = None
    if ruleset.policy_file is not None:
        file = _relative_to(ruleset.policy_file, root) or ruleset.source
    return {
        "source": ruleset.source,
        "file": file,
        "presets": list(ruleset.presets),
        "rules": len(ruleset.rules),
        "organisation_rules": ruleset.organisation_rules,
        "waivers": len(ruleset.waivers),
        "suppressions": use_ignores,
        "inline_ignores": use_ignores and ruleset.inline_ignores,
    }


def _relative_to(path: str, root: str) -> str | None:
    try:
        rel = os.path.relpath(path, root)
    except ValueError:  # another drive on Windows
        return None
    return None if rel == ".." or rel.startswith(("../", "..\\")) else rel.replace(os.sep, "/")


def _stale_note(waiver: Waiver, ruleset: RuleSet, shown: str) -> Notification:
    runs = any(r.id == waiver.rule for r in ruleset.rules)
    why = "" if runs else f" ({waiver.rule} does not run under this policy)"
    return Notification(
        "warning",
        f"stale waiver: the {waiver.describe(shown)} matched no finding{why}; remove it or correct its "
        "rule, path or context",
        shown,
        waiver.line,
        "stale-waiver",
    )


def apply(
    results: Sequence[tuple[str, ScanResult]],
    ruleset: RuleSet,
    *,
    today: datetime.date,
    use_ignores: bool = True,
    report_stale: bool = True,
) -> Results:
    """The results with the policy's exclusions and suppressions applied (see the module doc)."""
    used: set[int] = set()
    known = _KnownIds(ruleset)
    out: Results = []
    for target, scanned in results:
        result = drop_excluded(scanned, ruleset.exclude)
        notes = list(result.notifications)
        findings: Collection[Finding] = result.findings
        if use_ignores:
            ignores: IgnoresByPath = {}
            if ruleset.inline_ignores:
                ignores, ignore_notes = inline_ignores(result, known)
                notes.extend(ignore_notes)
            findings = _suppress(result.findings, ruleset.waivers, ignores, today, used)
        extra = {**result.extra, "policy": policy_summary(ruleset, result.root, use_ignores=use_ignores)}
        ordered_notes = tuple(sorted(set(notes), key=_note_key))
        out.append(
            (
                target,
                result._replace(
                    findings=tuple(findings),
                    notifications=ordered_notes,
                    extra=extra,
                ),
            )
        )
    if not (use_ignores and report_stale and out):
        return out
    stale = [w for w in ruleset.waivers if w.position not in used]
    if not stale:
        return out
    # Reported once, on the first target that was scanned (a failed target has no root).
    index = next((i for i, (_, r) in enumerate(out) if r.root), 0)
    first_target, first = out[index]
    shown = (_relative_to(ruleset.policy_file, first.root) if ruleset.policy_file else None) or ruleset.source
    entries = tuple(w.describe(shown) for w in stale)
    stale_notes = {*first.notifications, *(_stale_note(w, ruleset, shown) for w in stale)}
    ordered = tuple(sorted(stale_notes, key=_note_key))
    out[index] = (first_target, first._replace(notifications=ordered))
    return [(t, r._replace(stale_waivers=(*r.stale_waivers, *entries))) for t, r in out]
