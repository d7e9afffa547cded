"""CCP302-CCP305: is Claude Code's login pinned to the approved organisation, and can it be bypassed?

Facts (reference 3.1, 3.2, 4.4):
- Only a managed `forceLoginOrgUUID` is enforced; elsewhere a single UUID just pre-selects the
  organisation at login. A managed empty array blocks every login; an invalid managed value fails
  closed (no organisation may log in).
- `forceLoginGatewayUrl` and `forceLoginMethod: "gateway"` are honoured only from on-machine managed
  sources (file, plist, HKLM, helper), not from server-managed settings.
- With a managed `forceLoginOrgUUID`, `ANTHROPIC_API_KEY`, `ANTHROPIC_AUTH_TOKEN` and `apiKeyHelper`
  sessions are blocked at startup; without one they run under whatever organisation issued the key.
  A `CLAUDE_CODE_OAUTH_TOKEN` may belong to any organisation, a personal one included.
- Cloud-provider credentials take precedence over every Anthropic credential when
  `CLAUDE_CODE_USE_BEDROCK`, `_VERTEX` or `_FOUNDRY` is set (reference 2.4).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from scanner import regexcache
from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding, param_list
from scanner.checks.context_text import (
    anchor_of,
    context_prefix,
    layer_of,
    provenance,
    set_by_managed,
    value_origin,
    where,
)
from scanner.checks.project_config import LOCAL, MANAGED, PROJECT, USER, settings_scope
from scanner.checks.providers import possible_providers
from scanner.contexts.model import Context, ContextKind, Effective, Layer, LayerKind
from scanner.contexts.validate import scope_ignores
from scanner.knowledge import KnowledgeBase
from scanner.model import FileKind, Finding, JSONValue, Location, Observation, ObservationKind
from scanner.redact import shown

ORG_PIN = "forceLoginOrgUUID"
LOGIN_METHOD = "forceLoginMethod"
GATEWAY_URL = "forceLoginGatewayUrl"
LOGIN_KEYS = (ORG_PIN, LOGIN_METHOD, GATEWAY_URL)
PIN_CONTEXTS = frozenset({ContextKind.MANAGED_POLICY, ContextKind.HOST})
_UUID = regexcache.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_CLOUD_FIRST = frozenset({"bedrock", "vertex", "foundry"})
CONSUMER_TERMS = (
    "personal Claude accounts (Free, Pro or Max) can sign in, and their conversations may be used for "
    "training and kept for up to 5 years"
)
_KIND_BY_SCOPE = {
    USER: LayerKind.USER,
    PROJECT: LayerKind.PROJECT,
    LOCAL: LayerKind.LOCAL,
    MANAGED: LayerKind.MANAGED,
}
_SCOPE_WORDS = {
    LayerKind.USER: "user settings",
    LayerKind.PROJECT: "project settings",
    LayerKind.LOCAL: "local project settings",
    LayerKind.CLI: "--settings",
}


def managed_pin(ctx: Context) -> Effective | None:
    eff = ctx.setting(ORG_PIN)
    return eff if set_by_managed(ctx, eff) else None


# -- CCP302 -----------------------------------------------------------------------------------------


def _pin_elsewhere(ctx: Context) -> str:
    eff = ctx.setting(ORG_PIN)
    for obs in (*eff.chain, *eff.ignored):
        layer = layer_of(ctx, obs)
        if layer is not None and layer.kind is not LayerKind.MANAGED:
            scope = _SCOPE_WORDS.get(layer.kind, str(layer.kind.value))
            return f"; {ORG_PIN} in {where(obs)} ({scope}) only pre-selects the organisation"
    return ""


def _missing_pin_anchor(ctx: Context) -> Location:
    """On a machine, the pin belongs in the managed policy in force: point there when there is one."""
    if ctx.kind is ContextKind.HOST:
        for layer in ctx.layers:
            if layer.kind is LayerKind.MANAGED and layer.paths:
                return Location(layer.paths[0], 1, 1)
    return ctx.anchor


def login_not_pinned(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    """CCP302: a managed policy (or a machine's managed tier) that does not set forceLoginOrgUUID."""
    for ctx in scan.contexts:
        if ctx.kind not in PIN_CONTEXTS or managed_pin(ctx) is not None:
            continue
        method = ctx.setting(LOGIN_METHOD)
        method_note = ""
        if set_by_managed(ctx, method):
            method_note = (
                f"; {LOGIN_METHOD} {shown(LOGIN_METHOD, method.value, scan.kb)} in {where(method.winner)} "
                "restricts the kind of login, not the organisation"
            )
        yield finding(
            rule,
            f"{context_prefix(ctx)}, logins are not pinned to the organisation: no managed {ORG_PIN} is set, "
            f"so {CONSUMER_TERMS}{method_note}{_pin_elsewhere(ctx)}.",
            _missing_pin_anchor(ctx),
            context=ctx.id,
            key=ORG_PIN,
            provenance=provenance(ctx.setting(ORG_PIN), method),
        )


# -- CCP303 -----------------------------------------------------------------------------------------


def _ids(value: JSONValue) -> list[str] | None:
    """The organisation UUIDs a managed value pins, or None when the value fails closed (invalid)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [str(v) for v in value]
    return None


def pinned_org_not_approved(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    """CCP303: a managed forceLoginOrgUUID that lets in an organisation not in approved_org_uuids."""
    approved = {a.strip().lower() for a in param_list(scan.params, "approved_org_uuids")}
    none_listed = " (the policy lists none)" if not approved else ""
    for ctx in scan.contexts:
        eff = managed_pin(ctx)
        if eff is None or eff.winner is None:
            continue
        ids = _ids(eff.value)
        if not ids:  # an empty array blocks every login; an invalid value fails closed
            continue
        unapproved = [i for i in ids if i.strip().lower() not in approved]
        if not unapproved:
            continue
        names = ", ".join(
            shown(ORG_PIN, i, scan.kb)
            + ("" if _UUID.match(i.strip()) else " (not a UUID: a placeholder left in the policy?)")
            for i in unapproved
        )
        which = "organisation" if len(unapproved) == 1 else "organisations"
        yield finding(
            rule,
            f"{context_prefix(ctx)}, {ORG_PIN} in {where(eff.winner)} lets Claude Code log in to the {which} "
            f"{names}, not in approved_org_uuids{none_listed}: sessions there follow that "
            "organisation's data-retention and training terms, which may not be the zero-data-retention "
            "organisation the policy requires.",
            eff.winner.location,
            context=ctx.id,
            key=ORG_PIN,
            provenance=provenance(eff),
        )


# -- CCP304 -----------------------------------------------------------------------------------------


def _not_on_machine(obs: Observation) -> bool:
    return obs.file_kind is FileKind.SETTINGS_REMOTE


def _ineffective(obs: Observation, kind: LayerKind, kb: KnowledgeBase) -> str:
    """Why a login key in a layer of this kind does not do what it seems to, as a clause, or ""."""
    managed = kind is LayerKind.MANAGED
    if obs.name == ORG_PIN and not managed:
        return (
            "where Claude Code only uses it to pre-select the organisation at login (only a managed value is "
            f"enforced), so {CONSUMER_TERMS}"
        )
    if scope_ignores(kb, obs.name, kind) or (obs.name == GATEWAY_URL and _not_on_machine(obs)):
        return "where Claude Code ignores it (it is read only from on-machine managed settings)"
    if obs.name == LOGIN_METHOD and obs.value == "gateway" and (not managed or _not_on_machine(obs)):
        return (
            'where Claude Code ignores it ("gateway" is honoured only from on-machine managed sources: file, '
            "plist, HKLM, policy helper)"
        )
    return ""


def _scope_words(obs: Observation, kind: LayerKind) -> str:
    if obs.scope == "action-settings":
        return "user settings: claude-code-action writes its `settings` input to ~/.claude/settings.json"
    if kind is LayerKind.MANAGED:
        return "server-managed settings" if _not_on_machine(obs) else "managed settings"
    return _SCOPE_WORDS.get(kind, str(kind.value))


def _effective_kind(ctx: Context, layer: Layer) -> LayerKind | None:
    """The layer's kind; for an inert copy (example, template), the kind of the file it copies."""
    if "not_in_effect" not in ctx.attributes:
        return layer.kind
    scope = settings_scope(layer.paths[0], FileKind.SETTINGS_INERT) if layer.paths else None
    return _KIND_BY_SCOPE.get(scope) if scope is not None else None


def ineffective_login_control(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    """CCP304: a login control (forceLoginOrgUUID, forceLoginMethod, forceLoginGatewayUrl) set where
    Claude Code ignores it or only pre-selects. One finding per assignment, whatever the number of
    contexts that read the file. Other managed-only keys are CCP505's."""
    seen: set[tuple[str, int, int]] = set()
    for ctx in scan.contexts:
        for layer in ctx.layers:
            if not layer.kind.is_settings or not layer.in_effect:
                continue
            kind = _effective_kind(ctx, layer)
            if kind is None:
                continue
            for obs in layer.observations:
                if obs.kind is not ObservationKind.SETTING or obs.name not in LOGIN_KEYS:
                    continue
                why = _ineffective(obs, kind, scan.kb)
                ident = (obs.location.path, obs.location.line, obs.location.column)
                if not why or ident in seen:
                    continue
                seen.add(ident)
                yield finding(
                    rule,
                    f"{obs.name} {shown(obs.name, obs.value, scan.kb)} is set in {obs.location.path} "
                    f"({_scope_words(obs, kind)}), {why}. Deploy it in managed settings instead.",
                    obs.location,
                    key=obs.name,
                )


# -- CCP305 -----------------------------------------------------------------------------------------

_CREDENTIALS = (
    (
        "ANTHROPIC_AUTH_TOKEN",
        "a bearer token",
        "token sessions are not bound by the organisation login pin, and whoever issued the token decides "
        "which organisation and data-retention terms apply",
    ),
    (
        "ANTHROPIC_API_KEY",
        "an Anthropic API key",
        "API-key sessions are not bound by the organisation login pin (forceLoginOrgUUID), and the key may "
        "belong to any Console organisation",
    ),
    (
        "apiKeyHelper",
        "a key printed by apiKeyHelper",
        "helper-issued keys are not bound by the organisation login pin, and may belong to any organisation",
    ),
    (
        "CLAUDE_CODE_OAUTH_TOKEN",
        "a subscription OAuth token",
        "the token may belong to any organisation, including a personal Pro or Max account whose "
        "conversations may be used for training and kept for up to 5 years",
    ),
)
BLOCKED_BY_PIN = frozenset({"ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_API_KEY", "apiKeyHelper"})


def _truthy_param(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() in ("1", "true", "yes"))


def credential_bypasses_org_pin(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    """CCP305 (only where require_zdr is true): an Anthropic credential in effect that is not bound by
    the organisation pin. Every credential present is reported, not only the one that wins the
    authentication precedence, because removing the winner makes the next one active."""
    if not _truthy_param(scan.params.get("require_zdr")):
        return
    for ctx in scan.contexts:
        providers = possible_providers(ctx, scan.kb)
        if providers.certain and providers.names[0] in _CLOUD_FIRST:
            continue  # cloud credentials take precedence; no Anthropic credential is used
        pinned = managed_pin(ctx) is not None
        for name, what, why in _CREDENTIALS:
            if pinned and name in BLOCKED_BY_PIN:
                continue  # blocked at startup by the managed pin: no session, so no bypass
            eff = ctx.setting(name) if name == "apiKeyHelper" else ctx.env_value(name)
            if not eff.is_set or eff.winner is None:
                continue
            if name == "apiKeyHelper":
                given = f"{name} in {where(eff.winner)}, a command, not shown"
            else:
                given = f"{name} in {where(eff.winner)}, {value_origin(eff)}"
            yield finding(
                rule,
                f"{context_prefix(ctx)}, Claude Code can authenticate with {what} ({given}): {why}, so "
                "requests may fall outside the zero-data-retention organisation the policy requires.",
                anchor_of(ctx, eff),
                context=ctx.id,
                key=name,
                provenance=provenance(eff),
            )
