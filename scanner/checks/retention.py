"""CCP301: local transcripts kept longer than the policy allows.

`cleanupPeriodDays` (default 30) sets how long plaintext transcripts and related data stay under
~/.claude; a value Claude Code would skip as invalid leaves the default in force.
`CLAUDE_CODE_SKIP_PROMPT_HISTORY` writes no transcripts or prompt history at all, so the period no
longer matters; an uncertain value of it is not counted as on (semantics.assume_on).
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding
from scanner.checks.context_text import anchor_of, assignment, context_prefix, env_reading, provenance, where
from scanner.contexts.validate import validate_setting
from scanner.model import Finding
from scanner.semantics import assume_on

RETENTION_KEY = "cleanupPeriodDays"
SKIP_HISTORY = "CLAUDE_CODE_SKIP_PROMPT_HISTORY"
DEFAULT_DAYS = 30


def _limit(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _days(value: float) -> str:
    return f"{value:g} day" + ("" if value == 1 else "s")


def local_retention_too_long(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    limit = _limit(scan.params.get("max_retention_days"))
    if limit is None:
        return
    for ctx in scan.contexts:
        skip, var, r = env_reading(ctx, SKIP_HISTORY, scan.kb)
        if assume_on(var, r):
            continue
        skip_note = ""
        if skip.winner is not None:
            why = r.note or "it means no"
            skip_note = f" ({assignment(skip, scan.kb)} does not count: {why})"
        eff = ctx.setting(RETENTION_KEY)
        days = float(DEFAULT_DAYS)
        how = f"{RETENTION_KEY} is not set, so the default of {DEFAULT_DAYS} days applies"
        if eff.winner is not None and validate_setting(scan.kb, RETENTION_KEY, eff.value) is None:
            value = _limit(eff.value)
            if value is not None:
                days = value
                how = f"{RETENTION_KEY} is {value:g} in {where(eff.winner)}"
        elif eff.winner is not None:
            how = (
                f"{RETENTION_KEY} in {where(eff.winner)} is not a value Claude Code accepts, so the default "
                f"of {DEFAULT_DAYS} days applies"
            )
        if days <= limit:
            continue
        yield finding(
            rule,
            f"{context_prefix(ctx)}, Claude Code keeps plaintext session transcripts (~/.claude/projects) "
            f"for {_days(days)}, longer than the policy's {_days(limit)}: {how}. "
            f"~/.claude/history.jsonl, with every prompt, is never swept; "
            f"{SKIP_HISTORY}=1 writes neither{skip_note}.",
            anchor_of(ctx, eff),
            context=ctx.id,
            key=RETENTION_KEY,
            provenance=provenance(eff),
        )
