"""Read one candidate file as text, safely: never out of the scan root, never a crash.

Shared decoding (`decode_bytes`) is also used for staged blobs, so a file reads the same
whether it comes from the working tree or from the index.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from scanner.model import Notification

DEFAULT_MAX_BYTES = 2_000_000
BINARY_SNIFF_BYTES = 8192

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    # A FIFO swapped in after the type check must not block the scan.
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def _note(level: str, message: str, path: str, descriptor: str) -> Notification:
    return Notification(level=level, message=message, path=path, descriptor=descriptor)


def too_large(path: str, size: int, max_bytes: int) -> Notification:
    return _note(
        "warning",
        f"file is {size} bytes, over the {max_bytes}-byte limit; not scanned",
        path,
        "too-large",
    )


def decode_bytes(data: bytes, path: str) -> tuple[str | None, Notification | None]:
    """Text of a file's bytes: BOM-marked UTF-8/16/32, else UTF-8, else Latin-1 (with a note).

    A NUL byte in the first 8 KB of a file without a UTF-16/32 BOM means binary: (None, note).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), None
            except UnicodeDecodeError:
                return None, _note(
                    "warning",
                    f"file starts with a {encoding} byte-order mark but is not {encoding}",
                    path,
                    "encoding",
                )
    if b"\0" in data[:BINARY_SNIFF_BYTES]:
        return None, _note("note", "binary file (NUL byte in the first 8 KB); not scanned", path, "binary")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("latin-1"), _note(
            "note", "file is not valid UTF-8; read as Latin-1", path, "encoding"
        )


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def is_plain_relpath(relpath: str) -> bool:
    """Relative, POSIX, and never leaving its directory: no `..`, `.` or empty component.

    Paths from git and from callers are trusted no further than that.
    """
    probe = f"/{relpath}/"
    return "//" not in probe and "/./" not in probe and "/../" not in probe and "\0" not in relpath


def read_regular_file(real: str | os.PathLike[str], max_bytes: int) -> bytes | None:
    """At most `max_bytes + 1` bytes of the regular file at `real` (so the caller can tell it is too
    large), or None when what was opened is not a regular file: it may have been swapped for a FIFO
    or a device since the caller's checks. Never follows a final symlink, never blocks. Raises OSError.
    """
    descriptor = os.open(real, _OPEN_FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        chunks: list[bytes] = []
        remaining = max_bytes + 1
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(descriptor)
    return b"".join(chunks)


_NOT_REGULAR = "not a regular file; not read"


def read_checked(
    real: str, shown: str, max_bytes: int, *, directory: str = _NOT_REGULAR
) -> tuple[bytes | None, Notification | None]:
    """The bytes of the regular file at `real` (named `shown` in notes), or None with a note: not
    a regular file (for a directory, `directory` says so), or over `max_bytes`. Raises OSError."""
    info = os.stat(real)
    if not stat.S_ISREG(info.st_mode):
        message = directory if stat.S_ISDIR(info.st_mode) else _NOT_REGULAR
        return None, _note("warning", message, shown, "not-regular-file")
    if info.st_size > max_bytes:
        return None, too_large(shown, info.st_size, max_bytes)
    data = read_regular_file(real, max_bytes)
    if data is None:  # swapped for something else since the stat
        return None, _note("warning", _NOT_REGULAR, shown, "not-regular-file")
    if len(data) > max_bytes:
        return None, too_large(shown, len(data), max_bytes)
    return data, None


def read_text(
    root: Path, relpath: str, *, max_bytes: int = DEFAULT_MAX_BYTES, real_root: str | None = None
) -> tuple[str | None, Notification | None]:
    """The decoded text of `root/relpath`, or None with a Notification saying why not.

    Refuses paths that leave the root (through `..` or a symlink anywhere on the way), files that
    are not regular files, files over `max_bytes`, binary files; notes a Latin-1 fallback.
    Never raises. `real_root`, the root's real path, saves resolving it again; RootReader reads
    many files of one root.
    """
    return RootReader(root, real_root=real_root).read_text(relpath, max_bytes=max_bytes)


class RootReader:
    """read_text for the files of one root, resolving the root and each directory once.

    A scan reads ~200 files in a few dozen directories: resolving every path whole (a system
    call per component) took two thirds of the reading time.
    """

    def __init__(self, root: Path, *, real_root: str | None = None) -> None:
        self._real_root = real_root if real_root is not None else os.path.realpath(root)
        self._real_dirs: dict[str, str] = {"": self._real_root}

    def read_text(
        self, relpath: str, *, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> tuple[str | None, Notification | None]:
        """As read_text."""
        if not is_plain_relpath(relpath):
            return None, _note(
                "warning", "path is not a plain relative path; not read", relpath, "invalid-path"
            )
        try:
            real = self._real_path(relpath)
            if not _inside(real, self._real_root):
                return None, _note(
                    "warning",
                    "symbolic link points outside the scanned root; not followed",
                    relpath,
                    "symlink-outside-root",
                )
            data, note = read_checked(real, relpath, max_bytes)
        except OSError as error:
            reason = error.strerror or type(error).__name__
            return None, _note("warning", f"file could not be read: {reason}", relpath, "unreadable")
        if data is None:
            return None, note
        return decode_bytes(data, relpath)

    def _real_path(self, relpath: str) -> str:
        """os.path.realpath of root/relpath, from the resolved directory and the file's own link."""
        directory, _, name = relpath.rpartition("/")
        real_dir = self._real_dirs.get(directory)
        if real_dir is None:
            real_dir = self._real_dirs[directory] = os.path.realpath(os.path.join(self._real_root, directory))
        path = os.path.join(real_dir, name)
        return os.path.realpath(path) if os.path.islink(path) else path
