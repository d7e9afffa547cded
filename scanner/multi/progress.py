"""A progress bar for long fleet scans, on stderr, only where a person is watching.

Shown when stderr is a terminal, there is more than one target and the CI variable is unset
(or empty). Everywhere else nothing is written and rich is never imported.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from typing import IO

Advance = Callable[[str], None]


def progress_wanted(stream: IO[str], total: int, environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if total < 2 or env.get("CI"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed or detached stream
        return False


def _silent(_name: str) -> None:
    return None


@contextlib.contextmanager
def progress(stream: IO[str], total: int, environ: Mapping[str, str] | None = None) -> Iterator[Advance]:
    """A function to call once per finished target (with its name), as a context manager."""
    if not progress_wanted(stream, total, environ):
        yield _silent
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        task = bar.add_task("", total=total)

        def advance(name: str) -> None:
            bar.update(task, advance=1, description=escape(name))

        yield advance
