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


def test_wildcard_allowlist_in_any_settings_file() -> None:
    found = run(
        "CCP604",
        {
            "managed-settings.json": (
                '{"allowedMcpServers": [{"serverUrl": "https://*.example.com/*"}, {"serverUrl": "*"}]}'
            ),
            "dot_claude/settings.json": '{"allowedMcpServers": [{"serverUrl": "https://mcp.example.com/*"}]}',
            ".claude/settings.json": '{"allowedMcpServers": "*"}',
        },
    )
    assert brief(found) == [("managed-settings.json", 1, 2, "allowedMcpServers")]
    assert found[0].message.startswith(
        'allowedMcpServers admits {"serverUrl": "*"}, which matches every remote MCP server: the allowlist'
    )


def test_matches_any_host() -> None:
    from scanner.checks.mcp import matches_any_host

    assert matches_any_host("*")
    assert matches_any_host("*://*")
    assert matches_any_host("https://*")
    assert not matches_any_host("http://*")
    assert not matches_any_host("https://*.example.com/*")
