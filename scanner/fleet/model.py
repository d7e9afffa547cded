"""What the fleet modules hand each other: a merge's output, and the report's plain model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scanner.model import Severity


@dataclass(frozen=True)
class Merged:
    data: dict[str, Any]  # the merged SARIF log or JSON report, ready to serialise
    warnings: tuple[str, ...]  # for stderr: duplicates dropped, GitHub limits exceeded


@dataclass(frozen=True)
class FleetFinding:
    target: str
    rule_id: str
    severity: Severity
    path: str
    line: int
    column: int
    message: str
    suppressed: bool


@dataclass(frozen=True)
class FleetTarget:
    name: str
    kind: str  # repository | host | staged | history | "" when the input does not say
    failure: str | None  # why it could not be scanned, else None
    notifications: int  # other notifications (unreadable or malformed files, ...)


@dataclass(frozen=True)
class Fleet:
    targets: tuple[FleetTarget, ...]  # input order
    findings: tuple[FleetFinding, ...]
    rule_titles: dict[str, str]
