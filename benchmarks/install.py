"""A regular (not editable) install of this checkout, in benchmarks/out/venv, for the timed runs.

An editable install puts an import hook on every interpreter start-up of its environment, which
slows `python -c pass` as much as ccpolicy and so flatters every ratio; users install a wheel.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def ensure_install(out: Path, source: Path = CHECKOUT) -> Path:
    """Install `source` into out/venv (dependencies once, ccpolicy itself on every call); its python."""
    venv = out / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", str(source)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(source)],
        check=True,
    )
    # pip compiles the bytecode while installing, so no timed run pays for writing it.
    return python
