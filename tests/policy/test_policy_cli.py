"""`ccpolicy policy ...` and `ccpolicy scan` with a policy, as a user runs them: subprocesses on real
git repositories with a real commit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from fixturerepo import materialise
from gitrepo import commit, make_repo

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "policy"


def ccpolicy(*args: str, cwd: Path, cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CCPOLICY_NO_CACHE")}
    env.update({"NO_COLOR": "1", "PYTHONPATH": str(ROOT)})
    if cache is None:
        env["CCPOLICY_NO_CACHE"] = "1"
    else:
        env["XDG_CACHE_HOME"] = str(cache)
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def scan_json(repo: Path, *args: str) -> tuple[int, dict[str, Any]]:
    proc = ccpolicy("scan", ".", "--format", "json", *args, cwd=repo)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def rows(data: dict[str, Any], prefix: str = "") -> list[tuple[Any, ...]]:
    return [
        (f["rule_id"], f["path"], f["line"], f["column"], f["severity"], f["message"])
        for f in data["findings"]
        if f["rule_id"].startswith(prefix)
    ]


# policy validate -------------------------------------------------------------------------------


def test_validate_a_valid_file(tmp_path: Path) -> None:
    repo = materialise(FIXTURES / "org-rules", tmp_path / "repo")
    proc = ccpolicy("policy", "validate", cwd=repo)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.startswith("ccpolicy.toml: valid (")
    assert proc.stdout.endswith(" rules, presets baseline; 2 organisation rules)\n")


def test_validate_lists_every_error_with_file_line_and_key(tmp_path: Path) -> None:
    (tmp_path / "org.toml").write_text(
        'extends = ["baseline"]\n'
        "[parameters]\n"
        'max_retention_days = "7"\n'
        "[[waivers]]\n"
        'rule = "CCP101"\n'
        'path = "legacy/**"\n'
        'owner = "alice"\n'
        'reason = "r"\n',
        encoding="utf-8",
    )
    proc = ccpolicy("policy", "validate", "org.toml", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == (
        "ccpolicy: error: org.toml:3: parameters.max_retention_days: expected an integer, got a string\n"
        "org.toml:4: waivers[0].expires: field required\n"
    )


def test_validate_bad_toml(tmp_path: Path) -> None:
    (tmp_path / "ccpolicy.toml").write_text('extends = ["baseline"\n', encoding="utf-8")
    (tmp_path / ".git").mkdir()
    proc = ccpolicy("policy", "validate", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (
        2,
        "ccpolicy: error: ccpolicy.toml:1: invalid TOML: unclosed array (at the end of the file)\n",
    )


def test_validate_without_a_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    proc = ccpolicy("policy", "validate", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (
        "ccpolicy: error: no policy file found: looked for ccpolicy.toml and [tool.ccpolicy] in "
        "pyproject.toml "
        "from this directory up to the top of the git repository (`ccpolicy policy init` writes one)\n"
    )


def test_validate_warns_about_expired_waivers(tmp_path: Path) -> None:
    repo = materialise(FIXTURES / "waivers", tmp_path / "repo")
    proc = ccpolicy("policy", "validate", cwd=repo)
    assert proc.returncode == 0
    assert proc.stdout == "ccpolicy.toml: valid (4 rules, presets (none); 3 waivers)\n"
    assert proc.stderr == (
        "ccpolicy.toml:12: waivers[1]: the CCP104 waiver by bob@example.com expired on 2000-01-01; its "
        "findings "
        "count again\n"
    )


# policy init / schema --------------------------------------------------------------------------


def test_init_writes_a_template_that_validates_and_refuses_to_overwrite(tmp_path: Path) -> None:
    proc = ccpolicy("policy", "init", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (
        0,
        "wrote ccpolicy.toml; check it with `ccpolicy policy validate ccpolicy.toml`\n",
    )
    written = (tmp_path / "ccpolicy.toml").read_text(encoding="utf-8")
    assert ccpolicy("policy", "validate", "ccpolicy.toml", cwd=tmp_path).returncode == 0

    (tmp_path / "ccpolicy.toml").write_text("# mine\n", encoding="utf-8")
    again = ccpolicy("policy", "init", cwd=tmp_path)
    assert (again.returncode, again.stderr) == (
        2,
        "ccpolicy: error: ccpolicy.toml: already exists; use --force to overwrite it\n",
    )
    assert (tmp_path / "ccpolicy.toml").read_text(encoding="utf-8") == "# mine\n"
    forced = ccpolicy("policy", "init", "--force", cwd=tmp_path)
    assert forced.returncode == 0
    assert (tmp_path / "ccpolicy.toml").read_text(encoding="utf-8") == written


def test_init_into_a_directory(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    proc = ccpolicy("policy", "init", "conf", cwd=tmp_path)
    assert proc.returncode == 0
    assert (tmp_path / "conf" / "ccpolicy.toml").is_file()


def test_schema_is_a_draft_2020_12_json_schema(tmp_path: Path) -> None:
    proc = ccpolicy("policy", "schema", cwd=tmp_path)
    assert proc.returncode == 0
    schema = json.loads(proc.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["title"] == "ccpolicy policy file"
    assert proc.stdout == ccpolicy("policy", "schema", cwd=tmp_path).stdout


def test_policy_needs_a_subcommand(tmp_path: Path) -> None:
    proc = ccpolicy("policy", cwd=tmp_path)
    assert proc.returncode == 2
    assert "the following arguments are required: SUBCOMMAND" in proc.stderr


# scan with a policy ----------------------------------------------------------------------------

ORG_FINDINGS = [
    (
        "ACME-gateway-only",
        ".claude/settings.json",
        3,
        5,
        "high",
        "Claude Code in job review in .github/workflows/review.yml sends API traffic past the ACME gateway: "
        'ANTHROPIC_BASE_URL="https://llm.rogue.example/v1" in .claude/settings.json:3:5.',
    ),
    (
        "ACME-gateway-only",
        ".claude/settings.json",
        3,
        5,
        "high",
        "Claude Code in project . sends API traffic past the ACME gateway: "
        'ANTHROPIC_BASE_URL="https://llm.rogue.example/v1" in .claude/settings.json:3:5.',
    ),
    (
        "ACME-no-auto-approve",
        ".claude/settings.json",
        6,
        20,
        "medium",
        "job review in .github/workflows/review.yml auto-approves changes: permissions.defaultMode is "
        '"acceptEdits" '
        "in .claude/settings.json:6:20.",
    ),
    (
        "ACME-no-auto-approve",
        ".claude/settings.json",
        6,
        20,
        "medium",
        'project . auto-approves changes: permissions.defaultMode is "acceptEdits" in '
        ".claude/settings.json:6:20.",
    ),
]


def test_organisation_rules_fire_through_the_cli(tmp_path: Path) -> None:
    repo = materialise(FIXTURES / "org-rules", tmp_path / "repo")
    code, data = scan_json(repo)
    assert code == 1
    assert rows(data, "ACME-") == ORG_FINDINGS
    assert data["summary"]["failed"] is True


def test_organisation_rules_from_a_cached_policy_give_the_same_findings(tmp_path: Path) -> None:
    repo = materialise(FIXTURES / "org-rules", tmp_path / "repo")
    cache = tmp_path / "cache"
    outputs = [ccpolicy("scan", ".", "--format", "json", cwd=repo, cache=cache).stdout for _ in range(2)]
    assert list((cache / "ccpolicy" / "policy").glob("*.json"))
    assert outputs[0] == outputs[1]
    assert rows(json.loads(outputs[1]), "ACME-") == ORG_FINDINGS


def test_discovery_starts_at_the_scanned_path_not_the_working_directory(tmp_path: Path) -> None:
    materialise(FIXTURES / "org-rules", tmp_path / "repo")
    proc = ccpolicy("scan", "repo", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert rows(json.loads(proc.stdout), "ACME-") == ORG_FINDINGS


def test_no_policy_runs_the_recommended_preset(tmp_path: Path) -> None:
    repo = materialise(FIXTURES / "org-rules", tmp_path / "repo")
    _, data = scan_json(repo, "--no-policy")
    assert [(f["rule_id"], f["context"]) for f in data["findings"]] == [
        ("CCP307", "ci:.github/workflows/review.yml#review"),
        ("CCP307", "project:."),
        ("CCP601", "project:."),
    ]


def test_policy_file_argument_replaces_discovery(tmp_path: Path) -> None:
    repo = materialise(FIXTURES / "org-rules", tmp_path / "repo")
    central = tmp_path / "central.toml"
    central.write_text('extends = []\nenable = ["CCP503"]\n', encoding="utf-8")
    _, data = scan_json(repo, "--policy", str(central))
    assert data["findings"] == []


def test_policy_and_no_policy_together_is_a_usage_error(tmp_path: Path) -> None:
    proc = ccpolicy("scan", ".", "--policy", "x.toml", "--no-policy", cwd=tmp_path)
    assert (proc.returncode, proc.stderr) == (
        2,
        "ccpolicy: error: --policy and --no-policy cannot be combined\n",
    )


def test_an_invalid_policy_stops_the_scan_with_exit_2(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"ccpolicy.toml": 'enable = ["CCP999"]\n', ".env": "A=1\n"}, "policy")
    proc = ccpolicy("scan", ".", cwd=repo)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "ccpolicy: error: ccpolicy.toml:1: enable[0]: unknown rule id 'CCP999'\n"


def test_pyproject_policy(tmp_path: Path) -> None:
    repo = materialise(FIXTURES / "org-rules", tmp_path / "repo")
    policy = (repo / "ccpolicy.toml").read_text(encoding="utf-8")
    (repo / "ccpolicy.toml").unlink()
    tool = policy.replace("[parameters]", "[tool.ccpolicy.parameters]").replace(
        "[[rules]]", "[[tool.ccpolicy.rules]]"
    )
    tool = tool.replace("[rules.check]", "[tool.ccpolicy.rules.check]")
    tool = tool.replace('extends = ["baseline"]', '[tool.ccpolicy]\nextends = ["baseline"]')
    (repo / "pyproject.toml").write_text('[project]\nname = "demo"\n\n' + tool, encoding="utf-8")
    _, data = scan_json(repo)
    assert rows(data, "ACME-") == ORG_FINDINGS


WAIVED = {
    ("CCP107", ".env", 2): {
        "kind": "inline",
        "reason": "the launcher script overrides this file",
        "owner": None,
        "expires": None,
    },
    ("CCP101", ".github/workflows/old.yml", 7): {
        "kind": "waiver",
        "reason": "the old workflow is deleted with the Q3 migration",
        "owner": "alice@example.com",
        "expires": "2999-12-31",
    },
}


def test_waivers_and_inline_ignores_through_the_cli(tmp_path: Path) -> None:
    repo = materialise(FIXTURES / "waivers", tmp_path / "repo")
    code, data = scan_json(repo)
    assert code == 0
    found = {(f["rule_id"], f["path"], f["line"]): f for f in data["findings"]}
    assert {key: f["suppressed"] for key, f in found.items() if f["suppressed"]} == WAIVED
    assert found[("CCP104", ".github/workflows/old.yml", 4)]["message"] == (
        "Claude Code in job review in .github/workflows/old.yml runs with non-essential traffic to "
        "Anthropic on: "
        "nothing in its configuration sets CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC. (waiver by "
        "bob@example.com "
        "expired on 2000-01-01)"
    )
    assert found[("CCP107", ".env", 3)]["suppressed"] is None  # no reason given
    assert len(found) == 5
    assert data["summary"]["suppressed"] == 2
    assert data["stale_waivers"] == [
        "CCP102 waiver (path nowhere/**) by carol@example.com at ccpolicy.toml:19"
    ]
    notes = [(n["path"], n["line"], n["descriptor"]) for n in data["notifications"]]
    assert notes == [(".env", 3, "inline-ignore-without-reason"), ("ccpolicy.toml", 19, "stale-waiver")]


def test_waivers_show_up_as_sarif_suppressions_and_in_the_text_summary(tmp_path: Path) -> None:
    repo = materialise(FIXTURES / "waivers", tmp_path / "repo")
    sarif = json.loads(ccpolicy("scan", ".", "--format", "sarif", cwd=repo).stdout)
    kinds = sorted(s["kind"] for r in sarif["runs"][0]["results"] for s in r.get("suppressions", []))
    assert kinds == ["external", "inSource"]
    text = ccpolicy("scan", ".", cwd=repo).stdout
    assert text.splitlines()[-1] == (
        "3 findings (2 medium, 1 low) in 2 configuration files, 1 context; 2 suppressed; 2 notifications. "
        "Policy: ccpolicy.toml."
    )


def test_no_ignores_disregards_waivers_and_inline_ignores(tmp_path: Path) -> None:
    repo = materialise(FIXTURES / "waivers", tmp_path / "repo")
    code, data = scan_json(repo, "--no-ignores")
    assert code == 0
    assert [f["suppressed"] for f in data["findings"]] == [None] * 5
    assert data["stale_waivers"] == []
    assert data["notifications"] == []
    assert not any("expired" in f["message"] for f in data["findings"])


def test_require_repo_controls_false_judges_ci_but_not_the_project(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    workflow = (FIXTURES / "waivers" / ".github" / "workflows" / "old.yml").read_text(encoding="utf-8")
    files = {
        ".claude/settings.json": '{ "model": "sonnet" }\n',
        ".github/workflows/old.yml": workflow,
        "ccpolicy.toml": 'extends = []\nenable = ["CCP101"]\n',
    }
    commit(repo, files, "repo")
    _, before = scan_json(repo)
    assert sorted(f["context"] for f in before["findings"]) == [
        "ci:.github/workflows/old.yml#review",
        "project:.",
    ]
    commit(
        repo,
        {"ccpolicy.toml": 'extends = []\nenable = ["CCP101"]\n[parameters]\nrequire_repo_controls = false\n'},
        "managed settings carry the controls",
    )
    _, after = scan_json(repo)
    assert [f["context"] for f in after["findings"]] == ["ci:.github/workflows/old.yml#review"]


def test_exclude_keeps_paths_out_of_the_report(tmp_path: Path) -> None:
    repo = materialise(FIXTURES / "waivers", tmp_path / "repo")
    policy = (repo / "ccpolicy.toml").read_text(encoding="utf-8")
    (repo / "ccpolicy.toml").write_text(
        policy.replace("extends = []", 'extends = []\nexclude = [".github"]'), encoding="utf-8"
    )
    _, data = scan_json(repo)
    assert sorted({f["path"] for f in data["findings"]}) == [".env"]
    # the waivers for the excluded workflow now match nothing
    assert len(data["stale_waivers"]) == 3


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_demo_stays_the_same_without_a_policy_file(tmp_path: Path) -> None:
    repo = materialise(ROOT / "fixtures" / "demo", tmp_path / "repo")
    with_flag = json.loads(ccpolicy("scan", ".", "--format", "json", "--no-policy", cwd=repo).stdout)
    without = json.loads(ccpolicy("scan", ".", "--format", "json", cwd=repo).stdout)
    assert with_flag.pop("policy")["source"] == "built-in preset recommended (--no-policy)"
    assert without.pop("policy")["source"] == "built-in preset recommended"
    assert with_flag == without
