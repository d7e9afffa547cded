"""Combine layers into the configuration Claude Code would run with (reference 1.2-1.6).

- Layers arrive highest precedence first; settings layers (managed, cli, local, project, user)
  always sit above environment layers, because a settings `env` value overrides the same
  variable exported in the shell (reference 1.6).
- Within one layer the last assignment wins (shell semantics, JSON duplicate keys).
- Across layers the highest layer that sets a name wins; `""` is a value that wins (and then
  counts as unset), an `unset` removes what lower layers set.
- Settings keys honoured only from some scopes are ignored elsewhere (reference 3.2); values
  Claude Code would skip as invalid are ignored too (reference 1.1).
- Arrays merge across layers instead of overriding (reference 1.4); objects merge key by key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scanner.contexts.model import Effective, Layer, LayerKind, Provider
from scanner.contexts.validate import scope_ignores, validate_setting
from scanner.knowledge import KnowledgeBase
from scanner.model import JSONValue, Observation, ObservationKind, ValueKind
from scanner.semantics import Switch, reading

# Provider switches in the order Claude Code checks them. Bedrock > Vertex > Foundry comes from a
# third-party reconstruction [UNCONFIRMED]; Bedrock and Foundry beating Claude Platform on AWS is
# documented (reference 2.3).
PROVIDER_ORDER = (
    ("CLAUDE_CODE_USE_BEDROCK", "bedrock"),
    ("CLAUDE_CODE_USE_VERTEX", "vertex"),
    ("CLAUDE_CODE_USE_FOUNDRY", "foundry"),
    ("CLAUDE_CODE_USE_ANTHROPIC_AWS", "anthropic-aws"),
    ("CLAUDE_CODE_USE_MANTLE", "mantle"),
)
PROVIDER_BASE_URLS = {
    "first-party": "ANTHROPIC_BASE_URL",
    "bedrock": "ANTHROPIC_BEDROCK_BASE_URL",
    "vertex": "ANTHROPIC_VERTEX_BASE_URL",
    "foundry": "ANTHROPIC_FOUNDRY_BASE_URL",
    "anthropic-aws": "ANTHROPIC_AWS_BASE_URL",
    "mantle": "ANTHROPIC_BEDROCK_MANTLE_BASE_URL",
}


def _layer_env(layer: Layer) -> dict[str, Observation]:
    final: dict[str, Observation] = {}
    for obs in sorted(layer.observations, key=lambda o: (o.location.line, o.location.column)):
        if obs.kind in (ObservationKind.ENV, ObservationKind.UNSET):
            final[obs.name] = obs
    return final


def resolve_env(layers: Sequence[Layer]) -> dict[str, Effective]:
    per_layer = [(layer, _layer_env(layer)) for layer in layers]
    names = sorted({name for _, env in per_layer for name in env})
    result: dict[str, Effective] = {}
    for name in names:
        chain: list[Observation] = []
        ignored: list[Observation] = []
        for layer, env in per_layer:
            obs = env.get(name)
            if obs is None:
                continue
            (chain if layer.in_effect else ignored).append(obs)
        winner = chain[0] if chain else None
        if winner is None or winner.kind is ObservationKind.UNSET:
            result[name] = Effective(name, None, ValueKind.LITERAL, None, tuple(chain), tuple(ignored))
        else:
            result[name] = Effective(
                name, winner.value, winner.value_kind, winner, tuple(chain), tuple(ignored)
            )
    return result


def _merge(lower: JSONValue, higher: JSONValue) -> JSONValue:
    if isinstance(lower, dict) and isinstance(higher, dict):
        merged = dict(lower)
        for key, value in higher.items():
            merged[key] = _merge(merged[key], value) if key in merged else value
        return merged
    if isinstance(lower, list) and isinstance(higher, list):
        # Lists concatenate in precedence order (lowest first), duplicates removed (reference 1.3-1.4).
        out = list(lower)
        out.extend(item for item in higher if item not in out)
        return out
    return higher


def resolve_settings(layers: Sequence[Layer], kb: KnowledgeBase) -> dict[str, Effective]:
    """Effective value of every settings key path set in any settings layer."""
    by_key: dict[str, list[tuple[Layer, Observation]]] = {}
    for layer in layers:
        if not layer.kind.is_settings:
            continue
        for obs in layer.observations:
            if obs.kind is ObservationKind.SETTING and not obs.name.startswith("env"):
                by_key.setdefault(obs.name, []).append((layer, obs))
    result: dict[str, Effective] = {}
    for key in sorted(by_key):
        counted: list[Observation] = []
        ignored: list[Observation] = []
        for layer, obs in by_key[key]:
            if (
                not layer.in_effect
                or scope_ignores(kb, key, layer.kind)
                or (validate_setting(kb, key, obs.value) is not None and layer.kind is not LayerKind.MANAGED)
            ):
                ignored.append(obs)
            else:
                counted.append(obs)
        if not counted:
            result[key] = Effective(key, None, ValueKind.LITERAL, None, (), tuple(ignored))
            continue
        value: JSONValue = counted[-1].value
        for obs in reversed(counted[:-1]):
            value = _merge(value, obs.value)
        if not isinstance(counted[0].value, (dict, list)):
            value = counted[0].value
        result[key] = Effective(key, value, ValueKind.LITERAL, counted[0], tuple(counted), tuple(ignored))
    return result


def resolve_provider(env: dict[str, Effective], kb: KnowledgeBase) -> Provider:
    managed_by_host_eff = env.get("CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST")
    managed_by_host = False
    if managed_by_host_eff is not None and managed_by_host_eff.is_set:
        r = reading(
            kb.variable("CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST"),
            managed_by_host_eff.value,
            managed_by_host_eff.value_kind,
            True,
        )
        managed_by_host = r.state is not Switch.OFF
    uncertain: Effective | None = None
    chosen: tuple[str, Effective] | None = None
    for var, name in PROVIDER_ORDER:
        eff = env.get(var)
        if eff is None or not eff.is_set:
            continue
        r = reading(kb.variable(var), eff.value, eff.value_kind, True)
        if r.state is Switch.ON and r.certain:
            chosen = (name, eff)
            break
        if r.state in (Switch.ON, Switch.UNKNOWN) and uncertain is None:
            uncertain = eff
    evidence: Effective | None
    if chosen is not None:
        name, evidence = chosen
    else:
        name, evidence = "first-party", uncertain
    # An earlier switch that may be on (a reference, an undocumented value) makes the choice uncertain.
    certain = uncertain is None
    base_var = PROVIDER_BASE_URLS.get(name, "ANTHROPIC_BASE_URL")
    base = env.get(base_var)
    base_url = base.value if base is not None and base.is_set and isinstance(base.value, str) else None
    return Provider(name, certain, evidence, base_url, managed_by_host)


def observations_named(layers: Iterable[Layer], name: str) -> list[Observation]:
    return [o for layer in layers for o in layer.observations if o.name == name]
