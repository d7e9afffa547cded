from __future__ import annotations

import codecs
from types import SimpleNamespace
from typing import Any

from scanner.host.registry import parse, parse_reg_export, read_live_environment, read_live_policy
from scanner.model import FileKind, ParsedFile

PATH = "C:/ccpolicy-registry/HKLM.reg"
V5 = "Windows Registry Editor Version 5.00\r\n\r\n"


def _obs(parsed: ParsedFile) -> list[tuple[str, str, object, int, int, str, tuple[str, ...]]]:
    return [
        (o.kind.value, o.name, o.value, o.location.line, o.location.column, o.value_kind.value, o.group)
        for o in parsed.observations
    ]


def test_reg_sz_policy_has_exact_columns_through_escapes() -> None:
    text = V5 + (
        "; exported by reg export\r\n"
        "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\ClaudeCode]\r\n"
        '"Settings"="{\\"env\\":{\\"HTTPS_PROXY\\":\\"http://p\\\\\\\\x\\"},\\"cleanupPeriodDays\\":7}"\r\n'
    )
    parsed = parse(PATH, text, FileKind.REGISTRY)
    assert parsed.notifications == ()
    assert parsed.facts == {
        "registry_format": "regedit5",
        "hives": ["HKLM"],
        "policy_hives": ["HKLM"],
        "invalid_policy": [],
    }
    assert _obs(parsed) == [
        ("setting", "env", {"HTTPS_PROXY": "http://p\\x"}, 5, 14, "literal", ("HKLM",)),
        ("env", "HTTPS_PROXY", "http://p\\x", 5, 23, "literal", ("HKLM",)),
        ("setting", "cleanupPeriodDays", 7, 5, 58, "literal", ("HKLM",)),
    ]
    line = text.split("\r\n")[4]
    assert line[13:15] == '\\"' and line[22:24] == '\\"'  # each key points at its escaped opening quote
    assert line[57:76] == '\\"cleanupPeriodDays'
    assert line[55] == "}"
    env = parsed.observations[1]
    assert (env.location.end_line, env.location.end_column) == (
        5,
        56,
    )  # exclusive: the "}" after the closing quote


def test_utf16_export_with_hex_expand_sz_and_environment() -> None:
    settings = '{"forceLoginMethod":"claudeai"}'.encode("utf-16-le") + b"\x00\x00"
    hexed = ",".join(f"{b:02x}" for b in settings)
    half = len(hexed) // 2 - (len(hexed) // 2) % 3
    body = (
        "[HKEY_CURRENT_USER\\Software\\Policies\\ClaudeCode]\r\n"
        f'"Settings"=hex(2):{hexed[:half]}\\\r\n  {hexed[half:]}\r\n\r\n'
        "[HKEY_CURRENT_USER\\Environment]\r\n"
        '"DO_NOT_TRACK"="1"\r\n'
        '"CLAUDE_CONFIG_DIR"=hex(2):25,00,55,00,53,00,45,00,52,00,50,00,52,00,4f,00,46,00,49,00,4c,00,45,00,25,00,'
        "00,00\r\n"
        '"Size"=dword:0000000a\r\n'
        '"Deleted"=-\r\n'
        "[-HKEY_CURRENT_USER\\Software\\Old]\r\n"
        '"Ignored"="x"\r\n'
    )
    data = codecs.BOM_UTF16_LE + (V5 + body).encode("utf-16-le")
    from scanner.discovery.read import decode_bytes

    text, note = decode_bytes(data, "C:/x/HKCU-alice.reg")
    assert note is None and text is not None
    parsed = parse("C:/x/HKCU-alice.reg", text, FileKind.REGISTRY)
    assert parsed.facts["hives"] == ["HKCU"]
    assert _obs(parsed) == [
        ("env", "DO_NOT_TRACK", "1", 8, 1, "literal", ("HKCU", "Environment")),
        ("env", "CLAUDE_CONFIG_DIR", "%USERPROFILE%", 9, 1, "reference", ("HKCU", "Environment")),
        ("setting", "forceLoginMethod", "claudeai", 4, 1, "literal", ("HKCU",)),
    ]


def test_regedit4_and_export_level_parse() -> None:
    export = parse_reg_export(
        PATH,
        "REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\ClaudeCode]\n"
        '@="default"\n"Multi"=hex(7):61,00,62,00,00\n"Q"=hex(b):01,00,00,00,00,00,00,00\n',
    )
    assert export.format == "regedit4"
    assert [(v.name, v.type, v.data, v.line) for v in export.values] == [
        ("", "REG_SZ", "default", 4),
        ("Multi", "REG_MULTI_SZ", ("a", "b"), 5),
        ("Q", "REG_QWORD", 1, 6),
    ]


def test_bad_exports_are_notifications() -> None:
    missing = parse(PATH, "[HKEY_LOCAL_MACHINE\\X]\n", FileKind.REGISTRY)
    assert [(n.descriptor, n.line) for n in missing.notifications] == [("parse-error", 1)]
    junk = parse(
        PATH,
        V5 + "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\ClaudeCode]\r\n"
        '"Settings"="[1]"\r\nnot a value\r\n"Other"=hex:zz\r\n',
        FileKind.REGISTRY,
    )
    assert sorted((n.descriptor, n.line, n.message) for n in junk.notifications) == [
        (
            "invalid-settings",
            4,
            f"{PATH}: HKLM\\SOFTWARE\\Policies\\ClaudeCode\\Settings must be a JSON object, "
            "found an array; it contributes nothing",
        ),
        ("parse-error", 5, f"{PATH}: 2 line(s) are not registry entries and were skipped (line 5, 6)"),
    ]
    assert junk.facts["invalid_policy"] == ["HKLM"]
    comments = parse(
        PATH,
        V5 + '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\ClaudeCode]\r\n"Settings"="{/* c */ \\"a\\": 1}"\r\n',
        FileKind.REGISTRY,
    )
    assert comments.observations == ()
    assert comments.notifications[0].message == (
        f"{PATH}: HKLM\\SOFTWARE\\Policies\\ClaudeCode\\Settings is not valid JSON (comment (not allowed "
        "in strict "
        "JSON)); it contributes nothing"
    )


class _FakeKey:
    def __init__(self, values: dict[str, tuple[Any, int]]) -> None:
        self.values = values


def _fake_winreg(tree: dict[tuple[str, str], dict[str, tuple[Any, int]]]) -> Any:
    def open_key(root: str, subkey: str, reserved: int, access: int) -> _FakeKey:
        if (root, subkey) not in tree:
            raise OSError("no key")
        return _FakeKey(tree[(root, subkey)])

    def query(key: _FakeKey, name: str) -> tuple[Any, int]:
        if name not in key.values:
            raise OSError("no value")
        return key.values[name]

    def enum(key: _FakeKey, index: int) -> tuple[str, Any, int]:
        items = sorted(key.values.items())
        if index >= len(items):
            raise OSError("no more")
        name, (data, kind) = items[index]
        return name, data, kind

    return SimpleNamespace(
        HKEY_LOCAL_MACHINE="HKLM",
        HKEY_CURRENT_USER="HKCU",
        KEY_READ=1,
        KEY_WOW64_64KEY=256,
        REG_SZ=1,
        REG_EXPAND_SZ=2,
        REG_DWORD=4,
        OpenKey=open_key,
        QueryValueEx=query,
        EnumValue=enum,
        CloseKey=lambda key: None,
    )


def test_live_registry_through_winreg() -> None:
    reg = _fake_winreg(
        {
            ("HKLM", "SOFTWARE\\Policies\\ClaudeCode"): {"Settings": ('{"cleanupPeriodDays": 5}', 1)},
            ("HKCU", "SOFTWARE\\Policies\\ClaudeCode"): {"Settings": (1, 4)},
            ("HKCU", "Environment"): {
                "DO_NOT_TRACK": ("1", 1),
                "Path": ("%USERPROFILE%\\bin", 2),
                "N": (3, 4),
            },
        }
    )
    hklm = read_live_policy("HKLM", reg)
    assert hklm is not None
    assert hklm.path == "HKLM/SOFTWARE/Policies/ClaudeCode"
    assert _obs(hklm) == [("setting", "cleanupPeriodDays", 5, 1, 2, "literal", ("HKLM",))]
    hkcu = read_live_policy("HKCU", reg)
    assert hkcu is not None and hkcu.observations == ()
    assert hkcu.facts["invalid_policy"] == ["HKCU"]
    assert hkcu.notifications[0].message == (
        "HKCU/SOFTWARE/Policies/ClaudeCode\\Settings is not a string value; it contributes nothing"
    )
    env = read_live_environment("HKCU", reg)
    assert env is not None
    assert _obs(env) == [
        ("env", "DO_NOT_TRACK", "1", 1, 1, "literal", ("HKCU", "Environment")),
        ("env", "Path", "%USERPROFILE%\\bin", 2, 1, "dynamic", ("HKCU", "Environment")),
    ]
    assert read_live_environment("HKLM", reg) is None
    assert read_live_policy("HKLM", _fake_winreg({})) is None
