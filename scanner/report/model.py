"""What every reporter receives."""

from __future__ import annotations

from collections.abc import Mapping

from scanner.catalogue.model import Rule
from scanner.contexts.model import Context
from scanner.model import EMPTY_MAPPING, Finding, Notification, Severity
from scanner.records import NamedTuple


class ScanResult(NamedTuple):
    root: str  # absolute path of the scanned root (never printed in SARIF URIs)
    findings: tuple[Finding, ...]  # sorted; includes suppressed findings
    notifications: tuple[Notification, ...]  # sorted
    rules: tuple[Rule, ...]  # the rules that ran, sorted by id
    contexts: tuple[Context, ...] = ()
    files_scanned: int = 0
    category: str = "repository"  # SARIF automationDetails category: repository | host | staged | history
    fail_on: Severity | None = Severity.HIGH  # None: never fail
    # Fixed findings when a baseline was given (fingerprints no longer present).
    fixed: tuple[dict[str, str], ...] = ()
    stale_waivers: tuple[str, ...] = ()
    extra: Mapping[str, object] = EMPTY_MAPPING

    @property
    def active(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.suppressed is None)

    def failing(self) -> tuple[Finding, ...]:
        threshold = self.fail_on
        if threshold is None:
            return ()
        return tuple(f for f in self.active if f.severity >= threshold and f.baseline_state != "unchanged")
