"""Match waivers to findings: which suppress, which have expired, which match nothing."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from fnmatch import fnmatchcase

from scanner.model import Finding
from scanner.policy import globs
from scanner.policy.spec import Waiver
from scanner.records import NamedTuple


def applies(waiver: Waiver, finding: Finding) -> bool:
    if waiver.rule != finding.rule_id:
        return False
    if waiver.path is not None and not globs.matches(finding.location.path, waiver.path):
        return False
    return waiver.context is None or fnmatchcase(finding.context, waiver.context)


class Verdict(NamedTuple):
    active: Waiver | None  # the first matching waiver still in force: it suppresses
    expired: Waiver | None  # else the first matching waiver that has expired
    matched: tuple[int, ...]  # index of every waiver that matched, in force or not


def judge(finding: Finding, waivers: Sequence[Waiver], today: datetime.date) -> Verdict:
    matching = [w for w in waivers if applies(w, finding)]
    active = next((w for w in matching if not w.expired(today)), None)
    expired = None if active is not None else next((w for w in matching if w.expired(today)), None)
    return Verdict(active, expired, tuple(w.position for w in matching))


def expired_note(waiver: Waiver) -> str:
    return f" (waiver by {waiver.owner} expired on {waiver.expires.isoformat()})"
