"""scanner.baseline: the file format, its validation, and marking results new / unchanged / fixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner import __version__
from scanner.baseline import Baseline, BaselineEntry, apply, create, dumps, load, loads
from scanner.errors import UsageError
from scanner.model import Finding, Location, Severity, Suppression
from scanner.report.model import ScanResult


def finding(rule: str, path: str, fingerprint: str, *, line: int = 1, suppressed: bool = False) -> Finding:
    return Finding(
        rule_id=rule,
        severity=Severity.HIGH,
        message=f"{rule} message",
        location=Location(path, line, 1),
        context="project:.",
        fingerprint=fingerprint,
        suppressed=Suppression("external", "waived") if suppressed else None,
    )


def result(*findings: Finding) -> ScanResult:
    return ScanResult(root="/r", findings=findings, notifications=(), rules=())


A = finding("CCP401", ".env", "aaaa", line=2)
B = finding("CCP101", ".claude/settings.json", "bbbb")
C = finding("CCP402", ".env", "cccc", line=5)


def test_create_sorts_by_path_then_rule_and_skips_suppressed() -> None:
    waived = finding("CCP105", ".env", "dddd", suppressed=True)
    baseline = create([("a", result(A, C, waived)), ("b", result(B, A))])
    assert [(e.path, e.rule_id, e.fingerprint) for e in baseline.entries] == [
        (".claude/settings.json", "CCP101", "bbbb"),
        (".env", "CCP401", "aaaa"),
        (".env", "CCP402", "cccc"),
    ]


def test_dumps_is_deterministic_json_with_the_documented_fields() -> None:
    text = dumps(create([(".", result(C, A))]))
    assert text == dumps(create([(".", result(A, C))]))
    assert text.endswith("}\n")
    assert json.loads(text) == {
        "schema_version": 1,
        "tool": {"name": "ccpolicy", "version": __version__},
        "entries": [
            {
                "fingerprint": "aaaa",
                "rule_id": "CCP401",
                "path": ".env",
                "context": "project:.",
                "message": "CCP401 message",
            },
            {
                "fingerprint": "cccc",
                "rule_id": "CCP402",
                "path": ".env",
                "context": "project:.",
                "message": "CCP402 message",
            },
        ],
    }


def test_round_trip(tmp_path: Path) -> None:
    baseline = create([(".", result(A, B, C))])
    path = tmp_path / "b.json"
    path.write_text(dumps(baseline))
    loaded = load(path)
    assert loaded.entries == baseline.entries
    assert loaded.tool_version == __version__
    assert loaded.fingerprints == frozenset({"aaaa", "bbbb", "cccc"})


def test_apply_marks_new_unchanged_and_fixed() -> None:
    baseline = Baseline(
        (
            BaselineEntry(".env", "CCP401", "project:.", "aaaa", "old message"),
            BaselineEntry(".env", "CCP499", "", "gone", "fixed since"),
            BaselineEntry(".env", "CCP499", "", "gone", "fixed since"),  # a duplicate is listed once
        )
    )
    waived = finding("CCP105", ".env", "eeee", suppressed=True)
    (first, second) = apply([("a", result(A, B, waived)), ("b", result(C))], baseline)
    assert [(f.fingerprint, f.baseline_state) for f in first[1].findings] == [
        ("aaaa", "unchanged"),
        ("bbbb", "new"),
        ("eeee", None),
    ]
    assert [(f.fingerprint, f.baseline_state) for f in second[1].findings] == [("cccc", "new")]
    assert first[1].fixed == (
        {"fingerprint": "gone", "rule_id": "CCP499", "path": ".env", "message": "fixed since"},
    )
    assert second[1].fixed == ()
    assert [f.fingerprint for f in first[1].failing()] == ["bbbb"]


def test_a_baselined_finding_now_waived_is_not_fixed() -> None:
    baseline = Baseline((BaselineEntry(".env", "CCP401", "project:.", "aaaa", "m"),))
    waived = finding("CCP401", ".env", "aaaa", suppressed=True)
    ((_target, marked),) = apply([(".", result(waived))], baseline)
    assert marked.fixed == ()
    assert marked.findings[0].baseline_state is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("{", "not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2"),
        ("[]", "expected a JSON object with schema_version and entries"),
        ('{"entries": []}', "schema_version null is not supported (expected 1)"),
        ('{"schema_version": 2, "entries": []}', "schema_version 2 is not supported (expected 1)"),
        ('{"schema_version": "1", "entries": []}', 'schema_version "1" is not supported (expected 1)'),
        ('{"schema_version": 1}', "entries must be a list"),
        ('{"schema_version": 1, "entries": [1]}', "entries[0] must be an object"),
        (
            '{"schema_version": 1, "entries": [{"rule_id": "X", "path": "p"}]}',
            "entries[0].fingerprint must be a string",
        ),
        (
            '{"schema_version": 1, "entries": [{"fingerprint": "", "rule_id": "X", "path": "p"}]}',
            "entries[0].fingerprint must not be empty",
        ),
        (
            '{"schema_version": 1, "entries": [{"fingerprint": "f", "rule_id": 3, "path": "p"}]}',
            "entries[0].rule_id must be a string",
        ),
        (
            '{"schema_version": 1, "entries": [{"fingerprint": "f", "rule_id": "X", "path": "p", "message": null}]}',
            "entries[0].message must be a string",
        ),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON: nested too deeply"),
    ],
)
def test_invalid_documents(text: str, why: str) -> None:
    with pytest.raises(UsageError) as caught:
        loads(text, Path("base.json"))
    assert (
        str(caught.value)
        == f"baseline base.json: {why} (create one with `ccpolicy baseline create -o base.json`)"
    )


def test_context_and_message_are_optional() -> None:
    loaded = loads(
        '{"schema_version": 1, "entries": [{"fingerprint": "f", "rule_id": "X", "path": "p"}]}', Path("b")
    )
    assert loaded.entries == (BaselineEntry("p", "X", "", "f", ""),)
    assert loaded.tool_version == ""


def test_unreadable_files(tmp_path: Path) -> None:
    suffix = "(create one with `ccpolicy baseline create -o {}`)"
    cases = {
        tmp_path / "missing.json": "no such file",
        tmp_path: "is a directory",
    }
    binary = tmp_path / "latin1.json"
    binary.write_bytes(b'{"schema_version": 1, "entries": [], "x": "\xff"}')
    cases[binary] = "not UTF-8 text"
    for path, why in cases.items():
        with pytest.raises(UsageError) as caught:
            load(path)
        assert str(caught.value) == f"baseline {path}: {why} {suffix.format(path)}"


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_bytes(b'\xef\xbb\xbf{"schema_version": 1, "entries": []}')
    assert load(path).entries == ()
