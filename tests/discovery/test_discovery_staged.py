from __future__ import annotations

import codecs
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from gitrepo import (
    commit,
    git,
    git_subcommand,
    isolate_git_config,
    isolated_env,
    make_repo,
    record_git_processes,
    stage,
    write_files,
)

from scanner.discovery import DiscoveryError
from scanner.discovery.staged import (
    StagedFile,
    StagedSnapshot,
    changed_staged_paths,
    inherited_index_file,
    read_staged,
)
from scanner.gitsafe import BlobReader
from scanner.model import FileKind, Notification


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path)
    commit(
        repo,
        {
            ".claude/settings.json": '{"env": {"A": "committed"}}\n',
            "README.md": "x\n",
            "app/.env": "A=committed\n",
        },
        "initial",
    )
    return repo


def test_staged_content_wins_over_unstaged_edits(repo: Path) -> None:
    stage(repo, {".claude/settings.json": '{"env": {"A": "staged"}}\n'})
    write_files(repo, {".claude/settings.json": '{"env": {"A": "unstaged"}}\n'})
    snapshot = read_staged(repo, repo)
    assert snapshot._replace(blob_ids={}) == StagedSnapshot(
        files=(
            StagedFile(".claude/settings.json", FileKind.SETTINGS_PROJECT, '{"env": {"A": "staged"}}\n'),
            StagedFile("app/.env", FileKind.DOTENV, "A=committed\n"),
        ),
        notifications=(),
    )
    assert snapshot.blob_ids == {
        path: git(repo, "rev-parse", f":{path}").strip() for path in (".claude/settings.json", "app/.env")
    }


def test_untracked_files_are_not_staged(repo: Path) -> None:
    write_files(repo, {".mcp.json": "{}\n"})
    assert [file.path for file in read_staged(repo, repo).files] == [".claude/settings.json", "app/.env"]


def test_staged_deletion_is_absent_but_worktree_deletion_is_still_staged(repo: Path) -> None:
    git(repo, "rm", "-q", "--cached", "app/.env")  # deleted from the index, kept on disk
    (repo / ".claude/settings.json").unlink()  # deleted on disk only: still staged
    snapshot = read_staged(repo, repo)
    assert snapshot.files == (
        StagedFile(".claude/settings.json", FileKind.SETTINGS_PROJECT, '{"env": {"A": "committed"}}\n'),
    )


def test_subdirectory_scan_root(repo: Path) -> None:
    stage(repo, {"app/deploy.sh": "export B=1\n"})
    assert read_staged(repo, repo / "app").files == (
        StagedFile(".env", FileKind.DOTENV, "A=committed\n"),
        StagedFile("deploy.sh", FileKind.SHELL, "export B=1\n"),
    )


def test_binary_too_large_and_encodings(repo: Path) -> None:
    stage(
        repo,
        {
            "bin.sh": b"#!/bin/sh\n\x00\x01",
            "big.env": b"A=1\n" * 100,
            "latin.sh": b"export N=caf\xe9\n",
            "profile.ps1": codecs.BOM_UTF16_LE + '$env:A = "1"\r\n'.encode("utf-16-le"),
        },
    )
    snapshot = read_staged(repo, repo, max_bytes=200)
    assert [(file.path, file.text) for file in snapshot.files] == [
        (".claude/settings.json", '{"env": {"A": "committed"}}\n'),
        ("app/.env", "A=committed\n"),
        ("latin.sh", "export N=café\n"),
        ("profile.ps1", '$env:A = "1"\r\n'),
    ]
    assert snapshot.notifications == (
        Notification(
            level="warning",
            message="file is 400 bytes, over the 200-byte limit; not scanned",
            path="big.env",
            descriptor="too-large",
        ),
        Notification(
            level="note",
            message="binary file (NUL byte in the first 8 KB); not scanned",
            path="bin.sh",
            descriptor="binary",
        ),
        Notification(
            level="note",
            message="file is not valid UTF-8; read as Latin-1",
            path="latin.sh",
            descriptor="encoding",
        ),
    )


def test_symlinks_and_submodules_are_skipped(repo: Path, tmp_path: Path) -> None:
    (repo / "link.env").symlink_to("/etc/passwd")
    sub = make_repo(tmp_path, "sub")
    commit(sub, {".env": "S=1\n"}, "sub")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "mod.sh")
    git(repo, "add", "link.env")
    assert [file.path for file in read_staged(repo, repo).files] == [".claude/settings.json", "app/.env"]


def test_two_processes_and_one_round_trip_for_all_blobs(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stage(repo, {f"s{index}.sh": f"export N={index}\n" for index in range(50)})
    processes = record_git_processes(monkeypatch)

    round_trips: list[int] = []
    real_round_trip = BlobReader._round_trip

    def counting_round_trip(self: BlobReader, ids: Any, max_bytes: Any, meanwhile: Any) -> Any:
        round_trips.append(len(ids))
        return real_round_trip(self, ids, max_bytes, meanwhile)

    monkeypatch.setattr(BlobReader, "_round_trip", counting_round_trip)
    while_reading: list[int] = []
    snapshot = read_staged(repo, repo, while_reading=lambda: while_reading.append(len(round_trips)))
    assert len(snapshot.files) == 52
    assert [git_subcommand(process.args) for process in processes] == ["ls-files", "cat-file"]
    assert round_trips == [52]
    assert while_reading == [1]  # once, in the round trip


def test_nothing_runs_while_reading_when_there_is_nothing_to_read(repo: Path) -> None:
    while_reading: list[bool] = []
    snapshot = read_staged(
        repo, repo, have=lambda *_key: True, while_reading=lambda: while_reading.append(True)
    )
    assert snapshot.files == ()
    assert while_reading == []


def test_same_content_in_two_files(repo: Path) -> None:
    stage(repo, {"a.sh": "export X=1\n", "b.sh": "export X=1\n"})
    texts = {file.path: file.text for file in read_staged(repo, repo).files}
    assert texts["a.sh"] == texts["b.sh"] == "export X=1\n"


def test_empty_repository_with_staged_files(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    assert read_staged(repo, repo) == StagedSnapshot(files=())
    stage(repo, {".env": "A=1\n"})
    assert read_staged(repo, repo).files == (StagedFile(".env", FileKind.DOTENV, "A=1\n"),)
    assert changed_staged_paths(repo, repo) == (".env",)


def test_unmerged_paths_get_a_notification(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "other")
    commit(repo, {"app/.env": "A=other\n"}, "other")
    git(repo, "checkout", "-q", "main")
    commit(repo, {"app/.env": "A=main\n"}, "main")
    with pytest.raises(AssertionError, match="CONFLICT"):
        git(repo, "merge", "-q", "other")
    snapshot = read_staged(repo, repo)
    assert [file.path for file in snapshot.files] == [".claude/settings.json"]
    assert snapshot.notifications == (
        Notification(
            level="warning",
            message="file has unresolved merge conflicts in the index; not scanned",
            path="app/.env",
            descriptor="unmerged",
        ),
    )


def test_missing_blob_is_a_notification(repo: Path) -> None:
    stage(repo, {"x.sh": "export GONE=1\n"})
    oid = git(repo, "rev-parse", ":x.sh")
    (repo / ".git/objects" / oid[:2] / oid[2:]).unlink()
    snapshot = read_staged(repo, repo)
    assert [file.path for file in snapshot.files] == [".claude/settings.json", "app/.env"]
    assert snapshot.notifications == (
        Notification(
            level="warning",
            message="staged content is not available in the local object store; not scanned",
            path="x.sh",
            descriptor="unreadable",
        ),
    )


def test_alternative_index_file(repo: Path, tmp_path: Path) -> None:
    """What `git commit -a` hands a pre-commit hook: a temporary index with the commit's content."""
    index = tmp_path / "commit-index"
    env = {"GIT_INDEX_FILE": str(index)}
    git(repo, "read-tree", "HEAD", env=env)
    write_files(repo, {"app/.env": "A=in-temporary-index\n"})
    git(repo, "add", "app/.env", env=env)
    default = {file.path: file.text for file in read_staged(repo, repo).files}
    alternative = {file.path: file.text for file in read_staged(repo, repo, index_file=index).files}
    assert default["app/.env"] == "A=committed\n"
    assert alternative["app/.env"] == "A=in-temporary-index\n"
    assert changed_staged_paths(repo, repo) == ()
    assert changed_staged_paths(repo, repo, index_file=index) == ("app/.env",)


def test_inherited_index_file_is_ignored_unless_passed(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_INDEX_FILE", "does-not-exist")
    assert [file.path for file in read_staged(repo, repo).files] == [".claude/settings.json", "app/.env"]
    assert inherited_index_file(repo) == repo / "does-not-exist"
    monkeypatch.setenv("GIT_INDEX_FILE", "/abs/index")
    assert inherited_index_file(repo) == Path("/abs/index")
    monkeypatch.delenv("GIT_INDEX_FILE")
    assert inherited_index_file(repo) is None


HOOK_SCRIPT = """
import os, pathlib
from scanner.discovery.staged import inherited_index_file, read_staged
root = pathlib.Path(os.environ["REPO"])
snapshot = read_staged(root, root, index_file=inherited_index_file(root))
texts = {file.path: file.text for file in snapshot.files}
pathlib.Path(os.environ["OUT"]).write_text(texts["app/.env"])
"""


def test_pre_commit_hook_sees_the_commit_content(repo: Path, tmp_path: Path) -> None:
    """End to end: `git commit -a` runs a hook whose GIT_INDEX_FILE holds the new content."""
    out = tmp_path / "seen.txt"
    script = tmp_path / "hook.py"
    script.write_text(HOOK_SCRIPT)
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text(f"#!/bin/sh\nexec '{sys.executable}' '{script}'\n")
    hook.chmod(0o755)
    write_files(repo, {"app/.env": "A=via-commit-a\n"})
    project = str(Path(__file__).resolve().parents[2])
    env = isolated_env({"REPO": str(repo), "OUT": str(out), "PYTHONPATH": project})
    subprocess.run(["git", "commit", "-q", "-a", "-m", "hooked"], cwd=repo, env=env, check=True)
    assert out.read_text() == "A=via-commit-a\n"


def test_changed_staged_paths(repo: Path) -> None:
    stage(repo, {"new.sh": "x\n", "app/.env": "A=changed\n", "README.md": None})
    write_files(repo, {"unstaged.sh": "x\n"})
    assert changed_staged_paths(repo, repo) == ("app/.env", "new.sh")
    assert changed_staged_paths(repo, repo / "app") == (".env",)


def test_not_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(DiscoveryError, match=r"cannot read the git index: .*not a git repository"):
        read_staged(plain, plain)
    with pytest.raises(DiscoveryError, match="cannot list staged changes"):
        changed_staged_paths(plain, plain)


def test_scan_root_outside_repository(repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(DiscoveryError, match="is not inside the repository"):
        read_staged(repo, other)
    with pytest.raises(DiscoveryError, match="not an existing directory"):
        read_staged(repo, repo / "missing")
