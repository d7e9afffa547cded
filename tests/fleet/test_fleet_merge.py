"""`ccpolicy merge`: SARIF and JSON from many hosts and repositories into one, without loss."""

from __future__ import annotations

import copy
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fleet_data import write_fleet, write_json_repos

from scanner.cli import main
from scanner.fleet.inputs import InputError, load_documents
from scanner.fleet.merge import merge_documents, render

REPO = Path(__file__).resolve().parents[2]


def _validator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "ci_sarif_validate_fleet", REPO / ".ci" / "sarif_validate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


VALIDATE = _validator()


def _merge(paths: list[Path], output_format: str | None = None) -> tuple[dict[str, Any], tuple[str, ...]]:
    merged = merge_documents(load_documents([str(p) for p in paths]), output_format)
    return merged.data, merged.warnings


def _save(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


# SARIF ---------------------------------------------------------------------------------------


def test_sarif_runs_get_distinct_categories_and_stay_schema_valid(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    data, warnings = _merge([files["svc-a.sarif"], files["svc-b.sarif"]])
    assert warnings == ()
    assert list(data) == ["$schema", "version", "runs"]
    assert [run["automationDetails"]["id"] for run in data["runs"]] == [
        "ccpolicy/repository/svc-a/",
        "ccpolicy/repository/svc-b/",
    ]
    assert [run["properties"]["ccpolicy/target"] for run in data["runs"]] == ["svc-a", "svc-b"]
    assert len(data["runs"][0]["results"]) == 3
    # Everything else in a run is kept as it was: paths stay relative to each repository.
    original = json.loads(files["svc-a.sarif"].read_text(encoding="utf-8"))["runs"][0]
    assert data["runs"][0]["results"] == original["results"]
    assert data["runs"][0]["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///work/svc-a/"}}
    assert VALIDATE.schema_errors(data) == []
    assert VALIDATE.github_lint(data) == []


def test_a_unique_category_is_kept_and_runs_of_one_file_are_named_after_their_target(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    two = json.loads(files["svc-a.sarif"].read_text(encoding="utf-8"))
    second = copy.deepcopy(two["runs"][0])
    two["runs"][0]["automationDetails"]["id"] = "ccpolicy/repository/alpha/"
    second["automationDetails"]["id"] = "ccpolicy/repository/beta/"
    second["results"] = []
    two["runs"].append(second)
    data, _ = _merge([_save(tmp_path / "multi.sarif", two), files["svc-b.sarif"]])
    assert [run["automationDetails"]["id"] for run in data["runs"]] == [
        "ccpolicy/repository/alpha/",
        "ccpolicy/repository/beta/",
        "ccpolicy/repository/",
    ]
    assert [run["properties"]["ccpolicy/target"] for run in data["runs"]] == ["alpha", "beta", "svc-b"]


def test_the_same_run_twice_is_kept_once(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    copy_path = tmp_path / "copy" / "svc-a.sarif"
    copy_path.parent.mkdir()
    copy_path.write_bytes(files["svc-a.sarif"].read_bytes())
    data, warnings = _merge([files["svc-a.sarif"], copy_path, files["svc-b.sarif"]])
    assert len(data["runs"]) == 2
    assert warnings == (f"{copy_path}: run 1 is identical to {files['svc-a.sarif']}: run 1; kept once",)


def test_same_stem_in_two_directories_is_numbered(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    other = json.loads(files["svc-a.sarif"].read_text(encoding="utf-8"))
    other["runs"][0]["results"] = other["runs"][0]["results"][:1]
    (tmp_path / "b").mkdir()
    data, _ = _merge([files["svc-a.sarif"], _save(tmp_path / "b" / "svc-a.sarif", other)])
    assert [run["automationDetails"]["id"] for run in data["runs"]] == [
        "ccpolicy/repository/svc-a/",
        "ccpolicy/repository/svc-a-2/",
    ]
    assert [run["properties"]["ccpolicy/target"] for run in data["runs"]] == ["svc-a", "svc-a-2"]
    assert VALIDATE.github_lint(data) == []


def test_duplicate_results_within_a_run_are_kept_once(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    log = json.loads(files["svc-a.sarif"].read_text(encoding="utf-8"))
    results = log["runs"][0]["results"]
    log["runs"][0]["results"] = [results[0], results[1], copy.deepcopy(results[0]), results[2], results[1]]
    path = _save(tmp_path / "dup.sarif", log)
    data, warnings = _merge([path])
    assert data["runs"][0]["results"] == results
    assert warnings == (f"{path}: run 1: 2 duplicate result(s) kept once",)


def test_results_differing_only_in_fingerprint_are_both_kept(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    log = json.loads(files["svc-a.sarif"].read_text(encoding="utf-8"))
    twin = copy.deepcopy(log["runs"][0]["results"][0])
    twin["partialFingerprints"]["ccpolicy/v1"] = "other"
    log["runs"][0]["results"].append(twin)
    data, warnings = _merge([_save(tmp_path / "x.sarif", log)])
    assert len(data["runs"][0]["results"]) == 4
    assert warnings == ()


def test_more_than_twenty_runs_is_merged_with_a_warning(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    base = json.loads(files["svc-b.sarif"].read_text(encoding="utf-8"))
    paths = []
    for index in range(21):
        log = copy.deepcopy(base)
        log["runs"][0]["properties"] = {"n": index}
        paths.append(_save(tmp_path / f"repo-{index:02d}.sarif", log))
    data, warnings = _merge(paths)
    ids = [run["automationDetails"]["id"] for run in data["runs"]]
    assert len(set(ids)) == 21
    assert ids[0] == "ccpolicy/repository/repo-00/"
    assert warnings == (
        "the merged log has 21 runs; GitHub code scanning accepts at most 20 per upload (upload the inputs "
        "separately, or use the JSON report)",
    )


def test_other_tools_runs_are_merged_too(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    paths = []
    for name in ("a", "b"):
        other = {
            "version": "2.1.0",
            "runs": [{"tool": {"driver": {"name": "zizmor"}}, "results": [], "properties": {"from": name}}],
        }
        paths.append(_save(tmp_path / f"{name}.sarif", other))
    data, _ = _merge([*paths, files["svc-b.sarif"]])
    assert [run.get("automationDetails", {}).get("id") for run in data["runs"]] == [
        "a/",
        "b/",
        "ccpolicy/repository/",
    ]
    assert [run["properties"]["ccpolicy/target"] for run in data["runs"]] == ["a", "b", "svc-b"]
    assert data["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"


# JSON ----------------------------------------------------------------------------------------


def test_json_targets_findings_and_summary(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    repos = write_json_repos(tmp_path / "repos")
    data, warnings = _merge(
        [files["web-01.json"], files["web-02.json"], files["web-03.json"], repos["svc-a"], repos["svc-b"]]
    )
    assert warnings == ()
    assert list(data) == [
        "schema_version",
        "tool",
        "policy",
        "summary",
        "targets",
        "findings",
        "fixed",
        "stale_waivers",
        "notifications",
        "contexts",
        "rules",
    ]
    assert [(t["target"], t["kind"]) for t in data["targets"]] == [
        ("web-01", "host"),
        ("web-02", "host"),
        ("web-03", "host"),
        ("svc-a", "repository"),
        ("svc-b", "repository"),
    ]
    assert [(f["target"], f["rule_id"]) for f in data["findings"]] == [
        ("web-01", "CCP101"),
        ("web-01", "CCP205"),
        ("web-01", "CCP401"),
        ("web-02", "CCP101"),
        ("svc-a", "CCP107"),
        ("svc-a", "CCP101"),
        ("svc-a", "CCP401"),
    ]
    assert data["summary"] == {
        "findings": 6,
        "by_severity": {"critical": 2, "high": 3, "medium": 1, "low": 0, "info": 0},
        "suppressed": 1,
        "fail_on": "high",
        "failed": True,
        "notifications": 2,
    }
    assert [n["target"] for n in data["notifications"]] == ["web-01", "web-03"]
    assert [r["id"] for r in data["rules"]] == ["CCP101", "CCP107", "CCP205", "CCP401"]


def test_json_same_target_in_two_files_is_qualified_in_both(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    doc = json.loads(files["web-02.json"].read_text(encoding="utf-8"))
    doc["findings"][0]["message"] = "something else"
    (tmp_path / "later").mkdir()
    renamed = _save(tmp_path / "later" / "rescan.json", doc)
    data, _ = _merge([files["web-02.json"], renamed])
    # The file named after the host keeps the plain name; the other is qualified with its file.
    assert [t["target"] for t in data["targets"]] == ["web-02", "rescan:web-02"]
    assert [(f["target"], f["message"]) for f in data["findings"]] == [
        ("web-02", "Telemetry is on for ops."),
        ("rescan:web-02", "something else"),
    ]


def test_json_identical_target_and_duplicate_findings_are_kept_once(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    doc = json.loads(files["web-02.json"].read_text(encoding="utf-8"))
    doc["findings"].append(copy.deepcopy(doc["findings"][0]))
    dup = _save(tmp_path / "dup.json", doc)
    copy_path = tmp_path / "copy.json"
    copy_path.write_bytes(files["web-02.json"].read_bytes())
    data, warnings = _merge([files["web-02.json"], copy_path, dup])
    assert [t["target"] for t in data["targets"]] == ["web-02"]
    assert len(data["findings"]) == 1
    assert warnings == (
        f"{copy_path}: target web-02 is identical to target web-02 of {files['web-02.json']}; kept once",
        f"{dup}: target web-02: 1 duplicate finding(s) kept once",
        f"{dup}: target web-02 is identical to target web-02 of {files['web-02.json']}; kept once",
    )


def test_json_fail_on_that_differs_is_mixed(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    doc = json.loads(files["web-02.json"].read_text(encoding="utf-8"))
    doc["summary"]["fail_on"] = "never"
    doc["summary"]["failed"] = False
    data, _ = _merge([files["web-01.json"], _save(tmp_path / "other.json", doc)])
    assert data["summary"]["fail_on"] == "mixed"
    assert data["summary"]["failed"] is True


# Both ----------------------------------------------------------------------------------------


def test_mixed_formats_are_refused(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    with pytest.raises(InputError) as caught:
        _merge([files["web-01.json"], files["svc-a.sarif"]])
    assert str(caught.value) == (
        f"{files['svc-a.sarif']}: is SARIF but {files['web-01.json']} is JSON; "
        "merge combines files of one format "
        "(scan again with the other --format, or merge each format separately)"
    )


def test_format_must_match_the_inputs(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    with pytest.raises(InputError) as caught:
        _merge([files["web-01.json"]], "sarif")
    assert str(caught.value) == (
        f"--format sarif: the inputs are JSON ({files['web-01.json']}); "
        "merge does not convert between formats"
    )
    assert _merge([files["web-01.json"]], "json")[0]["targets"][0]["target"] == "web-01"


def test_output_is_deterministic(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    paths = [str(files[name]) for name in ("svc-a.sarif", "svc-b.sarif")]
    first = render(merge_documents(load_documents(paths)))
    second = render(merge_documents(load_documents(paths)))
    assert first == second
    assert first.endswith("}\n")


def test_cli_writes_the_file_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = write_fleet(tmp_path)
    out = tmp_path / "merged" / "fleet.sarif"
    assert main(["merge", str(files["svc-a.sarif"]), str(files["svc-b.sarif"]), "-o", str(out)]) == 0
    assert capsys.readouterr() == ("", "")
    expected = render(merge_documents(load_documents([str(files["svc-a.sarif"]), str(files["svc-b.sarif"])])))
    assert out.read_text(encoding="utf-8") == expected


def test_cli_prints_to_stdout_and_warns_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = write_fleet(tmp_path)
    path = str(files["web-02.json"])
    copy_path = tmp_path / "again.json"
    copy_path.write_bytes(files["web-02.json"].read_bytes())
    assert main(["merge", path, str(copy_path)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["targets"][0]["target"] == "web-02"
    assert (
        err == f"ccpolicy: warning: {copy_path}: target web-02 is identical to target web-02 of {path}; "
        "kept once\n"
    )


def test_cli_bad_input_exits_2_naming_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = write_fleet(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    assert main(["merge", str(files["web-01.json"]), str(bad), "-o", str(tmp_path / "out.json")]) == 2
    assert capsys.readouterr() == (
        "",
        f"ccpolicy: error: {bad}: not valid JSON "
        "(line 1, column 2: Expecting property name enclosed in double "
        "quotes)\n",
    )
    assert not (tmp_path / "out.json").exists()


def test_cli_mixed_formats_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = write_fleet(tmp_path)
    assert main(["merge", str(files["web-01.json"]), str(files["svc-a.sarif"])]) == 2
    assert "merge combines files of one format" in capsys.readouterr().err


def test_merged_json_keeps_a_common_policy_and_drops_differing_ones() -> None:
    from scanner.fleet.inputs import Document
    from scanner.fleet.merge_json import _common_policy

    policy = {"source": "ccpolicy.toml", "presets": ["recommended"]}
    same = [Document(f"{n}.json", n, "JSON", {"policy": dict(policy)}) for n in ("a", "b")]
    assert _common_policy(same) == policy
    other = Document("c.json", "c", "JSON", {"policy": {"source": "built-in preset recommended"}})
    assert _common_policy([*same, other]) is None
