from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scanner.model import FileKind, JSONValue, Observation, ParsedFile, ValueKind
from scanner.sources.workflow import (
    ACTION_INPUT_ENV,
    action_switch_value,
    claude_action_ref,
    parse,
    script_runs_claude,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "yaml"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"

L = ValueKind.LITERAL
R = ValueKind.REFERENCE
D = ValueKind.DYNAMIC

Row = tuple[str, str, str, JSONValue, ValueKind, tuple[str, ...], int, int, "int | None", "int | None"]


def rows(observations: tuple[Observation, ...]) -> list[Row]:
    return [
        (
            o.kind.value,
            o.scope,
            o.name,
            o.value,
            o.value_kind,
            o.group,
            o.location.line,
            o.location.column,
            o.location.end_line,
            o.location.end_column,
        )
        for o in observations
    ]


def facts(parsed: ParsedFile) -> Any:
    """Facts as untyped data: tests index into them freely."""
    return parsed.facts


def read(name: str, path: str = ".github/workflows/claude.yml") -> tuple[str, ParsedFile]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return text, parse(path, text, FileKind.WORKFLOW)


def test_env_at_every_level_with_github_string_values() -> None:
    text = (FIXTURES / "workflow-env.yml").read_text(encoding="utf-8")
    parsed = parse(".github/workflows/env.yml", text, FileKind.WORKFLOW)
    wf, job, step = ("workflow",), ("jobs", "build"), ("jobs", "build", "steps", "1")
    assert rows(parsed.observations) == [
        ("env", "workflow-env", "CLAUDE_CODE_ENABLE_TELEMETRY", "1", L, wf, 5, 3, 5, 34),
        ("env", "workflow-env", "DISABLE_TELEMETRY", "true", L, wf, 6, 3, 6, 26),
        ("env", "workflow-env", "QUOTED_NAME", "x", L, wf, 7, 4, 7, 21),
        ("env", "workflow-env", "EMPTY", "", L, wf, 8, 3, 8, 9),
        ("env", "workflow-env", "SECRET_REF", "${{ secrets.ANTHROPIC_API_KEY }}", R, wf, 9, 3, 9, 47),
        ("env", "workflow-env", "MIXED", "prefix-${{ github.sha }}", D, wf, 10, 3, 10, 34),
        # GitHub does not expand $VAR in env values: it is literal text.
        ("env", "workflow-env", "SHELLISH", "$HOME/bin", L, wf, 11, 3, 11, 22),
        ("env", "job-env", "ANTHROPIC_BASE_URL", "https://gateway.example.com", L, job, 17, 7, 17, 54),
        ("env", "job-env", "FLOAT", "1.5", L, job, 18, 7, 18, 18),
        ("env", "step-env", "CLAUDE_CODE_USE_BEDROCK", "0", L, step, 23, 11, 23, 39),
        ("env", "step-env", "YES_WORD", "yes", L, step, 24, 11, 24, 24),
    ]
    assert [o.raw for o in parsed.observations] == [
        1,
        True,
        "x",
        None,
        "${{ secrets.ANTHROPIC_API_KEY }}",
        "prefix-${{ github.sha }}",
        "$HOME/bin",
        "https://gateway.example.com",
        1.5,
        "0",
        "yes",
    ]
    assert all(o.file_kind is FileKind.WORKFLOW for o in parsed.observations)
    assert parsed.notifications == ()
    assert parsed.text == text
    assert parsed.path == ".github/workflows/env.yml"
    assert parsed.kind is FileKind.WORKFLOW


def test_env_fixture_facts() -> None:
    _, parsed = read("workflow-env.yml")
    assert parsed.facts == {
        "valid_yaml": True,
        "events": ["push"],
        "workflow_call_inputs": {},
        "jobs": {
            "build": {
                "line": 13,
                "column": 3,
                "name": "Build it",
                "runs_on": "ubuntu-latest",
                "uses_reusable": None,
                "with": {},
                "runs_claude": True,
                "claude_steps": [
                    {"index": 1, "line": 21, "column": 9, "uses": None, "kind": "run", "how": "command"}
                ],
                "settings_errors": [],
            },
            "lint": {
                "line": 28,
                "column": 3,
                "name": None,
                "runs_on": "ubuntu-latest",
                "uses_reusable": None,
                "with": {},
                "runs_claude": False,
                "claude_steps": [],
                "settings_errors": [],
            },
        },
        "dynamic_env": [],
    }


def test_claude_action_inputs_become_settings_and_env() -> None:
    _, parsed = read("workflow-action.yml")
    g = ("jobs", "claude", "steps", "1")
    g2 = ("jobs", "file-settings", "steps", "0")
    claude_env_text = (
        "DISABLE_TELEMETRY: 1\n# a comment\nANTHROPIC_BASE_URL: https://proxy.example.com\n"
        'OTEL_HEADERS: "Authorization=${{ secrets.OTEL_TOKEN }}"\n'
    )
    settings_text = (
        '{\n  "env": {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"},\n'
        '  "permissions": {"deny": ["WebFetch"]}\n}\n'
    )
    assert rows(parsed.observations) == [
        ("setting", "action-input", "action.use_vertex", "true", L, g, 23, 11, 23, 27),
        ("env", "action-input", "CLAUDE_CODE_USE_VERTEX", "1", L, g, 23, 11, 23, 27),
        ("setting", "action-input", "action.use_bedrock", "${{ inputs.use_bedrock }}", R, g, 24, 11, 24, 49),
        ("env", "action-input", "CLAUDE_CODE_USE_BEDROCK", "${{ inputs.use_bedrock }}", R, g, 24, 11, 24, 49),
        ("setting", "action-input", "action.use_foundry", "false", L, g, 25, 11, 25, 29),
        ("env", "action-input", "CLAUDE_CODE_USE_FOUNDRY", "", L, g, 25, 11, 25, 29),
        (
            "setting",
            "action-input",
            "action.anthropic_api_key",
            "${{ secrets.ANTHROPIC_API_KEY }}",
            R,
            g,
            26,
            11,
            26,
            62,
        ),
        (
            "env",
            "action-input",
            "ANTHROPIC_API_KEY",
            "${{ secrets.ANTHROPIC_API_KEY }}",
            R,
            g,
            26,
            11,
            26,
            62,
        ),
        ("setting", "action-input", "action.model", "claude-sonnet-4-5", L, g, 27, 11, 27, 35),
        ("env", "action-input", "ANTHROPIC_MODEL", "claude-sonnet-4-5", L, g, 27, 11, 27, 35),
        # `inputs.model || inputs.anthropic_model`: no second ANTHROPIC_MODEL.
        ("setting", "action-input", "action.anthropic_model", "claude-opus-4-1", L, g, 28, 11, 28, 43),
        (
            "setting",
            "action-input",
            "action.anthropic_federation_rule_id",
            "${{ vars.ANTHROPIC_FEDERATION_RULE_ID }}",
            R,
            g,
            29,
            11,
            29,
            81,
        ),
        (
            "env",
            "action-input",
            "ANTHROPIC_FEDERATION_RULE_ID",
            "${{ vars.ANTHROPIC_FEDERATION_RULE_ID }}",
            R,
            g,
            29,
            11,
            29,
            81,
        ),
        ("setting", "action-input", "action.claude_env", claude_env_text, D, g, 30, 11, 35, 1),
        ("env", "action-claude-env", "DISABLE_TELEMETRY", "1", L, g, 31, 13, 31, 33),
        ("env", "action-claude-env", "ANTHROPIC_BASE_URL", "https://proxy.example.com", L, g, 33, 13, 33, 58),
        # The action keeps quotes: Claude Code sees them.
        (
            "env",
            "action-claude-env",
            "OTEL_HEADERS",
            '"Authorization=${{ secrets.OTEL_TOKEN }}"',
            D,
            g,
            34,
            13,
            34,
            68,
        ),
        ("setting", "action-input", "action.settings", settings_text, L, g, 35, 11, 40, 1),
        (
            "setting",
            "action-settings",
            "env",
            {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"},
            L,
            g,
            37,
            15,
            37,
            71,
        ),
        ("env", "action-settings-env", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1", L, g, 37, 23, 37, 70),
        ("setting", "action-settings", "permissions", {"deny": ["WebFetch"]}, L, g, 38, 15, 38, 52),
        ("setting", "action-settings", "permissions.deny", ["WebFetch"], L, g, 38, 31, 38, 51),
        ("setting", "action-input", "action.settings", ".github/claude-settings.json", L, g2, 45, 11, 45, 51),
        (
            "setting",
            "action-input",
            "action.claude_code_oauth_token",
            "${{ secrets.CLAUDE_CODE_OAUTH_TOKEN }}",
            R,
            g2,
            46,
            11,
            46,
            74,
        ),
        (
            "env",
            "action-input",
            "CLAUDE_CODE_OAUTH_TOKEN",
            "${{ secrets.CLAUDE_CODE_OAUTH_TOKEN }}",
            R,
            g2,
            46,
            11,
            46,
            74,
        ),
    ]
    by_name = {(o.scope, o.name): o for o in parsed.observations}
    assert by_name[("action-input", "CLAUDE_CODE_USE_VERTEX")].raw is True
    assert by_name[("action-input", "action.use_vertex")].raw is True
    assert by_name[("action-input", "CLAUDE_CODE_USE_FOUNDRY")].raw is False
    assert parsed.notifications == ()


def test_action_fixture_facts() -> None:
    _, parsed = read("workflow-action.yml")
    found = facts(parsed)
    assert found["events"] == ["workflow_call"]
    assert found["workflow_call_inputs"] == {
        "use_bedrock": {"default": "true", "line": 5, "column": 7},
        "max_turns": {"default": "5", "line": 8, "column": 7},
        "note": {"default": None, "line": 11, "column": 7},
    }
    assert found["dynamic_env"] == []
    assert found["jobs"] == {
        "claude": {
            "line": 16,
            "column": 3,
            "name": None,
            "runs_on": ["self-hosted", "linux"],
            "uses_reusable": None,
            "with": {},
            "runs_claude": True,
            "claude_steps": [
                {
                    "index": 1,
                    "line": 20,
                    "column": 9,
                    "uses": "anthropics/claude-code-action@0c127307fa529d701bc1f0f8f9c0bea881c49a9b",
                    "kind": "action",
                    "official": True,
                    "ref": "0c127307fa529d701bc1f0f8f9c0bea881c49a9b",
                    "inputs": [
                        "anthropic_api_key",
                        "anthropic_federation_rule_id",
                        "anthropic_model",
                        "claude_env",
                        "model",
                        "settings",
                        "use_bedrock",
                        "use_foundry",
                        "use_vertex",
                    ],
                    "settings": "inline",
                    "settings_file": None,
                }
            ],
            "settings_errors": [],
        },
        "file-settings": {
            "line": 40,
            "column": 3,
            "name": None,
            "runs_on": "ubuntu-latest",
            "uses_reusable": None,
            "with": {},
            "runs_claude": True,
            "claude_steps": [
                {
                    "index": 0,
                    "line": 43,
                    "column": 9,
                    "uses": "anthropics/claude-code-base-action@beta",
                    "kind": "action",
                    "official": True,
                    "ref": "beta",
                    "inputs": ["claude_code_oauth_token", "settings"],
                    "settings": "file",
                    "settings_file": ".github/claude-settings.json",
                }
            ],
            "settings_errors": [],
        },
        "call": {
            "line": 47,
            "column": 3,
            "name": None,
            "runs_on": None,
            "uses_reusable": "./.github/workflows/other.yml",
            "with": {"use_bedrock": "true"},
            "runs_claude": False,
            "claude_steps": [],
            "settings_errors": [],
        },
    }


def step_workflow(with_block: str, uses: str = "anthropics/claude-code-action@v1") -> str:
    return (
        "on: push\n"
        "jobs:\n"
        "  j:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        f"      - uses: {uses}\n"
        "        with:\n" + with_block
    )


def observations_of(text: str) -> list[Row]:
    return rows(parse("w.yml", text, FileKind.WORKFLOW).observations)


@pytest.mark.parametrize(
    ("written", "env_value"),
    [
        ("true", "1"),
        ("'true'", "1"),
        ("TRUE", "1"),
        ('"True"', "1"),
        ("false", ""),
        ('"1"', ""),  # the action compares with 'true' only
        ("yes", ""),
        ('""', ""),
    ],
)
def test_provider_switch_values(written: str, env_value: str) -> None:
    parsed = parse("w.yml", step_workflow(f"          use_bedrock: {written}\n"), FileKind.WORKFLOW)
    env = [o for o in parsed.observations if o.kind.value == "env"]
    assert [(o.name, o.value, o.value_kind, o.scope) for o in env] == [
        ("CLAUDE_CODE_USE_BEDROCK", env_value, L, "action-input")
    ]
    assert (env[0].location.line, env[0].location.column) == (8, 11)


def test_action_switch_value() -> None:
    assert action_switch_value("true") == "1"
    assert action_switch_value("tRuE") == "1"
    assert action_switch_value(" true") == ""
    assert action_switch_value("1") == ""


def test_input_names_are_matched_without_case() -> None:
    got = observations_of(step_workflow("          Use_Vertex: true\n          ANTHROPIC_API_KEY: sk-x\n"))
    g = ("jobs", "j", "steps", "0")
    assert got == [
        ("setting", "action-input", "action.use_vertex", "true", L, g, 8, 11, 8, 27),
        ("env", "action-input", "CLAUDE_CODE_USE_VERTEX", "1", L, g, 8, 11, 8, 27),
        ("setting", "action-input", "action.anthropic_api_key", "sk-x", L, g, 9, 11, 9, 34),
        ("env", "action-input", "ANTHROPIC_API_KEY", "sk-x", L, g, 9, 11, 9, 34),
    ]


def test_anthropic_model_applies_when_model_is_absent() -> None:
    got = observations_of(step_workflow("          anthropic_model: claude-x\n"))
    assert [(r[0], r[2], r[3]) for r in got] == [
        ("setting", "action.anthropic_model", "claude-x"),
        ("env", "ANTHROPIC_MODEL", "claude-x"),
    ]


def test_input_env_mapping_covers_switches_credentials_and_federation() -> None:
    assert ACTION_INPUT_ENV == {
        "use_bedrock": "CLAUDE_CODE_USE_BEDROCK",
        "use_vertex": "CLAUDE_CODE_USE_VERTEX",
        "use_foundry": "CLAUDE_CODE_USE_FOUNDRY",
        "anthropic_api_key": "ANTHROPIC_API_KEY",
        "claude_code_oauth_token": "CLAUDE_CODE_OAUTH_TOKEN",
        "anthropic_federation_rule_id": "ANTHROPIC_FEDERATION_RULE_ID",
        "anthropic_organization_id": "ANTHROPIC_ORGANIZATION_ID",
        "anthropic_service_account_id": "ANTHROPIC_SERVICE_ACCOUNT_ID",
        "anthropic_workspace_id": "ANTHROPIC_WORKSPACE_ID",
        "model": "ANTHROPIC_MODEL",
        "anthropic_model": "ANTHROPIC_MODEL",
    }


def test_claude_env_in_a_double_quoted_scalar() -> None:
    text = step_workflow('          claude_env: "A: 1\\nB: two"\n')
    got = [r for r in observations_of(text) if r[1] == "action-claude-env"]
    g = ("jobs", "j", "steps", "0")
    assert got == [
        ("env", "action-claude-env", "A", "1", L, g, 8, 24, 8, 28),
        ("env", "action-claude-env", "B", "two", L, g, 8, 30, 8, 36),
    ]


def test_claude_env_in_a_folded_multi_line_scalar_is_searched() -> None:
    text = step_workflow("          claude_env: >\n            A: 1\n\n            B: 2\n")
    got = [r for r in observations_of(text) if r[1] == "action-claude-env"]
    g = ("jobs", "j", "steps", "0")
    assert got == [
        ("env", "action-claude-env", "A", "1", L, g, 9, 13, 9, 17),
        ("env", "action-claude-env", "B", "2", L, g, 11, 13, 11, 17),
    ]


def test_claude_env_literal_block_with_blank_first_line_and_colons_in_values() -> None:
    text = step_workflow(
        "          claude_env: |-\n"
        "\n"
        "            URL: http://h:8080/x\n"
        "              INDENTED: yes\n"
        "            novalue\n"
    )
    got = [r for r in observations_of(text) if r[1] == "action-claude-env"]
    g = ("jobs", "j", "steps", "0")
    assert got == [
        ("env", "action-claude-env", "URL", "http://h:8080/x", L, g, 10, 13, 10, 33),
        ("env", "action-claude-env", "INDENTED", "yes", L, g, 11, 15, 11, 28),
    ]


def test_claude_env_expression_is_dynamic() -> None:
    text = step_workflow("          claude_env: ${{ vars.CLAUDE_ENV }}\n")
    parsed = parse("w.yml", text, FileKind.WORKFLOW)
    assert [o.scope for o in parsed.observations] == ["action-input"]
    assert parsed.facts["dynamic_env"] == [
        {"scope": "action-claude-env", "group": ["jobs", "j", "steps", "0"], "line": 8, "column": 11}
    ]
    assert [(n.level, n.message, n.line, n.descriptor) for n in parsed.notifications] == [
        (
            "note",
            "w.yml:8: `claude_env` is an expression; its variables are known only when the workflow runs",
            8,
            "dynamic-env",
        )
    ]


def test_inline_settings_on_one_line() -> None:
    text = step_workflow('          settings: \'{"model": "opus", "env": {"X": 1}}\'\n')
    got = [r for r in observations_of(text) if r[1].startswith("action-settings")]
    g = ("jobs", "j", "steps", "0")
    assert got == [
        ("setting", "action-settings", "model", "opus", L, g, 8, 23, 8, 38),
        ("setting", "action-settings", "env", {"X": 1}, L, g, 8, 40, 8, 55),
        ("env", "action-settings-env", "X", 1, ValueKind.NON_STRING, g, 8, 48, 8, 54),
    ]


def test_invalid_inline_settings_gives_a_notification_and_facts() -> None:
    text = step_workflow(
        "          settings: |\n"
        "            {\n"
        '              "model": "opus",\n'
        "              oops\n"
        "            }\n"
    )
    parsed = parse("w.yml", text, FileKind.WORKFLOW)
    assert [(n.level, n.line, n.descriptor) for n in parsed.notifications] == [
        (
            "warning",
            11,
            "invalid-settings",
        )
    ]
    message = parsed.notifications[0].message
    assert message.startswith("w.yml:11: inline `settings` of step 0 in job 'j' is not valid JSON (")
    assert message.endswith("); the action would fail")
    errors = facts(parsed)["jobs"]["j"]["settings_errors"]
    assert [(e["step"], e["kind"], e["line"], e["column"]) for e in errors] == [(0, "syntax", 11, 15)]
    # What was complete before the error is still reported.
    assert [
        (r[1], r[2], r[3], r[6], r[7]) for r in rows(parsed.observations) if r[1] == "action-settings"
    ] == [("action-settings", "model", "opus", 10, 15)]


def test_inline_settings_with_a_comment_is_read_but_flagged() -> None:
    text = step_workflow(
        "          settings: |\n"
        "            {\n"
        "              // note\n"
        '              "model": "opus"\n'
        "            }\n"
    )
    parsed = parse("w.yml", text, FileKind.WORKFLOW)
    errors = facts(parsed)["jobs"]["j"]["settings_errors"]
    assert [(e["step"], e["kind"], e["line"], e["column"]) for e in errors] == [(0, "comment", 10, 15)]
    assert [n.line for n in parsed.notifications] == [10]
    assert [(r[2], r[6], r[7]) for r in rows(parsed.observations) if r[1] == "action-settings"] == [
        ("model", 11, 15)
    ]


def test_inline_settings_array_is_not_an_object() -> None:
    parsed = parse("w.yml", step_workflow("          settings: '[1]'\n"), FileKind.WORKFLOW)
    assert [(n.level, n.message) for n in parsed.notifications] == [
        ("warning", "w.yml:8: inline `settings` of step 0 in job 'j' is not a JSON object")
    ]
    assert facts(parsed)["jobs"]["j"]["claude_steps"][0]["settings"] == "inline"


def test_settings_expression_is_neither_file_nor_inline() -> None:
    parsed = parse("w.yml", step_workflow("          settings: ${{ vars.SETTINGS }}\n"), FileKind.WORKFLOW)
    step = facts(parsed)["jobs"]["j"]["claude_steps"][0]
    assert (step["settings"], step["settings_file"]) == ("expression", None)


def test_env_expression_and_non_mapping_env() -> None:
    text = (
        "on: push\n"
        "env: ${{ fromJSON(vars.ENV) }}\n"
        "jobs:\n"
        "  a:\n"
        "    env: [A, B]\n"
        "    steps:\n"
        "      - run: echo\n"
        "        env:\n"
        "          OK: 1\n"
        "          LIST: [1, 2]\n"
    )
    parsed = parse("w.yml", text, FileKind.WORKFLOW)
    assert rows(parsed.observations) == [
        ("env", "step-env", "OK", "1", L, ("jobs", "a", "steps", "0"), 9, 11, 9, 16)
    ]
    assert parsed.facts["dynamic_env"] == [
        {"scope": "workflow-env", "group": ["workflow"], "line": 2, "column": 1}
    ]
    assert [(n.level, n.message) for n in parsed.notifications] == [
        ("note", "w.yml:2: `env` is an expression; its variables are known only when the workflow runs"),
        ("warning", "w.yml:5: `env` is not a mapping; ignored"),
        ("warning", "w.yml:10: value of LIST is not a scalar; GitHub rejects it"),
    ]


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ("- a\n- b\n", ["w.yml:1: a workflow must be a YAML mapping; nothing read"]),
        ("jobs: [a, b]\n", ["w.yml:1: `jobs` is not a mapping; no job read"]),
        ("jobs:\n  a: 5\n", ["w.yml:2: job 'a' is not a mapping; ignored"]),
        ("jobs:\n  a:\n    steps: {x: 1}\n", ["w.yml:3: steps of job 'a' are not a list; ignored"]),
        (
            "jobs:\n  a:\n    steps:\n      - plain\n",
            ["w.yml:4: step 0 of job 'a' is not a mapping; ignored"],
        ),
        (
            "jobs:\n  a:\n    steps:\n      - uses: anthropics/claude-code-action@v1\n"
            "        with: ${{ x }}\n",
            ["w.yml:5: `with` of step 0 in job 'a' is not a mapping; ignored"],
        ),
        (
            "jobs:\n  a:\n    steps:\n      - uses: anthropics/claude-code-action@v1\n"
            "        with:\n          anthropic_api_key: [sk-ant-api03-leak]\n",
            ["w.yml:6: input anthropic_api_key is not a scalar; GitHub rejects it"],
        ),
        ("", []),
    ],
)
def test_malformed_workflows_give_warnings_not_exceptions(text: str, messages: list[str]) -> None:
    parsed = parse("w.yml", text, FileKind.WORKFLOW)
    assert [n.message for n in parsed.notifications] == messages
    assert all("sk-ant" not in n.message for n in parsed.notifications)
    assert parsed.facts["valid_yaml"] is True


def test_invalid_yaml_is_an_error_notification() -> None:
    parsed = parse("w.yml", "on: push\njobs:\n\tbuild: {}\n", FileKind.WORKFLOW)
    assert parsed.observations == ()
    assert [(n.level, n.message, n.path, n.line, n.descriptor) for n in parsed.notifications] == [
        (
            "error",
            "w.yml: invalid YAML at line 3, column 1: a tab character cannot be used for indentation in YAML",
            "w.yml",
            3,
            "parse-error",
        )
    ]
    assert parsed.facts == {
        "valid_yaml": False,
        "events": [],
        "workflow_call_inputs": {},
        "jobs": {},
        "dynamic_env": [],
    }


def test_multiple_documents_warn_and_read_the_first() -> None:
    parsed = parse("w.yml", "---\nenv: {A: 1}\n---\nenv: {B: 2}\n", FileKind.WORKFLOW)
    assert [o.name for o in parsed.observations] == ["A"]
    assert [(n.level, n.path, n.descriptor) for n in parsed.notifications] == [
        ("warning", "w.yml", "multiple-documents")
    ]


def test_on_as_string_or_list() -> None:
    assert parse("w.yml", "on: workflow_call\n", FileKind.WORKFLOW).facts["events"] == ["workflow_call"]
    assert parse("w.yml", "on: [push, pull_request]\n", FileKind.WORKFLOW).facts["events"] == [
        "push",
        "pull_request",
    ]


def test_anchors_and_merge_keys_in_env() -> None:
    text = "on: push\nenv: &common\n  A: 1\njobs:\n  j:\n    env:\n      <<: *common\n      B: 2\n"
    got = observations_of(text)
    assert got == [
        ("env", "workflow-env", "A", "1", L, ("workflow",), 3, 3, 3, 7),
        ("env", "job-env", "A", "1", L, ("jobs", "j"), 3, 3, 3, 7),
        ("env", "job-env", "B", "2", L, ("jobs", "j"), 8, 7, 8, 11),
    ]


@pytest.mark.parametrize(
    ("uses", "expected"),
    [
        ("anthropics/claude-code-action@v1", ("anthropics/claude-code-action", "v1")),
        ("anthropics/claude-code-base-action@beta", ("anthropics/claude-code-base-action", "beta")),
        ("Anthropics/Claude-Code-Action@main", ("Anthropics/Claude-Code-Action", "main")),
        ("anthropics/claude-code-action/base-action@v1", ("anthropics/claude-code-action", "v1")),
        ("grll/claude-code-action@beta", ("grll/claude-code-action", "beta")),
        ("anthropics/claude-code-action", None),
        ("anthropics/claude-code-actions@v1", None),
        ("actions/checkout@v4", None),
        ("./base-action", None),
    ],
)
def test_claude_action_ref(uses: str, expected: tuple[str, str] | None) -> None:
    assert claude_action_ref(uses) == expected


def test_fork_and_local_copies_of_the_action() -> None:
    text = (
        "jobs:\n"
        "  j:\n"
        "    steps:\n"
        "      - uses: grll/claude-code-action@beta\n"
        "        with: {use_vertex: 'true'}\n"
        "      - uses: ./base-action\n"
        "        with: {claude_args: --max-turns 3}\n"
        "      - uses: ./my-action\n"
        "        with: {prompt: hi}\n"
    )
    parsed = parse("w.yml", text, FileKind.WORKFLOW)
    steps = facts(parsed)["jobs"]["j"]["claude_steps"]
    assert [(s["index"], s["uses"], s["official"], s["ref"]) for s in steps] == [
        (0, "grll/claude-code-action@beta", False, "beta"),
        (1, "./base-action", False, None),
    ]
    assert [o.name for o in parsed.observations] == [
        "action.use_vertex",
        "CLAUDE_CODE_USE_VERTEX",
        "action.claude_args",
    ]


@pytest.mark.parametrize(
    ("script", "how"),
    [
        ('claude -p "review this"', "command"),
        ("npm install -g @anthropic-ai/claude-code\nclaude -p x", "command"),
        ("npm install -g @anthropic-ai/claude-code", "install"),
        ("npm i -g @anthropic-ai/claude-code@1.0.0", "install"),
        ("pnpm add -g @anthropic-ai/claude-code", "install"),
        ("curl -fsSL https://claude.ai/install.sh | bash", "install"),
        ("npx -y @anthropic-ai/claude-code -p hi", "package"),
        ("bunx @anthropic-ai/claude-code@latest --version", "package"),
        ('ANTHROPIC_API_KEY=x claude -p "hi"', "command"),
        ("sudo -E -u runner claude --version", "command"),
        ("result=$(claude -p hi)", "command"),
        ("timeout 10m claude -p x", "command"),
        ('bash -c "claude -p x"', "command"),
        ("~/.local/bin/claude -p x", "command"),
        ("if true; then claude; fi", "command"),
        ("ls \\\n  && claude -p", "command"),
        ("echo claude", None),
        ("# claude -p x", None),
        ("echo x > claude", None),
        ("./claude-review.sh", None),
        ("git log --grep claude", None),
        ("cat <<EOF > prompt.txt\nclaude -p inside heredoc\nEOF\necho done", None),
        ('echo "unbalanced', None),
    ],
)
def test_script_runs_claude(script: str, how: str | None) -> None:
    assert script_runs_claude(script) == how


def test_run_step_fact_points_at_the_step() -> None:
    text = "jobs:\n  j:\n    steps:\n      - name: go\n        run: claude -p hi\n"
    parsed = parse("w.yml", text, FileKind.WORKFLOW)
    assert facts(parsed)["jobs"]["j"]["claude_steps"] == [
        {"index": 0, "line": 4, "column": 9, "uses": None, "kind": "run", "how": "command"}
    ]
    assert facts(parsed)["jobs"]["j"]["runs_claude"] is True


def sample(relative: str) -> str:
    path = SAMPLES / relative
    if not path.is_file():
        pytest.skip("shared samples are not available")
    return path.read_text(encoding="utf-8")


def test_sample_vertex_unquoted_bool() -> None:
    parsed = parse(
        "claude-vertex.yml",
        sample("plaidev__karte-ios-sdk/.github/workflows/claude-vertex.yml"),
        FileKind.WORKFLOW,
    )
    got = {
        (o.scope, o.name): (o.value, o.value_kind, o.location.line, o.location.column)
        for o in parsed.observations
    }
    assert got[("action-input", "CLAUDE_CODE_USE_VERTEX")] == ("1", L, 73, 11)
    assert got[("step-env", "ANTHROPIC_VERTEX_ENABLE_PROMPT_CACHING")] == ("true", L, 70, 11)
    assert got[("step-env", "CLAUDE_CODE_PRIMARY_MODEL")] == (
        "${{ steps.select_model.outputs.model }}",
        R,
        66,
        11,
    )
    assert got[("step-env", "CLOUD_ML_REGION")] == ("europe-west4", L, 63, 11)
    assert parsed.notifications == ()


def test_sample_reusable_bedrock() -> None:
    parsed = parse(
        "claude-bedrock.yml",
        sample("iomesh__shared-workflows/.github/workflows/claude-bedrock.yml"),
        FileKind.WORKFLOW,
    )
    got = {(o.scope, o.name): (o.value, o.value_kind, o.location.line) for o in parsed.observations}
    assert got[("action-input", "CLAUDE_CODE_USE_BEDROCK")] == ("1", L, 60)
    assert got[("step-env", "AWS_REGION")] == ("${{ inputs.aws_region }}", R, 68)
    assert facts(parsed)["workflow_call_inputs"]["additional_permissions"] == {
        "default": "Bash(*),Edit(*),Write(*)",
        "line": 22,
        "column": 7,
    }


def test_sample_inline_settings_and_local_base_action() -> None:
    parsed = parse(
        "test-settings.yml",
        sample("anthropics__claude-code-action/.github/workflows/test-settings.yml"),
        FileKind.WORKFLOW,
    )
    settings = [
        (o.name, o.value, o.location.line, o.location.column)
        for o in parsed.observations
        if o.scope == "action-settings"
    ]
    assert settings == [
        ("permissions", {"allow": ["Bash(echo:*)"]}, 34, 15),
        ("permissions.allow", ["Bash(echo:*)"], 35, 17),
        ("permissions", {"deny": ["Bash(echo:*)"]}, 87, 15),
        ("permissions.deny", ["Bash(echo:*)"], 88, 17),
    ]
    jobs = facts(parsed)["jobs"]
    assert jobs["test-settings-file-allow"]["claude_steps"][0]["settings_file"] == "test-settings.json"


def test_sample_oidc_and_oauth_workflows() -> None:
    triage = parse(
        "t.yml",
        sample("anthropics__claude-code/.github/workflows/claude-issue-triage.yml"),
        FileKind.WORKFLOW,
    )
    env = [
        (o.name, o.value_kind)
        for o in triage.observations
        if o.kind.value == "env" and o.scope == "action-input"
    ]
    assert env == [
        ("ANTHROPIC_FEDERATION_RULE_ID", R),
        ("ANTHROPIC_ORGANIZATION_ID", R),
        ("ANTHROPIC_SERVICE_ACCOUNT_ID", R),
        ("ANTHROPIC_WORKSPACE_ID", R),
    ]
    oauth = parse(
        "c.yml", sample("jakelawllm__claude-settings/.github/workflows/claude.yml"), FileKind.WORKFLOW
    )
    assert [(o.name, o.value) for o in oauth.observations if o.kind.value == "env"] == [
        ("CLAUDE_CODE_OAUTH_TOKEN", "${{ secrets.CLAUDE_CODE_OAUTH_TOKEN }}")
    ]
    notify = parse(
        "n.yml", sample("reyabsaluja__notifykit/.github/workflows/claude-bedrock.yml"), FileKind.WORKFLOW
    )
    assert [(o.scope, o.name, o.value) for o in notify.observations if o.kind.value == "env"] == [
        ("job-env", "AWS_REGION", "us-west-2"),
        ("action-input", "CLAUDE_CODE_USE_BEDROCK", "1"),
    ]


def test_yaml_notices_carry_the_path() -> None:
    parsed = parse("w.yml", "env:\n  A: 1\n  A: 2\n", FileKind.WORKFLOW)
    assert [(o.name, o.value, o.location.line) for o in parsed.observations] == [("A", "2", 3)]
    assert [(n.level, n.message, n.path, n.line, n.descriptor) for n in parsed.notifications] == [
        ("warning", "w.yml: duplicate key 'A'; the last one is used (line 3)", "w.yml", 3, "yaml-structure")
    ]


def test_crlf_line_endings_keep_block_positions() -> None:
    text = step_workflow("          claude_env: |\n            A: 1\n            B: 2\n").replace(
        "\n", "\r\n"
    )
    got = [(r[2], r[3], r[6], r[7], r[8], r[9]) for r in observations_of(text) if r[1] == "action-claude-env"]
    assert got == [("A", "1", 9, 13, 9, 17), ("B", "2", 10, 13, 10, 17)]


def test_claude_env_lines_holding_expressions_are_still_read() -> None:
    text = step_workflow(
        "          claude_env: |\n            A: ${{ vars.A }}\n            B: ${{ vars.B }}\n"
    )
    got = [(r[2], r[3], r[4]) for r in observations_of(text) if r[1] == "action-claude-env"]
    assert got == [("A", "${{ vars.A }}", R), ("B", "${{ vars.B }}", R)]
