"""CCP107: a switch value that does not do what it appears to do."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding
from scanner.checks.observations import env_assignments
from scanner.knowledge import BOOLEAN, EXPOSES, PRESENCE, PROTECTS
from scanner.model import Finding, ValueKind
from scanner.redact import shown
from scanner.semantics import FALSE_LOOKING, Switch, reading

PRIVACY_CATEGORIES = frozenset(
    {"telemetry", "error-reporting", "feedback", "survey", "nonessential", "otel", "updates"}
)


def check(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    kb = scan.kb
    for _parsed, obs in env_assignments(scan):
        if obs.value_kind is not ValueKind.LITERAL or not isinstance(obs.value, str) or obs.value == "":
            continue
        var = kb.variable(obs.name)
        if var is None:
            continue
        target = kb.variable(var.alias_of) if var.alias_of else var
        controls = [kb.controls[c].title for c in (target or var).controls if c in kb.controls]
        what = controls[0][0].lower() + controls[0][1:] if controls else "what it guards"
        value = shown(obs.name, obs.value, kb)
        low = obs.value.strip().lower()
        message = ""
        if var.value_class == PRESENCE and low in FALSE_LOOKING:
            message = (
                f"{obs.name}={value} switches it ON, not off: Claude Code treats any non-empty value as set, "
                f'including {value}. To leave it off, remove the variable or set it to "".'
            )
        elif var.value_class == BOOLEAN:
            r = reading(var, obs.value, obs.value_kind, True)
            if not r.certain:
                if var.effect == PROTECTS:
                    outcome = "ccpolicy assumes it does NOT take effect, so nothing is disabled by it"
                elif var.effect == EXPOSES:
                    outcome = "ccpolicy assumes it IS on, so the data it controls is sent"
                else:
                    outcome = "Claude Code may ignore it"
                message = f"{obs.name}={value}: {r.note}; {outcome}. Use 1 or 0."
            elif r.state is Switch.OFF and var.effect == PROTECTS and var.category in PRIVACY_CATEGORIES:
                message = (
                    f"{obs.name}={value} does not disable {what}: {obs.name} is a standard boolean, and "
                    f"{value} means no. Use 1 to opt out."
                )
        if message:
            yield finding(rule, message, obs.location, key=obs.name)
