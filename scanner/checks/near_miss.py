"""CCP108: a variable name one or two typos away from a known privacy, provider or credential variable."""

from __future__ import annotations

from collections.abc import Iterator

from scanner import regexcache
from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding
from scanner.checks.observations import env_assignments
from scanner.model import Finding

WATCHED_CATEGORIES = frozenset(
    {
        "telemetry",
        "error-reporting",
        "feedback",
        "survey",
        "nonessential",
        "otel",
        "provider",
        "routing",
        "credential",
        "tls",
        "retention",
        "updates",
    }
)
_ENV_NAME = regexcache.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (Damerau-Levenshtein with adjacent swaps), capped."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def closest(name: str, candidates: list[str]) -> str | None:
    upper = name.upper()
    limit = 1 if len(name) <= 8 else 2
    letters = frozenset(upper)
    best: tuple[int, str] | None = None
    for cand in candidates:
        if cand == name:
            return None
        # An edit changes the letters two names do not share by two at most (a substitution):
        # most candidates are ruled out without working out their distance.
        if len(letters.symmetric_difference(cand)) > 2 * limit:
            continue
        d = distance(upper, cand, limit)
        if d <= limit and (best is None or (d, cand) < best):
            best = (d, cand)
    return best[1] if best else None


def check(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    kb = scan.kb
    watched = sorted(n for n, v in kb.variables.items() if v.category in WATCHED_CATEGORIES)
    seen: dict[str, str | None] = {}
    for _parsed, obs in env_assignments(scan):
        name = obs.name
        if kb.variable(name) is not None or not _ENV_NAME.match(name) or len(name) < 6:
            continue
        if name not in seen:
            seen[name] = closest(name, watched)
        intended = seen[name]
        if intended is None:
            continue
        yield finding(
            rule,
            f"{name} is not a variable Claude Code reads; did you mean {intended}? As written it has no effect.",
            obs.location,
            key=name,
        )
