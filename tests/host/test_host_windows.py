"""A Windows image (fixtures/host/windows-conflicts) with the registry policy exported to .reg files.

- HKLM (a UTF-16 `reg export`) beats C:\\Program Files\\ClaudeCode\\managed-settings.json and its drop-in;
- the file's env still applies per variable (DISABLE_TELEMETRY), HKLM's wins where both set one;
- HKCU (frank's export, grace's REGEDIT4 hex(2) export) is ignored while HKLM delivers a policy key, and
  is the managed source when nothing else delivers one;
- the legacy C:\\ProgramData file is discovered, reported (CCP504) and never applied;
- registry environment (HKCU over HKLM) sits below the PowerShell profiles (pwsh 7 is installed).
"""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

from hostcheck import HOST_FIXTURES, env, rules, setting

from scanner.contexts.model import Context, LayerKind
from scanner.host.scan import HostOptions, read_host, scan_host
from scanner.ruleset import DEFAULT_PARAMS
from scanner.scan import ScanOptions

ROOT = str(HOST_FIXTURES / "windows-conflicts")
HKLM = "C:/ccpolicy-registry/HKLM.reg"
HKCU_FRANK = "C:/ccpolicy-registry/HKCU-frank.reg"
HKCU_GRACE = "C:/Windows/ccpolicy-exports/HKCU-grace.reg"
FILE = "C:/Program Files/ClaudeCode/managed-settings.json"
DROPIN = "C:/Program Files/ClaudeCode/managed-settings.d/50-login.json"
LEGACY = "C:/ProgramData/ClaudeCode/managed-settings.json"
FRANK = "C:/Users/frank/.claude/settings.json"
TOOL = "C:/Users/frank/src/tool/.claude/settings.json"


def _contexts(root: str = ROOT) -> dict[str, Context]:
    return {c.id: c for c in read_host(HostOptions(root=root)).contexts}


def test_layout_users_and_projects() -> None:
    read = read_host(HostOptions(root=ROOT))
    assert read.fs.os_name == "windows"
    assert [(u.user.name, u.user.home, u.user.shell) for u in read.users] == [
        ("frank", "C:/Users/frank", "pwsh"),
        ("grace", "C:/Users/grace", "pwsh"),
    ]
    # the project key in ~/.claude.json is written with backslashes
    assert [c.id for c in read.contexts] == ["host:frank", "host:frank:C:/Users/frank/src/tool", "host:grace"]
    assert read.inputs.notifications == ()


def test_hklm_beats_file_and_hkcu_is_ignored() -> None:
    contexts = _contexts()
    frank, tool, grace = (
        contexts["host:frank"],
        contexts["host:frank:C:/Users/frank/src/tool"],
        contexts["host:grace"],
    )
    assert frank.attributes["managed_source"] == "HKLM"
    assert setting(frank, "cleanupPeriodDays") == (
        10,
        [f"{HKLM}:4:14", f"{FRANK}:2:3"],
        [f"{FILE}:2:3", f"{HKCU_FRANK}:4:14"],
    )
    assert setting(tool, "cleanupPeriodDays") == (
        10,
        [f"{HKLM}:4:14", f"{TOOL}:2:3", f"{FRANK}:2:3"],
        [f"{FILE}:2:3", f"{HKCU_FRANK}:4:14"],
    )
    assert setting(frank, "forceLoginMethod") == ("claudeai", [f"{HKLM}:4:39"], [f"{DROPIN}:2:3"])
    assert env(frank, "OTEL_METRICS_EXPORTER") == (
        "none",
        [f"{HKLM}:4:82", f"{FILE}:5:5", f"{FRANK}:4:5"],
        [],
    )
    assert env(frank, "DISABLE_TELEMETRY") == ("1", [f"{FILE}:4:5"], [])
    assert env(frank, "DISABLE_ERROR_REPORTING") == (None, [], [f"{HKCU_FRANK}:4:48"])
    assert env(frank, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC") == (None, [], [f"{LEGACY}:3:5"])
    # grace's REGEDIT4 export stores the JSON as hex: every key points at the value name
    assert setting(grace, "cleanupPeriodDays") == (10, [f"{HKLM}:4:14"], [f"{FILE}:2:3", f"{HKCU_GRACE}:4:1"])
    legacy = [layer for layer in frank.layers if layer.paths == (LEGACY,)]
    assert [(layer.in_effect, layer.why_not_in_effect) for layer in legacy] == [
        (
            False,
            "C:\\ProgramData\\ClaudeCode\\managed-settings.json is no longer read (removed in Claude Code "
            "2.1.75); the policy belongs in C:\\Program Files\\ClaudeCode",
        )
    ]


def test_registry_environment_and_powershell_profiles() -> None:
    contexts = _contexts()
    frank, tool = contexts["host:frank"], contexts["host:frank:C:/Users/frank/src/tool"]
    assert [layer.label for layer in frank.layers if layer.kind is LayerKind.SHELL] == [
        "C:/Users/frank/Documents/PowerShell/Microsoft.PowerShell_profile.ps1",
        "C:/Program Files/PowerShell/7/profile.ps1",
        f"HKCU\\Environment ({HKCU_FRANK})",
        f"HKLM\\Environment ({HKLM})",
    ]
    assert env(frank, "DO_NOT_TRACK") == ("0", [f"{HKCU_FRANK}:8:1", f"{HKLM}:7:1"], [])
    assert env(frank, "ANTHROPIC_MODEL") == (
        "claude-from-profile",
        ["C:/Users/frank/Documents/PowerShell/Microsoft.PowerShell_profile.ps1:2:6", f"{HKCU_FRANK}:7:1"],
        [],
    )
    assert env(tool, "ANTHROPIC_MODEL")[0] == "claude-from-project"  # settings env above the shell
    assert env(frank, "CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY") == (
        "1",
        ["C:/Program Files/PowerShell/7/profile.ps1:2:6"],
        [],
    )


def test_exact_findings() -> None:
    params = {**DEFAULT_PARAMS, "max_retention_days": 3}
    result = scan_host(
        HostOptions(root=ROOT), ScanOptions(rules=rules("CCP107", "CCP301", "CCP504"), params=params)
    )
    assert [
        (f.rule_id, f.location.path, f.location.line, f.location.column, f.context) for f in result.findings
    ] == [
        ("CCP504", LEGACY, 1, 1, ""),
        ("CCP107", HKCU_FRANK, 8, 1, ""),
        ("CCP301", HKLM, 4, 14, "host:frank"),
        ("CCP301", HKLM, 4, 14, "host:frank:C:/Users/frank/src/tool"),
        ("CCP301", HKLM, 4, 14, "host:grace"),
    ]
    tool = result.findings[3]
    assert tool.message.startswith("In user frank, project C:/Users/frank/src/tool,")
    assert [p.short() for p in tool.provenance] == [
        f"{TOOL}:2:3",
        f"{FRANK}:2:3",
        f"{FILE}:2:3",
        f"{HKCU_FRANK}:4:14",
    ]


def _only_hkcu(tmp_path: Path) -> str:
    root = tmp_path / "win"
    shutil.copytree(ROOT, root)
    shutil.rmtree(root / "Program Files" / "ClaudeCode")
    (root / "ccpolicy-registry" / "HKLM.reg").unlink()
    return str(root)


def test_hkcu_is_the_managed_source_when_nothing_else_delivers(tmp_path: Path) -> None:
    contexts = _contexts(_only_hkcu(tmp_path))
    frank, grace = contexts["host:frank"], contexts["host:grace"]
    assert frank.attributes["managed_source"] == "HKCU"
    assert setting(frank, "cleanupPeriodDays") == (99, [f"{HKCU_FRANK}:4:14", f"{FRANK}:2:3"], [])
    assert env(frank, "DISABLE_ERROR_REPORTING") == ("1", [f"{HKCU_FRANK}:4:48"], [])
    assert setting(grace, "cleanupPeriodDays") == (77, [f"{HKCU_GRACE}:4:1"], [])
    assert env(grace, "DISABLE_TELEMETRY") == ("1", [f"{HKCU_GRACE}:4:1"], [])


def test_hklm_with_only_wsl_inherit_key_does_not_deliver(tmp_path: Path) -> None:
    root = Path(_only_hkcu(tmp_path))
    text = (
        "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\ClaudeCode]\r\n"
        '"Settings"="{\\"wslInheritsWindowsSettings\\":true}"\r\n'
    )
    (root / "ccpolicy-registry" / "HKLM.reg").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    frank = _contexts(str(root))["host:frank"]
    assert frank.attributes["managed_source"] == "HKCU"
    assert setting(frank, "wslInheritsWindowsSettings") == (True, [f"{HKLM}:4:14"], [])
