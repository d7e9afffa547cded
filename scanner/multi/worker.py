"""One target -> one ScanResult. Runs in a worker process (or in-process for --jobs 1), so its
arguments and result are plain picklable data, and it never raises for a bad target."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scanner.discovery import DiscoveryError
from scanner.gitsafe import GitError, run_git
from scanner.multi.limits import Limits
from scanner.multi.outcome import failed_result
from scanner.multi.targets import Target
from scanner.report.model import ScanResult
from scanner.scan import ScanOptions, judge, scan_repository


def scan_target(target: Target, options: ScanOptions, workdir: Path, slot: int, limits: Limits) -> ScanResult:
    """Scan `target`; a target that cannot be scanned gives a failed result (outcome.py).

    URLs are cloned into `workdir/<slot>` and removed afterwards. KeyboardInterrupt is not
    caught: the pool stops and the caller removes `workdir`.
    """
    try:
        if target.url is not None:
            return _scan_clone(target.url, options, workdir / f"{slot:05d}", limits)
        assert target.path is not None
        return _scan_directory(target.path, options, workdir / f"{slot:05d}", limits)
    except _Unusable as error:
        return failed_result(target.name, str(error), options)
    except (GitError, DiscoveryError) as error:
        return failed_result(target.name, _one_line(str(error)), options)
    except RecursionError:
        return failed_result(target.name, "input nested too deeply to scan", options)
    except Exception as error:  # a bug must not take the other targets down with it
        if os.environ.get("CCPOLICY_DEBUG"):
            import traceback

            traceback.print_exc()
        return failed_result(target.name, f"internal error ({type(error).__name__})", options)


class _Unusable(Exception):
    """The target cannot be scanned (missing, not a directory, a clone that failed or is too large)."""


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]


def _scan_clone(url: str, options: ScanOptions, dest: Path, limits: Limits) -> ScanResult:
    # Imported here: a scan of local checkouts never clones.
    from scanner.multi.clone import CloneError, clone_shallow
    from scanner.multi.tree import TooLarge, read_head

    try:
        clone_shallow(url, dest, timeout=limits.clone_timeout_seconds, max_bytes=limits.max_clone_bytes)
        inputs = read_head(dest, max_files=limits.max_files, max_bytes=limits.max_file_bytes)
        result = judge(dest, inputs, options)
    except (CloneError, TooLarge) as error:
        raise _Unusable(str(error)) from None
    finally:
        remove_tree(dest)
    # The temporary directory means nothing to a reader and would make output differ per run.
    return result._replace(root="")


def needs_scratch(target: Target) -> bool:
    """Whether scanning `target` clones it (a URL or a local bare repository) into a scratch folder."""
    return target.url is not None or (target.path is not None and _looks_bare(target.path))


def _looks_bare(path: Path) -> bool:
    return (
        not (path / ".git").exists()
        and (path / "HEAD").is_file()
        and (path / "objects").is_dir()
        and (path / "refs").is_dir()
    )


def _scan_directory(path: Path, options: ScanOptions, scratch: Path, limits: Limits) -> ScanResult:
    if not path.exists():
        raise _Unusable("no such file or directory")
    if not path.is_dir():
        raise _Unusable("not a directory")
    root = path.resolve()
    if _looks_bare(root) and run_git(root, "rev-parse", "--is-bare-repository").strip() == b"true":
        # A bare repository has no files on disk to walk and no index to write into: scan a
        # shallow clone of it, exactly like a URL.
        return _scan_clone(root.as_uri(), options, scratch, limits)
    return scan_repository(root, options)


def _make_writable_and_retry(function: Callable[..., Any], path: str, _info: Any) -> None:
    # Git writes pack files read-only; Windows refuses to delete those.
    try:
        os.chmod(path, stat.S_IWRITE | stat.S_IREAD)
        function(path)
    except OSError:
        pass


def remove_tree(path: Path) -> None:
    """Remove `path` and everything under it; a path that is already gone is fine."""
    if not os.path.lexists(path):
        return
    import shutil  # here: a scan of local directories never removes a tree

    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=_make_writable_and_retry)
    else:
        shutil.rmtree(path, onerror=_make_writable_and_retry)
