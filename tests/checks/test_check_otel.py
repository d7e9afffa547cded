from __future__ import annotations

import json
from collections.abc import Mapping

import pytest
from checks_support import brief, run

SETTINGS = ".claude/settings.json"
MANAGED = "managed-settings.json"
PREFIX = "In project . (the repository's own configuration), "


def _settings(env: Mapping[str, object]) -> str:
    return json.dumps({"env": env}, indent=2)


def test_prompts_bring_responses_along_while_responses_are_unset() -> None:
    found = run(
        "CCP201",
        {
            SETTINGS: _settings(
                {
                    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",
                    "OTEL_LOGS_EXPORTER": "otlp",
                    "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example.com:4318",
                    "OTEL_LOG_USER_PROMPTS": "1",
                }
            )
        },
    )
    assert brief(found) == [(SETTINGS, 6, 5, "OTEL_LOG_USER_PROMPTS")]
    assert found[0].context == "project:."
    assert found[0].message == (
        PREFIX + "Claude Code exports the text of every user prompt and of every assistant response "
        "(OTEL_LOG_ASSISTANT_RESPONSES is not set, so it follows OTEL_LOG_USER_PROMPTS) to the OTLP "
        "collector "
        'at https://otel.example.com:4318: OTEL_LOG_USER_PROMPTS="1" in .claude/settings.json:6:5, with '
        'CLAUDE_CODE_ENABLE_TELEMETRY="1" in .claude/settings.json:3:5.'
    )
    assert [p.line for p in found[0].provenance] == [3]


def test_explicit_zero_keeps_responses_redacted_and_empty_string_follows() -> None:
    base = {"CLAUDE_CODE_ENABLE_TELEMETRY": "1", "OTEL_LOG_USER_PROMPTS": "true"}
    zero = run("CCP201", {SETTINGS: _settings({**base, "OTEL_LOG_ASSISTANT_RESPONSES": "0"})})
    assert len(zero) == 1
    assert "the text of every user prompt to " in zero[0].message
    empty = run("CCP201", {SETTINGS: _settings({**base, "OTEL_LOG_ASSISTANT_RESPONSES": ""})})
    assert len(empty) == 1
    assert "and of every assistant response (OTEL_LOG_ASSISTANT_RESPONSES is not set" in empty[0].message


def test_one_finding_per_content_switch() -> None:
    found = run(
        "CCP201",
        {
            SETTINGS: _settings(
                {
                    "CLAUDE_CODE_ENABLE_TELEMETRY": "true",
                    "OTEL_LOG_USER_PROMPTS": "0",
                    "OTEL_LOG_ASSISTANT_RESPONSES": "1",
                    "OTEL_LOG_TOOL_DETAILS": "1",
                    "OTEL_LOG_TOOL_CONTENT": "1",
                    "OTEL_LOG_RAW_API_BODIES": "1",
                }
            )
        },
    )
    assert [f.key for f in found] == [
        "OTEL_LOG_ASSISTANT_RESPONSES",
        "OTEL_LOG_TOOL_DETAILS",
        "OTEL_LOG_TOOL_CONTENT",
        "OTEL_LOG_RAW_API_BODIES",
    ]
    nowhere = (
        "whichever exporter is chosen at run time (OTEL_LOGS_EXPORTER and the OTLP endpoint are not set here)"
    )
    assert found[0].message.startswith(
        PREFIX + f"Claude Code exports the text of every assistant response to {nowhere}:"
    )
    assert (
        "the full input and output of every tool call (file contents, command output) to whichever exporter"
        in (found[2].message)
    )
    assert "OTEL_TRACES_EXPORTER and the OTLP endpoint are not set here" in found[2].message
    assert "entire conversation (truncated at 60 KB) to " in found[3].message
    assert "only 1 and file:<dir> are documented" not in found[3].message


def test_raw_bodies_file_mode_and_undocumented_values() -> None:
    found = run(
        "CCP201",
        {
            MANAGED: _settings(
                {
                    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",
                    "OTEL_LOGS_EXPORTER": "otlp,console",
                    "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "http://user:pw@logs.example.com:4318/v1/logs?k=v",
                    "OTEL_LOG_RAW_API_BODIES": "file:/var/log/claude",
                }
            ),
            SETTINGS: _settings({"CLAUDE_CODE_ENABLE_TELEMETRY": "1", "OTEL_LOG_RAW_API_BODIES": "false"}),
        },
    )
    assert [(f.context, f.key) for f in found] == [
        ("project:.", "OTEL_LOG_RAW_API_BODIES"),
        ("managed:managed-settings.json", "OTEL_LOG_RAW_API_BODIES"),
    ]
    assert found[1].message == (
        "In the managed policy managed-settings.json, Claude Code writes the full Messages API request and "
        'response JSON, that is the entire conversation, untruncated, to files under "/var/log/claude" on '
        "disk "
        "and sends a pointer to each in its log events to the OTLP collector at http://logs.example.com:4318 "
        "and "
        'standard output (for example a CI log): OTEL_LOG_RAW_API_BODIES="file:/var/log/claude" in '
        'managed-settings.json:6:5, with CLAUDE_CODE_ENABLE_TELEMETRY="1" in managed-settings.json:3:5.'
    )
    assert "pw" not in found[1].message and "k=v" not in found[1].message
    assert (
        'OTEL_LOG_RAW_API_BODIES="false" in .claude/settings.json:4:5 (only 1 and file:<dir> are documented'
        in (found[0].message)
    )


def test_telemetry_switch_off_or_unset_silences_everything() -> None:
    content = {"OTEL_LOG_USER_PROMPTS": "1", "OTEL_LOG_RAW_API_BODIES": "1"}
    assert run("CCP201", {SETTINGS: _settings(content)}) == []
    assert run("CCP201", {SETTINGS: _settings({"CLAUDE_CODE_ENABLE_TELEMETRY": "0", **content})}) == []
    assert run("CCP201", {SETTINGS: _settings({"CLAUDE_CODE_ENABLE_TELEMETRY": "", **content})}) == []


def test_uncertain_values_count_as_on_and_say_so() -> None:
    workflow = """on: push
jobs:
  review:
    runs-on: ubuntu-latest
    env:
      CLAUDE_CODE_ENABLE_TELEMETRY: ${{ vars.TELEMETRY }}
      OTEL_LOG_TOOL_DETAILS: enabled
      OTEL_LOGS_EXPORTER: ${{ vars.EXPORTER }}
    steps:
      - uses: anthropics/claude-code-action@v1
"""
    found = run("CCP201", {".github/workflows/claude.yml": workflow})
    assert brief(found) == [(".github/workflows/claude.yml", 7, 7, "OTEL_LOG_TOOL_DETAILS")]
    assert found[0].message == (
        "In job review in .github/workflows/claude.yml, Claude Code exports tool input arguments, Bash "
        "commands, "
        "MCP server and tool names and error strings to the exporters named by OTEL_LOGS_EXPORTER (resolved "
        "at "
        'run time): OTEL_LOG_TOOL_DETAILS="enabled" in .github/workflows/claude.yml:7:7 ("enabled" is '
        "neither "
        '1/true nor 0/false; counted as on), with CLAUDE_CODE_ENABLE_TELEMETRY="${{ vars.TELEMETRY }}" in '
        ".github/workflows/claude.yml:6:7 (the value is a reference resolved at run time; counted as on)."
    )


@pytest.mark.parametrize(
    ("exporter", "endpoint", "where"),
    [
        (
            "none",
            None,
            'any exporter a developer selects (OTEL_LOGS_EXPORTER is "none" here, and exporter '
            "selectors are not locked)",
        ),
        ("otlp", None, "an OTLP collector (no endpoint is set here)"),
        ("otlp", "${OTEL_URL}", "the OTLP collector at"),  # settings env is literal: not a URL -> named by
        (
            "console,otlp",
            "https://c.example.com",
            "standard output (for example a CI log) and the OTLP collector at https://c.example.com",
        ),
        ("prometheus", None, 'the "prometheus" exporter'),
    ],
)
def test_destination_words(exporter: str, endpoint: str | None, where: str) -> None:
    env: dict[str, object] = {
        "CLAUDE_CODE_ENABLE_TELEMETRY": "1",
        "OTEL_LOGS_EXPORTER": exporter,
        "OTEL_LOG_TOOL_DETAILS": "1",
    }
    if endpoint is not None:
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint
    (found,) = run("CCP201", {SETTINGS: _settings(env)})
    if endpoint == "${OTEL_URL}":
        where = "the OTLP collector named by OTEL_EXPORTER_OTLP_ENDPOINT (not a scheme://host URL)"
    assert f"error strings to {where}: " in found.message


# -- CCP202 ---------------------------------------------------------------------------------------


def test_collector_not_approved_one_finding_per_endpoint_variable() -> None:
    found = run(
        "CCP202",
        {
            SETTINGS: _settings(
                {
                    "CLAUDE_CODE_ENABLE_TELEMETRY": "1",
                    "OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example.com",
                    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": "http://metrics.example.com:4318/v1/metrics",
                    "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "http://localhost:4318",
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://user:pw@traces.example.net/x?token=t",
                    "BETA_TRACING_ENDPOINT": "not a url",
                }
            )
        },
        params={"approved_otel_collectors": ["otel.example.com", "*.example.com"]},
    )
    assert brief(found) == [
        (SETTINGS, 5, 5, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"),
        (SETTINGS, 6, 5, "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"),
        (SETTINGS, 7, 5, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
        (SETTINGS, 8, 5, "BETA_TRACING_ENDPOINT"),
    ]
    tail = ' Export is on: CLAUDE_CODE_ENABLE_TELEMETRY="1" in .claude/settings.json:3:5.'
    assert [f.message for f in found] == [
        PREFIX + "Claude Code sends OpenTelemetry metrics to an approved collector without TLS, "
        "http://metrics.example.com:4318 (OTEL_EXPORTER_OTLP_METRICS_ENDPOINT in .claude/settings.json:5:5): "
        "it "
        "uses plain http://, so the telemetry crosses the network unencrypted." + tail,
        PREFIX + "Claude Code sends OpenTelemetry log events to a collector that is not approved, "
        "http://localhost:4318 (OTEL_EXPORTER_OTLP_LOGS_ENDPOINT in .claude/settings.json:6:5): its host "
        "localhost is not in approved_otel_collectors." + tail,
        PREFIX + "Claude Code sends OpenTelemetry traces to a collector that is not approved, "
        "https://traces.example.net (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT in .claude/settings.json:7:5): its "
        "host "
        "traces.example.net is not in approved_otel_collectors." + tail,
        PREFIX
        + "Claude Code sends OpenTelemetry beta tracing spans to a collector that cannot be verified, a "
        "value that is not a URL (BETA_TRACING_ENDPOINT in .claude/settings.json:8:5): it is not a "
        "scheme://host URL, so it cannot be checked against approved_otel_collectors." + tail,
    ]


def test_collector_rule_is_silent_without_telemetry_or_endpoint() -> None:
    endpoint = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector.example.net"}
    assert run("CCP202", {SETTINGS: _settings(endpoint)}) == []
    assert run("CCP202", {SETTINGS: _settings({"CLAUDE_CODE_ENABLE_TELEMETRY": "0", **endpoint})}) == []
    assert run("CCP202", {SETTINGS: _settings({"CLAUDE_CODE_ENABLE_TELEMETRY": "1"})}) == []


def test_listed_loopback_collector_over_http_is_accepted() -> None:
    files = {
        SETTINGS: _settings(
            {"CLAUDE_CODE_ENABLE_TELEMETRY": "1", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://[::1]:4317"}
        )
    }
    assert run("CCP202", files, params={"approved_otel_collectors": ["::1"]}) == []
    (found,) = run("CCP202", files)
    assert "its host ::1 is not in approved_otel_collectors (the policy lists none)." in found.message
