"""Small real repositories for the many-repository tests (helpers, not tests)."""

from __future__ import annotations

from pathlib import Path

from gitrepo import commit, git, make_repo

from scanner.ruleset import preset_ruleset
from scanner.scan import ScanOptions

SETTINGS = '{\n  "env": {\n    "DISABLE_TELEMETRY": "0"\n  }\n}\n'


def repo_with(tmp_path: Path, name: str, files: dict[str, str | bytes | None] | None = None) -> Path:
    """A repository with one commit holding `files` (default: a project settings file)."""
    repo = make_repo(tmp_path, name)
    commit(repo, files if files is not None else {".claude/settings.json": SETTINGS}, "initial")
    return repo


def bare_copy(repo: Path, tmp_path: Path, name: str) -> Path:
    """A bare clone of `repo` at tmp_path/name (what a server holds)."""
    git(tmp_path, "clone", "-q", "--bare", str(repo), name)
    bare: Path = tmp_path / name
    return bare


def options(preset: str = "recommended") -> ScanOptions:
    ruleset = preset_ruleset(preset)
    return ScanOptions(
        rules=ruleset.rules, params=ruleset.params, severity_overrides=ruleset.severity_overrides
    )


def hostile_global_config(tmp_path: Path) -> tuple[Path, Path]:
    """A global git config whose filters, hooks, templates and fsmonitor each create a marker."""
    markers = tmp_path / "markers"
    markers.mkdir()
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "post-merge", "reference-transaction", "post-index-change"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch '{markers}/hook-{hook}'\n", encoding="utf-8")
        (hooks / hook).chmod(0o755)
    template = tmp_path / "template"
    (template / "hooks").mkdir(parents=True)
    (template / "hooks" / "post-checkout").write_text(
        f"#!/bin/sh\ntouch '{markers}/template'\n", encoding="utf-8"
    )
    (template / "hooks" / "post-checkout").chmod(0o755)
    programs = {}
    for name in ("smudge", "lfs", "fsmonitor"):
        program = tmp_path / f"{name}.sh"
        program.write_text(f"#!/bin/sh\ntouch '{markers}/{name}'\ncat\n", encoding="utf-8")
        program.chmod(0o755)
        programs[name] = program
    config = tmp_path / "hostile.gitconfig"
    config.write_text(
        f'[filter "evil"]\n\tsmudge = {programs["smudge"]}\n\tclean = cat\n'
        f'[filter "lfs"]\n\tsmudge = {programs["lfs"]}\n\trequired = true\n'
        f"[core]\n\thooksPath = {hooks}\n\tfsmonitor = {programs['fsmonitor']}\n"
        f"[init]\n\ttemplateDir = {template}\n",
        encoding="utf-8",
    )
    return config, markers
