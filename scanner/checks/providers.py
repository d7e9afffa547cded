"""Which API providers a context may use, when a provider switch is not a literal.

`Context.provider` names one provider. When a switch is a reference resolved at run time
(`${{ inputs.use_bedrock }}`) the context could end up on either side of it, and a check that
must not hide a leak has to consider every provider it could be.
"""

from __future__ import annotations

from scanner.contexts.model import Context, Effective
from scanner.contexts.resolve import PROVIDER_BASE_URLS, PROVIDER_ORDER
from scanner.knowledge import KnowledgeBase
from scanner.records import NamedTuple
from scanner.semantics import Switch, reading

FIRST_PARTY = "first-party"
PROVIDER_TITLES = {
    FIRST_PARTY: "the first-party Anthropic API",
    "bedrock": "Amazon Bedrock",
    "vertex": "Google Cloud Agent Platform, formerly Vertex AI",
    "foundry": "Microsoft Foundry",
    "anthropic-aws": "Claude Platform on AWS",
    "mantle": "the Bedrock Mantle endpoint",
}


class PossibleProviders(NamedTuple):
    names: tuple[str, ...]  # in Claude Code's checking order, first-party last
    uncertain: tuple[Effective, ...]  # switches whose value is not known, in order
    chosen: Effective | None = None  # the switch that is certainly on, if any

    @property
    def certain(self) -> bool:
        return not self.uncertain


def title(name: str) -> str:
    return f"{PROVIDER_TITLES.get(name, name)} ({name})"


def possible_providers(ctx: Context, kb: KnowledgeBase) -> PossibleProviders:
    """Every provider the context may run with: switches are checked in order, a certain "on"
    ends the search, an uncertain one may or may not be on."""
    names: list[str] = []
    uncertain: list[Effective] = []
    for var, name in PROVIDER_ORDER:
        eff = ctx.env.get(var)
        if eff is None or not eff.is_set:
            continue
        r = reading(kb.variable(var), eff.value, eff.value_kind, True)
        if r.state is Switch.ON and r.certain:
            names.append(name)
            return PossibleProviders(tuple(dict.fromkeys(names)), tuple(uncertain), eff)
        if r.state is Switch.ON or r.state is Switch.UNKNOWN:
            names.append(name)
            uncertain.append(eff)
    names.append(FIRST_PARTY)
    return PossibleProviders(tuple(dict.fromkeys(names)), tuple(uncertain))


def switches_set_off(ctx: Context) -> list[Effective]:
    """Provider switches that are set but not on (`CLAUDE_CODE_USE_BEDROCK=0`)."""
    out = []
    for var, _name in PROVIDER_ORDER:
        eff = ctx.env.get(var)
        if eff is not None and eff.winner is not None:
            out.append(eff)
    return out


def base_url_variable(provider: str) -> str:
    return PROVIDER_BASE_URLS.get(provider, "ANTHROPIC_BASE_URL")
