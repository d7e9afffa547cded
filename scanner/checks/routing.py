"""CCP306 (provider not approved) and CCP307 (gateway or base URL not approved, or not HTTPS).

Where a provider switch is a reference resolved at run time, every provider the context could end
up on is judged (checks.providers): a provider that cannot be shown to be approved is reported as
"cannot be verified", never assumed approved.
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding, param_list
from scanner.checks.context_text import anchor_of, assignment, context_prefix, provenance, where
from scanner.checks.endpoints import judge
from scanner.checks.providers import base_url_variable, possible_providers, switches_set_off, title
from scanner.contexts.model import Effective
from scanner.knowledge import KnowledgeBase
from scanner.model import Finding
from scanner.semantics import reading

# An ANTHROPIC_BASE_URL that names Anthropic's own API is no gateway.
ANTHROPIC_API_HOSTS = ("api.anthropic.com",)


def _uncertain(eff: Effective, kb: KnowledgeBase) -> str:
    r = reading(kb.variable(eff.name), eff.value, eff.value_kind, True)
    return f"{assignment(eff, kb)}: {r.note}" if r.note else assignment(eff, kb)


def _one_of(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def provider_not_approved(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    """CCP306: approved_providers unset (None) approves every provider."""
    raw = scan.params.get("approved_providers")
    if raw is None:
        return
    approved = param_list(scan.params, "approved_providers")
    allowed = ", ".join(approved) if approved else "none"
    for ctx in scan.contexts:
        possible = possible_providers(ctx, scan.kb)
        bad = [name for name in possible.names if name not in approved]
        if not bad:
            continue
        prefix = context_prefix(ctx)
        if possible.certain:
            name = possible.names[0]
            evidence = possible.chosen
            off = switches_set_off(ctx) if evidence is None else []
            if evidence is not None and evidence.winner is not None:
                how = f"{evidence.name} in {where(evidence.winner)} selects it"
            elif off:
                named = ", ".join(assignment(e, scan.kb) for e in off)
                how = f"{named} turns no provider on, so Claude Code uses the first-party API"
            else:
                how = "no provider switch is set, so Claude Code uses the first-party API"
            message = (
                f"{prefix}, Claude Code uses {title(name)}, which is not an approved provider "
                f"({how}; approved: {allowed})."
            )
            effs = [evidence] if evidence is not None else off
        else:
            switches = "; ".join(_uncertain(e, scan.kb) for e in possible.uncertain)
            options = _one_of([title(n) for n in possible.names])
            message = (
                f"{prefix}, the provider cannot be verified: {switches}, so Claude Code may use {options}, "
                f"and {', '.join(bad)} {'is' if len(bad) == 1 else 'are'} not approved (approved: {allowed})."
            )
            effs = list(possible.uncertain)
        yield finding(
            rule,
            message,
            anchor_of(ctx, *effs),
            context=ctx.id,
            key="provider",
            provenance=provenance(*effs),
        )


def gateway_not_approved(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    """CCP307: the base URL of every provider the context may use, when it overrides the endpoint."""
    approved = param_list(scan.params, "approved_gateways")
    for ctx in scan.contexts:
        possible = possible_providers(ctx, scan.kb)
        for provider in possible.names:
            name = base_url_variable(provider)
            eff = ctx.env_value(name)
            if not eff.is_set or eff.winner is None:
                continue
            verdict = judge(
                eff,
                approved,
                "approved_gateways",
                always_approved=ANTHROPIC_API_HOSTS if name == "ANTHROPIC_BASE_URL" else (),
                plaintext_consequence="prompts, code and credentials cross the network unencrypted",
            )
            if not verdict.problems:
                continue
            condition = "" if possible.certain else ", one of the providers it may use,"
            yield finding(
                rule,
                f"{context_prefix(ctx)}, Claude Code sends its model traffic (every prompt, file and tool "
                f"result) for {title(provider)}{condition} to {verdict.describe('gateway')} "
                f"({name} in {where(eff.winner)}): {'; '.join(verdict.problems)}.",
                eff.winner.location,
                context=ctx.id,
                key=name,
                provenance=provenance(eff),
            )
