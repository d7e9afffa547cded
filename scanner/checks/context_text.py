"""Words shared by context-level checks: how a context and an assignment are named in a message.

Every message of the login, OpenTelemetry, retention and routing checks starts with the same
prefix, so a reader sees at once whether a finding is about the repository's own configuration,
a managed policy, a CI job or a machine.
"""

from __future__ import annotations

from scanner.contexts.model import Context, ContextKind, Effective, Layer, LayerKind
from scanner.knowledge import KnowledgeBase, Variable
from scanner.model import Location, Observation, ValueKind
from scanner.redact import shown
from scanner.semantics import Reading, reading


def context_prefix(ctx: Context) -> str:
    """The opening of a sentence about the context, e.g. `In job review in .github/workflows/c.yml`."""
    if ctx.kind is ContextKind.PROJECT and "not_in_effect" not in ctx.attributes:
        return f"In {ctx.label} (the repository's own configuration)"
    if ctx.kind is ContextKind.MANAGED_POLICY:
        return f"In the {ctx.label}"
    return f"In {ctx.label}"


def where(obs: Observation | None) -> str:
    return obs.location.short() if obs is not None else ""


def assignment(eff: Effective, kb: KnowledgeBase) -> str:
    """`NAME="value" in path:line:col`, the value redacted when it is secret."""
    return f"{eff.name}={shown(eff.name, eff.value, kb)} in {where(eff.winner)}"


def value_origin(eff: Effective) -> str:
    """How a credential's value is given, without ever showing it."""
    if eff.value_kind is ValueKind.REFERENCE:
        return "a reference resolved at run time"
    if eff.value_kind is ValueKind.DYNAMIC:
        return "computed at run time"
    return "a literal value, not shown"


def env_reading(ctx: Context, name: str, kb: KnowledgeBase) -> tuple[Effective, Variable | None, Reading]:
    eff = ctx.env_value(name)
    var = kb.variable(name)
    return eff, var, reading(var, eff.value, eff.value_kind, eff.winner is not None)


def layer_of(ctx: Context, obs: Observation) -> Layer | None:
    return next((layer for layer in ctx.layers if obs in layer.observations), None)


def set_by_managed(ctx: Context, eff: Effective) -> bool:
    """True when the value in effect comes from a managed layer."""
    if eff.winner is None:
        return False
    layer = layer_of(ctx, eff.winner)
    return layer is not None and layer.kind is LayerKind.MANAGED


def anchor_of(ctx: Context, *effs: Effective) -> Location:
    """Where a context finding points: the first assignment in effect, else the context's anchor."""
    for eff in effs:
        if eff.winner is not None:
            return eff.winner.location
    return ctx.anchor


def provenance(*effs: Effective) -> list[Location]:
    out: list[Location] = []
    for eff in effs:
        out.extend(o.location for o in (*eff.chain, *eff.ignored))
    return out
