"""Where ccpolicy keeps its caches, and the one way it writes a cache file.

Every cache lives under $XDG_CACHE_HOME/ccpolicy (default ~/.cache/ccpolicy), one folder per
kind (parsed TOML data, validated policies, the rule sets they make, the knowledge base, parsed
files, compiled regular expressions).
CCPOLICY_NO_CACHE=1 turns all of them off. A cache is an optimisation only: a file that cannot
be written is not an error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_CREATE_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def cache_folder(kind: str) -> Path | None:
    """The folder for one kind of cache, or None when caching is off."""
    if os.environ.get("CCPOLICY_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "ccpolicy" / kind


def write_atomic(directory: Path, name: str, data: bytes) -> None:
    """Write directory/name through a temporary file and a rename; failures are ignored.

    Readers never see a half-written file, and two runs writing the same entry both succeed.
    The folder is created private to the user: some caches hold file contents.
    """
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # What tempfile.mkstemp does, without importing tempfile (~2 ms of every staged scan):
        # a random name created exclusively, private, never through a symbolic link.
        temporary = directory / f".write-{os.urandom(8).hex()}.tmp"
        fd = os.open(temporary, _CREATE_NEW, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, directory / name)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        return


def load_pickled(file: Path, key: str) -> object | None:
    """The value `file` keeps under `key`; None when it is missing, unreadable, kept under another
    key, or not private (pickle runs code when it loads: see is_private)."""
    import pickle

    try:
        if not is_private(file):
            return None
        kept_key, value = pickle.loads(file.read_bytes())
    except Exception:  # missing, truncated, foreign or of an earlier format: nothing kept
        return None
    return value if kept_key == key else None


def store_pickled(file: Path, key: str, value: object) -> None:
    """Keep `value` under `key` in `file` (see write_atomic); an unpicklable value is not kept."""
    import pickle

    try:
        data = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return
    write_atomic(file.parent, file.name, data)


def is_private(path: Path) -> bool:
    """Owned by the current user and writable by nobody else (the file and its folder): what a
    cache must be before it is loaded with pickle or marshal, which trust what they read.
    Raises OSError when `path` cannot be looked at."""
    if sys.platform == "win32" or not hasattr(os, "getuid"):
        return True  # per-user profile folders; POSIX modes do not apply
    uid = os.getuid()
    for item in (path, path.parent):
        info = os.lstat(item)
        if info.st_uid != uid or info.st_mode & 0o022:
            return False
    return True
