"""Reading a commit's candidate files from the object store (clones and bare repositories)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import commit, git, isolate_git_config, make_repo
from multi_repos import SETTINGS

from scanner.gitsafe import GitError
from scanner.model import FileKind, Notification
from scanner.multi.tree import TooLarge, read_head


@pytest.fixture(autouse=True)
def _no_machine_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)


def test_reads_candidates_with_kinds_and_texts(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(
        repo,
        {
            ".claude/settings.json": SETTINGS,
            ".env": "ANTHROPIC_MODEL=x\n",
            "src/main.py": "print(1)\n",  # not a candidate
            "big/.env": "A=" + "x" * 200 + "\n",
            "bin/.env": b"A=1\0\n",
        },
        "files",
    )
    git(repo, "rm", "-q", "--cached", ".env")  # tracked state comes from the commit, not the index
    inputs = read_head(repo, max_files=100, max_bytes=100)
    assert [(f.path, f.kind) for f in inputs.files] == [
        (".claude/settings.json", FileKind.SETTINGS_PROJECT),
        (".env", FileKind.DOTENV),
    ]
    assert inputs.files[0].text == SETTINGS
    assert inputs.tracked == frozenset(
        {".claude/settings.json", ".env", "src/main.py", "big/.env", "bin/.env"}
    )
    assert inputs.is_git is True
    assert inputs.notifications == (
        Notification(
            "warning",
            "file is 203 bytes, over the 100-byte limit; not scanned",
            "big/.env",
            descriptor="too-large",
        ),
        Notification(
            "note", "binary file (NUL byte in the first 8 KB); not scanned", "bin/.env", descriptor="binary"
        ),
    )


def test_symlinks_and_submodules_are_skipped(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"notes.txt": "A=1\n"}, "one")
    (repo / ".env").symlink_to("/etc/passwd")
    git(repo, "add", ".env")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{git(repo, 'rev-parse', 'HEAD')},sub/.env")
    commit(repo, {}, "link and gitlink")
    inputs = read_head(repo, max_files=100, max_bytes=1000)
    assert [f.path for f in inputs.files] == []
    assert inputs.tracked == frozenset({"notes.txt"})


def test_too_many_files(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"a": "1", "b": "2", "c/d": "3"}, "three")
    with pytest.raises(TooLarge) as caught:
        read_head(repo, max_files=2, max_bytes=1000)
    assert str(caught.value) == "the commit has 3 files, over the limit of 2"
    assert read_head(repo, max_files=3, max_bytes=1000).tracked == frozenset({"a", "b", "c/d"})


def test_repository_without_commits(tmp_path: Path) -> None:
    inputs = read_head(make_repo(tmp_path), max_files=10, max_bytes=10)
    assert inputs.files == ()
    assert inputs.tracked == frozenset()
    assert inputs.notifications == (
        Notification("note", "repository has no commits; nothing to scan", descriptor="empty"),
    )


def test_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    inputs = read_head(tmp_path / "plain", max_files=10, max_bytes=10)
    assert inputs.notifications[0].descriptor == "empty"


def test_corrupt_object_store_raises_git_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {".env": "A=1\n"}, "one")
    tree = git(repo, "rev-parse", "HEAD^{tree}")
    (repo / ".git" / "objects" / tree[:2] / tree[2:]).unlink()
    with pytest.raises(GitError):
        read_head(repo, max_files=10, max_bytes=100)
