"""The declarative check language shared by built-in and organisation rules.

A check is a TOML table:

    [check]
    contexts = ["project", "ci"]          # optional: context kinds it applies to
    when = [                              # every condition must hold
      { control = "telemetry", state = "enabled" },
      { env = "ANTHROPIC_BASE_URL", state = "set" },
      { setting = "cleanupPeriodDays", greater_than = "param:max_retention_days", default = 30 },
      { provider_not_in = "param:approved_providers" },
    ]
    message = "..."                       # template; {context}, {detail}, {value}, {where}, ...
    [check.messages]                      # optional per context kind
    project = "..."

Conditions (see README "Writing your own rules" for the full reference):
- control: {control, state = "enabled"|"disabled"}
- env: {env, state = "on"|"off"|"set"|"unset"|"unknown"} plus optional value_matches (regex),
  url_host_not_in (list or "param:NAME"), url_scheme_not ("https")
- setting: {setting, state = "set"|"unset"} or one comparison: equals, not_equals, greater_than,
  less_than, in, not_in; optional default (used when unset), set_in = "managed"|"not-managed"
- provider: {provider_in} or {provider_not_in}
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import urlsplit

from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding
from scanner.contexts.model import Context, Effective, LayerKind
from scanner.controls import control_state
from scanner.knowledge import KnowledgeBase
from scanner.model import Finding, Location, ValueKind
from scanner.records import NamedTuple
from scanner.redact import shown
from scanner.semantics import Switch, assume_on, reading

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CONDITION_KEYS = frozenset({"control", "env", "setting", "provider_in", "provider_not_in"})
COMPARISONS = ("equals", "not_equals", "greater_than", "less_than", "in", "not_in")


class CheckError(ValueError):
    """A check table that cannot be evaluated; raised while validating rules, never mid-scan."""


class Match(NamedTuple):
    ok: bool
    evidence: list[Effective]
    details: list[str]
    values: dict[str, str]


def resolve_param(value: Any, params: Mapping[str, object]) -> Any:
    if isinstance(value, str) and value.startswith("param:"):
        return params.get(value[6:])
    return value


def _where(eff: Effective) -> str:
    return eff.winner.location.short() if eff.winner is not None else ""


def _names(names: Iterable[str]) -> str:
    items = list(names)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def _control(cond: Mapping[str, Any], ctx: Context, kb: KnowledgeBase) -> Match:
    state = control_state(ctx, str(cond["control"]), kb)
    want_enabled = cond.get("state", "enabled") == "enabled"
    title = state.control.title
    values = {"control": title}
    if state.disabled:
        how = (
            f"{state.by.name} in {_where(state.by)}"
            if state.by is not None
            else f"the {state.by_provider} provider's default"
        )
        return Match(not want_enabled, [state.by] if state.by else [], [f"{title} is off ({how})"], values)
    details: list[str] = []
    evidence: list[Effective] = []
    for eff, r in state.ineffective:
        evidence.append(eff)
        val = shown(eff.name, eff.value, kb)
        where = _where(eff) or (eff.chain[0].location.short() if eff.chain else "")
        why = r.note or {
            Switch.OFF: f"{eff.name} is a standard boolean and this value means no",
            Switch.UNSET: "unset",
        }.get(r.state, r.state.value)
        details.append(f"{eff.name}={val} in {where} does not turn it off ({why})")
    for eff in state.ignored:
        evidence.append(eff)
        obs = eff.ignored[0]
        layer = next((layer for layer in ctx.layers if obs in layer.observations), None)
        why = (
            layer.why_not_in_effect
            if layer is not None and layer.why_not_in_effect
            else ("Claude Code ignores it there")
        )
        details.append(f"{eff.name} is set in {obs.location.short()}, but {why}")
    if not details:
        switches = [*state.control.disabled_by]
        switches += [f"{key}: {json.dumps(value)}" for key, value in state.control.disabled_by_setting]
        details.append(
            f"nothing in its configuration sets {_names(switches)}"
            if switches
            else "nothing in its configuration turns it off"
        )
    if state.host_override:
        details.append(
            f"the {state.host_override} provider would switch it off by default, but "
            "CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST is set"
        )
    if ctx.provider.evidence is not None and not ctx.provider.certain and state.control.off_on_providers:
        details.append(
            f"{ctx.provider.evidence.name} is not a literal, so the first-party default is assumed"
        )
    return Match(want_enabled, evidence, details, values)


def _env(cond: Mapping[str, Any], ctx: Context, scan: CheckInput) -> Match:
    name = str(cond["env"])
    eff = ctx.env_value(name)
    var = scan.kb.variable(name)
    r = reading(var, eff.value, eff.value_kind, eff.winner is not None)
    on = assume_on(var, r)
    state = cond.get("state", "set")
    if state == "on":
        ok = on
    elif state == "off":
        ok = not on and r.state is not Switch.UNSET
    elif state == "set":
        ok = eff.is_set
    elif state == "unset":
        ok = not eff.is_set
    elif state == "unknown":
        ok = eff.is_set and eff.value_kind in (ValueKind.REFERENCE, ValueKind.DYNAMIC)
    else:
        raise CheckError(f"env condition: unknown state {state!r}")
    text = eff.value if isinstance(eff.value, str) else None
    if ok and "value_matches" in cond:
        ok = text is not None and re.search(str(cond["value_matches"]), text) is not None
    if ok and "url_host_not_in" in cond:
        allowed = resolve_param(cond["url_host_not_in"], scan.params) or []
        host = (urlsplit(text).hostname or "") if text else ""
        ok = text is not None and eff.value_kind is ValueKind.LITERAL and not _host_allowed(host, allowed)
    if ok and "url_scheme_not" in cond:
        scheme = urlsplit(text).scheme if text else ""
        ok = text is not None and eff.value_kind is ValueKind.LITERAL and scheme != cond["url_scheme_not"]
    values = {"var": name, "value": shown(name, eff.value, scan.kb), "where": _where(eff)}
    detail = f"{name}={values['value']} in {values['where']}" if eff.winner else f"{name} is not set"
    return Match(ok, [eff] if eff.winner else [], [detail], values)


def _host_allowed(host: str, allowed: Iterable[object]) -> bool:
    host = host.lower()
    for pattern in allowed:
        p = str(pattern).lower()
        if p.startswith("*.") and (host.endswith(p[1:]) or host == p[2:]):
            return True
        if host == p:
            return True
    return False


def _compare(op: str, actual: Any, expected: Any) -> bool:
    try:
        if op == "equals":
            return bool(actual == expected)
        if op == "not_equals":
            return bool(actual != expected)
        if op == "greater_than":
            return actual is not None and expected is not None and float(actual) > float(expected)
        if op == "less_than":
            return actual is not None and expected is not None and float(actual) < float(expected)
        if op == "in":
            return actual in (expected or [])
        if op == "not_in":
            return actual not in (expected or [])
    except (TypeError, ValueError):
        return False
    raise CheckError(f"setting condition: unknown comparison {op!r}")


def _setting(cond: Mapping[str, Any], ctx: Context, scan: CheckInput) -> Match:
    key = str(cond["setting"])
    eff = ctx.setting(key)
    actual = eff.value if eff.winner is not None else cond.get("default")
    ok = True
    if "state" in cond:
        ok = (eff.winner is not None) == (cond["state"] == "set")
    for op in COMPARISONS:
        if op in cond:
            ok = ok and _compare(op, actual, resolve_param(cond[op], scan.params))
    if "set_in" in cond:
        managed = eff.winner is not None and any(
            eff.winner in layer.observations for layer in ctx.layers if layer.kind is LayerKind.MANAGED
        )
        ok = ok and eff.winner is not None and (managed == (cond["set_in"] == "managed"))
    shown_value = shown(key, actual, scan.kb)
    values = {"setting": key, "value": shown_value, "where": _where(eff)}
    if eff.winner is not None:
        detail = f"{key} is {shown_value} in {_where(eff)}"
    elif eff.ignored:
        # Set, but where Claude Code skips it (an invalid value, a scope that ignores the key).
        where = eff.ignored[0].location.short()
        fallback = f", so the default {shown_value} applies" if "default" in cond else ""
        detail = f"{key} in {where} is ignored by Claude Code{fallback}"
    elif "default" in cond:
        detail = f"{key} is not set, so the default {shown_value} applies"
    else:
        detail = f"{key} is not set"
    return Match(ok, [eff] if eff.winner or eff.ignored else [], [detail], values)


def _provider(cond: Mapping[str, Any], ctx: Context, scan: CheckInput) -> Match:
    name = ctx.provider.name
    values = {"provider": name}
    evidence = [ctx.provider.evidence] if ctx.provider.evidence is not None else []
    if "provider_in" in cond:
        wanted = resolve_param(cond["provider_in"], scan.params) or []
        return Match(name in wanted, evidence, [f"the provider is {name}"], values)
    allowed = resolve_param(cond["provider_not_in"], scan.params)
    if allowed is None:
        return Match(False, evidence, [], values)
    return Match(name not in allowed, evidence, [f"the provider is {name}"], values)


def evaluate_condition(cond: Mapping[str, Any], ctx: Context, scan: CheckInput) -> Match:
    if "control" in cond:
        return _control(cond, ctx, scan.kb)
    if "env" in cond:
        return _env(cond, ctx, scan)
    if "setting" in cond:
        return _setting(cond, ctx, scan)
    if "provider_in" in cond or "provider_not_in" in cond:
        return _provider(cond, ctx, scan)
    raise CheckError(f"condition needs one of {', '.join(sorted(CONDITION_KEYS))}")


class _Template(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, values: Mapping[str, str]) -> str:
    return template.format_map(_Template(values))


def evaluate(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    check = rule.check
    kinds = check.get("contexts")
    conditions = check.get("when", [])
    if not isinstance(conditions, list) or not conditions:
        raise CheckError(f"{rule.id}: check.when must be a non-empty list of conditions")
    messages = check.get("messages", {})
    for ctx in scan.contexts:
        if isinstance(kinds, list) and ctx.kind.value not in kinds:
            continue
        matches = []
        for cond in conditions:
            m = evaluate_condition(cond, ctx, scan)
            if not m.ok:
                break
            matches.append(m)
        else:
            yield _finding(rule, ctx, matches, messages if isinstance(messages, dict) else {})


def _finding(rule: Rule, ctx: Context, matches: list[Match], messages: Mapping[str, str]) -> Finding:
    values: dict[str, str] = {"context": ctx.label, "context_id": ctx.id, "rule": rule.id}
    details: list[str] = []
    evidence: list[Effective] = []
    for m in matches:
        values.update({k: v for k, v in m.values.items() if k not in values})
        details.extend(m.details)
        evidence.extend(m.evidence)
    values["detail"] = "; ".join(details)
    template = messages.get(ctx.kind.value) or str(rule.check.get("message") or rule.title + ": {detail}")
    message = render(template, values)
    location: Location = ctx.anchor
    provenance: list[Location] = []
    for eff in evidence:
        for obs in (*eff.chain, *eff.ignored):
            provenance.append(obs.location)
    winners = [e.winner for e in evidence if e.winner is not None]
    ignored = [e.ignored[0] for e in evidence if e.ignored]
    if winners:
        location = winners[0].location
    elif ignored and ignored[0].location.path in ctx.files:
        location = ignored[0].location
    return finding(
        rule, message, location, context=ctx.id, key=condition_subjects(rule), provenance=provenance
    )


def condition_subjects(rule: Rule) -> str:
    """What a context finding is about, independent of the evidence (for stable fingerprints)."""
    subjects = []
    when = rule.check.get("when")
    for cond in when if isinstance(when, list) else []:
        if isinstance(cond, dict):
            for k in ("control", "env", "setting"):
                if k in cond:
                    subjects.append(f"{k}:{cond[k]}")
            if "provider_in" in cond or "provider_not_in" in cond:
                subjects.append("provider")
    return "|".join(subjects)
