"""A macOS machine (fixtures/host/macos-conflicts): the managed-preferences plist beats the managed file.

- first-source-wins: the plist delivers policy keys, so managed-settings.json's own keys are ignored;
- its `env` still merges per variable (DISABLE_TELEMETRY from the file applies), and where both define a
  variable the plist, the higher source, wins, even with "" (DISABLE_ERROR_REPORTING);
- the per-user plist (/Library/Managed Preferences/dana/...) is read before the device one;
- the OAuth login of dana's personal account is reported by CCP308, without her e-mail address.
"""

from __future__ import annotations

import plistlib
import shutil
from pathlib import Path

from hostcheck import HOST_FIXTURES, env, rules, setting

from scanner.host.scan import HostOptions, read_host, scan_host
from scanner.ruleset import DEFAULT_PARAMS
from scanner.scan import ScanOptions

ROOT = str(HOST_FIXTURES / "macos-conflicts")
PLIST = "/Library/Managed Preferences/com.anthropic.claudecode.plist"
DANA_PLIST = "/Library/Managed Preferences/dana/com.anthropic.claudecode.plist"
FILE = "/Library/Application Support/ClaudeCode/managed-settings.json"
DROPIN = "/Library/Application Support/ClaudeCode/managed-settings.d/50-otel.json"
APPROVED = "0b9c6a44-7c1d-4e8f-9a2b-3c4d5e6f7a80"


def test_os_is_inferred_and_users_found() -> None:
    read = read_host(HostOptions(root=ROOT))
    assert read.fs.os_name == "macos"
    assert [(u.user.name, u.user.home, u.user.shell) for u in read.users] == [
        ("dana", "/Users/dana", "zsh"),
        ("erin", "/Users/erin", "zsh"),
    ]
    assert [c.id for c in read.contexts] == ["host:dana", "host:dana:/Users/dana/code/site", "host:erin"]


def test_plist_beats_file_and_env_merges_per_variable() -> None:
    contexts = {c.id: c for c in read_host(HostOptions(root=ROOT)).contexts}
    dana, site, erin = (
        contexts["host:dana"],
        contexts["host:dana:/Users/dana/code/site"],
        contexts["host:erin"],
    )
    assert dana.attributes["managed_source"] == "plist"
    assert setting(dana, "cleanupPeriodDays") == (
        2,
        [f"{DANA_PLIST}:5:7", f"{PLIST}:5:7", "/Users/dana/.claude/settings.json:2:3"],
        [f"{FILE}:2:3"],
    )
    assert setting(erin, "cleanupPeriodDays") == (5, [f"{PLIST}:5:7"], [f"{FILE}:2:3"])
    assert setting(dana, "forceLoginMethod") == (
        "claudeai",
        [f"{PLIST}:7:7", "/Users/dana/.claude/settings.json:3:3"],
        [f"{FILE}:3:3"],
    )
    assert setting(site, "permissions.deny") == (["WebFetch"], [f"{PLIST}:20:8"], [])
    assert env(dana, "DISABLE_TELEMETRY") == (
        "1",
        [f"{FILE}:5:5", "/Users/dana/.claude/settings.json:5:5"],
        [],
    )
    assert env(dana, "DISABLE_ERROR_REPORTING") == ("", [f"{PLIST}:15:8", f"{FILE}:6:5"], [])
    assert env(site, "OTEL_METRICS_EXPORTER") == (
        "otlp",
        [f"{DROPIN}:3:5", "/Users/dana/code/site/.claude/settings.json:4:5", "/Users/dana/.zshrc:1:8"],
        [],
    )


def test_exact_findings() -> None:
    params = {**DEFAULT_PARAMS, "approved_org_uuids": [APPROVED], "max_retention_days": 3}
    result = scan_host(
        HostOptions(root=ROOT), ScanOptions(rules=rules("CCP109", "CCP301", "CCP308"), params=params)
    )
    assert [
        (f.rule_id, f.location.path, f.location.line, f.location.column, f.context) for f in result.findings
    ] == [
        ("CCP301", PLIST, 5, 7, "host:erin"),
        ("CCP109", PLIST, 15, 8, ""),
        ("CCP308", "/Users/dana/.claude.json", 5, 5, "host:dana"),
    ]
    login = result.findings[2]
    assert login.message == (
        "User dana is signed in to Claude Code with an account of organisation "
        "f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9 (…@gmail.com's Organization), billing type "
        "stripe_subscription, "
        "which is not in approved_org_uuids: prompts and code go to Anthropic under that account's terms and "
        "retention, not the approved organisation's; the managed forceLoginOrgUUID "
        "(/Library/Managed Preferences/com.anthropic.claudecode.plist:9:7) will refuse it when Claude Code "
        "next "
        "starts."
    )
    assert [p.short() for p in login.provenance] == ["/Users/dana/.claude.json:2:3"]
    shown = repr((result.findings, result.notifications, result.contexts, result.extra))
    assert "dana@gmail.com" not in shown
    assert "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d" not in shown  # the account UUID is never kept


def test_binary_plist_is_read_without_locations(tmp_path: Path) -> None:
    root = tmp_path / "mac"
    shutil.copytree(ROOT, root)
    data = plistlib.dumps(
        {"cleanupPeriodDays": 4, "env": {"DISABLE_TELEMETRY": "1"}}, fmt=plistlib.FMT_BINARY
    )
    (root / "Library/Managed Preferences/dana/com.anthropic.claudecode.plist").write_bytes(data)
    dana = read_host(HostOptions(root=str(root))).contexts[0]
    assert setting(dana, "cleanupPeriodDays") == (
        4,
        [f"{DANA_PLIST}:1:1", f"{PLIST}:5:7", "/Users/dana/.claude/settings.json:2:3"],
        [f"{FILE}:2:3"],
    )
    assert env(dana, "DISABLE_TELEMETRY") == (
        "1",
        [f"{DANA_PLIST}:1:1", f"{FILE}:5:5", "/Users/dana/.claude/settings.json:5:5"],
        [],
    )
