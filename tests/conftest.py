from __future__ import annotations

import sys
from pathlib import Path

# Test helpers (fixturerepo, gitrepo) live beside the tests and are imported by name.
sys.path.insert(0, str(Path(__file__).resolve().parent))


_CACHE_HOME: list[str] = []


def pytest_configure(config: object) -> None:
    """Keep ccpolicy's caches (parsed data, validated policies, staged parses) out of the user's
    ~/.cache: every process the tests start inherits this folder. Tests of the caches themselves
    point XDG_CACHE_HOME elsewhere with monkeypatch."""
    import os
    import tempfile

    _CACHE_HOME.append(tempfile.mkdtemp(prefix="ccpolicy-test-cache-"))
    os.environ["XDG_CACHE_HOME"] = _CACHE_HOME[-1]


def pytest_unconfigure(config: object) -> None:
    import atexit
    import shutil

    from scanner import regexcache

    atexit.unregister(regexcache._save)  # it would write into the folder removed below
    for folder in _CACHE_HOME:
        shutil.rmtree(folder, ignore_errors=True)
