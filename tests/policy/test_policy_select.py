"""From a policy to the RuleSet a scan runs with; discovery from arguments; the cache."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.catalogue.load import load_builtin_rules, load_presets, preset_rule_ids
from scanner.errors import ConfigError
from scanner.model import Severity
from scanner.policy import cache
from scanner.policy.discover import PolicySource
from scanner.policy.select import load_ruleset, requires_control, ruleset_for, ruleset_from_policy
from scanner.policy.spec import Policy
from scanner.ruleset import DEFAULT_PARAMS

ROOT = Path(__file__).resolve().parents[2]
BUILTIN = load_builtin_rules()
PRESETS = load_presets()


def _ids(name: str) -> set[str]:
    # Presets may name rules still being written; only existing rules run.
    return set(preset_rule_ids(name, PRESETS, frozenset(BUILTIN))) & set(BUILTIN)


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CCPOLICY_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _args(**kw: object) -> argparse.Namespace:
    base: dict[str, object] = {"paths": [], "policy": None, "no_policy": False, "host": False}
    base.update(kw)
    return argparse.Namespace(**base)


def test_presets_enable_disable_severity_and_parameters() -> None:
    policy = Policy(
        path="ccpolicy.toml",
        kind="ccpolicy",
        extends=("no-telemetry", "hardened"),
        enable=("CCP301",),
        disable=("CCP108",),
        severity={"CCP104": "high"},
        parameters={"max_retention_days": 7},
    )
    ruleset = ruleset_from_policy(policy, BUILTIN, PRESETS, "/repo/ccpolicy.toml")
    expected = (_ids("no-telemetry") | _ids("hardened") | {"CCP301"}) - {"CCP108"}
    assert [r.id for r in ruleset.rules] == sorted(expected)
    assert ruleset.severity_overrides == {"CCP104": Severity.HIGH}
    assert ruleset.params == {**DEFAULT_PARAMS, "max_retention_days": 7}
    assert ruleset.source == "ccpolicy.toml"
    assert ruleset.presets == ("no-telemetry", "hardened")
    assert ruleset.policy_file == "/repo/ccpolicy.toml"


def test_empty_extends_runs_only_what_is_enabled_and_organisation_rules() -> None:
    org = {
        "id": "ACME-x",
        "name": "x",
        "severity": "low",
        "title": "X",
        "check": {"when": [{"setting": "model", "state": "set"}]},
    }
    policy = Policy(path="p.toml", kind="ccpolicy", extends=(), enable=("CCP401",), rules=(org,))
    ruleset = ruleset_from_policy(policy, BUILTIN, PRESETS)
    assert [r.id for r in ruleset.rules] == ["ACME-x", "CCP401"]
    assert ruleset.rules[0].origin == "p.toml"
    assert ruleset.organisation_rules == 1


def test_a_disabled_organisation_rule_does_not_run() -> None:
    org = {
        "id": "ACME-x",
        "name": "x",
        "severity": "low",
        "title": "X",
        "check": {"when": [{"setting": "model", "state": "set"}]},
    }
    policy = Policy(path="p.toml", kind="ccpolicy", extends=(), disable=("ACME-x",), rules=(org,))
    assert ruleset_from_policy(policy, BUILTIN, PRESETS).rules == ()


def test_require_repo_controls_false_takes_project_contexts_out_of_the_control_rules() -> None:
    policy = Policy(
        path="p.toml", kind="ccpolicy", extends=("strict",), parameters={"require_repo_controls": False}
    )
    ruleset = ruleset_from_policy(policy, BUILTIN, PRESETS)
    changed = sorted(r.id for r in ruleset.rules if r.check != BUILTIN[r.id].check)
    assert changed == ["CCP101", "CCP102", "CCP103", "CCP104", "CCP105", "CCP106"]
    ccp101 = next(r for r in ruleset.rules if r.id == "CCP101")
    assert ccp101.check["contexts"] == [
        "ci",
        "container",
        "devcontainer",
        "compose-service",
        "host",
        "managed-policy",
        "script",
    ]
    assert ccp101.check["when"] == BUILTIN["CCP101"].check["when"]


def test_requires_control_reads_the_check_and_the_tag() -> None:
    assert requires_control(BUILTIN["CCP101"]) is True
    assert requires_control(BUILTIN["CCP106"]) is True  # a setting check, tagged data-to-anthropic
    assert requires_control(BUILTIN["CCP109"]) is False  # registered
    assert requires_control(BUILTIN["CCP401"]) is False


def test_no_policy_runs_recommended_even_beside_a_policy_file(tmp_path: Path) -> None:
    (tmp_path / "ccpolicy.toml").write_text('extends = ["baseline"]\n', encoding="utf-8")
    ruleset = ruleset_for(_args(paths=[str(tmp_path)], no_policy=True))
    assert ruleset.source == "built-in preset recommended (--no-policy)"
    assert {r.id for r in ruleset.rules} == _ids("recommended")


def test_without_a_file_the_recommended_preset_runs(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    ruleset = ruleset_for(_args(paths=[str(tmp_path)]))
    assert ruleset.source == "built-in preset recommended"
    assert ruleset.policy_file is None


def test_discovery_starts_at_the_first_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "ccpolicy.toml").write_text('extends = ["baseline"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    ruleset = ruleset_for(_args(paths=[str(repo)]))
    assert ruleset.source == "repo/ccpolicy.toml"
    assert {r.id for r in ruleset.rules} == _ids("baseline")


def test_policy_argument_wins_over_discovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "ccpolicy.toml").write_text('extends = ["baseline"]\n', encoding="utf-8")
    (tmp_path / "central.toml").write_text('extends = ["hardened"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    ruleset = ruleset_for(_args(paths=["."], policy="central.toml"))
    assert ruleset.source == "central.toml"
    assert {r.id for r in ruleset.rules} == _ids("hardened")


def test_policy_argument_naming_a_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"^nope\.toml: no such policy file$"):
        ruleset_for(_args(policy="nope.toml"))


def _source(tmp_path: Path, text: str) -> PolicySource:
    path = tmp_path / "ccpolicy.toml"
    path.write_text(text, encoding="utf-8")
    return PolicySource(path, "ccpolicy", "ccpolicy.toml")


def test_a_validated_policy_is_cached_and_reused_without_validation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _source(tmp_path, 'extends = ["baseline"]\n')
    first, _ = load_ruleset(source)
    entries = list((tmp_path / "cache" / "ccpolicy" / "policy").glob("*.json"))
    assert len(entries) == 1

    def no_validation(*_: object) -> None:
        raise AssertionError("validated again")

    monkeypatch.setattr("scanner.policy.load.validate", no_validation)
    again, ruleset = load_ruleset(source)
    assert again == first
    assert {r.id for r in ruleset.rules} == _ids("baseline")


def test_a_changed_file_is_validated_again(tmp_path: Path) -> None:
    source = _source(tmp_path, 'extends = ["baseline"]\n')
    load_ruleset(source)
    source.path.write_text('extends = ["nope"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^ccpolicy\.toml:1: extends\[0\]: unknown preset 'nope'"):
        load_ruleset(source)


@pytest.mark.parametrize("content", ["{not json", "[]", '{"key": "other", "policy": {}}', "\x00\x01"])
def test_a_corrupt_cache_entry_is_ignored(tmp_path: Path, content: str) -> None:
    source = _source(tmp_path, 'extends = ["baseline"]\n')
    load_ruleset(source)
    (entry,) = (tmp_path / "cache" / "ccpolicy" / "policy").glob("*.json")
    entry.write_text(content, encoding="utf-8")
    policy, _ = load_ruleset(source)
    assert policy.extends == ("baseline",)
    assert json.loads(entry.read_text(encoding="utf-8"))["key"] == entry.stem  # rewritten


def test_a_cache_entry_with_the_right_key_but_bad_content_is_ignored(tmp_path: Path) -> None:
    source = _source(tmp_path, 'extends = ["baseline"]\n')
    load_ruleset(source)
    (entry,) = (tmp_path / "cache" / "ccpolicy" / "policy").glob("*.json")
    data = json.loads(entry.read_text(encoding="utf-8"))
    data["policy"]["waivers"] = [{"rule": 1}]
    entry.write_text(json.dumps(data), encoding="utf-8")
    assert cache.get(entry.stem) is None


def test_no_cache_env_and_unwritable_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _source(tmp_path, 'extends = ["baseline"]\n')
    monkeypatch.setenv("CCPOLICY_NO_CACHE", "1")
    load_ruleset(source)
    assert not (tmp_path / "cache").exists()
    monkeypatch.delenv("CCPOLICY_NO_CACHE")
    (tmp_path / "cache").write_text("a file where the directory should be", encoding="utf-8")
    policy, _ = load_ruleset(source)
    assert policy.extends == ("baseline",)


_PROBE = """
import sys
from scanner.cli import main
code = main(sys.argv[1:])
print(code, "pydantic" in sys.modules)
"""


def _probe(cwd: Path, cache_home: Path, *args: str) -> str:
    env = {
        "PATH": "/usr/bin:/bin",
        "XDG_CACHE_HOME": str(cache_home),
        "NO_COLOR": "1",
        "PYTHONPATH": str(ROOT),
        "HOME": str(cache_home),
    }
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return out.stdout.strip().splitlines()[-1]


def test_the_scan_path_imports_pydantic_only_to_validate(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".env").write_text("DO_NOT_TRACK=1\n", encoding="utf-8")
    cache_home = tmp_path / "cache"
    assert _probe(repo, cache_home, "scan", ".", "-q", "--fail-on", "never") == "0 False"  # no policy file
    (repo / "ccpolicy.toml").write_text('extends = ["baseline"]\n', encoding="utf-8")
    assert _probe(repo, cache_home, "scan", ".", "-q", "--fail-on", "never") == "0 True"  # validated, cached
    assert _probe(repo, cache_home, "scan", ".", "-q", "--fail-on", "never") == "0 False"  # from the cache
