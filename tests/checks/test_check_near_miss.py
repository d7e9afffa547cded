"""scanner.checks.near_miss: a name one or two typos away from a watched variable."""

from __future__ import annotations

from scanner.checks.near_miss import WATCHED_CATEGORIES, closest, distance
from scanner.knowledge import load


def watched() -> list[str]:
    return sorted(name for name, var in load().variables.items() if var.category in WATCHED_CATEGORIES)


def closest_by_distance_alone(name: str, candidates: list[str]) -> str | None:
    """closest as defined: every candidate's distance worked out, no shortcut."""
    upper = name.upper()
    limit = 1 if len(name) <= 8 else 2
    best: tuple[int, str] | None = None
    for cand in candidates:
        if cand == name:
            return None
        d = distance(upper, cand, limit)
        if d <= limit and (best is None or (d, cand) < best):
            best = (d, cand)
    return best[1] if best else None


def one_typo(name: str) -> list[str]:
    """Every name one deletion, substitution (by X or Q), swap or insertion away."""
    typos = []
    for i in range(len(name)):
        typos.append(name[:i] + name[i + 1 :])
        typos += [name[:i] + letter + name[i + 1 :] for letter in "XQ"]
        typos.append(name[:i] + "Z" + name[i:])
        if i + 1 < len(name):
            typos.append(name[:i] + name[i + 1] + name[i] + name[i + 2 :])
    return typos


def test_typos_are_found_with_their_distance() -> None:
    candidates = watched()
    assert closest("DISABLE_TELEMETRI", candidates) == "DISABLE_TELEMETRY"
    assert closest("DISABLE_TELXMETRQ", candidates) == "DISABLE_TELEMETRY"  # two substitutions
    assert closest("disable_telemetry", candidates) == "DISABLE_TELEMETRY"  # read as written
    assert closest("DISABLE_TELEMETRY", candidates) is None
    assert closest("SOMETHING_ELSE_ENTIRELY", candidates) is None


def test_leaving_out_candidates_by_their_letters_changes_no_answer() -> None:
    candidates = watched()
    names = [typo for name in candidates[::20] for typo in one_typo(name)]
    names += [second for first in one_typo("DISABLE_TELEMETRY")[::30] for second in one_typo(first)]
    names += ["MY_APP_PORT", "NODE_OPTIONS", "ANTHROPIC_MODEL_X", "CLAUDE_CODE_USE_BEDROKC"]
    answers = {name: closest(name, candidates) for name in names}
    assert answers == {name: closest_by_distance_alone(name, candidates) for name in names}
    assert sum(answer is not None for answer in answers.values()) > len(names) // 2
