"""The progress bar: on a terminal, for more than one target, outside CI; otherwise nothing."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from scanner.multi.progress import progress, progress_wanted


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Closed(io.StringIO):
    def isatty(self) -> bool:
        raise ValueError("I/O operation on closed file")


@pytest.mark.parametrize(
    ("stream", "total", "env", "wanted"),
    [
        (_Terminal(), 2, {}, True),
        (_Terminal(), 2, {"CI": ""}, True),
        (_Terminal(), 2, {"CI": "true"}, False),
        (_Terminal(), 1, {}, False),
        (io.StringIO(), 5, {}, False),
        (_Closed(), 5, {}, False),
    ],
)
def test_progress_wanted(stream: io.StringIO, total: int, env: dict[str, str], wanted: bool) -> None:
    assert progress_wanted(stream, total, env) is wanted


def test_bar_on_a_terminal_names_finished_targets() -> None:
    stream = _Terminal()
    with progress(stream, 2, {}) as advance:
        advance("repo-a")
        advance("repo-[b]")
    text = stream.getvalue()
    assert "scanning" in text
    assert "2/2" in text
    assert "repo-[b]" in text  # markup in names is escaped, not interpreted


def test_silent_stream_gets_nothing() -> None:
    stream = io.StringIO()
    with progress(stream, 3, {}) as advance:
        advance("a")
    assert stream.getvalue() == ""


def test_rich_is_not_imported_when_silent() -> None:
    code = (
        "import io, sys\n"
        "from scanner.multi.progress import progress\n"
        "with progress(io.StringIO(), 3) as advance:\n"
        "    advance('a')\n"
        "print(any(name == 'rich' or name.startswith('rich.') for name in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "False\n"
