from __future__ import annotations

from checks_support import brief, run


def test_bypass_mode_prompt_skip_and_managed_without_lock() -> None:
    found = run(
        "CCP605",
        {
            "dot_claude/settings.json": '{"permissions": {"defaultMode": "bypassPermissions"}, '
            '"skipDangerousModePermissionPrompt": true}',
            ".claude/settings.json": '{"skipDangerousModePermissionPrompt": true}',
            "managed-settings.json": '{"permissions": {"deny": []}}',
        },
    )
    assert brief(found) == [
        ("dot_claude/settings.json", 1, 18, "permissions.defaultMode"),
        ("dot_claude/settings.json", 1, 55, "skipDangerousModePermissionPrompt"),
        ("managed-settings.json", 1, 2, "permissions.disableBypassPermissionsMode"),
    ]
    assert found[2].context == "managed:managed-settings.json"
    assert found[2].message == (
        "The managed policy managed-settings.json does not set permissions.disableBypassPermissionsMode to "
        '"disable": developers can still start Claude Code with --dangerously-skip-permissions or switch to '
        "bypassPermissions mode, where nothing asks before a command runs."
    )


def test_dropin_lock_counts_and_same_file_lock_wins() -> None:
    files = {
        "p/managed-settings.json": "{}",
        "p/managed-settings.d/10-lock.json": '{"permissions": {"disableBypassPermissionsMode": "disable"}}',
        ".claude/settings.json": '{"permissions": {"defaultMode": "bypassPermissions", '
        '"disableBypassPermissionsMode": "disable"}}',
    }
    assert run("CCP605", files) == []


def test_managed_without_permissions_points_at_the_anchor() -> None:
    found = run("CCP605", {"managed-settings.json": '{\n "env": {"A": "1"}\n}'})
    assert brief(found) == [("managed-settings.json", 2, 2, "permissions.disableBypassPermissionsMode")]
    found = run("CCP605", {"managed-settings.json": "[]"})
    assert brief(found) == [("managed-settings.json", 1, 1, "permissions.disableBypassPermissionsMode")]
