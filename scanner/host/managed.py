"""The managed tier of one user's contexts, as MANAGED layers that resolve like Claude Code does.

Reference 1.2 and 1.3:
- the first managed source that delivers at least one policy key is used, the rest are not read:
  remote (when eligible) > plist / HKLM > managed files (managed-settings.json merged with the
  drop-ins in name order) > HKCU. A source holding only `wslInheritsWindowsSettings` delivers nothing;
- except for the keys read from every *admin* source (remote, plist/HKLM, files; never HKCU):
  `allowManagedDomainsOnly` / `allowManagedReadPathsOnly` (a `true` anywhere locks, and the locked
  allowlists are then unioned), `useAutoModeDuringPlan` / `syncClaudeAiSkills` (a `false` anywhere
  wins), the commit-trailer opt-outs, and the keys where the highest source setting them wins;
- and `env`, merged per variable across admin sources (the highest source defining a variable wins),
  except the OpenTelemetry "telemetry unit", taken whole from the highest source that sets any of it,
  and routing variables of a source that pairs them with a credential helper (`apiKeyHelper`,
  `otelHeadersHelper`), which apply only when that source is the one in use [INFERENCE: which
  variables count as "paired" is not spelled out; the routing variables of the knowledge base are used].

The result is a list of MANAGED layers that scanner.contexts.resolve turns into exactly that: every
observation keeps its own file, line and column, and what Claude Code ignores sits in layers marked
not in effect (so it shows up as "ignored" with the reason). Order, highest first: a layer lifting a
value that wins "anywhere" above the source in use, the source in use, then the other sources in
tier order, split into what still counts and what does not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from scanner.contexts.model import Layer, LayerKind
from scanner.knowledge import ROUTES, KnowledgeBase
from scanner.model import JSONValue, Notification, Observation, ObservationKind
from scanner.records import NamedTuple

__all__ = ["ManagedSource", "ManagedTier", "delivers", "resolve_managed"]

NON_POLICY_KEYS = frozenset({"wslInheritsWindowsSettings", "$schema"})

# A value that wins from any admin source, whatever the source in use says.
STICKY: dict[str, Callable[[JSONValue], bool]] = {
    "sandbox.network.allowManagedDomainsOnly": lambda v: v is True,
    "sandbox.filesystem.allowManagedReadPathsOnly": lambda v: v is True,
    "useAutoModeDuringPlan": lambda v: v is False,
    "syncClaudeAiSkills": lambda v: v is False,
    "includeCoAuthoredBy": lambda v: v is False,
    "attribution.commit": lambda v: v == "",
    "attribution.pr": lambda v: v == "",
}
# Read from every admin source; the highest source that sets one wins.
CROSS_SOURCE = (
    "allowAllClaudeAiMcps",
    "sandbox.bwrapPath",
    "sandbox.socatPath",
    "sandbox.ripgrep",
    "sandbox.filesystem.disabled",
    "sandbox.network.strictAllowlist",
    "forceRemoteSettingsRefresh",
    "attribution",
)
# Lock -> the allowlist unioned across admin sources while the lock is on.
LOCKED_ALLOWLISTS = {
    "sandbox.network.allowManagedDomainsOnly": "sandbox.network.allowedDomains",
    "sandbox.filesystem.allowManagedReadPathsOnly": "sandbox.filesystem.allowRead",
}
TELEMETRY_UNIT_PREFIXES = ("OTEL_EXPORTER_OTLP_", "OTEL_LOG_")
TELEMETRY_UNIT_NAMES = frozenset(
    {
        "OTEL_LOGS_EXPORTER",
        "OTEL_TRACES_EXPORTER",
        "CLAUDE_CODE_ENHANCED_TELEMETRY_BETA",
        "ENABLE_ENHANCED_TELEMETRY_BETA",
        "BETA_TRACING_ENDPOINT",
        "ENABLE_BETA_TRACING_DETAILED",
    }
)
POLICY_HELPER_KEYS = ("policyHelper", "policyHelper.path")


class ManagedSource(NamedTuple):
    """One managed source as `/status` names it (remote, plist, HKLM, file, drop-ins, HKCU, ...)."""

    name: str
    layers: tuple[Layer, ...]  # LayerKind.MANAGED, highest first (later drop-ins before the base file)
    admin: bool = True
    eligible: bool = True
    why_ineligible: str = ""


class ManagedTier(NamedTuple):
    layers: tuple[Layer, ...]
    source: str | None  # the source in use, None when no managed source delivers a policy key
    notes: tuple[Notification, ...] = ()


def in_unit(name: str) -> bool:
    return name.startswith(TELEMETRY_UNIT_PREFIXES) or name in TELEMETRY_UNIT_NAMES


def _matches(name: str, key: str) -> bool:
    return name == key or name.startswith(key + ".")


def _live(source: ManagedSource) -> list[Observation]:
    return [o for layer in source.layers if layer.in_effect for o in layer.observations]


def delivers(source: ManagedSource) -> bool:
    """Whether a source delivers at least one policy key (reference 1.2)."""
    return source.eligible and any(
        o.kind is ObservationKind.SETTING and "." not in o.name and o.name not in NON_POLICY_KEYS
        for o in _live(source)
    )


def _settings(source: ManagedSource, name: str) -> list[Observation]:
    return [o for o in _live(source) if o.kind is ObservationKind.SETTING and o.name == name]


def _ignored(layer: Layer, why: str) -> Layer:
    return Layer(LayerKind.MANAGED, layer.label, layer.observations, layer.paths, False, why)


def resolve_managed(sources: Sequence[ManagedSource], kb: KnowledgeBase) -> ManagedTier:
    """Sources in tier order (remote first, HKCU last) -> the managed layers of a context."""
    winner = next((s for s in sources if delivers(s)), None)
    notes = _policy_helper_notes(sources)
    if winner is None:
        layers = [
            layer if source.eligible else _ignored(layer, source.why_ineligible)
            for source in sources
            for layer in source.layers
        ]
        return ManagedTier(tuple(layers), None, notes)
    contributors = [s for s in sources if s is not winner and s.admin and s.eligible and winner.admin]
    ordered = [winner, *contributors]
    unit_source = next(
        (s for s in ordered if any(o.kind is ObservationKind.ENV and in_unit(o.name) for o in _live(s))), None
    )
    locked = {
        lock
        for lock in LOCKED_ALLOWLISTS
        if any(o.value is True for s in ordered for o in _settings(s, lock))
    }
    lifted = _lifted(winner, contributors)
    skip = {id(o) for o in lifted}
    out: list[Layer] = []
    if lifted:
        out.append(
            Layer(
                LayerKind.MANAGED,
                "values that win from any admin source",
                tuple(lifted),
                tuple(dict.fromkeys(o.location.path for o in lifted)),
            )
        )
    out.extend(winner.layers)
    for source in sources:
        if source is winner:
            continue
        if not source.eligible:
            out.extend(_ignored(layer, source.why_ineligible) for layer in source.layers)
            continue
        if source not in contributors:
            if source.admin:  # the source in use is HKCU: no admin source delivers anything
                out.extend(source.layers)
                continue
            why = (
                f"{source.name} is read only when no other managed source delivers a policy key, and "
                f"{winner.name} does"
            )
            out.extend(_ignored(layer, why) if layer.in_effect else layer for layer in source.layers)
            continue
        counts = _counter(source, source is unit_source, locked, kb)
        why = (
            f"the {winner.name} managed source is in use, so Claude Code reads only the keys read from "
            f"every admin source from {source.name}"
        )
        for layer in source.layers:
            if not layer.in_effect:
                out.append(layer)
                continue
            keep = tuple(o for o in layer.observations if id(o) not in skip and counts(o))
            rest = tuple(o for o in layer.observations if id(o) not in skip and not counts(o))
            if keep:
                out.append(
                    Layer(
                        LayerKind.MANAGED,
                        f"{layer.label} (keys read from every admin source)",
                        keep,
                        layer.paths,
                    )
                )
            if rest:
                out.append(Layer(LayerKind.MANAGED, layer.label, rest, layer.paths, False, why))
    return ManagedTier(tuple(out), winner.name, notes)


def _first_value(source: ManagedSource, key: str) -> Observation | None:
    found = _settings(source, key)
    return found[0] if found else None


def _lifted(winner: ManagedSource, contributors: Sequence[ManagedSource]) -> list[Observation]:
    """Observations of other admin sources whose value wins over the source in use."""
    lifted: list[Observation] = []
    for key, wins in STICKY.items():
        own = _first_value(winner, key)
        if own is not None and wins(own.value):
            continue
        for source in contributors:
            found = next((o for o in _settings(source, key) if wins(o.value)), None)
            if found is not None:
                lifted.append(found)
                break
    return lifted


def _counter(
    source: ManagedSource, unit_here: bool, locked: set[str], kb: KnowledgeBase
) -> Callable[[Observation], bool]:
    """Which observations of a source that is not in use still count (keys read from every admin source)."""
    has_key_helper = bool(_settings(source, "apiKeyHelper"))
    has_otel_helper = bool(_settings(source, "otelHeadersHelper"))
    allowlists = {LOCKED_ALLOWLISTS[lock] for lock in locked}

    def counts(obs: Observation) -> bool:
        if obs.kind is ObservationKind.ENV:
            if in_unit(obs.name):
                if not unit_here:
                    return False
                return not (has_otel_helper and obs.name.endswith("ENDPOINT"))
            var = kb.variable(obs.name)
            return not (has_key_helper and var is not None and var.effect == ROUTES)
        if obs.kind is not ObservationKind.SETTING:
            return False
        if obs.name in NON_POLICY_KEYS:  # not policy, so not "the source in use" (wslInheritsWindowsSettings)
            return True
        if any(_matches(obs.name, key) for key in (*CROSS_SOURCE, *STICKY)):
            return True
        return any(_matches(obs.name, allow) for allow in allowlists)

    return counts


def _policy_helper_notes(sources: Sequence[ManagedSource]) -> tuple[Notification, ...]:
    notes: list[Notification] = []
    for source in sources:
        if not source.admin or source.name == "remote":
            continue
        helpers = [
            o for o in _live(source) if o.kind is ObservationKind.SETTING and o.name in POLICY_HELPER_KEYS
        ]
        if helpers:
            at = helpers[0].location
            notes.append(
                Notification(
                    "warning",
                    f"{at.short()}: policyHelper is set, so Claude Code runs that program and uses its "
                    "output as the only managed source; ccpolicy never runs it, and the managed "
                    "configuration shown is what the files on disk say",
                    at.path,
                    at.line,
                    "policy-helper",
                )
            )
    return tuple(notes)
