"""Every rule fires on its `fires` fixtures and stays silent on its `silent` fixtures.

Layout (zizmor-style: the rule ID is the fixture folder name):
    fixtures/CCP101/fires-<name>/...   files of a small repository, plus case.toml listing the
                                       exact findings of that rule: [[expect]] path, line, column, message
    fixtures/CCP101/silent-<name>/...  no finding of that rule
Host rules: case.toml says `host = true` (and `os`): the folder is then a machine's root filesystem.
History rules: case.toml says `history = true` and lists the commits to make ([[commits]], see
fixturerepo.materialise_history); expected messages may name them as {commit1} and {short1}.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixturerepo import load_case, materialise, materialise_history

from scanner.ruleset import preset_ruleset
from scanner.scan import ScanOptions, scan_repository

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CASES = sorted(p for p in FIXTURES.glob("CCP*/*") if p.is_dir() and p.name.startswith(("fires", "silent")))


def _scan(case_dir: Path, tmp_path: Path) -> list[tuple[str, str, int, int, str]]:
    ruleset = preset_ruleset("strict")
    case = load_case(case_dir)
    params = {**ruleset.params, **dict(case.get("params", {}))}  # type: ignore[call-overload]
    if case.get("history"):
        return _scan_history(case_dir, tmp_path, ScanOptions(rules=ruleset.rules, params=params))
    if case.get("host"):
        # Host rules: the case folder is a machine's root filesystem (case.toml: host = true, os = "linux"),
        # scanned like `ccpolicy scan --host --root <case> --os <os>`; paths are machine paths.
        from scanner.host.scan import HostOptions, scan_host

        host = HostOptions(root=str(case_dir), os_name=str(case.get("os", "linux")))
        result = scan_host(host, ScanOptions(rules=ruleset.rules, params=params))
    else:
        repo = materialise(case_dir, tmp_path / "repo")
        result = scan_repository(repo, ScanOptions(rules=ruleset.rules, params=params))
    return [
        (f.rule_id, f.location.path, f.location.line, f.location.column, f.message) for f in result.findings
    ]


# --- history cases (history = true) ------------------------------------------------------------


def _scan_history(
    case_dir: Path, tmp_path: Path, options: ScanOptions
) -> list[tuple[str, str, int, int, str]]:
    """Make the case's commits, scan like `ccpolicy scan --history`, and write the commit ids
    back into messages as {commitN}/{shortN}, so that case.toml can state them."""
    from scanner.history_scan import scan_history

    repo = tmp_path / "repo"
    shas = materialise_history(case_dir, repo)
    result = scan_history(repo, options)

    def placeholders(message: str) -> str:
        for number, sha in enumerate(shas, start=1):
            message = message.replace(sha, f"{{commit{number}}}").replace(sha[:12], f"{{short{number}}}")
        return message

    return [
        (f.rule_id, f.location.path, f.location.line, f.location.column, placeholders(f.message))
        for f in result.findings
    ]


@pytest.mark.parametrize("case_dir", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rule_fixture(case_dir: Path, tmp_path: Path) -> None:
    rule_id = case_dir.parent.name
    found = [f for f in _scan(case_dir, tmp_path) if f[0] == rule_id]
    if case_dir.name.startswith("silent"):
        assert found == []
        return
    case = load_case(case_dir)
    expected = [
        (rule_id, e["path"], e["line"], e["column"], e["message"])
        for e in case.get("expect", [])  # type: ignore[attr-defined]
    ]
    assert expected, f"{case_dir}/case.toml lists no [[expect]] findings"
    assert found == expected
