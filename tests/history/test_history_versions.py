"""scanner.discovery.history.iter_history_versions: whole texts before and after, deletions included,
from the same single stream as iter_history."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gitrepo import AUTHOR_EMAIL, AUTHOR_NAME, commit, git, isolate_git_config, make_repo

from scanner.discovery import DiscoveryError
from scanner.discovery.history import HistoryVersion, iter_history, iter_history_versions
from scanner.model import FileKind


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)


def blob(repo: Path, revision: str) -> str:
    return git(repo, "rev-parse", revision)


def test_added_modified_deleted(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    first = commit(repo, {".env": "A=1\n", "README.md": "x\n"}, "add")
    second = commit(repo, {".env": "A=1\nB=2\n"}, "modify")
    third = commit(repo, {".env": None}, "delete")
    old_blob, new_blob = blob(repo, f"{first}:.env"), blob(repo, f"{second}:.env")

    def version(
        sha: str, minute: int, old: tuple[str | None, str | None], new: tuple[str | None, str | None]
    ) -> HistoryVersion:
        return HistoryVersion(
            commit=sha,
            author_name=AUTHOR_NAME,
            author_email=AUTHOR_EMAIL,
            author_date=f"2023-11-14T22:{13 + minute:02d}:20+00:00",
            path=".env",
            kind=FileKind.DOTENV,
            old_blob=old[0],
            new_blob=new[0],
            old_text=old[1],
            new_text=new[1],
        )

    versions = list(iter_history_versions(repo))
    assert versions == [
        version(first, 0, (None, None), (old_blob, "A=1\n")),
        version(second, 1, (old_blob, "A=1\n"), (new_blob, "A=1\nB=2\n")),
        version(third, 2, (new_blob, "A=1\nB=2\n"), (None, None)),
    ]
    assert [v.deleted for v in versions] == [False, False, True]
    assert [v.added_lines() for v in versions] == [((1, "A=1"),), ((2, "B=2"),), ()]


def test_added_lines_agree_with_iter_history(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {".env": "A=1\nB=2\n", "s.sh": "export X=1\n"}, "one")
    commit(repo, {".env": "B=2\nA=1\nC=3\n", "s.sh": "export X=1\nexport X=1\n"}, "two")
    commit(repo, {".env": "C=3\n"}, "three")
    from_versions = [
        (v.commit, v.path, v.added_lines()) for v in iter_history_versions(repo) if v.added_lines()
    ]
    from_changes = [(c.commit, c.path, c.added_lines) for c in iter_history(repo)]
    assert from_versions == from_changes


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_a_file_turned_into_a_symlink_counts_as_deleted(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {".env": "A=1\n", "real.txt": "x\n"}, "file")
    (repo / ".env").unlink()
    (repo / ".env").symlink_to("real.txt")
    git(repo, "add", "-A")
    sha = commit(repo, {}, "symlink")
    last = list(iter_history_versions(repo))[-1]
    assert (last.commit, last.path, last.deleted, last.old_text, last.new_text) == (
        sha,
        ".env",
        True,
        "A=1\n",
        None,
    )


def test_binary_new_version_comes_with_a_notification(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {".env": "A=1\n"}, "text")
    sha = commit(repo, {".env": b"\x00\x01binary"}, "binary")
    last = list(iter_history_versions(repo))[-1]
    assert (last.old_text, last.new_text, last.deleted) == ("A=1\n", None, False)
    assert last.notification is not None
    assert last.notification.path == ".env"
    assert last.notification.message.endswith(f"(commit {sha[:12]})")


def test_too_large_versions_are_not_read(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {".env": "A=1\n" * 100}, "big")
    commit(repo, {".env": "A=1\n"}, "small")
    big, small = iter_history_versions(repo, max_bytes=50)
    assert (big.new_text, big.notification is not None) == (None, True)
    assert big.notification is not None and big.notification.descriptor == "too-large"
    assert (small.old_text, small.new_text, small.notification) == (None, "A=1\n", None)


def test_errors_and_empty_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    assert list(iter_history_versions(repo)) == []
    with pytest.raises(DiscoveryError, match="history needs a git repository"):
        list(iter_history_versions(tmp_path))
    commit(repo, {".env": "A=1\n"}, "one")
    with pytest.raises(DiscoveryError, match=r"--since 'nope' is not a commit"):
        list(iter_history_versions(repo, since="nope"))


def test_stopping_early_stops_git(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    for n in range(5):
        commit(repo, {".env": f"A={n}\n"}, f"c{n}")
    versions = iter_history_versions(repo)
    first = next(versions)
    versions.close()
    assert first.new_text == "A=0\n"
