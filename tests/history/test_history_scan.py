"""scanner.history_scan: one pass over real git histories, judged by CCP403 and CCP110."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from gitrepo import (
    commit,
    git,
    git_subcommand,
    isolate_git_config,
    make_repo,
    record_git_processes,
    write_files,
)

import scanner.history_scan
from scanner.catalogue.load import load_builtin_rules
from scanner.errors import UsageError
from scanner.history_scan import HISTORY_CATEGORY, history_rules, scan_history, scan_history_targets
from scanner.model import Finding, Severity
from scanner.report.fingerprints import stable_fingerprint
from scanner.report.jsonout import render_json
from scanner.ruleset import preset_ruleset
from scanner.scan import ScanOptions

KEY = "sk-ant-api03-e8m72fei7oNM4igrq3MGeVKFk49vrCpbesyqsLqA"
OTHER = "sk-ant-api03-6jEDCN9RpB2fWeo6NjQrUhAtFfsTcm6FwSWzQiUB"
RULES = load_builtin_rules()
STRICT = ScanOptions(rules=preset_ruleset("strict").rules)
ROTATE = "it remains in history, where anyone with a clone can read it: rotate it."


def by(sha: str, minute: int) -> str:
    """How messages name gitrepo.commit's n-th commit (0-based)."""
    return f"{sha[:12]} by Test Author <author@example.com> on 2023-11-14T22:{13 + minute:02d}:20+00:00"


def key_message(sha: str, minute: int, ending: str) -> str:
    return (
        "ANTHROPIC_API_KEY was assigned a literal value that looks like an Anthropic API key (value redacted), "
        f"first committed in {by(sha, minute)}; {ending}"
    )


def rows(findings: tuple[Finding, ...]) -> list[tuple[str, str, int, int, str, str]]:
    return [
        (f.rule_id, f.location.path, f.location.line, f.location.column, f.context, f.message)
        for f in findings
    ]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)


def test_one_finding_per_secret_at_its_first_appearance(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {".env": "APP=1\n"}, "env")
    added = commit(repo, {".env": f"APP=1\nANTHROPIC_API_KEY={KEY}\n"}, "add key")
    commit(repo, {".env": f"ANTHROPIC_API_KEY={KEY}\nAPP=1\n"}, "reorder")
    commit(
        repo,
        {".envrc": f"export ANTHROPIC_API_KEY={KEY}\n", "ci.sh": f"curl -H 'x-api-key: {KEY}'\n"},
        "copy",
    )
    commit(repo, {".env": "APP=1\n"}, "remove from .env")
    removed = commit(repo, {".envrc": None, "ci.sh": None}, "remove everywhere")
    result = scan_history(repo, STRICT)
    ending = f"it was removed in {removed[:12]}, but {ROTATE}"
    assert rows(result.findings) == [
        ("CCP403", ".env", 2, 1, f"history:{added}", key_message(added, 1, ending)),
    ]
    (found,) = result.findings
    # The fingerprint comes from the file, the first commit and the occurrence: never the secret.
    assert found.fingerprint == stable_fingerprint("CCP403", f"history:{added}", "secret-1", ".env")
    assert found.severity is Severity.CRITICAL
    assert result.category == HISTORY_CATEGORY == "history"
    assert result.files_scanned == 3
    assert result.extra["history"] == {"commits": 6, "changes": 8}
    assert result.contexts == ()
    assert [r.id for r in result.rules] == ["CCP110", "CCP403"]


def test_still_in_the_working_tree_and_where(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    first = commit(repo, {".env": f"ANTHROPIC_API_KEY={KEY}\n"}, "key")
    commit(repo, {".env": "APP=1\n", "scripts/run.sh": f"curl -H 'x-api-key: {KEY}' x\n"}, "move it")
    result = scan_history(repo, STRICT)
    ending = (
        "it is still in the working tree (scripts/run.sh): rotate it, remove it and load it from a secret store "
        "instead."
    )
    assert rows(result.findings) == [
        ("CCP403", ".env", 1, 1, f"history:{first}", key_message(first, 0, ending))
    ]


def test_removed_from_the_working_tree_but_not_committed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    first = commit(repo, {".env": f"ANTHROPIC_API_KEY={KEY}\n"}, "key")
    write_files(repo, {".env": "APP=1\n"})
    (found,) = scan_history(repo, STRICT).findings
    assert found.message == key_message(first, 0, f"it is no longer in the working tree, but {ROTATE}")


def test_a_bare_repository_has_no_working_tree_to_look_at(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    first = commit(repo, {".env": f"ANTHROPIC_API_KEY={KEY}\n"}, "key")
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    (found,) = scan_history(bare, STRICT).findings
    assert found.message == key_message(first, 0, ROTATE)


def test_occurrences_count_within_a_commit_and_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    sha = commit(repo, {"run.sh": f"echo {KEY}\necho {OTHER}\necho {KEY}\n"}, "two keys, one twice")
    result = scan_history(repo, STRICT)
    assert [(f.location.line, f.fingerprint) for f in result.findings] == [
        (1, stable_fingerprint("CCP403", f"history:{sha}", "secret-1", "run.sh")),
        (2, stable_fingerprint("CCP403", f"history:{sha}", "secret-2", "run.sh")),
    ]


def test_since_reads_only_later_commits(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    base = commit(repo, {".env": f"ANTHROPIC_API_KEY={KEY}\n"}, "old key")
    later = commit(repo, {".env": f"ANTHROPIC_API_KEY={KEY}\nANTHROPIC_AUTH_TOKEN={OTHER}\n"}, "new token")
    result = scan_history(repo, STRICT, since=base)
    assert [(f.location.line, f.context) for f in result.findings] == [(2, f"history:{later}")]
    assert result.extra["history"] == {"commits": 1, "changes": 1}
    with pytest.raises(UsageError, match=r"--since 'nope' is not a commit in this repository"):
        scan_history(repo, STRICT, since="nope")


def test_all_branches(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {".env": "APP=1\n"}, "env")
    git(repo, "checkout", "-q", "-b", "feature")
    leaked = commit(repo, {".env": f"APP=1\nANTHROPIC_API_KEY={KEY}\n"}, "key on a branch")
    git(repo, "checkout", "-q", "main")
    assert scan_history(repo, STRICT).findings == ()
    (found,) = scan_history(repo, STRICT, all_branches=True).findings
    assert found.message == key_message(leaked, 1, f"it is no longer in the working tree, but {ROTATE}")


def test_a_subdirectory_limits_the_scan_and_paths_are_relative_to_it(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    sha = commit(
        repo, {"app/.env": f"ANTHROPIC_API_KEY={KEY}\n", "other/.env": f"ANTHROPIC_API_KEY={OTHER}\n"}, "keys"
    )
    result = scan_history(repo / "app", STRICT)
    ending = "it is still in the working tree (.env): rotate it, remove it and load it from a secret store instead."
    assert rows(result.findings) == [("CCP403", ".env", 1, 1, f"history:{sha}", key_message(sha, 0, ending))]
    assert result.extra["repo_prefix"] == "app/"


def test_policy_exclude_skips_paths(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"fixtures/.env": f"ANTHROPIC_API_KEY={KEY}\n", ".env": "DISABLE_TELEMETRY=1\n"}, "one")
    commit(repo, {"fixtures/.env": None, ".env": "A=1\n"}, "two")
    options = ScanOptions(rules=STRICT.rules, exclude=("fixtures/**",))
    result = scan_history(repo, options)
    assert [(f.rule_id, f.location.path) for f in result.findings] == [("CCP110", ".env")]
    assert result.files_scanned == 1


def test_protections_turned_off(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(
        repo,
        {".claude/settings.json": '{\n  "env": {"DISABLE_TELEMETRY": "1"},\n  "cleanupPeriodDays": 7\n}\n'},
        "on",
    )
    off = commit(repo, {".claude/settings.json": '{\n  "env": {},\n  "cleanupPeriodDays": 7\n}\n'}, "off")
    commit(
        repo,
        {".claude/settings.json": '{\n  "env": {"DISABLE_TELEMETRY": "1"},\n  "cleanupPeriodDays": 7\n}\n'},
        "on again",
    )
    raised = commit(
        repo,
        {".claude/settings.json": '{\n  "env": {"DISABLE_TELEMETRY": "1"},\n  "cleanupPeriodDays": 90\n}\n'},
        "raise",
    )
    result = scan_history(repo, STRICT)
    telemetry = "it switched off usage metrics, the session quality survey and feature-flag fetching."
    assert rows(result.findings) == [
        (
            "CCP110",
            ".claude/settings.json",
            2,
            11,
            f"history:{off}",
            f"Commit {by(off, 1)} turned a protection off: DISABLE_TELEMETRY was removed; {telemetry}",
        ),
        (
            "CCP110",
            ".claude/settings.json",
            3,
            3,
            f"history:{raised}",
            f"Commit {by(raised, 3)} turned a protection off: cleanupPeriodDays was raised from 7 to 90 days; "
            "local transcripts are now kept longer.",
        ),
    ]
    assert [f.severity for f in result.findings] == [Severity.MEDIUM, Severity.MEDIUM]
    assert result.findings[0].fingerprint == stable_fingerprint(
        "CCP110", f"history:{off}", "DISABLE_TELEMETRY", ".claude/settings.json"
    )


def test_a_protection_moved_in_one_commit_is_not_turned_off(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {".env": "DISABLE_TELEMETRY=1\n"}, "env")
    git(repo, "mv", ".env", ".env.production")
    commit(repo, {}, "rename")
    commit(repo, {".env.production": "A=1\n", ".envrc": "export DISABLE_TELEMETRY=1\n"}, "move to direnv")
    assert scan_history(repo, STRICT).findings == ()


def test_only_selected_history_rules_run(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {".env": f"DISABLE_TELEMETRY=1\nANTHROPIC_API_KEY={KEY}\n"}, "one")
    commit(repo, {".env": "A=1\n"}, "two")
    only_403 = ScanOptions(rules=(RULES["CCP403"], RULES["CCP101"]))
    result = scan_history(repo, only_403)
    assert [f.rule_id for f in result.findings] == ["CCP403"]
    assert [r.id for r in result.rules] == ["CCP403"]
    only_110 = scan_history(repo, ScanOptions(rules=(RULES["CCP110"],)))
    assert [f.rule_id for f in only_110.findings] == ["CCP110"]


def test_no_history_rule_selected_reads_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {".env": f"ANTHROPIC_API_KEY={KEY}\n"}, "one")
    monkeypatch.setattr("scanner.history_scan.iter_history_versions", None)  # calling it would fail
    result = scan_history(repo, ScanOptions(rules=(RULES["CCP401"],)))
    assert result.findings == ()
    assert [(n.level, n.message, n.descriptor) for n in result.notifications] == [
        (
            "warning",
            "the policy selects no history rule (CCP110, CCP403): the history was not read",
            "no-history-rules",
        )
    ]


def test_severity_overrides_apply(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {".env": f"ANTHROPIC_API_KEY={KEY}\n"}, "one")
    options = ScanOptions(rules=STRICT.rules, severity_overrides={"CCP403": Severity.LOW})
    assert [f.severity for f in scan_history(repo, options).findings] == [Severity.LOW]


def test_unreadable_versions_are_notifications(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    sha = commit(repo, {".env": b"A=1\x00\x01\x02binary\n"}, "binary env")
    result = scan_history(repo, STRICT)
    assert result.findings == ()
    assert [(n.path, n.message.endswith(f"(commit {sha[:12]})")) for n in result.notifications] == [
        (".env", True)
    ]


def test_binary_version_between_two_secrets_keeps_the_books(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    first = commit(repo, {".env": f"ANTHROPIC_API_KEY={KEY}\n"}, "key")
    commit(repo, {".env": b"\x00binary\n"}, "binary")
    commit(repo, {".env": f"ANTHROPIC_API_KEY={KEY}\n"}, "key again")
    result = scan_history(repo, STRICT)
    assert [f.context for f in result.findings] == [f"history:{first}"]


def test_output_never_holds_the_secret_and_is_deterministic(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(
        repo, {".env": f"ANTHROPIC_API_KEY={KEY}\nDISABLE_TELEMETRY=1\n", "a.sh": f"echo {OTHER}\n"}, "one"
    )
    commit(repo, {".env": "A=1\n"}, "two")
    first = render_json([(".", scan_history(repo, STRICT))])
    second = render_json([(".", scan_history(repo, STRICT))])
    assert first == second
    assert len(json.loads(first)["findings"]) == 3
    for secret in (KEY, OTHER, KEY[13:], OTHER[13:]):
        assert secret not in first


def test_errors_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="history needs a git repository"):
        scan_history(tmp_path, STRICT)
    with pytest.raises(UsageError, match="missing: no such file or directory"):
        scan_history_targets([str(tmp_path / "missing")], STRICT)
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="file: not a directory"):
        scan_history_targets([str(tmp_path / "file")], STRICT)


def test_empty_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    result = scan_history(repo, STRICT)
    assert (result.findings, result.notifications, result.files_scanned) == ((), (), 0)


def test_history_rules() -> None:
    assert [r.id for r in history_rules(STRICT.rules)] == ["CCP110", "CCP403"]


def test_process_count_does_not_grow_with_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One `git log` and one `git cat-file` whatever the number of commits (plus a few rev-parse)."""

    def count(commits: int) -> list[str]:
        repo = make_repo(tmp_path, f"repo{commits}")
        for n in range(commits):
            secret = f"sk-ant-api03-{n:04d}Zq8Xr2Lm4Np6Tv0Wy3Bc5Df7Gh9Jk1Mn"
            commit(repo, {".env": f"ANTHROPIC_API_KEY={secret}\nDISABLE_TELEMETRY={n % 2}\n"}, f"c{n}")
        processes = record_git_processes(monkeypatch)
        result = scan_history(repo, STRICT)
        monkeypatch.undo()
        isolate_git_config(monkeypatch)
        assert len([f for f in result.findings if f.rule_id == "CCP403"]) == commits
        return [git_subcommand(process.args) for process in processes]

    few = count(3)
    assert few == count(30)
    # subprocess.run starts its process through Popen too: every git process is counted once.
    assert sorted(few) == ["cat-file", "log", *["rev-parse"] * 4]


def test_workflow_edits_elsewhere_are_not_read_as_turning_off(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    workflow = (
        "on: push\njobs:\n  review:\n    runs-on: ubuntu-latest\n    env:\n      DO_NOT_TRACK: '1'\n"
        "    steps:\n      - run: claude -p review\n"
    )
    path = ".github/workflows/claude.yml"
    commit(repo, {path: workflow}, "add")
    commit(repo, {path: workflow.replace("ubuntu-latest", "macos-latest")}, "runner")
    off = commit(repo, {path: workflow.replace("macos", "x").replace("'1'", "'false'")}, "off")
    result = scan_history(repo, STRICT)
    assert rows(result.findings) == [
        (
            "CCP110",
            path,
            6,
            7,
            f"history:{off}",
            f'Commit {by(off, 2)} turned a protection off: DO_NOT_TRACK was changed from "1" to "false"; '
            "it switched off usage metrics and the session quality survey.",
        )
    ]


def test_files_are_parsed_only_when_a_change_may_matter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path)
    workflow = (
        "on: push\njobs:\n  review:\n    runs-on: ubuntu-latest\n    env:\n      DISABLE_TELEMETRY: '1'\n"
        "    steps:\n      - uses: anthropics/claude-code-action@v1\n        with:\n"
        "          anthropic_api_key: ${{ secrets.ANTHROPIC_API_KEY }}\n          prompt: review {n}\n"
    )
    for n in range(5):
        commit(
            repo,
            {".github/workflows/claude.yml": workflow.replace("{n}", str(n)), "README.md": f"{n}\n"},
            f"c{n}",
        )
    parsed: list[str] = []
    real_parse = scanner.history_scan.parse_file

    def counting_parse(path: str, text: str, kind: Any) -> Any:
        parsed.append(path)
        return real_parse(path, text, kind)

    monkeypatch.setattr("scanner.history_scan.parse_file", counting_parse)
    assert scan_history(repo, STRICT).findings == ()
    # The first version names the credential variable on an added line; after that, neither the
    # credential (a reference, unchanged) nor the protection (same lines) is touched.
    assert parsed == [".github/workflows/claude.yml"]


def test_aws_secret_added_next_to_an_older_key_id(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"aws.sh": "aws configure set aws_access_key_id AKIA4AN2L4Q1CUYZVEBD\n"}, "id")
    added = commit(
        repo,
        {
            "aws.sh": "aws configure set aws_access_key_id AKIA4AN2L4Q1CUYZVEBD\n"
            "aws configure set aws_secret_access_key Kq7vT2mPx9LzR4bN8cW1yH6jD3fG5sA0eU2iO7pQ\n"
        },
        "secret",
    )
    assert [(f.location.line, f.location.column, f.context) for f in scan_history(repo, STRICT).findings] == [
        (2, 41, f"history:{added}")
    ]


def test_a_secret_is_followed_through_edits_of_its_line_and_of_others(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    first = commit(repo, {".env": f"ANTHROPIC_API_KEY={KEY}\n"}, "key")
    commit(repo, {".env": f"A=1\nANTHROPIC_API_KEY={KEY}\nB=2\n"}, "unrelated lines")
    commit(repo, {".env": f"A=1\nANTHROPIC_API_KEY={KEY} # prod\nB=2\n"}, "its line changes, the key stays")
    commit(repo, {".env": f"A=1\nANTHROPIC_API_KEY={KEY} # prod\nB=3\n"}, "unrelated again")
    removed = commit(repo, {".env": "A=1\nB=3\n"}, "removed")
    (found,) = scan_history(repo, STRICT).findings
    assert found.message == key_message(first, 0, f"it was removed in {removed[:12]}, but {ROTATE}")
