"""CCP109: a settings `env` that sets a privacy variable to "", silently overriding the developer's own export."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding
from scanner.knowledge import PROTECTS
from scanner.model import Finding, ObservationKind, ValueKind


def check(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    kb = scan.kb
    for parsed in scan.files:
        for obs in parsed.observations:
            if obs.kind is not ObservationKind.ENV or not obs.scope.endswith("settings-env"):
                continue
            if obs.value_kind is not ValueKind.LITERAL or obs.value != "":
                continue
            var = kb.variable(obs.name)
            if var is None or var.effect != PROTECTS:
                continue
            titles = [kb.controls[c].title for c in var.controls if c in kb.controls]
            what = f" ({titles[0][0].lower() + titles[0][1:]})" if titles else ""
            yield finding(
                rule,
                f'{parsed.path} sets {obs.name} to "", which overrides any {obs.name} a developer exports in '
                f'their shell: Claude Code treats "" as unset, so this protection{what} is switched off for '
                "everyone who runs Claude Code here.",
                obs.location,
                key=obs.name,
            )
