"""Iterate the observations of every scanned file, the way observation-level checks need them."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.checks.base import CheckInput
from scanner.model import Observation, ObservationKind, ParsedFile


def env_assignments(scan: CheckInput) -> Iterator[tuple[ParsedFile, Observation]]:
    for parsed in scan.files:
        for obs in parsed.observations:
            if obs.kind is ObservationKind.ENV:
                yield parsed, obs


def settings_entries(scan: CheckInput) -> Iterator[tuple[ParsedFile, Observation]]:
    for parsed in scan.files:
        for obs in parsed.observations:
            if obs.kind is ObservationKind.SETTING:
                yield parsed, obs
