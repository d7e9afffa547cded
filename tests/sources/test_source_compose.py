from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scanner.model import FileKind, JSONValue, Observation, ValueKind
from scanner.sources.compose import mentions_claude, parse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "yaml"

L = ValueKind.LITERAL
R = ValueKind.REFERENCE
D = ValueKind.DYNAMIC

Row = tuple[str, JSONValue, ValueKind, tuple[str, ...], int, int, "int | None", "int | None", JSONValue]


def rows(observations: tuple[Observation, ...]) -> list[Row]:
    return [
        (
            o.name,
            o.value,
            o.value_kind,
            o.group,
            o.location.line,
            o.location.column,
            o.location.end_line,
            o.location.end_column,
            o.raw,
        )
        for o in observations
    ]


def test_fixture_environment_in_map_and_list_form() -> None:
    text = (FIXTURES / "compose.yml").read_text(encoding="utf-8")
    parsed = parse("deploy/docker-compose.yml", text, FileKind.COMPOSE)
    claude, worker = ("services", "claude"), ("services", "worker")
    assert rows(parsed.observations) == [
        # merged from the x-claude-env anchor: located where they are written
        ("CLAUDE_CODE_USE_BEDROCK", "1", L, claude, 2, 3, 2, 31, "1"),
        ("AWS_REGION", "us-east-1", L, claude, 3, 3, 3, 24, "us-east-1"),
        ("ANTHROPIC_API_KEY", None, R, claude, 17, 7, 17, 25, None),
        ("DISABLE_TELEMETRY", "1", L, claude, 18, 7, 18, 27, 1),
        ("ENABLED", "true", L, claude, 19, 7, 19, 20, True),
        ("PRICE", "$5", L, claude, 20, 7, 20, 19, "$$5"),
        ("BASE", "${GATEWAY_URL}", R, claude, 21, 7, 21, 27, "${GATEWAY_URL}"),
        ("MIXED", "http://${HOST}:8080", D, claude, 22, 7, 22, 33, "http://${HOST}:8080"),
        ("CLAUDE_CONFIG_DIR", "/data/claude", L, worker, 28, 9, 28, 39, "CLAUDE_CONFIG_DIR=/data/claude"),
        ("ANTHROPIC_AUTH_TOKEN", None, R, worker, 29, 9, 29, 29, "ANTHROPIC_AUTH_TOKEN"),
        ("QUOTED", "value with spaces", L, worker, 30, 10, 30, 35, "QUOTED=value with spaces"),
        ("REF", "$TOKEN", R, worker, 31, 9, 31, 19, "REF=$TOKEN"),
    ]
    assert {(o.kind.value, o.scope, o.file_kind) for o in parsed.observations} == {
        ("env", "compose-env", FileKind.COMPOSE)
    }
    assert parsed.notifications == ()
    assert parsed.text == text


def test_fixture_facts() -> None:
    text = (FIXTURES / "compose.yml").read_text(encoding="utf-8")
    parsed = parse("deploy/docker-compose.yml", text, FileKind.COMPOSE)
    assert parsed.facts == {
        "valid_yaml": True,
        "extensions": ["x-claude-env"],
        "services": {
            "claude": {
                "line": 6,
                "column": 3,
                "image": "ghcr.io/example/claude-code:latest",
                "runs_claude": True,
                "env_files": ["deploy/.env", "deploy/config/claude.env"],
                "build": {"context": "deploy/docker", "dockerfile": "deploy/docker/Dockerfile.claude"},
            },
            "worker": {
                "line": 23,
                "column": 3,
                "image": "python:3.12",
                # CLAUDE_CONFIG_DIR / ANTHROPIC_AUTH_TOKEN in its environment
                "runs_claude": True,
                "env_files": [],
                "build": {"context": "app", "dockerfile": "app/Dockerfile"},
            },
            "db": {
                "line": 32,
                "column": 3,
                "image": "postgres:16",
                "runs_claude": False,
                "env_files": [],
                "build": None,
            },
        },
    }


def services(text: str, path: str = "docker-compose.yml") -> Any:
    return parse(path, text, FileKind.COMPOSE).facts["services"]


def test_runs_claude_from_command_or_entrypoint() -> None:
    found = services(
        "services:\n"
        "  a:\n    image: node:20\n    command: claude -p hi\n"
        "  b:\n    image: node:20\n    entrypoint: [npx, '@anthropic-ai/claude-code']\n"
        "  c:\n    image: node:20\n    command: [node, claudette.js]\n"
    )
    assert {name: info["runs_claude"] for name, info in found.items()} == {
        "a": True,
        "b": True,
        "c": False,
    }


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        ("build: .", {"context": "ops", "dockerfile": "ops/Dockerfile"}),
        (
            "build: {context: .., dockerfile: docker/Dockerfile}",
            {"context": ".", "dockerfile": "docker/Dockerfile"},
        ),
        ("build: ../..", {"context": "..", "dockerfile": "../Dockerfile"}),
        ("build: {dockerfile: /abs/Dockerfile}", {"context": "ops", "dockerfile": "/abs/Dockerfile"}),
        (
            "build: {context: 'https://github.com/o/r.git#main', dockerfile: Dockerfile}",
            {"context": "https://github.com/o/r.git#main", "dockerfile": "Dockerfile"},
        ),
        ("build: {context: ., dockerfile_inline: 'FROM x'}", {"context": "ops", "dockerfile": None}),
        ("build: 5", None),
    ],
)
def test_build_paths_resolve_against_the_compose_file(build: str, expected: JSONValue) -> None:
    found = services(f"services:\n  s:\n    {build}\n", path="ops/compose.yaml")
    assert found["s"]["build"] == expected


def test_env_file_string_and_missing() -> None:
    found = services(
        "services:\n  s:\n    env_file: ./claude.env\n  t:\n    env_file: [a.env, {required: true}]\n"
    )
    assert found["s"]["env_files"] == ["claude.env"]
    assert found["t"]["env_files"] == ["a.env"]


def test_escaped_dollar_next_to_a_reference_stays_as_written() -> None:
    parsed = parse("c.yml", "services:\n  s:\n    environment:\n      A: $$HOME-${X}\n", FileKind.COMPOSE)
    assert [(o.value, o.value_kind) for o in parsed.observations] == [("$$HOME-${X}", D)]


def test_github_expressions_are_not_special_in_compose() -> None:
    parsed = parse("c.yml", "services:\n  s:\n    environment:\n      A: ${{ x }}\n", FileKind.COMPOSE)
    assert [(o.value, o.value_kind) for o in parsed.observations] == [("${{ x }}", L)]


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ("- a\n", ["c.yml:1: a compose file must be a YAML mapping; nothing read"]),
        ("services: [a]\n", ["c.yml:1: `services` is not a mapping; nothing read"]),
        ("services:\n  a: 5\n  b:\n", ["c.yml:2: service 'a' is not a mapping; ignored"]),
        (
            "services:\n  a:\n    environment: 5\n",
            ["c.yml:3: `environment` is neither a mapping nor a list; ignored"],
        ),
        (
            "services:\n  a:\n    environment:\n      - {A: 1}\n      - B=2\n",
            ["c.yml:4: an `environment` list item is not a string; ignored"],
        ),
        (
            "services:\n  a:\n    environment:\n      TOKEN: [sk-ant-api03-leak]\n",
            ["c.yml:4: value of TOKEN is not a scalar; compose rejects it"],
        ),
        ("", []),
        ("version: '3'\n", []),
    ],
)
def test_malformed_compose_gives_warnings(text: str, messages: list[str]) -> None:
    parsed = parse("c.yml", text, FileKind.COMPOSE)
    assert [n.message for n in parsed.notifications] == messages
    assert all(n.level == "warning" and n.path == "c.yml" for n in parsed.notifications)
    assert all("sk-ant" not in n.message for n in parsed.notifications)


def test_list_item_with_empty_value_is_literal_empty() -> None:
    parsed = parse("c.yml", "services:\n  a:\n    environment:\n      - A=\n      - =x\n", FileKind.COMPOSE)
    assert [(o.name, o.value, o.value_kind) for o in parsed.observations] == [("A", "", L)]


def test_invalid_yaml_is_an_error() -> None:
    parsed = parse("c.yml", "services:\n  a:\n\tenvironment: {}\n", FileKind.COMPOSE)
    assert [(n.level, n.line, n.descriptor) for n in parsed.notifications] == [("error", 3, "parse-error")]
    assert parsed.notifications[0].message.startswith("c.yml: invalid YAML at line 3, column 1: ")
    assert parsed.facts == {"valid_yaml": False, "extensions": [], "services": {}}


def test_alias_bomb_is_an_error() -> None:
    lines = ["x-a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"x-a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    parsed = parse("c.yml", "\n".join(lines) + "\nservices: {}\n", FileKind.COMPOSE)
    assert [n.message for n in parsed.notifications] == [
        "c.yml: YAML is too complex to read (more than 200000 nodes once aliases are expanded)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ghcr.io/me/claude-code:1", True),
        ("CLAUDE", True),
        ("anthropic/claude_sandbox", True),
        ("claudette", False),
        ("myclaude", False),
        ("node:20", False),
    ],
)
def test_mentions_claude(text: str, expected: bool) -> None:
    assert mentions_claude(text) is expected
