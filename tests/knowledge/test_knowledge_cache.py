"""scanner.knowledge.load keeps the knowledge base it built, and uses it only when nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner import knowledge
from scanner.knowledge import KnowledgeBase, load


@pytest.fixture(autouse=True)
def _fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("CCPOLICY_NO_CACHE", raising=False)
    load.cache_clear()
    yield
    load.cache_clear()


def kept_file(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "ccpolicy" / "knowledge" / "knowledge.pickle"


def counting_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    builds: list[int] = []
    real = knowledge._build

    def build(sources: list[tuple[str, bytes]]) -> KnowledgeBase:
        builds.append(1)
        return real(sources)

    monkeypatch.setattr(knowledge, "_build", build)
    return builds


def test_a_second_run_takes_the_kept_knowledge_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builds = counting_builds(monkeypatch)
    first = load()
    assert kept_file(tmp_path).is_file()
    load.cache_clear()
    assert load() == first
    assert builds == [1]
    assert load().variable("DISABLE_TELEMETRY") is not None


def test_a_kept_knowledge_base_others_can_write_is_built_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds = counting_builds(monkeypatch)
    load()
    kept_file(tmp_path).chmod(0o666)
    load.cache_clear()
    load()
    assert builds == [1, 1]


def test_other_data_makes_another_key() -> None:
    sources = [(f"knowledge/{name}", (knowledge._HERE / name).read_bytes()) for name in knowledge._FILES]
    changed = [*sources[:-1], (sources[-1][0], sources[-1][1] + b"\n")]
    assert knowledge._key(sources) == knowledge._key(list(sources))
    assert knowledge._key(changed) != knowledge._key(sources)


def test_nothing_is_kept_with_ccpolicy_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCPOLICY_NO_CACHE", "1")
    assert load().variable("DISABLE_TELEMETRY") is not None
    assert not (tmp_path / "cache").exists()
