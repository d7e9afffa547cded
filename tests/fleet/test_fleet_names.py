"""Target names across files: which run is which target, and distinct names without loss."""

from __future__ import annotations

import pytest

from scanner.fleet.names import distinct, id_segment, numbered, qualified, run_kind, run_target


def _run(automation: str | None = None, target: object = None) -> dict[str, object]:
    run: dict[str, object] = {"tool": {"driver": {"name": "ccpolicy"}}}
    if automation is not None:
        run["automationDetails"] = {"id": automation}
    if target is not None:
        run["properties"] = {"ccpolicy/target": target}
    return run


@pytest.mark.parametrize(
    ("run", "index", "runs", "expected"),
    [
        (_run("ccpolicy/repository/", target="svc"), 0, 1, "svc"),
        (_run("ccpolicy/repository/a_b/"), 0, 2, "a_b"),
        (_run("ccpolicy/host/web/01/"), 0, 2, "web/01"),
        (_run("ccpolicy/repository/"), 0, 1, "stem"),
        (_run("ccpolicy/repository/"), 1, 3, "stem#2"),
        (_run(None), 0, 1, "stem"),
        (_run("other/cat/x/", target="  "), 0, 1, "stem"),
        (_run("ccpolicy/host/", target=5), 0, 1, "stem"),
    ],
)
def test_run_target(run: dict[str, object], index: int, runs: int, expected: str) -> None:
    assert run_target(run, "stem", index, runs) == expected


def test_run_kind() -> None:
    assert run_kind(_run("ccpolicy/host/")) == "host"
    assert run_kind(_run("ccpolicy/repository/x/")) == "repository"
    assert run_kind(_run("zizmor/")) == ""
    assert run_kind(_run(None)) == ""


def test_qualified() -> None:
    assert qualified(".", "org-repo") == "org-repo"
    assert qualified("", "org-repo") == "org-repo"
    assert qualified("web-01", "web-01") == "web-01"
    assert qualified("/", "web-01") == "web-01:/"


def test_distinct_qualifies_shared_names_in_every_file_and_numbers_the_rest() -> None:
    keys = [(0, "."), (1, "."), (2, "host"), (3, "host"), (4, "solo"), (5, "x"), (6, "x")]
    stems = ["repo-a", "repo-b", "a", "b", "f", "same", "same"]
    assert distinct(keys, stems) == ["repo-a", "repo-b", "a:host", "b:host", "solo", "same:x", "same:x-2"]


def test_numbered_avoids_names_in_use() -> None:
    assert numbered(["a", "a", "a-2", "b"]) == ["a", "a-3", "a-2", "b"]
    assert numbered([]) == []


def test_id_segment() -> None:
    assert id_segment("https://github.com/o/r.git") == "https_github.com_o_r.git"
    assert id_segment("///") == "run"
