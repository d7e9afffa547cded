""".pre-commit-hooks.yaml: the hook definition, and its `files` regex generated from the path tables."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from scanner.discovery.paths import classify
from scanner.precommit_files import candidate_files_regex, main
from tests.discovery.test_discovery_paths import CASES

PROJECT = Path(__file__).resolve().parents[2]
HOOKS_FILE = PROJECT / ".pre-commit-hooks.yaml"


def hook() -> dict[str, object]:
    hooks = yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["ccpolicy"]
    entry: dict[str, object] = hooks[0]
    return entry


def test_hook_definition() -> None:
    definition = hook()
    assert {key: value for key, value in definition.items() if key != "files"} == {
        "id": "ccpolicy",
        "name": "ccpolicy (Claude Code policy)",
        "description": (
            "Judge the Claude Code configuration being committed (the git index) against your policy."
        ),
        "entry": "ccpolicy scan --staged --format short",
        "language": "python",
        "pass_filenames": False,
        "require_serial": True,
        "stages": ["pre-commit", "pre-merge-commit", "manual"],
        "minimum_pre_commit_version": "3.2.0",
    }


def test_files_regex_is_the_generated_one() -> None:
    assert hook()["files"] == candidate_files_regex(), (
        "stale: paste the output of `python -m scanner.precommit_files` under `files: |` "
        "in .pre-commit-hooks.yaml"
    )


def test_generator_prints_the_regex(capsys: pytest.CaptureFixture[str]) -> None:
    assert main() == 0
    assert capsys.readouterr().out == candidate_files_regex()


FILES = re.compile(candidate_files_regex())


@pytest.mark.parametrize(("path", "kind"), CASES)
def test_regex_agrees_with_classify(path: str, kind: object) -> None:
    assert bool(FILES.search(path)) == (kind is not None)


EXTRA_CASES = [
    # Candidates the hook must not miss.
    ("deploy/Run.SH", True),
    ("x/.github/workflows/ci.yaml", True),
    ("dot_config/private_dot_zshrc.tmpl", True),
    ("home/private_readonly_dot_env.production", True),
    ("Dockerfile.dev", True),
    ("docker-compose.override.yml", True),
    ("etc/claude-code/managed-settings.d/10-base.json", True),
    # Not candidates: the hook is skipped.
    ("README.md", False),
    ("src/app.py", False),
    ("docs/.github/workflow.yml", False),
    ("workflows/ci.yml", False),
    (".dockerignore", False),
    ("Dockerfile.dockerignore", False),
    ("dot_product.py", False),
    ("sh", False),
    (".claude/CLAUDE.md", False),
]


@pytest.mark.parametrize(("path", "expected"), EXTRA_CASES)
def test_regex_on_more_paths(path: str, expected: bool) -> None:
    assert (classify(path) is not None) == expected
    assert bool(FILES.search(path)) == expected


def test_regex_agrees_with_classify_on_this_repository() -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT,
        capture_output=True,
        check=False,
    )
    if listed.returncode != 0:
        pytest.skip("the project is not a git checkout")
    paths = [p for p in listed.stdout.decode("utf-8", "surrogateescape").split("\0") if p]
    assert len(paths) > 100
    assert [p for p in paths if bool(FILES.search(p)) != (classify(p) is not None)] == []
