from __future__ import annotations

import json

import pytest
from checks_support import brief, check_input, run

from scanner.catalogue.load import load_builtin_rules
from scanner.checks import REGISTRY
from scanner.checks.providers import possible_providers

PROJECT = ".claude/settings.json"
MANAGED = "managed-settings.json"
PREFIX = "In project . (the repository's own configuration), "
HISTORY = (
    " ~/.claude/history.jsonl, with every prompt, is never swept; CLAUDE_CODE_SKIP_PROMPT_HISTORY=1 "
    "writes neither"
)


def _json(doc: dict[str, object]) -> str:
    return json.dumps(doc, indent=2)


# -- CCP301 ---------------------------------------------------------------------------------------


def test_retention_above_the_limit() -> None:
    found = run("CCP301", {PROJECT: _json({"cleanupPeriodDays": 31})})
    assert brief(found) == [(PROJECT, 2, 3, "cleanupPeriodDays")]
    assert found[0].message == (
        PREFIX
        + "Claude Code keeps plaintext session transcripts (~/.claude/projects) for 31 days, longer than "
        "the policy's 30 days: cleanupPeriodDays is 31 in .claude/settings.json:2:3." + HISTORY + "."
    )


def test_default_applies_when_unset_or_invalid() -> None:
    assert run("CCP301", {PROJECT: "{}"}) == []  # 30 is not above 30
    (unset,) = run("CCP301", {PROJECT: "{}"}, params={"max_retention_days": 1})
    assert (
        "for 30 days, longer than the policy's 1 day: cleanupPeriodDays is not set, so the default of 30"
        in (unset.message)
    )
    (invalid,) = run(
        "CCP301", {MANAGED: _json({"cleanupPeriodDays": "thirty"})}, params={"max_retention_days": 7}
    )
    assert (invalid.location.line, invalid.location.column) == (2, 3)
    assert (
        "cleanupPeriodDays in managed-settings.json:2:3 is not a value Claude Code accepts, so the default "
        "of 30 "
        "days applies"
    ) in invalid.message
    (zero,) = run("CCP301", {PROJECT: _json({"cleanupPeriodDays": 0})}, params={"max_retention_days": 7})
    assert "so the default of 30 days applies" in zero.message


def test_skip_prompt_history_silences_only_when_certainly_on() -> None:
    params = {"max_retention_days": 7}
    on = {PROJECT: _json({"cleanupPeriodDays": 90, "env": {"CLAUDE_CODE_SKIP_PROMPT_HISTORY": "true"}})}
    assert run("CCP301", on, params=params) == []
    for value, why in [
        ("0", "it means no"),
        ("yes", '"yes" is not a documented value (only 1/true and 0/false are)'),
    ]:
        files = {PROJECT: _json({"cleanupPeriodDays": 90, "env": {"CLAUDE_CODE_SKIP_PROMPT_HISTORY": value}})}
        (found,) = run("CCP301", files, params=params)
        assert found.message.endswith(
            HISTORY
            + f' (CLAUDE_CODE_SKIP_PROMPT_HISTORY="{value}" in .claude/settings.json:4:5 does not count: '
            f"{why})."
        )


@pytest.mark.parametrize("limit", [None, "thirty", True])
def test_unusable_limit_disables_the_rule(limit: object) -> None:
    assert (
        run("CCP301", {PROJECT: _json({"cleanupPeriodDays": 365})}, params={"max_retention_days": limit})
        == []
    )


# -- CCP306 ---------------------------------------------------------------------------------------

DOCKERFILE = "FROM node:22\n{env}RUN npm install -g @anthropic-ai/claude-code\n"


def _image(env: str = "") -> dict[str, str]:
    return {"Dockerfile": DOCKERFILE.format(env=env)}


def test_every_provider_is_approved_by_default() -> None:
    assert run("CCP306", _image("ENV CLAUDE_CODE_USE_VERTEX=1\n")) == []


def test_provider_not_approved_certain() -> None:
    (found,) = run(
        "CCP306", _image("ENV CLAUDE_CODE_USE_VERTEX=1\n"), params={"approved_providers": ["bedrock"]}
    )
    assert (found.location.line, found.location.column, found.key) == (2, 5, "provider")
    assert found.message == (
        "In image built from Dockerfile, Claude Code uses Google Cloud Agent Platform, formerly Vertex AI "
        "(vertex), "
        "which is not an approved provider (CLAUDE_CODE_USE_VERTEX in Dockerfile:2:5 selects it; approved: "
        "bedrock)."
    )
    (default,) = run("CCP306", _image(), params={"approved_providers": []})
    assert default.message == (
        "In image built from Dockerfile, Claude Code uses the first-party Anthropic API (first-party), which "
        "is "
        "not an approved provider (no provider switch is set, so Claude Code uses the first-party API; "
        "approved: none)."
    )


def test_uncertain_switches_list_every_possible_provider() -> None:
    env = "ENV CLAUDE_CODE_USE_BEDROCK=$USE_BEDROCK CLAUDE_CODE_USE_VERTEX=yes CLAUDE_CODE_USE_FOUNDRY=1\n"
    scan = check_input(_image(env))
    (ctx,) = scan.contexts
    possible = possible_providers(ctx, scan.kb)
    assert possible.names == ("bedrock", "vertex", "foundry")
    assert [e.name for e in possible.uncertain] == ["CLAUDE_CODE_USE_BEDROCK", "CLAUDE_CODE_USE_VERTEX"]
    (found,) = run("CCP306", _image(env), params={"approved_providers": ["foundry"]})
    assert found.message == (
        "In image built from Dockerfile, the provider cannot be verified: "
        'CLAUDE_CODE_USE_BEDROCK="$USE_BEDROCK" '
        "in Dockerfile:2:5: the value is a reference resolved at run time; "
        'CLAUDE_CODE_USE_VERTEX="yes" in Dockerfile:2:42: "yes" is not a documented value (only 1/true and '
        "0/false are), so Claude Code may use Amazon Bedrock (bedrock), Google Cloud Agent Platform, "
        "formerly "
        "Vertex AI (vertex) or Microsoft Foundry (foundry), and bedrock, vertex are not approved "
        "(approved: foundry)."
    )
    assert run("CCP306", _image(env), params={"approved_providers": ["foundry", "vertex", "bedrock"]}) == []


# -- CCP307 ---------------------------------------------------------------------------------------


def test_gateway_rules() -> None:
    files = {PROJECT: _json({"env": {"ANTHROPIC_BASE_URL": "http://user:pw@gw.example.net:8080/v1?key=abc"}})}
    (found,) = run("CCP307", files)
    assert brief([found]) == [(PROJECT, 3, 5, "ANTHROPIC_BASE_URL")]
    assert found.message == (
        PREFIX
        + "Claude Code sends its model traffic (every prompt, file and tool result) for the first-party "
        "Anthropic API (first-party) to a gateway that is not approved, http://gw.example.net:8080 "
        "(ANTHROPIC_BASE_URL in .claude/settings.json:3:5): its host gw.example.net is not in "
        "approved_gateways "
        "(the policy lists none); it uses plain http://, so prompts, code and credentials cross the network "
        "unencrypted."
    )
    assert run("CCP307", files, params={"approved_gateways": ["*.example.net"]})[0].message.endswith(
        "to an approved gateway without TLS, http://gw.example.net:8080 (ANTHROPIC_BASE_URL in "
        ".claude/settings.json:3:5): it uses plain http://, so prompts, code and credentials cross the "
        "network "
        "unencrypted."
    )


def test_anthropic_api_and_unused_provider_urls_are_fine() -> None:
    assert (
        run("CCP307", {PROJECT: _json({"env": {"ANTHROPIC_BASE_URL": "https://api.anthropic.com/"}})}) == []
    )
    # the Bedrock URL is not used on the first-party API, and the first-party URL not on Bedrock
    assert run("CCP307", _image("ENV ANTHROPIC_BEDROCK_BASE_URL=http://x.example\n")) == []
    assert run("CCP307", _image("ENV CLAUDE_CODE_USE_BEDROCK=1 ANTHROPIC_BASE_URL=http://x.example\n")) == []


def test_uncertain_provider_checks_each_possible_base_url() -> None:
    env = (
        "ENV CLAUDE_CODE_USE_BEDROCK=$B ANTHROPIC_BEDROCK_BASE_URL=https://bedrock.corp.example "
        "ANTHROPIC_BASE_URL=$GATEWAY\n"
    )
    found = run("CCP307", _image(env), params={"approved_gateways": ["bedrock.corp.example"]})
    assert [f.key for f in found] == ["ANTHROPIC_BASE_URL"]
    assert found[0].message == (
        "In image built from Dockerfile, Claude Code sends its model traffic (every prompt, file and tool "
        "result) "
        "for the first-party Anthropic API (first-party), one of the providers it may use, to a gateway that "
        "cannot be verified, a reference resolved at run time (ANTHROPIC_BASE_URL in Dockerfile:2:88): its "
        "host "
        "cannot be checked against approved_gateways."
    )


ODD_VALUES: list[object] = [
    None,
    1.5,
    True,
    [],
    {"a": [1]},
    "",
    "file:",
    "https://[::1",
    "http://x:99999",
    "x" * 5000,
]
MY_RULES = ("CCP201", "CCP202", "CCP301", "CCP302", "CCP303", "CCP304", "CCP305", "CCP306", "CCP307")
ODD_PARAMS: list[dict[str, object]] = [
    {},
    {
        "approved_providers": "bedrock",
        "approved_gateways": None,
        "approved_otel_collectors": [1, None],
        "approved_org_uuids": "x",
        "max_retention_days": "7",
        "require_zdr": "yes",
    },
]


@pytest.mark.parametrize("value", ODD_VALUES, ids=lambda v: type(v).__name__)
def test_odd_values_and_params_give_clean_results(value: object) -> None:
    secret = "sk-ant-api03-" + "Z" * 40
    names = (
        "CLAUDE_CODE_ENABLE_TELEMETRY",
        "OTEL_LOG_USER_PROMPTS",
        "OTEL_LOG_RAW_API_BODIES",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_LOGS_EXPORTER",
        "ANTHROPIC_BASE_URL",
        "CLAUDE_CODE_USE_BEDROCK",
        "CLAUDE_CODE_SKIP_PROMPT_HISTORY",
    )
    env: dict[str, object] = {**dict.fromkeys(names, value), "ANTHROPIC_API_KEY": secret}
    doc = dict.fromkeys(("forceLoginOrgUUID", "forceLoginMethod", "cleanupPeriodDays", "apiKeyHelper"), value)
    rules = load_builtin_rules()
    for params in ODD_PARAMS:
        scan = check_input(
            {MANAGED: _json({**doc, "env": env}), PROJECT: _json({**doc, "env": env})},
            params={**params, "require_zdr": True},
        )
        for rid in MY_RULES:
            registered = rules[rid].check["registered"]
            assert isinstance(registered, str)
            found = list(REGISTRY[registered](rules[rid], scan))
            assert all("ZZZZ" not in f.message for f in found), rid
