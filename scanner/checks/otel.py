"""CCP201 (OpenTelemetry exports content) and CCP202 (collector not approved or not over TLS).

Both apply only where OpenTelemetry export is on: `CLAUDE_CODE_ENABLE_TELEMETRY` read the leak-safe
way (a reference or an undocumented value counts as on, semantics.assume_on). Exporter selectors
(`OTEL_LOGS_EXPORTER=none`) never silence a finding, because they are not locked: a developer can
switch an exporter back on while the content switches stay set (reference 2.5).
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding, param_list
from scanner.checks.context_text import context_prefix, env_reading, provenance, where
from scanner.checks.endpoints import judge, parse_endpoint
from scanner.contexts.model import Context, Effective
from scanner.knowledge import KnowledgeBase
from scanner.model import Finding, ValueKind
from scanner.records import NamedTuple
from scanner.redact import shown
from scanner.semantics import Reading, assume_on

TELEMETRY_SWITCH = "CLAUDE_CODE_ENABLE_TELEMETRY"
GENERIC_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT"


class ContentSwitch(NamedTuple):
    name: str
    content: str  # what it puts in the export
    signal: str  # "logs" or "traces"


PROMPTS = ContentSwitch("OTEL_LOG_USER_PROMPTS", "the text of every user prompt", "logs")
RESPONSES = ContentSwitch("OTEL_LOG_ASSISTANT_RESPONSES", "the text of every assistant response", "logs")
TOOL_DETAILS = ContentSwitch(
    "OTEL_LOG_TOOL_DETAILS",
    "tool input arguments, Bash commands, MCP server and tool names and error strings",
    "logs",
)
TOOL_CONTENT = ContentSwitch(
    "OTEL_LOG_TOOL_CONTENT",
    "the full input and output of every tool call (file contents, command output)",
    "traces",
)
RAW_BODIES = ContentSwitch(
    "OTEL_LOG_RAW_API_BODIES",
    "the full Messages API request and response JSON, that is the entire conversation",
    "logs",
)

# Endpoint variables, with the signals each one carries (reference 2.5; BETA_TRACING_ENDPOINT from [SS]).
ENDPOINTS = (
    (GENERIC_ENDPOINT, "metrics, log events and traces"),
    ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "metrics"),
    ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "log events"),
    ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "traces"),
    ("BETA_TRACING_ENDPOINT", "beta tracing spans"),
)
_SIGNAL_VARS = {
    "logs": ("OTEL_LOGS_EXPORTER", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"),
    "traces": ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
}


def _uncertain_note(r: Reading) -> str:
    return "" if r.certain else f" ({r.note}; counted as on)"


def telemetry_on(ctx: Context, kb: KnowledgeBase) -> tuple[bool, Effective, str]:
    eff, var, r = env_reading(ctx, TELEMETRY_SWITCH, kb)
    return assume_on(var, r), eff, _uncertain_note(r)


def _enabled_by(telemetry: Effective, note: str, kb: KnowledgeBase) -> str:
    value = shown(TELEMETRY_SWITCH, telemetry.value, kb)
    return f"{TELEMETRY_SWITCH}={value} in {where(telemetry.winner)}{note}"


def _collector(ctx: Context, signal_endpoint: str) -> str:
    for name in (signal_endpoint, GENERIC_ENDPOINT):
        eff = ctx.env_value(name)
        if not eff.is_set:
            continue
        if eff.value_kind is not ValueKind.LITERAL or not isinstance(eff.value, str):
            return f"the OTLP collector named by {name} (resolved at run time)"
        endpoint = parse_endpoint(eff.value)
        if endpoint is None:
            return f"the OTLP collector named by {name} (not a scheme://host URL)"
        return f"the OTLP collector at {endpoint.origin}"
    return "an OTLP collector (no endpoint is set here)"


def destination(ctx: Context, signal: str, kb: KnowledgeBase) -> str:
    """Where a signal's data goes, in words, from the exporter selector and the OTLP endpoint."""
    exporter_var, endpoint_var = _SIGNAL_VARS[signal]
    eff = ctx.env_value(exporter_var)
    if not eff.is_set:
        has_endpoint = ctx.env_value(endpoint_var).is_set or ctx.env_value(GENERIC_ENDPOINT).is_set
        if has_endpoint:
            return _collector(ctx, endpoint_var)
        unset = f"{exporter_var} and the OTLP endpoint are not set here"
        return f"whichever exporter is chosen at run time ({unset})"
    if eff.value_kind is not ValueKind.LITERAL or not isinstance(eff.value, str):
        return f"the exporters named by {exporter_var} (resolved at run time)"
    names = [n.strip().lower() for n in eff.value.split(",") if n.strip()]
    parts: list[str] = []
    for name in dict.fromkeys(names):
        if name == "otlp":
            parts.append(_collector(ctx, endpoint_var))
        elif name == "console":
            parts.append("standard output (for example a CI log)")
        elif name != "none":
            parts.append(f"the {shown(exporter_var, name, kb)} exporter")
    if not parts:
        return (
            f"any exporter a developer selects ({exporter_var} is {shown(exporter_var, eff.value, kb)} here, "
            "and exporter selectors are not locked)"
        )
    return " and ".join(parts)


def _switch_on(ctx: Context, switch: ContentSwitch, kb: KnowledgeBase) -> tuple[bool, Effective, str]:
    eff, var, r = env_reading(ctx, switch.name, kb)
    return eff.is_set and assume_on(var, r), eff, _uncertain_note(r)


def _content_findings(
    rule: Rule, ctx: Context, kb: KnowledgeBase, telemetry: Effective, tel_note: str
) -> Iterator[Finding]:
    prefix = context_prefix(ctx)
    enabled_by = _enabled_by(telemetry, tel_note, kb)
    responses = ctx.env_value(RESPONSES.name)
    for switch in (PROMPTS, RESPONSES, TOOL_DETAILS, TOOL_CONTENT, RAW_BODIES):
        on, eff, note = _switch_on(ctx, switch, kb)
        if not on or eff.winner is None:
            continue
        dest = destination(ctx, switch.signal, kb)
        setting = f"{switch.name}={shown(switch.name, eff.value, kb)} in {where(eff.winner)}{note}"
        content = switch.content
        if switch is PROMPTS and not responses.is_set:
            content = (
                f"{content} and of every assistant response ({RESPONSES.name} is not set, so it follows "
                f"{PROMPTS.name})"
            )
        text = eff.value if isinstance(eff.value, str) and eff.value_kind is ValueKind.LITERAL else None
        if switch is RAW_BODIES and text is not None and text.strip().lower().startswith("file:"):
            directory = shown(RAW_BODIES.name, text.strip()[5:], kb)
            message = (
                f"{prefix}, Claude Code writes {content}, untruncated, to files under {directory} on disk "
                f"and sends a pointer to each in its log events to {dest}: {setting}, with {enabled_by}."
            )
        else:
            if switch is RAW_BODIES:
                content += " (truncated at 60 KB)"
                if text is not None and text.strip() != "1":
                    setting += (
                        " (only 1 and file:<dir> are documented; any other non-empty value counts as on)"
                    )
            message = f"{prefix}, Claude Code exports {content} to {dest}: {setting}, with {enabled_by}."
        yield finding(
            rule,
            message,
            eff.winner.location,
            context=ctx.id,
            key=switch.name,
            provenance=provenance(eff, telemetry),
        )


def exports_content(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    """CCP201: one finding per content switch that puts prompts, responses, tool data or API bodies
    into the OpenTelemetry export, at the switch's assignment."""
    for ctx in scan.contexts:
        on, telemetry, note = telemetry_on(ctx, scan.kb)
        if on:
            yield from _content_findings(rule, ctx, scan.kb, telemetry, note)


def collector_not_approved(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    """CCP202: every OTLP endpoint in effect whose host is not approved or that is not HTTPS."""
    approved = param_list(scan.params, "approved_otel_collectors")
    kb = scan.kb
    for ctx in scan.contexts:
        on, telemetry, tel_note = telemetry_on(ctx, kb)
        if not on:
            continue
        prefix = context_prefix(ctx)
        enabled_by = _enabled_by(telemetry, tel_note, kb)
        for name, signals in ENDPOINTS:
            eff = ctx.env_value(name)
            if not eff.is_set or eff.winner is None:
                continue
            verdict = judge(
                eff,
                approved,
                "approved_otel_collectors",
                plaintext_consequence="the telemetry crosses the network unencrypted",
            )
            if not verdict.problems:
                continue
            yield finding(
                rule,
                f"{prefix}, Claude Code sends OpenTelemetry {signals} to {verdict.describe('collector')} "
                f"({name} in {where(eff.winner)}): {'; '.join(verdict.problems)}. "
                f"Export is on: {enabled_by}.",
                eff.winner.location,
                context=ctx.id,
                key=name,
                provenance=provenance(eff, telemetry),
            )
