"""The results table: verdicts, checks and timings formatted from made-up numbers (nothing is timed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.measure import Command, Timing, environment
from benchmarks.results import Check, Report, Row, Verdict, check_text, mib, ms, render, verdict_text
from benchmarks.run import judge
from benchmarks.scenarios import Reference, Scenario, Target


def timing(
    median: float, low: float | None = None, high: float | None = None, peak: int | None = None
) -> Timing:
    return Timing(median, low or median, high or median, 0.0, 10, peak)


def test_numbers() -> None:
    assert ms(0.0123) == "12.3 ms"
    assert ms(1.23456) == "1,235 ms"
    assert mib(40960) == "40.0 MB"
    assert mib(None) == "—"
    assert timing(0.2, 0.18, 0.26).spread == pytest.approx(0.2)


def test_verdicts() -> None:
    assert verdict_text(Verdict("s", "≤ 8 × python -c pass", 7.5, 8)) == "met"
    assert (
        verdict_text(Verdict("s", "≤ 8 × python -c pass", 10.0, 8))
        == "**missed** by 25% (needs 1.25 × faster)"
    )
    assert verdict_text(Verdict("s", "≤ 0.5 × detect-secrets", None, 0.5, "not installed")) == (
        "not measured: not installed"
    )


def test_checks() -> None:
    assert check_text(Check("s", {"CCP401": 2}, {"CCP401": 2})) == "ok"
    assert check_text(Check("s", {"CCP401": 2, "CCP108": 1}, {"CCP401": 1, "CCP999": 3})) == (
        "**wrong**: CCP108 0 (expected 1), CCP401 1 (expected 2), CCP999 3 (expected 0)"
    )
    assert (
        check_text(Check("s", {"CCP403": 1}, None, "exit 2: no such mode"))
        == "**no report**: exit 2: no such mode"
    )


def test_render() -> None:
    report = Report(
        machine={"CPU": "Test CPU, 2 CPUs (nproc)", "Python": "3.11.7"},
        titles={"staged-10k": "`scan --staged`", "empty": "nothing ran"},
        rows=(
            Row("staged-10k", "ccpolicy scan --staged", "ccpolicy", timing(0.2, 0.19, 0.23, 30720)),
            Row("staged-10k", "python -c pass", "floor", timing(0.025)),
            Row("staged-10k", "detect-secrets", "peer", None, "not installed"),
        ),
        verdicts=(
            Verdict("staged-10k", "≤ 8 × python -c pass", 8.0, 8),
            Verdict("staged-10k", "≤ 0.5 × detect-secrets", None, 0.5, "not installed"),
        ),
        checks=(Check("staged-10k", {"CCP401": 13}, {"CCP401": 13}),),
        notes=("a note",),
    )
    text = render(report)
    lines = text.splitlines()
    assert lines[0] == "# Benchmark results"
    assert "| CPU | Test CPU, 2 CPUs (nproc) |" in lines
    assert "| staged-10k | ≤ 8 × python -c pass | 8.00 × | met |" in lines
    assert "| staged-10k | ≤ 0.5 × detect-secrets | — | not measured: not installed |" in lines
    assert "| staged-10k | CCP401 13 | CCP401 13 | ok |" in lines
    assert "### staged-10k: `scan --staged`" in lines
    assert "| ccpolicy scan --staged | ccpolicy | 200 ms | 10% | 10 | 30.0 MB |  |" in lines
    assert "| python -c pass | floor | 25.0 ms | 0% | 10 | — | 8.00 |" in lines
    assert "| detect-secrets | peer | not installed | | | | |" in lines
    assert "### empty: nothing ran" not in lines
    assert lines[-1] == "- a note"
    assert text.endswith("\n")


def test_judge_uses_the_scenarios_own_references() -> None:
    here = Path(".")
    scenario = Scenario(
        "full-100k",
        "t",
        (),
        Command("ccpolicy scan", ("x",), here),
        (Reference(Command("python -c pass", ("p",), here), "floor"),),
        (Target("python -c pass", 12), Target("scenario:full-10k", 1.5)),
    )
    rows = [
        Row("version", "python -c pass", "floor", timing(1.0)),  # another scenario's: not used
        Row("full-100k", "python -c pass", "floor", timing(0.05)),
    ]
    subjects = {"full-10k": timing(0.4), "full-100k": timing(0.7, peak=50 * 1024)}
    verdicts = judge(scenario, rows, subjects, "")
    assert [(v.target, v.ratio, v.met) for v in verdicts] == [
        ("≤ 12 × python -c pass", pytest.approx(14.0), False),
        ("≤ 1.5 × full-10k", pytest.approx(1.75), False),
        ("peak memory < 80 MB", pytest.approx(50 / 80), True),
    ]
    missing = judge(scenario, rows, {"full-100k": None}, "exit 2: not available")
    assert [(v.ratio, v.note) for v in missing] == [(None, "exit 2: not available")] * 3


def test_timed_runs_keep_bytecode_caching_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    env = environment({"EXTRA": "1"})
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["EXTRA"] == "1"


def test_prepare_runs_before_every_timed_and_memory_run(tmp_path: Path) -> None:
    import sys

    from benchmarks.measure import peak_memory, time_python

    log = tmp_path / "log"
    append = (sys.executable, "-c", f"open({str(log)!r}, 'a').write('prepare\\n')")
    read = (sys.executable, "-c", f"open({str(log)!r}, 'a').write('run\\n')")
    command = Command("run", read, tmp_path, prepare=append)
    time_python(command, runs=2, warmup=1)
    assert log.read_text().splitlines() == ["prepare", "run"] * 3
    log.unlink()
    peak_memory(command, runs=2)
    assert log.read_text().splitlines() == ["prepare", "run"] * 2


def test_commands_measured_side_by_side_take_turns(tmp_path: Path) -> None:
    import sys

    from benchmarks.measure import measure_in_turns

    log = tmp_path / "log"

    def writing(label: str) -> Command:
        return Command(label, (sys.executable, "-c", f"open({str(log)!r}, 'a').write({label!r})"), tmp_path)

    first, second = measure_in_turns(
        [writing("a"), writing("b")], runs=4, warmup=1, memory=False, timer="python"
    )
    # a warm-up and a run of each, then a run of each per round
    assert log.read_text() == "aabb" + "ab" * 3
    assert (first.runs, second.runs, len(first.samples), first.tool) == (4, 4, 4, "python")
    assert first.low <= first.median <= first.high


def test_the_100k_scan_is_timed_beside_the_10k_scan(tmp_path: Path) -> None:
    from benchmarks.scenarios import SCAN_10K, Tools, build

    paths = {"repo-10k": tmp_path / "repo-10k", "repo-100k": tmp_path / "repo-100k"}
    tools = Tools("python3", ("ccpolicy",), tmp_path / "peers")
    (full_10k,) = [s for s in build(paths, tools, tmp_path) if s.name == "full-10k"]
    (full_100k,) = [s for s in build(paths, tools, tmp_path) if s.name == "full-100k"]
    (baseline,) = [r for r in full_100k.references if r.command.label == SCAN_10K]
    assert (baseline.role, baseline.command.argv, baseline.command.cwd) == (
        "baseline",
        ("ccpolicy", "scan", "."),
        paths["repo-10k"],
    )
    assert baseline.command.argv == full_10k.subject.argv
    assert full_100k.targets == (Target(SCAN_10K, 1.5),)


def test_the_10k_scan_is_also_timed_without_its_parse_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks.scenarios import FIRST_SCAN, Tools, build
    from scanner import parsecache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("CCPOLICY_NO_CACHE", raising=False)
    paths = {"repo-10k": tmp_path / "repo-10k"}
    tools = Tools("python3", ("ccpolicy",), tmp_path / "peers")
    (full_10k,) = [s for s in build(paths, tools, tmp_path) if s.name == "full-10k"]
    (first,) = [r for r in full_10k.references if r.command.label == FIRST_SCAN]
    cache = parsecache.cache_file(paths["repo-10k"], "worktree")
    assert cache is not None and cache.parent == tmp_path / "cache" / "ccpolicy" / "parsed"
    assert (first.role, first.command.argv, first.command.prepare) == (
        "first run",
        full_10k.subject.argv,
        ("rm", "-f", str(cache)),
    )
    assert all(target.reference != FIRST_SCAN for target in full_10k.targets)
