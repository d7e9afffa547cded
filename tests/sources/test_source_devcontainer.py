from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.model import FileKind, JSONValue, Location, Notification, ObservationKind, ValueKind
from scanner.sources import devcontainer

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "json"
PATH = ".devcontainer/devcontainer.json"


def _read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def _facts(config: dict[str, object], path: str = PATH) -> dict[str, JSONValue]:
    return devcontainer.parse(path, json.dumps(config), FileKind.DEVCONTAINER).facts


def test_env_observations_with_devcontainer_substitutions() -> None:
    parsed = devcontainer.parse(PATH, _read("devcontainer_claude.json"), FileKind.DEVCONTAINER)
    assert parsed.notifications == ()
    env = [
        (o.name, o.scope, o.value_kind, o.value, o.location)
        for o in parsed.observations
        if o.kind == ObservationKind.ENV
    ]
    assert env == [
        (
            "ANTHROPIC_API_KEY",
            "container-env",
            ValueKind.REFERENCE,
            "${localEnv:ANTHROPIC_API_KEY}",
            Location(PATH, 11, 5, 11, 57),
        ),
        (
            "TZ",
            "container-env",
            ValueKind.REFERENCE,
            "${localEnv:TZ:Europe/Paris}",
            Location(PATH, 12, 5, 12, 40),
        ),
        ("DISABLE_TELEMETRY", "container-env", ValueKind.LITERAL, "1", Location(PATH, 13, 5, 13, 29)),
        (
            "WORKSPACE",
            "container-env",
            ValueKind.REFERENCE,
            "${containerWorkspaceFolder}",
            Location(PATH, 14, 5, 14, 47),
        ),
        (
            "PATH",
            "remote-env",
            ValueKind.DYNAMIC,
            "${containerEnv:PATH}:/home/node/.local/bin",
            Location(PATH, 17, 5, 17, 57),
        ),
        ("DEBUG", "remote-env", ValueKind.NON_STRING, None, Location(PATH, 18, 5, 18, 18)),
    ]
    settings = [
        (o.name, o.scope, o.location.line, o.location.column)
        for o in parsed.observations
        if o.kind == ObservationKind.SETTING
    ]
    assert settings == [
        ("name", "devcontainer", 2, 3),
        ("build", "devcontainer", 3, 3),
        ("features", "devcontainer", 7, 3),
        ("containerEnv", "devcontainer", 10, 3),
        ("remoteEnv", "devcontainer", 16, 3),
    ]
    assert parsed.observations[1].value == {"dockerfile": "../docker/Dockerfile", "context": ".."}
    assert all(o.file_kind == FileKind.DEVCONTAINER for o in parsed.observations)
    assert parsed.facts == {
        "strict_errors": [],
        "parse_failed": False,
        "runs_claude": True,
        "anchor": {"line": 2, "column": 3},
        "dockerfile": "docker/Dockerfile",
        "compose_files": [],
        "service": None,
    }
    assert parsed.text == _read("devcontainer_claude.json")


def test_jsonc_is_legal_and_not_reported() -> None:
    parsed = devcontainer.parse(PATH, _read("devcontainer_jsonc.json"), FileKind.DEVCONTAINER)
    assert parsed.notifications == ()
    assert [o.name for o in parsed.observations] == ["name", "image", "features", "postCreateCommand"]
    assert parsed.facts == {
        "strict_errors": [],
        "parse_failed": False,
        "runs_claude": False,
        "anchor": {"line": 3, "column": 2},
        "dockerfile": None,
        "compose_files": [],
        "service": None,
    }


def test_compose_files_service_and_lifecycle_command() -> None:
    parsed = devcontainer.parse(PATH, _read("devcontainer_compose.json"), FileKind.DEVCONTAINER)
    assert parsed.facts == {
        "strict_errors": [],
        "parse_failed": False,
        "runs_claude": True,  # postStartCommand runs `claude update`
        "anchor": {"line": 1, "column": 1},  # no "name": the root
        "dockerfile": None,
        # "../../outside.yaml" points outside the scan root and is dropped
        "compose_files": ["compose.yaml", ".devcontainer/compose.override.yaml"],
        "service": "claude-code",
    }


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"features": {"ghcr.io/anthropics/devcontainer-features/claude-code:1": {}}}, True),
        ({"features": ["ghcr.io/stu-bell/devcontainer-features/Claude-Code:0"]}, True),
        ({"features": {"ghcr.io/devcontainers/features/node:1": {}}}, False),
        ({"postCreateCommand": "npm install -g @anthropic-ai/claude-code"}, True),
        ({"onCreateCommand": "curl -fsSL https://claude.ai/install.sh | bash"}, True),
        ({"updateContentCommand": ["claude", "--version"]}, True),
        ({"postAttachCommand": ["bash", "-c", "cd /w && claude doctor"]}, True),
        ({"postCreateCommand": {"deps": "npm ci", "agent": "/usr/local/bin/claude -p hi"}}, True),
        ({"postStartCommand": "if command -v claude; then echo ok; fi"}, True),
        ({"postStartCommand": "CI=1 claude update"}, True),
        ({"postStartCommand": "echo claude && npm run claude:dev"}, False),
        ({"postStartCommand": "claude-helper start"}, False),
        ({"initializeCommand": "claude --version"}, False),  # runs on the host
        ({"containerEnv": {"CLAUDE_CONFIG_DIR": "/home/node/.claude"}}, True),
        ({"remoteEnv": {"anthropic_model": "x"}}, True),
        ({"containerEnv": {"NODE_OPTIONS": "--max-old-space-size=4096"}}, False),
        ({"customizations": {"vscode": {"extensions": ["Anthropic.claude-code"]}}}, True),
        ({"customizations": {"vscode": {"extensions": ["ms-python.python"]}}}, False),
        ({"customizations": "junk", "features": "junk", "postCreateCommand": 5}, False),
    ],
)
def test_runs_claude(config: dict[str, object], expected: bool) -> None:
    assert _facts(config)["runs_claude"] is expected


@pytest.mark.parametrize(
    ("path", "config", "dockerfile"),
    [
        (PATH, {"build": {"dockerfile": "Dockerfile"}}, ".devcontainer/Dockerfile"),
        (PATH, {"dockerFile": "../Dockerfile"}, "Dockerfile"),
        (".devcontainer.json", {"build": {"dockerfile": "./docker/../Dockerfile"}}, "Dockerfile"),
        (
            ".devcontainer/py/devcontainer.json",
            {"build": {"dockerfile": "..\\Dockerfile"}},
            ".devcontainer/Dockerfile",
        ),
        (".devcontainer.json", {"build": {"dockerfile": "../Dockerfile"}}, None),
        (PATH, {"build": {"dockerfile": "/abs/Dockerfile"}}, None),
        (PATH, {"build": {"dockerfile": "${localWorkspaceFolder}/Dockerfile"}}, None),
        (PATH, {"build": {"dockerfile": 3}}, None),
        (PATH, {"build": "Dockerfile"}, None),
        (
            "/home/u/p/.devcontainer/devcontainer.json",
            {"build": {"dockerfile": "../Dockerfile"}},
            "/home/u/p/Dockerfile",
        ),
    ],
)
def test_dockerfile_resolution(path: str, config: dict[str, object], dockerfile: str | None) -> None:
    assert _facts(config, path)["dockerfile"] == dockerfile


def test_single_compose_file_string() -> None:
    facts = _facts({"dockerComposeFile": "docker-compose.yml", "service": 3})
    assert facts["compose_files"] == [".devcontainer/docker-compose.yml"]
    assert facts["service"] is None


def test_parse_error_keeps_partial_observations() -> None:
    text = '{\n  "name": "x",\n  "containerEnv": {"A": "1"}\n  "image": "y"\n}'
    parsed = devcontainer.parse(PATH, text, FileKind.DEVCONTAINER)
    assert parsed.notifications == (
        Notification(
            "error",
            ".devcontainer/devcontainer.json is not valid JSON: expected ',' or '}', found a string "
            "at line 4 column 3",
            PATH,
            4,
            "parse-error",
        ),
    )
    assert [o.name for o in parsed.observations] == ["name", "containerEnv", "A"]
    assert parsed.facts["parse_failed"] is True
    assert parsed.facts["strict_errors"] == []


def test_non_object_document() -> None:
    parsed = devcontainer.parse(PATH, "[]", FileKind.DEVCONTAINER)
    assert parsed.observations == ()
    assert parsed.notifications == (
        Notification(
            "error",
            ".devcontainer/devcontainer.json: devcontainer.json must be a JSON object, found an array",
            PATH,
            1,
            "invalid-devcontainer",
        ),
    )
    assert parsed.facts["runs_claude"] is False
    assert parsed.facts["anchor"] == {"line": 1, "column": 1}


def test_empty_file() -> None:
    parsed = devcontainer.parse(PATH, "", FileKind.DEVCONTAINER)
    assert parsed.observations == ()
    assert [n.descriptor for n in parsed.notifications] == ["parse-error"]
    assert parsed.facts["anchor"] == {"line": 1, "column": 1}
