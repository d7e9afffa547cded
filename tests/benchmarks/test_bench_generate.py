"""The benchmark generator: deterministic, and its planted findings are what ccpolicy reports.

Tiny scales only (a few units, a few hundred files or commits): nothing here is timed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from benchmarks import corpus, generate, hostcorpus
from benchmarks.generate import Recipe
from benchmarks.gitstream import git
from scanner.checks.cloud_credentials import AWS_KEY_ID, AWS_SECRET
from scanner.checks.credentials import KEY_FORMAT, is_placeholder
from scanner.discovery.paths import classify

ROOT = Path(__file__).resolve().parents[2]


def ccpolicy_json(cwd: Path, *args: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["CCPOLICY_NO_CACHE"] = "1"
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "scanner", "scan", *args, "--format", "json", "--fail-on", "never"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout, done.stderr
    data = json.loads(done.stdout)
    assert isinstance(data, dict)
    return data


def counts(report: dict[str, object]) -> Counter[str]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return Counter(str(f["rule_id"]) for f in findings)


def test_config_files_are_the_same_for_the_same_seed() -> None:
    first = corpus.config_files("seed-a")
    assert first == corpus.config_files("seed-a")
    different = corpus.config_files("seed-b")
    assert first.keys() == different.keys()
    assert first["services/api-000/.env"] != different["services/api-000/.env"]
    assert len(first) == 203  # 202 candidates and ccpolicy.toml
    assert sum(1 for path in first if classify(path) is not None) == 202


def test_planted_secrets_look_real_to_the_scanner() -> None:
    secrets = corpus.Secrets("s")
    for key in [secrets.anthropic_api_key() for _ in range(200)] + [secrets.anthropic_oauth_token()]:
        assert KEY_FORMAT.fullmatch(key), key
        assert not is_placeholder(key), key
    for _ in range(200):
        assert AWS_KEY_ID.fullmatch(secrets.aws_key_id())
        assert AWS_SECRET.fullmatch(secrets.aws_secret())


def test_ordinary_files_are_never_candidates() -> None:
    paths = [generate.ordinary_path(index) for index in range(20_000)]
    assert len(set(paths)) == 20_000
    assert [path for path in paths if classify(path) is not None] == []
    assert generate.ordinary_path(13) == "packages/pkg-000/src/mod00/settings.py"
    assert generate.ordinary_path(501) == "packages/pkg-001/src/mod00/file000501.css"


def test_repository_files_keep_the_same_configuration_at_every_size() -> None:
    small = generate.repository_files(400, units=4)
    large = generate.repository_files(900, units=4)
    assert len(small) == 400
    assert len(large) == 900
    config = corpus.config_files(generate.SEED, 4)
    assert {p: small[p] for p in config} == config == {p: large[p] for p in config}


def test_repository_commit_ids_are_reproducible(tmp_path: Path) -> None:
    recipe = Recipe("repository", files=300, units=4)
    heads = []
    for name in ("one", "two"):
        generate.build_repository(tmp_path / name, recipe)
        heads.append(git(tmp_path / name, "rev-parse", "HEAD").strip())
        assert git(tmp_path / name, "status", "--porcelain") == ""
    assert heads[0] == heads[1]
    assert len(git(tmp_path / "one", "ls-files").splitlines()) == 300


def test_history_commit_ids_are_reproducible(tmp_path: Path) -> None:
    recipe = Recipe("history", commits=120)
    heads = []
    for name in ("one", "two"):
        generate.build_history(tmp_path / name, recipe)
        heads.append(git(tmp_path / name, "rev-parse", "HEAD").strip())
    assert heads[0] == heads[1]
    assert git(tmp_path / "one", "rev-list", "--count", "HEAD").strip() == "120"
    # Commit 50 plants a key that commit 51 takes out again.
    planted = git(tmp_path / "one", "show", "--format=", "--stat", "HEAD~69").strip()
    assert "services/api-000/.env" in planted


def test_expected_counts_add_up() -> None:
    assert corpus.expected_findings(4) == Counter(
        {
            rule: sum(corpus.UNIT_EXPECTED[a].get(rule, 0) for a in corpus.ARCHETYPE_ORDER)
            for rule in {r for a in corpus.ARCHETYPE_ORDER for r in corpus.UNIT_EXPECTED[a]}
        }
    )
    assert generate.expected_history_findings(1_000) == Counter({"CCP403": 16 + 10})
    assert generate.expected_history_findings(10_000) == Counter({"CCP403": 16 + 100})
    assert hostcorpus.expected_host_findings(1, 4) == Counter(
        {"CCP104": 2, "CCP106": 1, "CCP301": 1, "CCP307": 1}
    )


def test_planted_findings_are_what_a_scan_reports(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    generate.build_repository(repo, Recipe("repository", files=250, units=8))
    assert counts(ccpolicy_json(repo, ".")) == corpus.expected_findings(8)
    staged = tmp_path / "staged"
    generate.build_staged(staged, repo, Recipe("staged", files=250, units=8, staged_changes=8))
    assert counts(ccpolicy_json(staged, "--staged")) == corpus.expected_staged_findings(8, 8)


def test_planted_history_findings_are_what_a_scan_reports(tmp_path: Path) -> None:
    repo = tmp_path / "history"
    generate.build_history(repo, Recipe("history", commits=160))
    report = ccpolicy_json(repo, "--history")
    if any("not available" in str(n) for n in report.get("notifications", [])):  # pragma: no cover
        pytest.skip("history scans are not in this build")
    assert counts(report) == generate.expected_history_findings(160)


def test_host_root_findings_are_what_a_scan_reports(tmp_path: Path) -> None:
    root = tmp_path / "host"
    generate.build_host(root, Recipe("host", users=2, projects_per_user=5))
    report = ccpolicy_json(root, "--host", "--root", ".", "--os", "linux")
    assert counts(report) == hostcorpus.expected_host_findings(2, 5)


def test_inputs_are_rebuilt_only_when_their_recipe_changes(tmp_path: Path) -> None:
    recipe = Recipe("host", users=1, projects_per_user=2)
    path = tmp_path / "host"
    generate.build_host(path, recipe)
    generate._stamp(path, recipe, {})
    assert generate._stamped(path, recipe)
    assert not generate._stamped(path, Recipe("host", users=1, projects_per_user=3))
    (path / generate.STAMP).write_text("not json")
    assert not generate._stamped(path, recipe)
