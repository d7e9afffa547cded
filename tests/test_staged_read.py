"""scanner.staged_read: the index's candidate files, parsed now or taken from the parse cache,
packed or not."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import commit, git, isolate_staged_reads, make_repo, stage
from interpreter import fresh_python

from scanner import staged_read
from scanner.model import FileKind
from scanner.parsecache import ParseCache
from scanner.staged_read import IndexRead, index_inputs, read_index, read_index_inputs

SETTINGS = '{"env": {"DISABLE_TELEMETRY": "1"}}\n'
COMPOSE = "services:\n  app:\n    image: x\n    environment:\n      - CLAUDE_CODE_USE_BEDROCK=1\n"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_staged_reads(monkeypatch, tmp_path / "cache")
    repo = make_repo(tmp_path)
    commit(repo, {".claude/settings.json": SETTINGS, "compose.yaml": COMPOSE, ".env": "A=1\n"}, "initial")
    return repo.resolve()


def fill_cache(root: Path) -> None:
    _inputs, cache = read_index_inputs(root)
    cache.save()


def blob(repo: Path, path: str) -> str:
    return git(repo, "rev-parse", f":{path}")


def test_the_parsers_of_what_is_read_load_while_git_reads(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_cache(repo)
    stage(repo, {".env": "B=2\n"})
    preloaded: list[set[FileKind]] = []
    monkeypatch.setattr(staged_read, "preload", lambda kinds: preloaded.append(set(kinds)))
    read = read_index(repo, ParseCache(repo))
    assert [parsed.path for parsed in read.fresh] == [".env"]
    assert preloaded == [{FileKind.DOTENV}]  # not the parsers of the cached files


def test_preload_imports_the_parsers_and_what_they_load_on_first_use() -> None:
    code = (
        "import sys\n"
        "from scanner.model import FileKind\n"
        "from scanner.sources import registry, yamlloc\n"
        "registry.preload([FileKind.COMPOSE, FileKind.DOTENV])\n"
        "names = ('scanner.sources.compose', 'scanner.sources.dotenv', 'scanner.sources.settings', 'yaml')\n"
        "print(sorted(name for name in names if name in sys.modules), yamlloc._loader_class.cache_info().currsize)\n"
    )
    out = fresh_python(code)
    assert out == "['scanner.sources.compose', 'scanner.sources.dotenv', 'yaml'] 1\n"


def test_packed_and_unpacked_reads_give_the_same_inputs(repo: Path) -> None:
    fill_cache(repo)
    stage(repo, {".env": "B=2\n"})
    packed_cache = ParseCache(repo)
    packed = read_index(repo, packed_cache, unpack=False)
    assert packed.reused == (
        (".claude/settings.json", FileKind.SETTINGS_PROJECT, blob(repo, ".claude/settings.json")),
        ("compose.yaml", FileKind.COMPOSE, blob(repo, "compose.yaml")),
    )
    expected, _cache = read_index_inputs(repo)
    assert index_inputs(packed, ParseCache(repo)) == expected
    assert [parsed.path for parsed in expected.files] == [".claude/settings.json", ".env", "compose.yaml"]
    assert expected.repo_prefix == ""
    assert expected.tracked == frozenset({".claude/settings.json", ".env", "compose.yaml"})


def test_no_inputs_from_a_cache_that_lacks_a_reused_parse(repo: Path) -> None:
    fill_cache(repo)
    packed = read_index(repo, ParseCache(repo), unpack=False)
    assert (packed.fresh, len(packed.reused)) == ((), 3)
    assert index_inputs(packed, ParseCache(repo)) is not None
    lacking = IndexRead((), (*packed.reused, (".envrc", FileKind.ENVRC, "0" * 40)), (), "")
    assert index_inputs(lacking, ParseCache(repo)) is None
