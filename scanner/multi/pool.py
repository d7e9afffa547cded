"""Scan many targets with a pool of worker processes; results come back in input order.

--jobs 0 picks min(CPUs, targets); 1 (or a single target) runs in this process. Workers are
started with "spawn" on every platform: the same behaviour as on macOS and Windows, and no
fork of a process that may be running the progress bar's thread. Clones go under one
temporary directory that is removed at the end, whatever happens (failure, Ctrl-C).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

from scanner.multi.limits import Limits
from scanner.multi.outcome import failed_result
from scanner.multi.progress import Advance, progress
from scanner.multi.targets import Target
from scanner.multi.worker import needs_scratch, remove_tree, scan_target
from scanner.records import NamedTuple
from scanner.report.model import ScanResult
from scanner.scan import ScanOptions

if TYPE_CHECKING:
    from concurrent.futures import Future


def worker_count(jobs: int, targets: int) -> int:
    if targets <= 1:
        return 1
    wanted = jobs if jobs > 0 else (os.cpu_count() or 1)
    return max(1, min(wanted, targets))


class _Run(NamedTuple):
    options: ScanOptions
    workdir: Path
    limits: Limits


def scan_targets(
    targets: Sequence[Target],
    options: ScanOptions,
    *,
    jobs: int = 0,
    limits: Limits | None = None,
    progress_stream: IO[str] | None = None,
) -> list[tuple[str, ScanResult]]:
    """(target name, result) for every target, in the order given."""
    stream = sys.stderr if progress_stream is None else progress_stream
    workers = worker_count(jobs, len(targets))
    if workers > 1 and not _picklable(options):
        workers = 1  # an organisation rule that cannot cross a process boundary: scan here instead
    # Clones go under one scratch folder; scans of local checkouts need none.
    scratch = any(needs_scratch(target) for target in targets)
    workdir = Path(os.devnull)  # never used: nothing is cloned
    if scratch:
        import tempfile

        workdir = Path(tempfile.mkdtemp(prefix="ccpolicy-clones-"))
    run = _Run(options, workdir, limits or Limits())
    try:
        with progress(stream, len(targets)) as advance:
            if workers == 1:
                results = _in_process(targets, run, advance)
            else:
                results = _in_pool(targets, run, workers, advance)
    finally:
        if scratch:
            remove_tree(run.workdir)
    return [(target.name, result) for target, result in zip(targets, results, strict=True)]


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """SIGINT held back for a moment in this process, so that a Python child started meanwhile
    cannot take it while still importing (and print a traceback).

    Where signals can be blocked (POSIX), they are: the children inherit the blocked signal
    until their initializer ignores it, and a Ctrl-C that lands in this window is delivered
    here when it ends, instead of being lost and letting the whole pool run on. Elsewhere
    (Windows, where children inherit nothing) SIGINT is ignored for the moment instead.
    """
    import signal  # only a pool needs it: not imported by the scan of one directory

    if hasattr(signal, "pthread_sigmask"):
        previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
        return
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are not ours to change
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _leave_interrupts_to_parent() -> None:
    """Ctrl-C reaches every process of the terminal's group. Workers ignore it (no traceback from
    each of them); the parent cancels what has not started and waits for what has, and git,
    which handles the signal itself, stops the clones in progress. Ignoring it first discards
    one held back since the worker started; unblocking it then lets git's clones, which inherit
    the mask, receive it."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _picklable(options: ScanOptions) -> bool:
    import pickle

    try:
        pickle.dumps(options)
    except Exception:  # pickling can fail with almost any exception type
        return False
    return True


def _in_process(targets: Sequence[Target], run: _Run, advance: Advance) -> list[ScanResult]:
    results = []
    for slot, target in enumerate(targets):
        results.append(scan_target(target, run.options, run.workdir, slot, run.limits))
        advance(target.name)
    return results


def _in_pool(targets: Sequence[Target], run: _Run, workers: int, advance: Advance) -> list[ScanResult]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed  # only when a pool pays

    slots: list[ScanResult | None] = [None] * len(targets)
    executor = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_leave_interrupts_to_parent,
    )
    try:
        with _interrupts_held():  # workers start during submit and inherit the held signal
            futures: dict[Future[ScanResult], int] = {
                executor.submit(scan_target, target, run.options, run.workdir, slot, run.limits): slot
                for slot, target in enumerate(targets)
            }
        for future in as_completed(futures):
            slot = futures[future]
            try:
                slots[slot] = future.result()
            except Exception as error:  # the worker process died (killed, out of memory)
                reason = f"worker process failed ({type(error).__name__})"
                slots[slot] = failed_result(targets[slot].name, reason, run.options)
            advance(targets[slot].name)
    finally:
        # Waits for the scans already running (on Ctrl-C, git stops its clones itself) so that
        # nothing writes into workdir after it is removed; targets not started are cancelled.
        executor.shutdown(wait=True, cancel_futures=True)
    done = [result for result in slots if result is not None]
    assert len(done) == len(targets)  # as_completed yields every future once
    return done
