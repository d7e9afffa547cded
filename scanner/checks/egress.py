"""CCP601: committed project settings whose `env` redirects or exposes API traffic.

Project `env` applies at startup, before any trust prompt, in `claude -p`, SDK and CI runs
(reference 1.6, 1.7), and a settings `env` value beats the developer's own shell export. So a
committed base URL, proxy, custom header, CA bundle, client certificate, OTLP endpoint or
`NODE_TLS_REJECT_UNAUTHORIZED=0` decides where everyone's prompts and code go.

A base URL or proxy whose host is in `approved_gateways`, and an OTLP endpoint whose host is in
`approved_otel_collectors`, is the organisation's own and is not reported. An OTLP endpoint is
reported even when the repository does not switch telemetry on: as soon as a developer enables
OpenTelemetry, the project's endpoint overrides the one in their own settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding, param_list
from scanner.checks.command_text import url_host, url_shown
from scanner.checks.project_config import ProjectLayer, committed_project_layers
from scanner.contexts.model import Context
from scanner.model import Finding, Observation, ValueKind
from scanner.redact import shown
from scanner.semantics import as_env_string, assume_on, reading

BASE_URLS = {
    "ANTHROPIC_BASE_URL": "the Anthropic API",
    "ANTHROPIC_BEDROCK_BASE_URL": "Amazon Bedrock",
    "ANTHROPIC_BEDROCK_MANTLE_BASE_URL": "the Bedrock Mantle endpoint",
    "ANTHROPIC_VERTEX_BASE_URL": "Google Vertex AI",
    "ANTHROPIC_FOUNDRY_BASE_URL": "Microsoft Foundry",
    "ANTHROPIC_AWS_BASE_URL": "Claude Platform on AWS",
}
PROXIES = frozenset({"HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"})
OTLP_ENDPOINTS = frozenset(
    {
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    }
)
FIXED_EFFECTS = {
    "ANTHROPIC_CUSTOM_HEADERS": "extra headers chosen by the repository are added to every API request",
    "NODE_EXTRA_CA_CERTS": (
        "an extra certificate authority is trusted, so a proxy holding its key can read and change the TLS "
        "traffic"
    ),
    "CLAUDE_CODE_CLIENT_CERT": "a TLS client certificate chosen by the repository is presented to the API",
    "CLAUDE_CODE_CLIENT_KEY": "a TLS client key chosen by the repository is presented to the API",
}
TRUST_NOTE = "committed project env applies even before workspace trust in `claude -p`, SDK and CI runs"


def _telemetry_on(ctx: Context, scan: CheckInput) -> bool:
    eff = ctx.env_value("CLAUDE_CODE_ENABLE_TELEMETRY")
    var = scan.kb.variable("CLAUDE_CODE_ENABLE_TELEMETRY")
    return assume_on(var, reading(var, eff.value, eff.value_kind, eff.winner is not None))


def _approved(host: str, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        p = pattern.lower().strip()
        if p.startswith("*.") and (host.endswith(p[1:]) or host == p[2:]):
            return True
        if host and host == p:
            return True
    return False


def effect_of(obs: Observation, item: ProjectLayer, scan: CheckInput) -> str | None:
    """What this env entry does to the traffic, or None when it does nothing worth reporting."""
    text = as_env_string(obs.value, obs.value_kind)
    name = obs.name
    if text is None or text == "":
        return None
    if name == "NODE_TLS_REJECT_UNAUTHORIZED":
        if text.strip() != "0":
            return None
        return "TLS certificate checks are off, so anyone on the network path can read and change the traffic"
    if obs.value_kind is ValueKind.NON_STRING:
        return None
    if name in FIXED_EFFECTS:
        return FIXED_EFFECTS[name]
    host = url_host(text)
    if name in BASE_URLS:
        if _approved(host, param_list(scan.params, "approved_gateways")):
            return None
        return (
            f"every prompt, file excerpt and response goes to {host or 'that address'} instead of "
            f"{BASE_URLS[name]}"
        )
    if name in PROXIES:
        if _approved(host, param_list(scan.params, "approved_gateways")):
            return None
        return f"all of Claude Code's traffic, prompts and code included, goes through the proxy {host}"
    if name in OTLP_ENDPOINTS:
        if _approved(host, param_list(scan.params, "approved_otel_collectors")):
            return None
        if _telemetry_on(item.context, scan):
            return f"OpenTelemetry data (usage, and prompts or tool details where enabled) goes to {host}"
        return (
            f"whenever a developer enables OpenTelemetry, its data goes to {host}, overriding the endpoint "
            "in their own settings"
        )
    return None


def _shown_value(obs: Observation, scan: CheckInput) -> str:
    """URLs without credentials or query strings; everything else through redact.shown."""
    if isinstance(obs.value, str) and obs.name in {*BASE_URLS, *PROXIES, *OTLP_ENDPOINTS}:
        return f'"{url_shown(obs.value)}"'
    return shown(obs.name, obs.value, scan.kb)


def check(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    watched = {*BASE_URLS, *PROXIES, *OTLP_ENDPOINTS, *FIXED_EFFECTS, "NODE_TLS_REJECT_UNAUTHORIZED"}
    for item in committed_project_layers(scan):
        for obs in item.env():
            if obs.name not in watched:
                continue
            effect = effect_of(obs, item, scan)
            if effect is None:
                continue
            value = _shown_value(obs, scan)
            yield finding(
                rule,
                f"{obs.name}={value} in the committed project settings: {effect}; {TRUST_NOTE}.",
                obs.location,
                context=item.context.id,
                key=obs.name,
            )
