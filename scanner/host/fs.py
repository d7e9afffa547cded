"""A machine's files, read safely: on this machine, or under a mounted root (`--root DIR`).

Every path given to and returned by this module is a *machine path* (see scanner.host.layout).
Under a root, symbolic links are resolved the way the audited machine would resolve them (an
absolute target starts again at the root, `..` stops at the root), so nothing outside the root is
ever read, and a link loop is reported instead of followed forever. Files are opened without
blocking (a FIFO cannot hang the scan) and must be regular files under a size limit.

A file that does not exist is not a problem (most locations are optional): the readers return
(None, None). Anything else that stops a read is a Notification, never an exception.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from collections import deque
from pathlib import Path

from scanner.discovery.read import decode_bytes, read_checked
from scanner.model import Notification

DEFAULT_MAX_BYTES = 2_000_000
MAX_SYMLINK_HOPS = 40  # Linux's MAXSYMLINKS


def _note(level: str, message: str, path: str, descriptor: str) -> Notification:
    return Notification(level=level, message=message, path=path, descriptor=descriptor)


def _os_error_note(error: OSError, path: str, what: str = "file") -> Notification:
    if error.errno == errno.ELOOP:
        return _note("warning", "too many levels of symbolic links (a loop); not read", path, "symlink-loop")
    reason = error.strerror or type(error).__name__
    return _note("warning", f"{what} could not be read: {reason}", path, "unreadable")


class HostFS:
    """`root` is the real directory that stands for the machine's `/` (or its system drive).

    It remembers the real directories (not links) its path resolution has stepped through, so
    the many paths of one home or project share one `lstat` per directory. One instance serves
    one scan: a directory swapped for a link during the scan is not noticed.
    """

    __slots__ = ("_real_dirs", "_root_prefix", "drive", "live", "os_name", "root")

    def __init__(self, root: str, os_name: str, live: bool = False, drive: str = "C:") -> None:
        self.root = root
        self.os_name = os_name
        self.live = live
        self.drive = drive  # Windows: the drive the root stands for
        self._real_dirs: set[str] = set()
        self._root_prefix = root.rstrip("/\\") if os.sep == "\\" else root.rstrip("/")

    def __repr__(self) -> str:
        return (
            f"HostFS(root={self.root!r}, os_name={self.os_name!r}, live={self.live!r}, drive={self.drive!r})"
        )

    # -- paths -------------------------------------------------------------------------------

    def _parts(self, machine: str) -> list[str] | None:
        """The components of a machine path below the root, or None when it is not under it."""
        path = machine.replace("\\", "/")
        if self.os_name == "windows":
            if len(path) < 2 or path[1] != ":" or path[:2].upper() != self.drive.upper():
                return None
            path = path[2:]
        if not path.startswith("/"):
            return None
        return [p for p in path.split("/") if p not in ("", ".")]

    def machine_path(self, real: str | Path) -> str | None:
        """The machine path of a real path under the root (for files found by walking)."""
        real_root = os.path.realpath(self.root)
        candidate = os.path.realpath(real)
        if candidate != real_root and not candidate.startswith(real_root.rstrip(os.sep) + os.sep):
            return None
        rel = os.path.relpath(candidate, real_root).replace(os.sep, "/")
        rel = "" if rel == "." else rel
        prefix = self.drive if self.os_name == "windows" else ""
        return f"{prefix}/{rel}" if rel else f"{prefix}/"

    def resolve(self, machine: str) -> tuple[Path | None, Notification | None]:
        """The real path of a machine path with every link resolved inside the root.

        (None, None) when it does not exist; (None, note) when it cannot be reached.
        """
        real, note = self._real(machine)
        return (Path(real) if real is not None else None), note

    def _real(self, machine: str) -> tuple[str | None, Notification | None]:
        """resolve() as a string: the queries below make thousands of these, most never opened."""
        if self.live and self.os_name == "windows":
            return self._resolve_live_windows(machine)
        parts = self._parts(machine)
        if parts is None:
            return None, _note(
                "warning", "path is outside the audited root; not read", machine, "outside-root"
            )
        pending = deque(parts)
        joined: list[str] = []  # the real path so far, one entry per component: the root joined with it
        hops = 0
        while pending:
            part = pending.popleft()
            if part == "..":
                if joined:
                    joined.pop()
                continue
            candidate = f"{joined[-1] if joined else self._root_prefix}{os.sep}{part}"
            if candidate in self._real_dirs:
                joined.append(candidate)
                continue
            try:
                info = os.lstat(candidate)
            except (FileNotFoundError, NotADirectoryError):
                return None, None
            except OSError as error:
                return None, _os_error_note(error, machine)
            if stat.S_ISLNK(info.st_mode):
                hops += 1
                if hops > MAX_SYMLINK_HOPS:
                    return None, _os_error_note(OSError(errno.ELOOP, os.strerror(errno.ELOOP)), machine)
                try:
                    target = os.readlink(candidate)
                except OSError as error:
                    return None, _os_error_note(error, machine)
                target = target.replace("\\", "/") if self.os_name == "windows" else target
                if self.os_name == "windows" and len(target) >= 2 and target[1] == ":":
                    if target[:2].upper() != self.drive.upper():
                        return None, _note(
                            "warning",
                            "symbolic link points to another drive; not followed",
                            machine,
                            "outside-root",
                        )
                    target = target[2:]
                if target.startswith("/"):
                    joined = []  # an absolute target starts again at the audited machine's root
                pending.extendleft(reversed([p for p in target.split("/") if p not in ("", ".")]))
                continue
            if stat.S_ISDIR(info.st_mode):
                self._real_dirs.add(candidate)
            joined.append(candidate)
        return (joined[-1] if joined else self.root), None

    def _resolve_live_windows(self, machine: str) -> tuple[str | None, Notification | None]:
        try:
            os.stat(machine)
        except (FileNotFoundError, NotADirectoryError):
            return None, None
        except OSError as error:
            return None, _os_error_note(error, machine)
        return machine, None

    # -- queries -----------------------------------------------------------------------------

    def is_dir(self, machine: str) -> bool:
        real, _ = self._real(machine)
        return real is not None and os.path.isdir(real)

    def is_file(self, machine: str) -> bool:
        real, _ = self._real(machine)
        try:
            return real is not None and stat.S_ISREG(os.stat(real).st_mode)
        except OSError:
            return False

    def exists(self, machine: str) -> bool:
        """True when the path is there, even if it cannot be read (that is reported when reading)."""
        real, note = self._real(machine)
        return real is not None or (note is not None and note.descriptor != "outside-root")

    def list_dir(self, machine: str) -> tuple[tuple[str, ...], Notification | None]:
        """Sorted entry names of a directory; ((), None) when it does not exist."""
        real, note = self._real(machine)
        if real is None:
            return (), note
        try:
            with os.scandir(real) as entries:
                names = sorted(entry.name for entry in entries)
        except NotADirectoryError:
            return (), None
        except OSError as error:
            return (), _os_error_note(error, machine, "directory")
        return tuple(names), None

    # -- reading -----------------------------------------------------------------------------

    def read_bytes(
        self, machine: str, *, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> tuple[bytes | None, Notification | None]:
        real, note = self._real(machine)
        if real is None:
            return None, note
        try:
            return read_checked(real, machine, max_bytes, directory="is a directory, not a file; not read")
        except OSError as error:
            return None, _os_error_note(error, machine)

    def read_text(
        self, machine: str, *, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> tuple[str | None, Notification | None]:
        """Decoded text (BOM-aware UTF-8/16/32, else UTF-8, else Latin-1 with a note)."""
        data, note = self.read_bytes(machine, max_bytes=max_bytes)
        if data is None:
            return None, note
        return decode_bytes(data, machine)


def join(machine: str, *parts: str) -> str:
    return posixpath.join(machine, *parts)
