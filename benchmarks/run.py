"""Run the scenarios side by side: check findings, time ccpolicy, its floors and peers, judge targets."""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks import generate, scenarios
from benchmarks.install import ensure_install
from benchmarks.measure import Timing, environment, hyperfine, measure, measure_in_turns
from benchmarks.results import Check, Report, Row, Verdict, render
from benchmarks.scenarios import MEMORY_LIMIT_KIB, Scenario, Target, Tools


@dataclass(frozen=True)
class Settings:
    runs: int = 10
    # For scenarios marked slow (100,000 files, 10,000 commits): ~0.2-0.5 s a run, and their
    # medians move most on a shared machine, so as many runs as the others.
    slow_runs: int = 10
    warmup: int = 2
    quick: bool = False
    only: tuple[str, ...] = ()  # scenario names; empty: all


QUICK = Settings(runs=5, slow_runs=3, warmup=1, quick=True)


def _first_line(argv: Sequence[str]) -> str:
    try:
        done = subprocess.run(
            list(argv),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            stdin=subprocess.DEVNULL,
            # semgrep --version otherwise asks the network for a newer release, and waits.
            env=environment({"SEMGREP_ENABLE_VERSION_CHECK": "0"}),
        )
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0].strip() if text and done.returncode == 0 else "not installed"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _install_kind(tools: Tools) -> str:
    probe = "import scanner, pathlib; print(pathlib.Path(scanner.__file__).resolve())"
    where = _first_line([tools.python, "-I", "-c", probe])  # -I: not the checkout in the cwd
    return (
        "regular install"
        if "site-packages" in where
        else f"editable install from {Path(where).parent.parent}"
    )


def machine(tools: Tools) -> dict[str, str]:
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "CPU": f"{cpu_model()}, {os.cpu_count()} CPUs (nproc)",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "git": _first_line(["git", "--version"]),
        "ccpolicy": f"{_first_line([*tools.ccpolicy, '--version'])} ({_install_kind(tools)})",
        "timer": _first_line(["hyperfine", "--version"]) if hyperfine() else "Python perf_counter",
        "detect-secrets": _first_line([tools.peer("detect-secrets") or "detect-secrets", "--version"]),
        "semgrep": _first_line([tools.peer("semgrep") or "semgrep", "--version"]),
        "zizmor": _first_line([tools.peer("zizmor") or "zizmor", "--version"]),
    }


def run_check(scenario: Scenario) -> Check | None:
    """Run the scan once with JSON output (also the warm-up of caches) and compare findings."""
    if scenario.check is None:
        return None
    command = scenario.check
    done = subprocess.run(
        list(command.argv),
        cwd=command.cwd,
        env=environment(command.env),
        capture_output=True,
        check=False,
    )
    try:
        report = json.loads(done.stdout)
    except ValueError:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        note = f"exit {done.returncode}: {reason[-1][:200] if reason else 'no output'}"
        return Check(scenario.name, dict(scenario.expected), None, note)
    found = scenarios.counts(report.get("findings") if isinstance(report, dict) else None)
    return Check(scenario.name, dict(scenario.expected), dict(found))


def _ratio(subject: Timing | None, reference: Timing | None) -> float | None:
    if subject is None or reference is None or reference.median <= 0:
        return None
    return subject.median / reference.median


def judge(
    scenario: Scenario, rows: Sequence[Row], subjects: Mapping[str, Timing | None], unavailable: str
) -> list[Verdict]:
    subject = subjects.get(scenario.name)
    verdicts: list[Verdict] = []
    for target in scenario.targets:
        verdicts.append(_judge_target(scenario, target, rows, subject, subjects, unavailable))
    if scenario.name != "version":
        peak = subject.peak_kib if subject is not None else None
        verdicts.append(
            Verdict(
                scenario.name,
                f"peak memory < {MEMORY_LIMIT_KIB // 1024} MB",
                None if peak is None else peak / MEMORY_LIMIT_KIB,
                1.0,
                unavailable if subject is None else "",
            )
        )
    return verdicts


def _judge_target(
    scenario: Scenario,
    target: Target,
    rows: Sequence[Row],
    subject: Timing | None,
    subjects: Mapping[str, Timing | None],
    unavailable: str,
) -> Verdict:
    if target.reference.startswith("scenario:"):
        other = target.reference.removeprefix("scenario:")
        reference = subjects.get(other)
        why = "" if reference is not None else f"{other} was not measured"
    else:
        row = next((r for r in rows if r.scenario == scenario.name and r.label == target.reference), None)
        reference = row.timing if row is not None else None
        why = row.note if row is not None and reference is None else ""
    if subject is None:
        why = unavailable
    return Verdict(scenario.name, target.text, _ratio(subject, reference), target.bound, why)


def run(
    settings: Settings,
    tools: Tools,
    out: Path,
    log: Callable[[str], None] = print,
) -> Report:
    names = tuple(
        name
        for name, recipe in generate.RECIPES.items()
        if not (settings.quick and name in ("repo-100k", "history-10k"))
    )
    paths = generate.ensure(names, out, log)
    chosen = [
        s
        for s in scenarios.build(paths, tools, out)
        if (not settings.only or s.name in settings.only) and not (settings.quick and s.slow)
    ]
    rows: list[Row] = []
    verdicts: list[Verdict] = []
    checks: list[Check] = []
    subjects: dict[str, Timing | None] = {}
    for scenario in chosen:
        runs = settings.slow_runs if scenario.slow else settings.runs
        log(f"{scenario.name}: checking findings ...")
        check = run_check(scenario)
        if check is not None:
            checks.append(check)
        if scenario.setup is not None:
            scenario.setup()
        unavailable = ""
        if check is not None and check.found is None:
            unavailable = check.note
        subject: Timing | None = None
        timed: dict[str, Timing] = {}
        if not unavailable:
            subject, timed = _time_in_turns(scenario, runs, settings, log)
        subjects[scenario.name] = subject
        rows.append(Row(scenario.name, scenario.subject.label, "ccpolicy", subject, unavailable))
        for reference in scenario.references:
            timing = timed.get(reference.command.label)
            if timing is not None:
                rows.append(Row(scenario.name, reference.command.label, reference.role, timing))
            else:
                rows.append(_time_reference(scenario, reference, settings, runs, log))
        verdicts += judge(scenario, rows, subjects, unavailable)
    notes = _notes(settings)
    return Report(machine(tools), {s.name: s.title for s in chosen}, rows, verdicts, checks, notes)


def _time_in_turns(
    scenario: Scenario, runs: int, settings: Settings, log: Callable[[str], None]
) -> tuple[Timing, dict[str, Timing]]:
    """ccpolicy's timing, and those of the references its targets name, taken in turns (the
    others are timed after, each on its own: informative peers, some with fewer runs)."""
    named = {target.reference for target in scenario.targets}
    beside = [r for r in scenario.references if r.command.label in named and r.available and r.runs is None]
    log(f"{scenario.name}: timing ccpolicy{''.join(f', {r.command.label}' for r in beside)} in turns ...")
    commands = [scenario.subject, *(r.command for r in beside)]
    try:
        subject, *others = measure_in_turns(commands, runs=runs, warmup=settings.warmup)
    except (OSError, subprocess.CalledProcessError):
        # a reference that cannot run is reported in its row, as when timed on its own
        return measure(scenario.subject, runs=runs, warmup=settings.warmup), {}
    return subject, {r.command.label: timing for r, timing in zip(beside, others, strict=True)}


def _time_reference(
    scenario: Scenario,
    reference: scenarios.Reference,
    settings: Settings,
    runs: int,
    log: Callable[[str], None],
) -> Row:
    label = reference.command.label
    if not reference.available:
        return Row(scenario.name, label, reference.role, None, "not installed")
    if settings.quick and reference.runs is not None and reference.runs < 3:
        return Row(scenario.name, label, reference.role, None, "skipped with --quick")
    log(f"{scenario.name}: timing {label} ...")
    count = reference.runs or runs
    warmup = 0 if reference.runs is not None and reference.runs < 3 else settings.warmup
    try:
        timing = measure(reference.command, runs=count, warmup=warmup)
    except (OSError, subprocess.CalledProcessError) as error:
        return Row(scenario.name, label, reference.role, None, f"failed to run ({type(error).__name__})")
    return Row(scenario.name, label, reference.role, timing)


def _notes(settings: Settings) -> list[str]:
    notes = [
        "Peers run from their own virtual environment (benchmarks/out/peers, `python -m benchmarks peers`): "
        "detect-secrets-hook on the staged files as pre-commit runs it, detect-secrets over the whole "
        "repository, semgrep with one generic rule, zizmor --offline on the workflows.",
        "Peak memory is the largest resident set of the command or a child it waited for, from "
        "`/usr/bin/time -f %M`.",
        "The machine is shared: other sessions' test runs load it while the suite runs, so medians move "
        "by 10-30% from run to run; ratios are taken within one run, side by side: ccpolicy and the command "
        "its target names run in turns.",
    ]
    if settings.quick:
        notes.append("--quick: fewer runs, no 100,000-file or 10,000-commit scenario, no single-run peers.")
    return notes


def write(report: Report, path: Path) -> None:
    path.write_text(render(report), encoding="utf-8")


def main_run(settings: Settings, out: Path, results: Path, *, own_install: bool = True) -> int:
    python = str(ensure_install(out)) if own_install else sys.executable
    tools = scenarios.default_tools(out / "peers", python)
    # A private cache directory: the validated-policy cache is warmed by the check run and
    # nothing of the user's own cache is read or written.
    os.environ["XDG_CACHE_HOME"] = str(out / "cache")
    report = run(settings, tools, out, log=lambda text: print(text, file=sys.stderr, flush=True))
    write(report, results)
    print(render(report))
    failed_checks = [c for c in report.checks if not c.ok]
    return 1 if failed_checks else 0
