from __future__ import annotations

import pytest
from checks_support import brief, run

from scanner.checks.project_config import settings_scope
from scanner.model import FileKind


def test_each_scope_class() -> None:
    found = run(
        "CCP505",
        {
            ".claude/settings.json": (
                '{"allowManagedMcpServersOnly": true,\n "syncClaudeAiSkills": false,\n "pluginConfigs": {},\n'
                ' "autoConnectIde": true,\n "forceLoginGatewayUrl": "https://g",\n "forceLoginOrgUUID": "x"}'
            ),
            ".claude/settings.local.json": (
                '{"syncClaudeAiSkills": false, "autoMode": {"classifyAllShell": true}}'
            ),
            "managed-settings.json": '{"allowManagedMcpServersOnly": true, "teammateDefaultModel": "x"}',
        },
    )
    assert brief(found) == [
        (".claude/settings.json", 1, 2, "allowManagedMcpServersOnly"),
        (".claude/settings.json", 2, 2, "syncClaudeAiSkills"),
        (".claude/settings.json", 3, 2, "pluginConfigs"),
        (".claude/settings.json", 4, 2, "autoConnectIde"),
        (".claude/settings.local.json", 1, 31, "autoMode"),
        ("managed-settings.json", 1, 38, "teammateDefaultModel"),
    ]
    assert found[1].message == (
        "syncClaudeAiSkills is honoured only from user, local or managed settings; Claude Code ignores it in "
        "the shared project settings, so what it sets is not in force."
    )
    assert found[4].message == (
        "autoMode is honoured only from user or managed settings; Claude Code ignores it in local project "
        "settings, so what it sets is not in force."
    )


def test_user_settings_and_unknown_inert_scope() -> None:
    found = run(
        "CCP505",
        {
            "claude/settings.json": '{"claudeMd": "x", "processWrapper": "w"}',
            "images/claude-settings.json": '{"claudeMd": "x", "diffTool": "auto"}',
        },
    )
    assert brief(found) == [
        ("claude/settings.json", 1, 2, "claudeMd"),
        ("images/claude-settings.json", 1, 19, "diffTool"),
    ]
    assert found[0].message.endswith(
        "Claude Code ignores it in user settings, so what it sets is not in force."
    )


def test_wrong_types_and_broken_files_do_not_raise() -> None:
    assert run("CCP505", {".claude/settings.json": "[1, 2]"}) == []
    assert brief(run("CCP505", {".claude/settings.json": '{"claudeMd": '})) == []
    assert brief(run("CCP505", {".claude/settings.json": '{"claudeMd": 3, "x": '})) == [
        (".claude/settings.json", 1, 2, "claudeMd")
    ]


@pytest.mark.parametrize(
    ("path", "kind", "scope"),
    [
        (".claude/settings.json", FileKind.SETTINGS_PROJECT, "project"),
        ("x/.claude/settings.json.example", FileKind.SETTINGS_INERT, "project"),
        (".claude/settings.local.json.bak", FileKind.SETTINGS_INERT, "local"),
        ("dot_claude/settings.json.tmpl", FileKind.SETTINGS_INERT, "user"),
        ("managed-settings.json.example", FileKind.SETTINGS_INERT, "managed"),
        ("managed-settings.d/.hidden.json", FileKind.SETTINGS_INERT, "managed"),
        ("images/claude-settings.json", FileKind.SETTINGS_INERT, None),
        ("~/.claude/remote-settings.json", FileKind.SETTINGS_REMOTE, "managed"),
    ],
)
def test_settings_scope(path: str, kind: FileKind, scope: str | None) -> None:
    assert settings_scope(path, kind) == scope
