from __future__ import annotations

import datetime
import plistlib

from scanner.host.plist import parse, parse_bytes
from scanner.model import FileKind, ObservationKind, ParsedFile, ValueKind

PATH = "/Library/Managed Preferences/com.anthropic.claudecode.plist"
XML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <!-- <key>commented</key><string>out</string> -->
  <key>cleanupPeriodDays</key>
  <integer>7</integer>
  <key>permissions</key>
  <dict>
    <key>deny</key>
    <array>
      <dict><key>inArray</key><true/></dict>
      <string>WebFetch</string>
    </array>
    <key>defaultMode</key>
    <string>plan</string>
  </dict>
  <key>env</key>
  <dict>
    <key>DISABLE_TELEMETRY</key>
    <string>1</string>
    <key>A&amp;B</key>
    <integer>1</integer>
  </dict>
  <key>note</key><string><![CDATA[<key>fake</key>]]></string>
  <key>sandbox</key><dict><key>enabled</key><false/></dict>
</dict>
</plist>
"""


def _seen(parsed: ParsedFile) -> list[tuple[str, str, object, int, int, str]]:
    return [
        (o.kind.value, o.name, o.value, o.location.line, o.location.column, o.value_kind.value)
        for o in parsed.observations
    ]


def test_xml_plist_observations_have_key_locations() -> None:
    parsed = parse(PATH, XML, FileKind.PLIST)
    assert parsed.notifications == ()
    assert parsed.facts == {"valid_plist": True, "plist_format": "xml"}
    assert _seen(parsed) == [
        ("setting", "cleanupPeriodDays", 7, 6, 8, "literal"),
        (
            "setting",
            "permissions",
            {"deny": [{"inArray": True}, "WebFetch"], "defaultMode": "plan"},
            8,
            8,
            "literal",
        ),
        ("setting", "permissions.deny", [{"inArray": True}, "WebFetch"], 10, 10, "literal"),
        ("setting", "permissions.defaultMode", "plan", 15, 10, "literal"),
        ("setting", "env", {"DISABLE_TELEMETRY": "1", "A&B": 1}, 18, 8, "literal"),
        ("env", "DISABLE_TELEMETRY", "1", 20, 10, "literal"),
        ("env", "A&B", 1, 22, 10, "non-string"),
        ("setting", "note", "<key>fake</key>", 25, 8, "literal"),
        ("setting", "sandbox", {"enabled": False}, 26, 8, "literal"),
        ("setting", "sandbox.enabled", False, 26, 32, "literal"),
    ]


def test_binary_plist_points_at_the_file_start() -> None:
    data = plistlib.dumps(
        {"env": {"DO_NOT_TRACK": "1"}, "when": datetime.datetime(2026, 1, 2, 3, 4, 5), "blob": b"\x00"},
        fmt=plistlib.FMT_BINARY,
    )
    parsed = parse_bytes(PATH, data)
    assert parsed.facts == {"valid_plist": True, "plist_format": "binary"}
    assert _seen(parsed) == [
        ("setting", "env", {"DO_NOT_TRACK": "1"}, 1, 1, "literal"),
        ("env", "DO_NOT_TRACK", "1", 1, 1, "literal"),
        ("setting", "when", "2026-01-02T03:04:05", 1, 1, "literal"),
    ]
    assert [(n.level, n.message) for n in parsed.notifications] == [
        ("warning", f"{PATH}: blob holds binary <data>, which is not a settings value; ignored")
    ]
    assert parsed.text is None


def test_malformed_and_hostile_plists_are_notifications() -> None:
    broken = parse_bytes(PATH, b"<plist><dict><key>a</key><integer>1</dict>")
    assert broken.observations == ()
    assert broken.facts == {"valid_plist": False, "plist_format": "xml"}
    assert [(n.descriptor, n.message) for n in broken.notifications] == [
        ("parse-error", f"{PATH} is not a valid property list (ExpatError); it contributes nothing")
    ]
    entity = (
        b'<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "x">]><plist><dict><key>k</key>'
        b"<string>&a;</string></dict></plist>"
    )
    refused = parse_bytes(PATH, entity)
    assert refused.observations == ()
    assert refused.notifications[0].message == (
        f"{PATH} is not a valid property list (InvalidFileException); it contributes nothing"
    )
    garbage = parse_bytes(PATH, b"bplist00\x00\x01")
    assert garbage.facts == {"valid_plist": False, "plist_format": "binary"}
    array = parse_bytes(PATH, plistlib.dumps([1, 2]))
    assert [(n.descriptor, n.message) for n in array.notifications] == [
        ("invalid-settings", f"{PATH}: a managed-preferences plist must be a dictionary, found an array")
    ]


def test_deep_nesting_is_cut_with_a_note() -> None:
    value: object = 1
    for _ in range(80):
        value = {"k": value}
    parsed = parse_bytes(PATH, plistlib.dumps({"top": value}))
    assert parsed.facts["valid_plist"] is True
    assert [n.descriptor for n in parsed.notifications] == ["too-complex"]
    assert all(o.kind is ObservationKind.SETTING for o in parsed.observations)
    assert all(o.value_kind is ValueKind.LITERAL for o in parsed.observations)
