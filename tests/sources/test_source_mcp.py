from __future__ import annotations

from pathlib import Path

import pytest

from scanner.model import FileKind, JSONValue, Location, Notification, ObservationKind, ValueKind
from scanner.sources import mcp

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "json"


def _read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def _records(value: JSONValue) -> list[dict[str, JSONValue]]:
    """A facts list of objects, typed for the assertions below."""
    assert isinstance(value, list)
    records = []
    for item in value:
        assert isinstance(item, dict)
        records.append(item)
    return records


def test_servers_env_and_headers_from_mcp_json() -> None:
    parsed = mcp.parse(".mcp.json", _read("mcp_expansion.json"), FileKind.MCP)
    assert parsed.notifications == ()
    assert [
        (o.kind, o.name, o.scope, o.value_kind, o.group, o.location.line, o.location.column)
        for o in parsed.observations
    ] == [
        (ObservationKind.SETTING, "mcpServers", "mcp", ValueKind.LITERAL, (), 2, 3),
        (
            ObservationKind.SETTING,
            "mcpServers.chatbot",
            "mcp",
            ValueKind.LITERAL,
            ("mcpServers", "chatbot"),
            3,
            5,
        ),
        (
            ObservationKind.ENV,
            "NVIDIA_API_KEY",
            "mcp-server-env",
            ValueKind.REFERENCE,
            ("mcpServers", "chatbot"),
            8,
            9,
        ),
        (
            ObservationKind.ENV,
            "CACHE_TTL_SECONDS",
            "mcp-server-env",
            ValueKind.LITERAL,
            ("mcpServers", "chatbot"),
            9,
            9,
        ),
        (
            ObservationKind.ENV,
            "ENDPOINT",
            "mcp-server-env",
            ValueKind.DYNAMIC,
            ("mcpServers", "chatbot"),
            10,
            9,
        ),
        (
            ObservationKind.ENV,
            "RETRIES",
            "mcp-server-env",
            ValueKind.NON_STRING,
            ("mcpServers", "chatbot"),
            11,
            9,
        ),
        (
            ObservationKind.SETTING,
            "mcpServers.remote",
            "mcp",
            ValueKind.LITERAL,
            ("mcpServers", "remote"),
            14,
            5,
        ),
        (
            ObservationKind.SETTING,
            "mcpServers.remote.headers.Authorization",
            "mcp",
            ValueKind.DYNAMIC,
            ("mcpServers", "remote"),
            17,
            9,
        ),
        (
            ObservationKind.SETTING,
            "mcpServers.remote.headers.X-Team",
            "mcp",
            ValueKind.LITERAL,
            ("mcpServers", "remote"),
            18,
            9,
        ),
        (
            ObservationKind.SETTING,
            "mcpServers.events",
            "mcp",
            ValueKind.LITERAL,
            ("mcpServers", "events"),
            21,
            5,
        ),
    ]
    env = {o.name: o for o in parsed.observations if o.kind == ObservationKind.ENV}
    assert env["NVIDIA_API_KEY"].value == "${NVIDIA_API_KEY:-}"
    assert env["NVIDIA_API_KEY"].raw == "${NVIDIA_API_KEY:-}"
    assert env["NVIDIA_API_KEY"].location == Location(".mcp.json", 8, 9, 8, 48)
    assert (env["RETRIES"].value, env["RETRIES"].raw) == (3, 3)
    assert all(o.file_kind == FileKind.MCP for o in parsed.observations)
    assert parsed.facts == {
        "strict_errors": [],
        "valid_json": True,
        "parse_failed": False,
        "servers": [
            {
                "name": "chatbot",
                "type": "stdio",
                "url": None,
                "command": "${CLAUDE_PROJECT_DIR:-.}/.venv/bin/python",
                "line": 3,
                "column": 5,
            },
            {
                "name": "remote",
                "type": "http",  # inferred from the url
                "url": "https://mcp.example.com/mcp",
                "command": None,
                "line": 14,
                "column": 5,
            },
            {
                "name": "events",
                "type": "sse",
                "url": "https://mcp.example.com/sse",
                "command": None,
                "line": 21,
                "column": 5,
            },
        ],
    }
    assert parsed.in_effect
    assert parsed.text == _read("mcp_expansion.json")


def test_managed_mcp_with_comment_keys_skips_non_object_entries() -> None:
    path = "/etc/claude-code/managed-mcp.json"
    parsed = mcp.parse(path, _read("managed_mcp_comments.json"), FileKind.MANAGED_MCP)
    assert parsed.notifications == ()
    assert [o.name for o in parsed.observations] == ["mcpServers", "mcpServers.raven"]
    raven = parsed.observations[1]
    assert raven.value == {
        "type": "stdio",
        "command": "python3",
        "args": ["/usr/local/raven/mcp/server.py"],
        "_note": "Path set by install.sh.",
    }
    assert raven.file_kind == FileKind.MANAGED_MCP
    assert parsed.facts["servers"] == [
        {"name": "raven", "type": "stdio", "url": None, "command": "python3", "line": 8, "column": 5}
    ]


def test_strict_json_problems_are_facts_not_notifications() -> None:
    text = '{\n  // project servers\n  "mcpServers": {\n    "a": {"command": "npx",},\n  },\n}'
    parsed = mcp.parse(".mcp.json", text, FileKind.MCP)
    assert parsed.notifications == ()
    assert [(e["kind"], e["line"], e["column"]) for e in _records(parsed.facts["strict_errors"])] == [
        ("comment", 2, 3),
        ("trailing-comma", 4, 27),
        ("trailing-comma", 4, 29),
        ("trailing-comma", 5, 4),
    ]
    assert parsed.facts["valid_json"] is False
    assert parsed.facts["servers"] == [
        {"name": "a", "type": "stdio", "url": None, "command": "npx", "line": 4, "column": 5}
    ]


def test_parse_error_keeps_completed_servers() -> None:
    text = '{"mcpServers": {\n  "a": {"url": "https://x.example/mcp"},\n  "b": {"command": "uvx"\n'
    parsed = mcp.parse(".mcp.json", text, FileKind.MCP)
    assert parsed.notifications == (
        Notification(
            "error",
            ".mcp.json is not valid JSON: unexpected end of input: expected ',' or '}' at line 4 column 1",
            ".mcp.json",
            4,
            "parse-error",
        ),
    )
    assert parsed.facts["parse_failed"] is True
    assert [s["name"] for s in _records(parsed.facts["servers"])] == ["a", "b"]


@pytest.mark.parametrize(("text", "shape"), [("[]", "an array"), ('"x"', "a string")])
def test_non_object_document(text: str, shape: str) -> None:
    parsed = mcp.parse(".mcp.json", text, FileKind.MCP)
    assert parsed.observations == ()
    assert parsed.notifications == (
        Notification(
            "error",
            f".mcp.json: an MCP configuration must be a JSON object, found {shape}",
            ".mcp.json",
            1,
            "invalid-mcp-config",
        ),
    )
    assert parsed.facts["servers"] == []


def test_mcp_servers_that_is_not_an_object() -> None:
    parsed = mcp.parse(".mcp.json", '{\n  "mcpServers": ["a"]\n}', FileKind.MCP)
    assert [(o.name, o.value) for o in parsed.observations] == [("mcpServers", ["a"])]
    assert parsed.notifications == (
        Notification(
            "warning",
            ".mcp.json: mcpServers must be an object, found an array",
            ".mcp.json",
            2,
            "invalid-mcp-config",
        ),
    )
    assert parsed.facts["servers"] == []


def test_no_servers_and_odd_server_shapes() -> None:
    assert mcp.parse(".mcp.json", "{}", FileKind.MCP).observations == ()
    text = '{"mcpServers": {"x": {"env": ["A=1"], "headers": "h", "type": 5}, "y": {}}}'
    parsed = mcp.parse(".mcp.json", text, FileKind.MCP)
    assert [o.name for o in parsed.observations] == ["mcpServers", "mcpServers.x", "mcpServers.y"]
    assert parsed.facts["servers"] == [
        {"name": "x", "type": None, "url": None, "command": None, "line": 1, "column": 17},
        {"name": "y", "type": None, "url": None, "command": None, "line": 1, "column": 67},
    ]
