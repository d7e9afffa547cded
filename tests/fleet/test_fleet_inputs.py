"""Inputs of merge and report: format by content, clear errors naming the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fleet_data import write_fleet

from scanner.fleet.inputs import JSON, SARIF, InputError, load_document, load_documents, stem_of


def _write(tmp_path: Path, name: str, content: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return str(path)


def test_formats_are_read_from_the_content(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    renamed = tmp_path / "looks-like.json"
    renamed.write_bytes(files["svc-a.sarif"].read_bytes())
    assert load_document(str(files["web-01.json"])).format == JSON
    assert load_document(str(renamed)).format == SARIF
    document = load_document(str(files["svc-a.sarif"]))
    assert (document.path, document.stem) == (str(files["svc-a.sarif"]), "svc-a")


@pytest.mark.parametrize(
    ("path", "stem"),
    [
        ("out/web-01.json", "web-01"),
        ("a/b.sarif", "b"),
        ("x.sarif.json", "x"),
        ("noext", "noext"),
        ("v1.2.JSON", "v1.2"),
    ],
)
def test_stem_of(path: str, stem: str) -> None:
    assert stem_of(path) == stem


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    path = str(files["web-01.json"])
    documents = load_documents([path, str(tmp_path / "." / "web-01.json"), str(files["web-02.json"])])
    assert [d.stem for d in documents] == ["web-01", "web-02"]


VALID_JSON = {"schema_version": 1, "targets": [{"target": "a"}], "findings": []}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            '{"schema_version": 1,',
            "not valid JSON (line 1, column 22: Expecting property name enclosed in double quotes)",
        ),
        (b"\xff\xfe{}", "not UTF-8 text (expected SARIF or ccpolicy JSON)"),
        ("[1, 2]", "neither a SARIF log (version, runs) nor a ccpolicy JSON report (schema_version)"),
        (
            '{"findings": []}',
            "neither a SARIF log (version, runs) nor a ccpolicy JSON report (schema_version)",
        ),
        (
            '{"schema_version": 2, "targets": [], "findings": []}',
            "schema_version 2 is not supported (this ccpolicy reads 1)",
        ),
        ('{"schema_version": "1"}', "schema_version '1' is not a number"),
        ('{"schema_version": 1, "findings": []}', "targets: missing"),
        ('{"schema_version": 1, "targets": {}, "findings": []}', "targets: expected a list, found dict"),
        (
            '{"schema_version": 1, "targets": [{"target": 3}], "findings": []}',
            "targets[0].target: expected a string",
        ),
        (
            json.dumps(
                {
                    **VALID_JSON,
                    "findings": [
                        {"target": "a", "rule_id": "X", "path": "p", "message": "m", "severity": "urgent"}
                    ],
                }
            ),
            "findings[0].severity: 'urgent' is not a severity",
        ),
        (json.dumps({**VALID_JSON, "findings": [7]}), "findings[0]: expected an object, found int"),
        (
            json.dumps({**VALID_JSON, "notifications": [{"level": "x"}]}),
            "notifications[0].message: expected a string",
        ),
        (json.dumps({**VALID_JSON, "stale_waivers": [1]}), "stale_waivers: expected a list of strings"),
        ('{"version": "2.0.0", "runs": []}', "SARIF version '2.0.0' is not supported (expected '2.1.0')"),
        ('{"version": "2.1.0", "runs": {}}', "runs: expected a list, found dict"),
        ('{"version": "2.1.0", "runs": [{"tool": {}}]}', "runs[0].tool.driver.name: missing"),
        (
            '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [1]}]}',
            "runs[0].results[0]: expected an object, found int",
        ),
        (
            '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, '
            '"automationDetails": {"id": 5}}]}',
            "runs[0].automationDetails.id: expected a string",
        ),
        (
            '{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": 1}]}]}',
            "runs[0].results[0].ruleId: expected a string",
        ),
        ("[" * 100_000 + "]" * 100_000, "JSON nested too deeply"),
    ],
)
def test_invalid_inputs_name_the_file_and_the_problem(
    tmp_path: Path, content: str | bytes, reason: str
) -> None:
    path = _write(tmp_path, "in.json", content)
    with pytest.raises(InputError) as caught:
        load_document(path)
    assert str(caught.value) == f"{path}: {reason}"
    assert caught.value.exit_code == 2


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_document(str(tmp_path / "gone.json"))
    assert str(caught.value) == f"{tmp_path / 'gone.json'}: cannot read: No such file or directory"
