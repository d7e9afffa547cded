"""scanner.policy.rulesetcache: an unchanged policy file's rule set is loaded, never rebuilt;
any change to the file or to ccpolicy makes it anew."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from scanner.policy import rulesetcache, select
from scanner.policy.discover import PolicySource
from scanner.ruleset import RuleSet

POLICY = """\
extends = ["recommended"]
disable = ["CCP108"]
exclude = ["vendor/**"]

[parameters]
approved_providers = ["bedrock"]
"""


@pytest.fixture
def policy_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CCPOLICY_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "repo" / "ccpolicy.toml"
    path.parent.mkdir()
    path.write_text(POLICY)
    return path


def ruleset_of(policy_file: Path) -> RuleSet:
    return select.ruleset_for(
        argparse.Namespace(paths=[str(policy_file.parent)], policy=None, no_policy=False)
    )


def entries(cache_home: Path) -> list[Path]:
    folder = cache_home / "ccpolicy" / "rulesets"
    return sorted(folder.iterdir()) if folder.exists() else []


def never_built(*_args: object, **_kwargs: object) -> object:
    raise AssertionError("the rule set was built, not loaded")


def test_an_unchanged_policy_file_is_loaded_not_built(
    policy_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = ruleset_of(policy_file)
    assert "CCP108" not in [rule.id for rule in built.rules]
    assert (built.exclude, built.params["approved_providers"]) == (("vendor/**",), ["bedrock"])
    [entry] = entries(tmp_path / "cache")
    assert entry.stat().st_mode & 0o777 == 0o600
    monkeypatch.setattr(select, "load_ruleset", never_built)
    assert ruleset_of(policy_file) == built


def test_a_changed_policy_file_is_built_anew_in_the_same_entry(policy_file: Path, tmp_path: Path) -> None:
    ruleset_of(policy_file)
    policy_file.write_text(POLICY.replace('disable = ["CCP108"]', 'disable = ["CCP104"]'))
    rebuilt = ruleset_of(policy_file)
    assert ("CCP108" in [r.id for r in rebuilt.rules], "CCP104" in [r.id for r in rebuilt.rules]) == (
        True,
        False,
    )
    assert len(entries(tmp_path / "cache")) == 1  # replaced, not added


def test_another_ccpolicy_builds_it_anew(
    policy_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new version, or any edit to its modules or rule files, changes the code signature."""
    ruleset_of(policy_file)
    monkeypatch.setattr(rulesetcache, "code_signature", lambda: "another ccpolicy")
    monkeypatch.setattr(select, "load_ruleset", never_built)
    with pytest.raises(AssertionError, match="was built"):
        ruleset_of(policy_file)


def test_an_entry_others_can_write_or_that_is_damaged_is_not_loaded(
    policy_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ruleset_of(policy_file)
    [entry] = entries(tmp_path / "cache")
    source = PolicySource(policy_file, "ccpolicy", str(policy_file))
    data = policy_file.read_bytes()
    assert rulesetcache.get(source, data) is not None
    assert rulesetcache.get(source, data + b"\n") is None  # other bytes
    assert rulesetcache.get(source._replace(shown="ccpolicy.toml"), data) is None  # named otherwise
    if hasattr(os, "getuid"):
        entry.chmod(0o666)
        assert rulesetcache.get(source, data) is None
        entry.chmod(0o600)
    entry.write_bytes(entry.read_bytes()[:100])
    assert rulesetcache.get(source, data) is None


def test_without_caching_nothing_is_kept(
    policy_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCPOLICY_NO_CACHE", "1")
    assert ruleset_of(policy_file) == ruleset_of(policy_file)
    assert entries(tmp_path / "cache") == []
