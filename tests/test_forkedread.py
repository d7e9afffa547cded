"""scanner.forkedread: a staged scan's reading done by a forked child gives what reading in this
process gives, and anything the child cannot do is done here instead."""

from __future__ import annotations

import os
import pickle
import threading
from pathlib import Path

import pytest
from gitrepo import commit, isolate_staged_reads, make_repo, stage
from interpreter import fresh_python

from scanner import forkedread, gitstarts, parsecache, staged_read, staged_scan
from scanner.gitstarts import staged_started_early
from scanner.inputs import Inputs
from scanner.staged_scan import read_staged_inputs

KEY = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789"
SETTINGS = '{"env": {"DISABLE_TELEMETRY": "0"}}\n'


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Committed and staged configuration files, with caches of their own."""
    isolate_staged_reads(monkeypatch, tmp_path / "cache")
    repo = make_repo(tmp_path)
    commit(repo, {".claude/settings.json": SETTINGS, "vendor/.env": "A=1\n"}, "initial")
    stage(repo, {"app/.env": f"ANTHROPIC_API_KEY={KEY}\n", "vendor/.env": "B=2\n"})
    return repo.resolve()


def read_here(root: Path, exclude: tuple[str, ...] = ()) -> Inputs:
    inputs, _cache = staged_read.read_index_inputs(root, exclude)
    return inputs


def read_forked(root: Path, exclude: tuple[str, ...] = ()) -> Inputs:
    with staged_started_early(root):
        assert forkedread.reads.waiting() == 1
        return read_staged_inputs(root, exclude)


def paths(inputs: Inputs) -> list[str]:
    return [parsed.path for parsed in inputs.files]


def test_the_child_reads_what_this_process_reads(repo: Path) -> None:
    forked = read_forked(repo)
    assert forked == read_here(repo)
    assert paths(forked) == [".claude/settings.json", "app/.env", "vendor/.env"]
    assert forked.tracked == frozenset(paths(forked))
    assert forked.files[2].text == "B=2\n"  # the staged content, not the committed one


def test_what_the_policy_excludes_is_dropped_here(repo: Path) -> None:
    """The child reads before the policy is loaded, so it reads everything."""
    forked = read_forked(repo, ("vendor/**",))
    assert forked == read_here(repo, ("vendor/**",))
    assert paths(forked) == [".claude/settings.json", "app/.env"]
    assert forked.tracked == frozenset(paths(forked))


def cached_paths(root: Path) -> list[str]:
    cache_file = parsecache.cache_file(root)
    assert cache_file is not None
    _signature, (keys, _packed) = pickle.loads(cache_file.read_bytes())
    return sorted(path for path, _kind, _blob in keys)


def test_the_child_saves_the_parse_cache_before_it_ends(repo: Path) -> None:
    read_forked(repo)  # leaving the block waits for the child
    assert cached_paths(repo) == [".claude/settings.json", "vendor/.env"]  # no secret


def test_this_process_unpacks_the_parses_the_child_found_cached(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = read_staged_inputs(repo)  # read here, and cached
    unpacked: list[str] = []
    real = parsecache.ParseCache.get

    def get(cache: parsecache.ParseCache, key: parsecache.Key) -> object:
        unpacked.append(key[0])
        return real(cache, key)

    with staged_started_early(repo):  # the child is forked: what follows happens here only
        monkeypatch.setattr(parsecache.ParseCache, "get", get)
        forked = read_staged_inputs(repo)
    assert forked == expected
    assert unpacked == [".claude/settings.json", "vendor/.env"]
    assert cached_paths(repo) == [".claude/settings.json", "vendor/.env"]


def test_cached_parses_this_process_cannot_find_are_read_here(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache file changed between the child's look and this process's (another run saved)."""
    expected = read_staged_inputs(repo)  # read here, and cached: the child reuses two parses
    read_here_calls: list[Path] = []
    real = staged_read.read_index_inputs

    def counted(root: Path, *args: object, **kwargs: object) -> object:
        read_here_calls.append(root)
        return real(root, *args, **kwargs)  # type: ignore[arg-type]

    with staged_started_early(repo):  # the child is forked: what follows happens here only
        monkeypatch.setattr(parsecache.ParseCache, "get", lambda _cache, _key: None)
        monkeypatch.setattr(staged_scan, "read_index_inputs", counted)
        forked = read_staged_inputs(repo)
    monkeypatch.undo()
    assert forked == expected
    assert read_here_calls == [repo]


def test_a_child_that_fails_leaves_the_reading_to_this_process(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    failed = tmp_path / "child-failed"
    real = staged_read.read_index

    def failing_in_the_child(*args: object, **kwargs: object) -> object:
        if os.getpid() != parent:
            failed.write_text("yes")
            raise RuntimeError("a bug")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(staged_read, "read_index", failing_in_the_child)
    assert read_forked(repo) == read_here(repo)
    assert failed.read_text() == "yes"


def test_the_child_writes_nothing_to_this_process_output(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    parent = os.getpid()
    real = staged_read.read_index

    def talkative(*args: object, **kwargs: object) -> object:
        if os.getpid() != parent:
            os.write(1, b"child stdout\n")
            os.write(2, b"child stderr\n")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(staged_read, "read_index", talkative)
    monkeypatch.delenv("CCPOLICY_DEBUG", raising=False)
    assert paths(read_forked(repo)) == [".claude/settings.json", "app/.env", "vendor/.env"]
    assert capfd.readouterr() == ("", "")


def test_no_child_is_forked_while_another_thread_runs(repo: Path) -> None:
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not forkedread.can_fork()
        with staged_started_early(repo):
            assert (forkedread.reads.waiting(), gitstarts.staged.waiting()) == (0, 1)  # git instead
            assert read_staged_inputs(repo) == read_here(repo)
    finally:
        release.set()
        other.join()
    assert forkedread.can_fork()


def test_a_child_nobody_asks_is_stopped(repo: Path) -> None:
    with staged_started_early(repo):
        [child] = forkedread.reads._waiting.values()
    assert forkedread.reads.waiting() == 0
    with pytest.raises(ChildProcessError):  # killed and reaped
        os.waitpid(child.pid, os.WNOHANG)


def test_what_the_child_loads_leaves_typing_to_the_parent() -> None:
    """typing costs ~2 ms to import: the modules loaded before the fork and every parser leave
    it to the parent, which loads it after forking (a type-only import belongs under
    TYPE_CHECKING)."""
    code = (
        "import sys\n"
        "from scanner import cli, forkedread, gitstarts, parsecache, staged_read\n"
        "from scanner.cli import scan_cmd\n"
        "parsecache.code_signature()\n"
        "from scanner.sources import registry\n"
        "registry.preload(registry.SOURCES)\n"
        "print('typing' in sys.modules)\n"
    )
    out = fresh_python(code)
    assert out == "False\n"
