"""scanner.tomlcache: the JSON kept for the rule catalogue and knowledge base is the TOML, exactly."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import pytest

from scanner import tomlcache
from scanner.catalogue.load import load_builtin_rules, load_presets, rules_dir
from scanner.knowledge import load as load_kb

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@pytest.fixture(autouse=True)
def _cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CCPOLICY_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "ccpolicy" / "data"


def shipped_sources() -> list[tuple[str, bytes]]:
    sources = [
        (f"rules/{entry.name}", entry.read_text(encoding="utf-8").encode("utf-8"))
        for entry in sorted(rules_dir().iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".toml")
    ]
    knowledge = resources.files("scanner.knowledge")
    sources += [
        (f"knowledge/{name}", knowledge.joinpath(name).read_bytes())
        for name in ("variables.toml", "settings.toml", "controls.toml")
    ]
    return sources


def same_types(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return a.keys() == b.keys() and all(same_types(a[k], b[k]) for k in a)
    if isinstance(a, list):
        assert isinstance(b, list)
        return len(a) == len(b) and all(same_types(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_shipped_toml_comes_back_identical_from_the_cache(_cache_home: Path) -> None:
    sources = shipped_sources()
    assert len(sources) > 30
    truth = [tomllib.loads(data.decode("utf-8")) for _, data in sources]
    first = tomlcache.load(sources)
    assert len(list(_cache_home.iterdir())) == 1
    second = tomlcache.load(sources)  # from the JSON file
    assert same_types(first, truth)
    assert same_types(second, truth)


def test_a_cached_run_does_not_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    sources = [("a.toml", b'x = 1\ny = [1.5, "s", true]\n[t]\nz = {w = -2}\n')]
    assert tomlcache.load(sources) == [{"x": 1, "y": [1.5, "s", True], "t": {"z": {"w": -2}}}]

    def refuse(_: object) -> list[dict[str, object]]:
        raise AssertionError("parsed again")

    monkeypatch.setattr(tomlcache, "parse", refuse)
    assert tomlcache.load(sources) == [{"x": 1, "y": [1.5, "s", True], "t": {"z": {"w": -2}}}]


def test_changed_bytes_or_names_are_parsed_again(_cache_home: Path) -> None:
    assert tomlcache.load([("a.toml", b"x = 1\n")]) == [{"x": 1}]
    assert tomlcache.load([("a.toml", b"x = 2\n")]) == [{"x": 2}]
    assert tomlcache.load([("b.toml", b"x = 1\n")]) == [{"x": 1}]
    assert len(list(_cache_home.iterdir())) == 3


def test_dates_and_non_finite_numbers_are_never_stored(_cache_home: Path) -> None:
    import datetime

    assert tomlcache.load([("d.toml", b"when = 2026-01-01\n")]) == [{"when": datetime.date(2026, 1, 1)}]
    loaded = tomlcache.load([("n.toml", b"x = inf\n")])
    assert loaded[0]["x"] == float("inf")
    assert not _cache_home.exists() or list(_cache_home.iterdir()) == []


def test_broken_entries_are_ignored_and_rewritten(_cache_home: Path) -> None:
    sources = [("a.toml", b"x = 1\n")]
    tomlcache.load(sources)
    (entry,) = _cache_home.iterdir()
    for broken in ("not json", "[]", '[{"x": 1}, {"x": 2}]', "[1]"):
        entry.write_text(broken)
        assert tomlcache.load(sources) == [{"x": 1}]
    assert entry.read_text() == '[{"x":1}]'


def test_invalid_toml_raises_as_tomllib_does() -> None:
    with pytest.raises(tomllib.TOMLDecodeError):
        tomlcache.load([("bad.toml", b"x = \n")])


def test_no_cache_switch_and_unwritable_directory(
    _cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCPOLICY_NO_CACHE", "1")
    assert tomlcache.load([("a.toml", b"x = 1\n")]) == [{"x": 1}]
    assert not _cache_home.exists()
    monkeypatch.delenv("CCPOLICY_NO_CACHE")
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert tomlcache.load([("a.toml", b"x = 1\n")]) == [{"x": 1}]


def test_catalogue_and_knowledge_base_are_the_same_with_and_without_the_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cold_rules, cold_presets = load_builtin_rules(), load_presets()
    warm_rules, warm_presets = load_builtin_rules(), load_presets()
    monkeypatch.setenv("CCPOLICY_NO_CACHE", "1")
    assert load_builtin_rules() == cold_rules == warm_rules
    assert load_presets() == cold_presets == warm_presets
    load_kb.cache_clear()
    try:
        uncached = load_kb()
        monkeypatch.delenv("CCPOLICY_NO_CACHE")
        load_kb.cache_clear()
        load_kb()
        load_kb.cache_clear()
        assert load_kb() == uncached
    finally:
        load_kb.cache_clear()
