"""Is a privacy control (telemetry, error reporting, /feedback, ...) off in a context, and why?

A control is off when a variable that disables it is effectively on, when a setting disables
it, or by the provider's default (metrics, error reports and /feedback are off on Bedrock,
Vertex, Foundry and Claude Platform on AWS unless CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST is set,
reference 4.3). Every uncertain reading is resolved the leak-safe way (semantics.assume_on).
"""

from __future__ import annotations

from scanner.contexts.model import Context, Effective
from scanner.knowledge import Control, KnowledgeBase
from scanner.records import NamedTuple
from scanner.semantics import Reading, Switch, assume_on, reading


class ControlState(NamedTuple):
    control: Control
    disabled: bool
    by: Effective | None = None  # what disables it, when a variable or setting does
    by_provider: str | None = None  # the provider whose default disables it
    # Variables set in this context that look like they should disable it but do not,
    # each with the reading that explains why.
    ineffective: tuple[tuple[Effective, Reading], ...] = ()
    ignored: tuple[Effective, ...] = ()  # set only in layers Claude Code does not read
    # The provider whose default would switch it off, when CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST prevents that.
    host_override: str | None = None


def control_state(ctx: Context, name: str, kb: KnowledgeBase) -> ControlState:
    control = kb.controls[name]
    ineffective: list[tuple[Effective, Reading]] = []
    ignored: list[Effective] = []
    for var_name in control.disabled_by:
        eff = ctx.env.get(var_name)
        if eff is None:
            continue
        var = kb.variable(var_name)
        r = reading(var, eff.value, eff.value_kind, eff.winner is not None)
        if assume_on(var, r):
            return ControlState(control, True, by=eff)
        if eff.winner is not None:
            ineffective.append((eff, r))
        elif eff.chain:
            ineffective.append((eff, Reading(Switch.UNSET, True, "removed by `unset`")))
        if eff.ignored:
            ignored.append(eff)
    for key, wanted in control.disabled_by_setting:
        eff = ctx.settings.get(key)
        if eff is not None and eff.winner is not None and _same(eff.value, wanted):
            return ControlState(control, True, by=eff)
        if eff is not None and eff.ignored:
            ignored.append(eff)
    provider = ctx.provider
    if (
        provider.third_party
        and provider.certain
        and not provider.managed_by_host
        and provider.name in control.off_on_providers
    ):
        return ControlState(control, True, by_provider=provider.name)
    override = (
        provider.name
        if provider.third_party and provider.managed_by_host and provider.name in control.off_on_providers
        else None
    )
    return ControlState(
        control, False, ineffective=tuple(ineffective), ignored=tuple(ignored), host_override=override
    )


def _same(actual: object, wanted: object) -> bool:
    """Equal in value and JSON type: `false` is not `0`, `1.0` is `1`."""
    if isinstance(actual, bool) or isinstance(wanted, bool):
        return isinstance(actual, bool) and isinstance(wanted, bool) and actual == wanted
    return actual == wanted
