"""Broken files in every location (fixtures/host/broken-files, plus link loops and a FIFO made at run time):
each one is a notification, the rest of the machine is still audited, nothing crashes or leaks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hostcheck import env, make_broken_roots, setting

from scanner.host.scan import HostOptions, read_host, scan_host
from scanner.ruleset import preset_ruleset
from scanner.scan import ScanOptions


def _notes(result_notes: object) -> list[tuple[str, str | None, str]]:
    assert isinstance(result_notes, tuple)
    return sorted({(n.descriptor, n.path, n.level) for n in result_notes})


def _strict(root: Path, os_name: str) -> object:
    ruleset = preset_ruleset("strict")
    return scan_host(
        HostOptions(root=str(root), os_name=os_name), ScanOptions(rules=ruleset.rules, params=ruleset.params)
    )


def test_linux_every_location_broken(tmp_path: Path) -> None:
    root = make_broken_roots(tmp_path) / "linux"
    result = _strict(root, "linux")
    assert _notes(result.notifications) == [  # type: ignore[attr-defined]
        ("binary", "/etc/claude-code/managed-settings.d/10-binary.json", "note"),
        ("binary", "/etc/environment", "note"),
        ("binary", "/home/dave/.claude/remote-settings.json", "note"),
        ("encoding", "/etc/claude-code/managed-settings.d/20-latin1.json", "note"),
        ("encoding", "/etc/profile", "note"),
        ("invalid-mcp-config", "/etc/claude-code/managed-mcp.json", "warning"),
        ("invalid-settings", "/etc/claude-code/managed-settings.d/30-array.json", "error"),
        ("not-regular-file", "/home/dave/.bashrc", "warning"),
        ("parse-error", "/etc/claude-code/managed-mcp.json", "error"),
        ("parse-error", "/etc/claude-code/managed-settings.json", "error"),
        ("parse-error", "/home/dave/.profile", "warning"),
        ("symlink-loop", "/etc/claude-code/managed-settings.d/40-loop.json", "warning"),
        ("symlink-loop", "/etc/claude-code/managed-settings.d/41-loop.json", "warning"),
        ("symlink-loop", "/etc/profile.d", "warning"),
        ("symlink-loop", "/home/erin", "warning"),
        ("unexpected-shape", "/home/dave/.claude.json", "warning"),
    ]
    shapes = sorted(n.message for n in result.notifications if n.descriptor == "unexpected-shape")  # type: ignore[attr-defined]
    assert shapes == [
        "/home/dave/.claude.json: customApiKeyResponses.approved is a string, expected an array (the "
        "format is "
        "undocumented and may have changed); skipped",
        "/home/dave/.claude.json: mcpServers is a number, expected an object (the format is undocumented "
        "and may "
        "have changed); skipped",
        "/home/dave/.claude.json: oauthAccount is a string, expected an object (the format is undocumented "
        "and "
        "may have changed); skipped",
        "/home/dave/.claude.json: projects is an array, expected an object (the format is undocumented and "
        "may "
        "have changed); skipped",
    ]
    shown = repr((result.findings, result.notifications))  # type: ignore[attr-defined]
    assert "dave@example.com" not in shown
    assert "sk-ant-api03-notalist" not in shown


def test_linux_broken_managed_file_contributes_nothing(tmp_path: Path) -> None:
    root = make_broken_roots(tmp_path) / "linux"
    read = read_host(HostOptions(root=str(root), os_name="linux"))
    (dave,) = read.contexts
    assert dave.id == "host:dave"
    # the truncated managed-settings.json and dave's rejected settings.json count for nothing
    assert setting(dave, "cleanupPeriodDays") == (
        None,
        [],
        ["/etc/claude-code/managed-settings.json:2:3", "/home/dave/.claude/settings.json:2:3"],
    )
    assert env(dave, "DISABLE_TELEMETRY") == (
        None,
        [],
        ["/etc/claude-code/managed-settings.json:4:5", "/home/dave/.claude/settings.json:4:5"],
    )
    # the Latin-1 drop-in is still read
    assert env(dave, "ANTHROPIC_MODEL") == (
        "café",
        ["/etc/claude-code/managed-settings.d/20-latin1.json:3:5"],
        [],
    )
    assert dave.attributes["managed_source"] == "file + drop-ins"


def test_macos_invalid_plists_fall_back_to_the_file(tmp_path: Path) -> None:
    root = make_broken_roots(tmp_path) / "macos"
    read = read_host(HostOptions(root=str(root)))
    (zoe,) = read.contexts
    assert zoe.attributes["managed_source"] == "file"
    assert setting(zoe, "cleanupPeriodDays") == (
        9,
        ["/Library/Application Support/ClaudeCode/managed-settings.json:2:3"],
        [],
    )
    notes = sorted((n.path, n.message) for f in read.inputs.files for n in f.notifications)
    assert notes == [
        (
            "/Library/Managed Preferences/com.anthropic.claudecode.plist",
            "/Library/Managed Preferences/com.anthropic.claudecode.plist is not a valid property list "
            "(ExpatError); "
            "it contributes nothing",
        ),
        (
            "/Library/Managed Preferences/zoe/com.anthropic.claudecode.plist",
            "/Library/Managed Preferences/zoe/com.anthropic.claudecode.plist is not a valid property list "
            "(InvalidFileException); it contributes nothing",
        ),
        (
            "/Users/zoe/.claude.json",
            "/Users/zoe/.claude.json is nested too deeply to read: nesting deeper than 128 levels at line "
            "1 column 641",
        ),
    ]


def test_windows_broken_registry_exports(tmp_path: Path) -> None:
    root = make_broken_roots(tmp_path) / "windows"
    read = read_host(HostOptions(root=str(root)))
    (yan,) = read.contexts
    assert yan.attributes["managed_source"] == "file"
    assert setting(yan, "cleanupPeriodDays") == (
        12,
        ["C:/Program Files/ClaudeCode/managed-settings.json:2:3"],
        [],
    )
    # Windows PowerShell 5.1 (no pwsh installed), a UTF-16 profile
    assert yan.attributes["shell"] == "powershell"
    assert env(yan, "DISABLE_TELEMETRY") == (
        "1",
        ["C:/Users/yan/Documents/WindowsPowerShell/Microsoft.PowerShell_profile.ps1:1:6"],
        [],
    )
    notes = sorted(
        (n.path, n.message)
        for n in (*read.inputs.notifications, *(x for f in read.inputs.files for x in f.notifications))
    )
    assert notes == [
        (
            "C:/ccpolicy-registry/HKCU-yan.reg",
            "C:/ccpolicy-registry/HKCU-yan.reg: 1 line(s) are not registry entries and were skipped (line 5)",
        ),
        (
            "C:/ccpolicy-registry/HKCU-yan.reg",
            "C:/ccpolicy-registry/HKCU-yan.reg: HKCU\\SOFTWARE\\Policies\\ClaudeCode\\Settings is not "
            "valid JSON "
            "(trailing comma (not allowed in strict JSON)); it contributes nothing",
        ),
        (
            "C:/ccpolicy-registry/HKLM-dword.reg",
            "C:/ccpolicy-registry/HKLM-dword.reg: HKLM\\SOFTWARE\\Policies\\ClaudeCode\\Settings is "
            "REG_DWORD, not a "
            "JSON string; it contributes nothing",
        ),
        (
            "C:/ccpolicy-registry/HKLM.reg",
            'C:/ccpolicy-registry/HKLM.reg is not a registry export (no "Windows Registry Editor Version '
            '5.00" or '
            '"REGEDIT4" header); not read',
        ),
        (
            "C:/ccpolicy-registry/orphan.reg",
            "C:/ccpolicy-registry/orphan.reg holds HKEY_CURRENT_USER entries but its name does not say "
            "whose (name it "
            "HKCU-<user>.reg); they are ignored",
        ),
    ]


def test_links_never_leave_the_root(tmp_path: Path) -> None:
    root = make_broken_roots(tmp_path) / "linux"
    outside = tmp_path / "outside.json"
    outside.write_text('{"cleanupPeriodDays": 1234}', encoding="utf-8")
    settings = root / "home" / "dave" / ".claude" / "settings.json"
    settings.unlink()
    # relative and absolute links resolve inside the audited root, as on the audited machine
    os.symlink("../" * 12 + str(outside).lstrip("/"), settings)
    (dave,) = read_host(HostOptions(root=str(root), os_name="linux")).contexts
    assert setting(dave, "cleanupPeriodDays")[0] is None
    settings.unlink()
    (root / "etc" / "dave.json").write_text('{"cleanupPeriodDays": 8}', encoding="utf-8")
    os.symlink("/etc/dave.json", settings)
    (dave,) = read_host(HostOptions(root=str(root), os_name="linux")).contexts
    assert setting(dave, "cleanupPeriodDays") == (
        8,
        ["/home/dave/.claude/settings.json:1:2"],
        ["/etc/claude-code/managed-settings.json:2:3"],
    )


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_unreadable_files_and_homes(tmp_path: Path) -> None:
    root = make_broken_roots(tmp_path) / "linux"
    settings = root / "home" / "dave" / ".claude" / "settings.json"
    settings.chmod(0)
    try:
        read = read_host(HostOptions(root=str(root), os_name="linux"))
    finally:
        settings.chmod(0o644)
    assert ("unreadable", "/home/dave/.claude/settings.json") in {
        (n.descriptor, n.path) for n in read.inputs.notifications
    }
