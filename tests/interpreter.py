"""Test helper: run code in a fresh interpreter, as a command would start (no module of this
test process already loaded)."""

from __future__ import annotations

import subprocess
import sys


def fresh_python(code: str) -> str:
    """The stdout of `code` run by `python -c` in this environment; fails the test on an error."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
