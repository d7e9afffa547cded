from __future__ import annotations

import json
from collections.abc import Sequence

from checks_support import brief, check_input, run

from scanner.catalogue.load import load_builtin_rules
from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput
from scanner.checks.login import (
    credential_bypasses_org_pin,
    ineffective_login_control,
    login_not_pinned,
    pinned_org_not_approved,
)
from scanner.contexts.model import Context, ContextKind, LayerKind
from scanner.contexts.repo import build_context, settings_layer
from scanner.knowledge import load as load_kb
from scanner.model import FileKind, Finding, Location
from scanner.ruleset import DEFAULT_PARAMS
from scanner.sources.settings import parse

ORG = "6f1c2a9e-0b7d-4c55-9f3e-2d8a41b7c0de"
OTHER = "0d9c6b1a-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
MANAGED = "managed-settings.json"
PROJECT = ".claude/settings.json"
PERSONAL = (
    "personal Claude accounts (Free, Pro or Max) can sign in, and their conversations may be used for "
    "training "
    "and kept for up to 5 years"
)


def _json(doc: dict[str, object]) -> str:
    return json.dumps(doc, indent=2)


def _host(
    layers: Sequence[tuple[str, FileKind, LayerKind, dict[str, object]]], cid: str = "host:alice"
) -> Context:
    """A host context from settings files given as (path, file kind, layer kind, document)."""
    kb = load_kb()
    built = [settings_layer(parse(path, _json(doc), fkind), lkind) for path, fkind, lkind, doc in layers]
    return build_context(
        cid, ContextKind.HOST, "user alice, project /src/app", Location(layers[0][0], 1, 1), built, kb
    )


def _scan(contexts: Sequence[Context], **params: object) -> CheckInput:
    return CheckInput(files=(), contexts=tuple(contexts), kb=load_kb(), params={**DEFAULT_PARAMS, **params})


def _rule(rid: str) -> Rule:
    return load_builtin_rules()[rid]


# -- CCP302 ---------------------------------------------------------------------------------------


def test_managed_policy_without_pin_fires_at_its_anchor() -> None:
    found = run(
        "CCP302", {MANAGED: _json({"env": {"DISABLE_TELEMETRY": "1"}, "forceLoginMethod": "claudeai"})}
    )
    assert brief(found) == [(MANAGED, 2, 3, "forceLoginOrgUUID")]
    assert found[0].message == (
        "In the managed policy managed-settings.json, logins are not pinned to the organisation: no managed "
        f'forceLoginOrgUUID is set, so {PERSONAL}; forceLoginMethod "claudeai" in managed-settings.json:5:3 '
        "restricts the kind of login, not the organisation."
    )


def test_pins_in_drop_ins_empty_arrays_and_invalid_values_count() -> None:
    assert (
        run("CCP302", {MANAGED: "{}", "managed-settings.d/10-login.json": _json({"forceLoginOrgUUID": ORG})})
        == []
    )
    assert run("CCP302", {MANAGED: _json({"forceLoginOrgUUID": []})}) == []
    assert run("CCP302", {MANAGED: _json({"forceLoginOrgUUID": 42})}) == []  # fails closed


def test_repository_project_and_ci_contexts_are_not_judged() -> None:
    files = {
        PROJECT: _json({"env": {"DISABLE_TELEMETRY": "1"}}),
        ".github/workflows/c.yml": "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
        "      - uses: anthropics/claude-code-action@v1\n",
    }
    assert run("CCP302", files) == []


def test_host_context_names_the_pin_that_only_pre_selects() -> None:
    ctx = _host(
        [
            (
                "/etc/claude-code/managed-settings.json",
                FileKind.SETTINGS_MANAGED,
                LayerKind.MANAGED,
                {"model": "x"},
            ),
            (
                "/home/alice/.claude/settings.json",
                FileKind.SETTINGS_USER,
                LayerKind.USER,
                {"forceLoginOrgUUID": ORG},
            ),
        ]
    )
    (found,) = login_not_pinned(_rule("CCP302"), _scan([ctx]))
    assert (found.context, found.location) == (
        "host:alice",
        Location("/etc/claude-code/managed-settings.json", 1, 1),
    )
    assert found.message == (
        "In user alice, project /src/app, logins are not pinned to the organisation: no managed "
        "forceLoginOrgUUID "
        f"is set, so {PERSONAL}; forceLoginOrgUUID in /home/alice/.claude/settings.json:2:3 (user settings) "
        "only "
        "pre-selects the organisation."
    )
    pinned = _host(
        [
            (
                "/etc/claude-code/managed-settings.json",
                FileKind.SETTINGS_MANAGED,
                LayerKind.MANAGED,
                {"forceLoginOrgUUID": ORG},
            )
        ]
    )
    assert list(login_not_pinned(_rule("CCP302"), _scan([pinned]))) == []
    unmanaged = _host([("/home/alice/.claude/settings.json", FileKind.SETTINGS_USER, LayerKind.USER, {})])
    (bare,) = login_not_pinned(_rule("CCP302"), _scan([unmanaged]))
    assert bare.location == Location("/home/alice/.claude/settings.json", 1, 1)


# -- CCP303 ---------------------------------------------------------------------------------------


def test_unapproved_organisations_in_an_array() -> None:
    found = run(
        "CCP303",
        {MANAGED: _json({"forceLoginOrgUUID": [ORG, OTHER, "TODO"]})},
        params={"approved_org_uuids": [ORG.upper()]},
    )
    assert brief(found) == [(MANAGED, 2, 3, "forceLoginOrgUUID")]
    assert found[0].message == (
        "In the managed policy managed-settings.json, forceLoginOrgUUID in managed-settings.json:2:3 lets "
        "Claude "
        f'Code log in to the organisations "{OTHER}", "TODO" (not a UUID: a placeholder left in the '
        "policy?), not "
        "in approved_org_uuids: sessions there follow that organisation's data-retention and training terms, "
        "which may not be the zero-data-retention organisation the policy requires."
    )


def test_pin_rule_silences() -> None:
    params = {"approved_org_uuids": [ORG]}
    assert run("CCP303", {MANAGED: _json({"forceLoginOrgUUID": f" {ORG.upper()} "})}, params=params) == []
    assert run("CCP303", {MANAGED: _json({"forceLoginOrgUUID": []})}, params=params) == []
    assert run("CCP303", {MANAGED: _json({"forceLoginOrgUUID": [1, 2]})}, params=params) == []
    assert run("CCP303", {PROJECT: _json({"forceLoginOrgUUID": OTHER})}, params=params) == []


def test_empty_approved_list_is_said() -> None:
    (found,) = run("CCP303", {MANAGED: _json({"forceLoginOrgUUID": ORG})})
    assert f'the organisation "{ORG}", not in approved_org_uuids (the policy lists none):' in found.message


# -- CCP304 ---------------------------------------------------------------------------------------


def test_login_controls_outside_managed_settings() -> None:
    found = run(
        "CCP304",
        {
            PROJECT: _json(
                {
                    "forceLoginMethod": "claudeai",
                    "forceLoginOrgUUID": ORG,
                    "forceLoginGatewayUrl": "https://gw.example.com",
                    "allowManagedHooksOnly": True,
                }
            ),
            ".claude/settings.local.json": _json({"forceLoginMethod": "gateway"}),
            MANAGED: _json({"forceLoginMethod": "gateway", "forceLoginOrgUUID": ORG}),
        },
    )
    assert brief(found) == [
        (PROJECT, 3, 3, "forceLoginOrgUUID"),
        (PROJECT, 4, 3, "forceLoginGatewayUrl"),
        (".claude/settings.local.json", 2, 3, "forceLoginMethod"),
    ]
    assert [f.context for f in found] == ["", "", ""]
    assert [f.message for f in found] == [
        f'forceLoginOrgUUID "{ORG}" is set in .claude/settings.json (project settings), where Claude Code '
        "only uses "
        "it to pre-select the organisation at login (only a managed value is enforced), so "
        f"{PERSONAL}. Deploy it in managed settings instead.",
        'forceLoginGatewayUrl "https://gw.example.com" is set in .claude/settings.json (project settings), '
        "where "
        "Claude Code ignores it (it is read only from on-machine managed settings). Deploy it in managed "
        "settings "
        "instead.",
        'forceLoginMethod "gateway" is set in .claude/settings.local.json (local project settings), where '
        "Claude "
        'Code ignores it ("gateway" is honoured only from on-machine managed sources: file, plist, HKLM, '
        "policy "
        "helper). Deploy it in managed settings instead.",
    ]


def test_one_finding_per_assignment_across_contexts() -> None:
    files = {
        PROJECT: _json({"forceLoginOrgUUID": ORG}),
        "run.sh": "#!/bin/sh\nclaude -p hello\n",
        ".github/workflows/c.yml": "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
        "      - uses: anthropics/claude-code-action@v1\n",
    }
    scan = check_input(files)
    assert len([c for c in scan.contexts if any(PROJECT in layer.paths for layer in c.layers)]) == 3
    assert brief(list(ineffective_login_control(_rule("CCP304"), scan))) == [
        (PROJECT, 2, 3, "forceLoginOrgUUID")
    ]


def test_action_settings_are_user_scope() -> None:
    workflow = """on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: anthropics/claude-code-action@v1
        with:
          settings: '{"forceLoginOrgUUID": "x"}'
"""
    (found,) = run("CCP304", {".github/workflows/c.yml": workflow})
    assert found.message.startswith(
        'forceLoginOrgUUID "x" is set in .github/workflows/c.yml (user settings: claude-code-action writes '
        "its "
        "`settings` input to ~/.claude/settings.json), where Claude Code only uses it to pre-select"
    )


def test_inert_copies_take_the_scope_of_the_file_they_copy() -> None:
    files = {
        "examples/managed-settings.example.json": _json({"forceLoginOrgUUID": ORG}),
        ".claude/settings.json.example": _json({"forceLoginOrgUUID": ORG}),
        "images/claude-settings.json": _json({"forceLoginOrgUUID": ORG}),
    }
    assert brief(run("CCP304", files)) == [(".claude/settings.json.example", 2, 3, "forceLoginOrgUUID")]


def test_server_managed_settings_cannot_set_gateway_login() -> None:
    ctx = _host(
        [
            (
                "/home/alice/.claude/remote-settings.json",
                FileKind.SETTINGS_REMOTE,
                LayerKind.MANAGED,
                {
                    "forceLoginMethod": "gateway",
                    "forceLoginGatewayUrl": "https://gw",
                    "forceLoginOrgUUID": ORG,
                },
            ),
        ]
    )
    found = list(ineffective_login_control(_rule("CCP304"), _scan([ctx])))
    assert [(f.key, f.message.split(", where")[0]) for f in found] == [
        (
            "forceLoginMethod",
            'forceLoginMethod "gateway" is set in /home/alice/.claude/remote-settings.json '
            "(server-managed settings)",
        ),
        (
            "forceLoginGatewayUrl",
            'forceLoginGatewayUrl "https://gw" is set in /home/alice/.claude/remote-settings.json '
            "(server-managed settings)",
        ),
    ]


# -- CCP305 ---------------------------------------------------------------------------------------

WORKFLOW = """on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: anthropics/claude-code-action@v1
        with:
{inputs}
"""


def _workflow(**inputs: str) -> dict[str, str]:
    lines = "\n".join(f"          {k}: {v}" for k, v in inputs.items())
    return {".github/workflows/c.yml": WORKFLOW.format(inputs=lines)}


def test_credentials_only_when_zdr_is_required() -> None:
    files = _workflow(anthropic_api_key="${{ secrets.ANTHROPIC_API_KEY }}")
    assert run("CCP305", files) == []
    assert run("CCP305", files, params={"require_zdr": "false"}) == []
    (found,) = run("CCP305", files, params={"require_zdr": "true"})
    assert (found.location.line, found.location.column, found.key, found.context) == (
        8,
        11,
        "ANTHROPIC_API_KEY",
        "ci:.github/workflows/c.yml#a",
    )
    assert found.message == (
        "In job a in .github/workflows/c.yml, Claude Code can authenticate with an Anthropic API key "
        "(ANTHROPIC_API_KEY in .github/workflows/c.yml:8:11, a reference resolved at run time): API-key "
        "sessions "
        "are not bound by the organisation login pin (forceLoginOrgUUID), and the key may belong to any "
        "Console "
        "organisation, so requests may fall outside the zero-data-retention organisation the policy requires."
    )


def test_literal_credentials_are_never_shown() -> None:
    secret = "sk-ant-api03-" + "Q" * 40
    files = {PROJECT: _json({"apiKeyHelper": f"echo {secret}", "env": {"ANTHROPIC_API_KEY": secret}})}
    found = run("CCP305", files, params={"require_zdr": True})
    assert [f.key for f in found] == ["apiKeyHelper", "ANTHROPIC_API_KEY"]
    assert all("QQQQ" not in f.message for f in found)
    assert "(apiKeyHelper in .claude/settings.json:2:3, a command, not shown)" in found[0].message
    assert "(ANTHROPIC_API_KEY in .claude/settings.json:4:5, a literal value, not shown)" in found[1].message


def test_cloud_providers_and_managed_pins() -> None:
    params = {"require_zdr": True}
    bedrock = _workflow(use_bedrock='"true"', anthropic_api_key="${{ secrets.K }}")
    assert run("CCP305", bedrock, params=params) == []
    maybe = _workflow(use_bedrock="${{ inputs.b }}", anthropic_api_key="${{ secrets.K }}")
    assert [f.key for f in run("CCP305", maybe, params=params)] == ["ANTHROPIC_API_KEY"]
    pinned = {
        MANAGED: _json(
            {
                "forceLoginOrgUUID": ORG,
                "apiKeyHelper": "/usr/bin/key",
                "env": {"ANTHROPIC_AUTH_TOKEN": "${T}", "CLAUDE_CODE_OAUTH_TOKEN": "${O}"},
            }
        )
    }
    found = run("CCP305", pinned, params=params)
    assert [f.key for f in found] == ["CLAUDE_CODE_OAUTH_TOKEN"]
    assert "including a personal Pro or Max account" in found[0].message


def _keys(findings: list[Finding]) -> list[str]:
    return [f.key for f in findings]


def test_every_credential_present_is_reported() -> None:
    ctx = _host(
        [
            (
                "/home/alice/.claude/settings.json",
                FileKind.SETTINGS_USER,
                LayerKind.USER,
                {
                    "apiKeyHelper": "~/bin/key",
                    "env": {
                        "ANTHROPIC_AUTH_TOKEN": "a",
                        "ANTHROPIC_API_KEY": "b",
                        "CLAUDE_CODE_OAUTH_TOKEN": "c",
                    },
                },
            )
        ]
    )
    found = list(credential_bypasses_org_pin(_rule("CCP305"), _scan([ctx], require_zdr=True)))
    assert _keys(found) == [
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_API_KEY",
        "apiKeyHelper",
        "CLAUDE_CODE_OAUTH_TOKEN",
    ]
    assert list(pinned_org_not_approved(_rule("CCP303"), _scan([ctx]))) == []
