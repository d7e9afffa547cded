"""scanner.cachedir: where caches live and how a cache file is written."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from scanner.cachedir import cache_folder, is_private, write_atomic

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")


def test_cache_folder_follows_xdg_and_can_be_turned_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CCPOLICY_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_folder("parsed") == tmp_path / "ccpolicy" / "parsed"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_folder("parsed") == tmp_path / "home" / ".cache" / "ccpolicy" / "parsed"
    monkeypatch.setenv("CCPOLICY_NO_CACHE", "1")
    assert cache_folder("parsed") is None


@posix_only
def test_a_cache_file_is_written_whole_and_private(tmp_path: Path) -> None:
    folder = tmp_path / "cache" / "kind"
    write_atomic(folder, "entry", b"first")
    write_atomic(folder, "entry", b"second")
    assert (folder / "entry").read_bytes() == b"second"
    assert os.listdir(folder) == ["entry"]  # no temporary file left behind
    assert (folder / "entry").stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    assert is_private(folder / "entry")


def test_a_cache_that_cannot_be_written_is_no_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("a file where the cache folder would be")
    write_atomic(tmp_path / "file" / "kind", "entry", b"data")
    assert (tmp_path / "file").read_text() == "a file where the cache folder would be"


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    folder = tmp_path / "kind"
    (folder / "entry").mkdir(parents=True)  # the rename onto a folder fails
    write_atomic(folder, "entry", b"data")
    assert os.listdir(folder) == ["entry"]
    assert (folder / "entry").is_dir()


@posix_only
def test_a_shared_file_is_not_private(tmp_path: Path) -> None:
    entry = tmp_path / "kind" / "entry"
    write_atomic(entry.parent, entry.name, b"data")
    entry.chmod(0o620)
    assert not is_private(entry)
    entry.chmod(0o600)
    entry.parent.chmod(0o770)
    assert not is_private(entry)
