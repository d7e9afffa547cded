from __future__ import annotations

import json

from checks_support import brief, run

from scanner.checks.mcp import approved

MCP = json.dumps(
    {
        "mcpServers": {
            "remote": {"type": "http", "url": "https://mcp.vendor.example/mcp"},
            "stream": {"url": "https://stream.vendor.example/x"},
            "sse": {"type": "sse", "url": "https://sse.ok.example.com/sse"},
            "local": {"command": "uvx", "args": ["srv"]},
            "_comment": "not a server",
        }
    },
    indent=1,
)


def test_remote_servers_enable_all_and_enabled_list() -> None:
    found = run(
        "CCP604",
        {
            ".mcp.json": MCP,
            ".claude/settings.json": json.dumps(
                {
                    "enableAllProjectMcpServers": True,
                    "enabledMcpjsonServers": ["remote", "local", "sse", "gone"],
                },
                indent=1,
            ),
        },
        params={"approved_mcp_servers": ["*.ok.example.com"]},
    )
    assert brief(found) == [
        (".claude/settings.json", 2, 2, "enableAllProjectMcpServers"),
        (".claude/settings.json", 3, 2, "enabledMcpjsonServers:remote"),
        (".mcp.json", 3, 3, "mcpServers.remote"),
        (".mcp.json", 7, 3, "mcpServers.stream"),
    ]
    assert found[1].message == (
        'enabledMcpjsonServers approves "remote", a remote MCP server at https://mcp.vendor.example/mcp '
        "that is not in approved_mcp_servers: Claude Code connects it without asking, and it receives the "
        "tool calls Claude makes to it and the data in them."
    )


def test_disabled_servers_and_untracked_local_are_silent() -> None:
    files = {
        ".mcp.json": json.dumps(
            {"mcpServers": {"remote": {"type": "http", "url": "https://mcp.vendor.example/m"}}}
        ),
        ".claude/settings.json": (
            '{"disabledMcpjsonServers": ["remote"], "enabledMcpjsonServers": ["remote"]}'
        ),
        ".claude/settings.local.json": '{"enableAllProjectMcpServers": true}',
    }
    assert run("CCP604", files, tracked=frozenset({".mcp.json", ".claude/settings.json"})) == []


def test_wrong_shapes_are_clean() -> None:
    files = {
        ".mcp.json": '{"mcpServers": ["a"]}',
        ".claude/settings.json": '{"enableAllProjectMcpServers": "true", "enabledMcpjsonServers": "remote"}',
    }
    assert run("CCP604", files) == []


def test_approved_patterns() -> None:
    assert approved("https://MCP.Example.com/mcp", ["https://mcp.example.com/*"])
    assert approved("https://a.example.com/mcp", ["*.example.com"])
    assert not approved("https://example.com.evil.net/mcp", ["*.example.com"])
    assert not approved("${URL}", ["*"])
    assert not approved("https://$HOST/mcp", ["*"])
    assert not approved("https://a.example.com/mcp", [])
