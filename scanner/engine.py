"""Run rules over a scan: every rule, every context, then severities, fingerprints and order."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping

from scanner.catalogue.model import Rule
from scanner.checks import REGISTRY
from scanner.checks.base import CheckInput
from scanner.checks.declarative import evaluate as evaluate_declarative
from scanner.model import Finding, Notification, Severity
from scanner.report.fingerprints import stable_fingerprint


class EngineError(RuntimeError):
    pass


def run_rule(rule: Rule, scan: CheckInput) -> list[Finding]:
    registered = rule.check.get("registered")
    if isinstance(registered, str):
        check = REGISTRY.get(registered)
        if check is None:
            raise EngineError(f"{rule.id}: check.registered names an unknown check {registered!r}")
        return list(check(rule, scan))
    return list(evaluate_declarative(rule, scan))


def load_checks(rules: Iterable[Rule]) -> None:
    """Import the checks of `rules` now rather than when each first runs (see scan_repository)."""
    for rule in rules:
        registered = rule.check.get("registered")
        if isinstance(registered, str) and registered in REGISTRY:
            with contextlib.suppress(Exception):  # run_rule meets the error again and reports it
                REGISTRY[registered]


def _not_in_effect_note(scan: CheckInput) -> dict[str, str]:
    return {c.id: c.attributes["not_in_effect"] for c in scan.contexts if "not_in_effect" in c.attributes}


def evaluate(
    rules: Iterable[Rule],
    scan: CheckInput,
    *,
    severity_overrides: Mapping[str, Severity] | None = None,
) -> tuple[list[Finding], list[Notification]]:
    overrides = severity_overrides or {}
    not_in_effect = _not_in_effect_note(scan)
    inert_paths = {f.path for f in scan.files if not f.in_effect}
    findings: dict[tuple[str, str, str, str, int, int], Finding] = {}
    notifications: list[Notification] = []
    for rule in sorted(rules, key=lambda r: r.id):
        try:
            produced = run_rule(rule, scan)
        except Exception as exc:  # one broken rule must not stop the others
            notifications.append(
                Notification(
                    "error", f"rule {rule.id} failed: {type(exc).__name__}: {exc}", None, None, "rule-error"
                )
            )
            continue
        for f in produced:
            message = f.message
            note = not_in_effect.get(f.context)
            if note is None and not f.context and f.location.path in inert_paths:
                note = "this file is not one Claude Code reads"
            if note:
                message = f"{message} [not in effect: {note}]"
            severity = overrides.get(rule.id, f.severity)
            fp = stable_fingerprint(rule.id, f.context, f.key, f.location.path)
            done = f._replace(message=message, severity=severity, fingerprint=fp)
            ident = (rule.id, f.context, f.key, f.location.path, f.location.line, f.location.column)
            findings.setdefault(ident, done)
    ordered = sorted(findings.values(), key=Finding.sort_key)
    return _disambiguate(ordered), notifications


def _disambiguate(findings: list[Finding]) -> list[Finding]:
    """Two findings with the same stable fingerprint get an ordinal suffix, so none is merged away."""
    seen: dict[str, int] = {}
    out = []
    for f in findings:
        n = seen.get(f.fingerprint, 0)
        seen[f.fingerprint] = n + 1
        out.append(f if n == 0 else f._replace(fingerprint=f"{f.fingerprint}:{n}"))
    return out
