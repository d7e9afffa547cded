from __future__ import annotations

import pytest
from checks_support import brief, run

from scanner.checks.managed_paths import legacy_managed_path
from scanner.model import FileKind


@pytest.mark.parametrize(
    ("path", "legacy"),
    [
        ("ProgramData/ClaudeCode/managed-settings.json", True),
        ("deploy/win/programdata/claudecode/managed-settings.json", True),
        ("C:/ProgramData/ClaudeCode/managed-settings.json", True),
        ("C:\\ProgramData\\ClaudeCode\\managed-settings.d\\10-x.json", True),
        ("/mnt/c/ProgramData/ClaudeCode/managed-settings.d/20-y.json", True),
        ("Program Files/ClaudeCode/managed-settings.json", False),
        ("ProgramData/ClaudeCode/managed-mcp.json", False),
        ("MyProgramData/ClaudeCode/managed-settings.json", False),
        ("ProgramData/ClaudeCode/sub/managed-settings.json", False),
    ],
)
def test_legacy_path(path: str, legacy: bool) -> None:
    assert legacy_managed_path(path) is legacy


def test_file_and_dropin_fire_with_their_keys() -> None:
    found = run(
        "CCP504",
        {
            "win/ProgramData/ClaudeCode/managed-settings.json": (
                '{"a1": 1, "env": {"X": "1"}, "permissions": {"deny": []}, '
                '"b": 1, "c": 1, "d": 1, "e": 1, "f": 1}'
            ),
            "win/ProgramData/ClaudeCode/managed-settings.d/10-x.json": "{}",
            "win/Program Files/ClaudeCode/managed-settings.json": '{"env": {}}',
        },
    )
    assert brief(found) == [
        ("win/ProgramData/ClaudeCode/managed-settings.d/10-x.json", 1, 1, "file"),
        ("win/ProgramData/ClaudeCode/managed-settings.json", 1, 1, "file"),
    ]
    assert found[0].message == (
        "This managed settings drop-in is at the legacy Windows location C:\\ProgramData\\ClaudeCode\\, "
        "which Claude Code stopped reading in v2.1.75: nothing in it applies. Move it to "
        "C:\\Program Files\\ClaudeCode\\managed-settings.d and remove the old copy."
    )
    assert "none of its policy keys (a1, env, permissions, b, c, d and 2 more) apply" in found[1].message


def test_host_absolute_path_and_malformed_file() -> None:
    found = run(
        "CCP504",
        {"C:/ProgramData/ClaudeCode/managed-settings.json": "{not json"},
        kinds={"C:/ProgramData/ClaudeCode/managed-settings.json": FileKind.SETTINGS_MANAGED},
    )
    assert brief(found) == [("C:/ProgramData/ClaudeCode/managed-settings.json", 1, 1, "file")]
    assert "nothing in it applies" in found[0].message
