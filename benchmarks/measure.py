"""Time whole processes (median and spread over repeated warm runs) and record their peak memory.

hyperfine does the timing when it is installed (`apt-get install hyperfine`): it runs each
command without a shell (-N), after warm-up runs, with output discarded. Without it, a Python
timer does the same with perf_counter. Peak memory is the largest resident set of the process
tree (the command and the children it waited for), as `/usr/bin/time -f %M` reports it; without
/usr/bin/time, os.wait4's ru_maxrss, which Linux carries over from the forked copy of this
process, so it reads a few MB high.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Command:
    label: str
    argv: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str] | None = None  # added to the inherited environment
    # Run, untimed, before every timed run (hyperfine --prepare): puts back a cache's state.
    prepare: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Timing:
    """Seconds over `runs` runs; peak memory in KiB (None when not measured)."""

    median: float
    low: float
    high: float
    stdev: float
    runs: int
    peak_kib: int | None = None
    exit_code: int = 0
    tool: str = "python"
    samples: tuple[float, ...] = ()  # each run's seconds

    @property
    def spread(self) -> float:
        """Half the range, relative to the median: ±spread."""
        return (self.high - self.low) / 2 / self.median if self.median else 0.0


# Variables that would make a timed run slower than a user's: without bytecode caching every
# run compiles ccpolicy from source (a warm cache means compiled modules are on disk).
DROPPED_VARIABLES = (
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONPROFILEIMPORTTIME",
    "PYTHONDEVMODE",
    "PYTHONTRACEMALLOC",
)


def environment(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED_VARIABLES}
    env.update(extra or {})
    return env


def _prepare(command: Command) -> None:
    if command.prepare:
        subprocess.run(list(command.prepare), cwd=command.cwd, env=environment(command.env), check=True)


def run_once(command: Command) -> tuple[float, int, int]:
    """(seconds, exit code, peak KiB) of one run, output discarded."""
    _prepare(command)
    start = time.perf_counter()
    process = subprocess.Popen(
        list(command.argv),
        cwd=command.cwd,
        env=environment(command.env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, process.returncode, int(usage.ru_maxrss)  # KiB on Linux


TIME = "/usr/bin/time"


def _time_peak(command: Command) -> tuple[int, int] | None:
    """(peak KiB, exit code) from /usr/bin/time, or None when it is not there or says nothing."""
    if not os.access(TIME, os.X_OK):
        return None
    _prepare(command)
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as report:
        done = subprocess.run(
            [TIME, "-f", "%M", "-o", report.name, *command.argv],
            cwd=command.cwd,
            env=environment(command.env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        lines = [line for line in report.read().splitlines() if line.strip().isdigit()]
    return (int(lines[-1]), done.returncode) if lines else None


def peak_memory(command: Command, runs: int = 2) -> tuple[int, int]:
    """(peak KiB over `runs` runs, last exit code)."""
    peaks, code = [], 0
    for _ in range(max(1, runs)):
        measured = _time_peak(command)
        if measured is None:
            _, code, peak = run_once(command)
        else:
            peak, code = measured
        peaks.append(peak)
    return max(peaks), code


def _summary(samples: Sequence[float], *, tool: str, peak: int | None, code: int) -> Timing:
    return Timing(
        median=statistics.median(samples),
        low=min(samples),
        high=max(samples),
        stdev=statistics.stdev(samples) if len(samples) > 1 else 0.0,
        runs=len(samples),
        peak_kib=peak,
        exit_code=code,
        tool=tool,
        samples=tuple(samples),
    )


def time_python(command: Command, *, runs: int, warmup: int) -> Timing:
    for _ in range(warmup):
        run_once(command)
    samples, code = [], 0
    for _ in range(max(1, runs)):
        elapsed, code, _ = run_once(command)
        samples.append(elapsed)
    return _summary(samples, tool="python", peak=None, code=code)


def hyperfine() -> str | None:
    return shutil.which("hyperfine")


def time_hyperfine(command: Command, *, runs: int, warmup: int, binary: str) -> Timing:
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "result.json"
        argv = [
            binary,
            "-N",  # no intermediate shell: the command's own start-up is what is measured
            "-i",  # findings make ccpolicy exit 1: that is a result, not a failure
            "--style",
            "none",
            "--warmup",
            str(warmup),
            "--runs",
            str(max(2, runs)),
            "--export-json",
            str(export),
            *(["--prepare", shlex.join(command.prepare)] if command.prepare else []),
            shlex.join(command.argv),
        ]
        subprocess.run(
            argv,
            cwd=command.cwd,
            env=environment(command.env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=True,
        )
        result = json.loads(export.read_text())["results"][0]
    samples = [float(t) for t in result["times"]]
    codes = [int(c) for c in result.get("exit_codes", [0]) if c is not None]
    return _summary(samples, tool="hyperfine", peak=None, code=codes[-1] if codes else 0)


def measure_in_turns(
    commands: Sequence[Command], *, runs: int, warmup: int, memory: bool = True, timer: str = "auto"
) -> list[Timing]:
    """Each command's `measure`, their runs taken in turns: round after round, every command
    timed for its share of `runs` (at least two with hyperfine), so that a change in the load of
    a shared machine while the suite runs falls on all of them alike and their ratios hold."""
    binary = hyperfine()
    with_hyperfine = timer != "python" and binary is not None and runs >= 2
    rounds = max(1, runs // 2 if with_hyperfine else runs)
    shares = [runs // rounds + (1 if turn < runs % rounds else 0) for turn in range(rounds)]
    samples: list[list[float]] = [[] for _ in commands]
    codes = [0] * len(commands)
    for turn, share in enumerate(shares):
        warm = warmup if turn == 0 else 0  # later rounds find the caches as the first left them
        for index, command in enumerate(commands):
            if binary is not None and with_hyperfine:
                timing = time_hyperfine(command, runs=share, warmup=warm, binary=binary)
            else:
                timing = time_python(command, runs=share, warmup=warm)
            samples[index] += timing.samples
            codes[index] = timing.exit_code
    tool = "hyperfine" if with_hyperfine else "python"
    timings = [_summary(s, tool=tool, peak=None, code=code) for s, code in zip(samples, codes, strict=True)]
    if memory:
        timings = [
            dataclasses.replace(t, peak_kib=peak_memory(c)[0]) for t, c in zip(timings, commands, strict=True)
        ]
    return timings


def measure(command: Command, *, runs: int, warmup: int, memory: bool = True, timer: str = "auto") -> Timing:
    """Median and spread over `runs` warm runs; peak memory from separate runs when asked.

    `timer`: "hyperfine", "python", or "auto" (hyperfine when installed and runs >= 2).
    """
    binary = hyperfine()
    if timer != "python" and binary is not None and runs >= 2:
        timing = time_hyperfine(command, runs=runs, warmup=warmup, binary=binary)
    else:
        timing = time_python(command, runs=runs, warmup=warmup)
    if memory:
        peak, _ = peak_memory(command)
        timing = dataclasses.replace(timing, peak_kib=peak)
    return timing
