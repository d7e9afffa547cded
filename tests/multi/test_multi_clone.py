"""Shallow, inert clones: nothing from the remote or a filter/hook in config runs; limits hold."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from gitrepo import git, isolate_git_config, isolated_env
from multi_repos import SETTINGS, bare_copy, hostile_global_config, repo_with

from scanner.gitsafe import SAFE_CONFIG
from scanner.multi.clone import CloneError, clone_argv, clone_env, clone_shallow


@pytest.fixture(autouse=True)
def _no_machine_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)


def _clone(url: str, dest: Path, *, timeout: float = 60.0, max_bytes: int = 10**9) -> None:
    clone_shallow(url, dest, timeout=timeout, max_bytes=max_bytes)


def test_argv_keeps_gitsafe_options_and_only_lifts_what_a_clone_needs(tmp_path: Path) -> None:
    argv = clone_argv("file:///srv/r.git", tmp_path / "d")
    configs = [argv[i + 1] for i, arg in enumerate(argv) if arg == "-c"]
    for key, value in SAFE_CONFIG:
        assert f"{key}={value}" in configs
    lifted = configs[len(SAFE_CONFIG) :]
    assert lifted[:3] == [
        "protocol.file.allow=always",
        "protocol.https.allow=always",
        "protocol.ssh.allow=always",
    ]
    assert lifted[3:6] == ["filter.lfs.smudge=", "filter.lfs.process=", "filter.lfs.required=false"]
    assert lifted[6].startswith("core.sshCommand=")
    tail = argv[argv.index("clone") :]
    assert tail == [
        "clone", "--quiet", "--depth", "1", "--single-branch", "--no-tags", "--no-checkout",
        "--no-recurse-submodules", "--template=", "--", "file:///srv/r.git", str(tmp_path / "d"),
    ]  # fmt: skip


def test_environment_allows_three_transports_and_never_prompts() -> None:
    env = clone_env()
    assert env["GIT_ALLOW_PROTOCOL"] == "file:https:ssh"
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert env["GIT_LFS_SKIP_SMUDGE"] == "1"
    assert env["GIT_ASKPASS"] == ""
    assert env["GIT_SSH_COMMAND"] == "false" or env["GIT_SSH_COMMAND"].endswith(" -o BatchMode=yes")


def test_clone_is_shallow_and_has_no_checkout(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, "src")
    git(repo, "commit", "-q", "--allow-empty", "-m", "second")
    server = bare_copy(repo, tmp_path, "server.git")
    dest = tmp_path / "clone"
    _clone(server.as_uri(), dest)
    assert sorted(os.listdir(dest)) == [".git"]
    assert git(dest, "rev-list", "--count", "HEAD") == "1"
    assert (dest / ".git" / "shallow").is_file()
    assert git(dest, "show", "HEAD:.claude/settings.json") + "\n" == SETTINGS


def test_unreachable_url_fails_with_gits_reason(tmp_path: Path) -> None:
    with pytest.raises(CloneError) as caught:
        _clone("file:///nonexistent", tmp_path / "d")
    assert str(caught.value) == "clone failed: '/nonexistent' does not appear to be a git repository"


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("http://example.com/r.git", "http"),
        ("git://example.com/r.git", "git"),
        ("ftp://example.com/r.git", "ftp"),
    ],
)
def test_other_transports_are_refused_before_git_runs(tmp_path: Path, url: str, scheme: str) -> None:
    with pytest.raises(CloneError) as caught:
        _clone(url, tmp_path / "d")
    assert str(caught.value) == (
        f"the {scheme} transport is not allowed "
        "(use one of: file, git+ssh, https, ssh, ssh+git, or user@host:path)"
    )
    assert not (tmp_path / "d").exists()


def test_credentials_in_the_url_never_reach_the_message(tmp_path: Path) -> None:
    with pytest.raises(CloneError) as caught:
        _clone("https://someone:s3cretpassw0rd@127.0.0.1:9/org/r.git", tmp_path / "d", timeout=30)
    message = str(caught.value)
    assert message.startswith("clone failed: ")
    assert "s3cretpassw0rd" not in message
    assert "someone" not in message


def test_timeout_stops_git(tmp_path: Path) -> None:
    server = bare_copy(repo_with(tmp_path, "src"), tmp_path, "server.git")
    with pytest.raises(CloneError) as caught:
        _clone(server.as_uri(), tmp_path / "d", timeout=0)
    assert str(caught.value) == "clone timed out after 0 s"


def test_size_limit(tmp_path: Path) -> None:
    server = bare_copy(repo_with(tmp_path, "src"), tmp_path, "server.git")
    with pytest.raises(CloneError) as caught:
        _clone(server.as_uri(), tmp_path / "d", max_bytes=100)
    assert str(caught.value) == "clone is larger than the 100-byte limit"


def test_filters_hooks_and_templates_from_config_never_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = repo_with(
        tmp_path,
        "src",
        {".gitattributes": "* filter=evil\n*.json filter=lfs\n", ".claude/settings.json": SETTINGS},
    )
    server = bare_copy(repo, tmp_path, "server.git")
    config, markers = hostile_global_config(tmp_path)
    # The test has teeth: plain git with this config runs the filter and the hook on checkout.
    plain = subprocess.run(
        ["git", "clone", "-q", server.as_uri(), str(tmp_path / "plain")],
        env=isolated_env({"GIT_CONFIG_GLOBAL": str(config)}),
        capture_output=True,
        check=False,
    )
    assert plain.returncode == 0, plain.stderr
    assert {"smudge", "lfs", "hook-post-checkout"} <= set(os.listdir(markers))
    for marker in markers.iterdir():
        marker.unlink()
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    _clone(server.as_uri(), tmp_path / "safe")
    assert sorted(os.listdir(markers)) == []
    assert sorted(os.listdir(tmp_path / "safe")) == [".git"]
