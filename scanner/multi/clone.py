"""A shallow clone of a git URL that nothing in the remote repository can make execute.

The clone runs git with gitsafe's command line and environment (hooks, fsmonitor, pager,
editors, credential helpers, askpass, gpg, ext/remote-helper transports all off), then lifts
exactly what a clone needs: the https, ssh and file transports, and plain `ssh` in batch mode
(never a prompt for a password, a passphrase or an unknown host key).

Why this is enough (and what a remote can and cannot do):
- A remote sends objects and refs, never configuration: clone writes the new repository's
  config itself. Filter, diff and merge drivers exist only in configuration, so a hostile
  `.gitattributes` naming a driver has nothing to run. The user's own global config may define
  drivers (git-lfs installs `filter.lfs.*`): those are blanked on the command line and
  GIT_LFS_SKIP_SMUDGE is set.
- There is no checkout at all (`--no-checkout`): no working-tree file is written, so no smudge
  filter, no symlink and no case-folding trick can take effect. Candidate files are read from the
  object store afterwards (tree.py), which applies no filters.
- `--depth 1 --single-branch --no-tags`: one commit, the default branch. Submodules are never
  fetched (`--no-recurse-submodules`, `submodule.recurse=false`).
- `--template=`: the user's `init.templateDir` hooks are not even copied (they would not run:
  core.hooksPath is /dev/null).
- GIT_TERMINAL_PROMPT=0 and no credential helper: a private https repository without a token
  fails instead of waiting for a password. ssh keys from an agent still work.
- A timeout and a size limit stop git; the caller removes the directory.

GitPython is not used for the clone itself: `Repo.clone_from` cannot take the command-line
configuration and replaced environment that gitsafe gives every other git process, and the size
watchdog needs the process handle. The repository is read afterwards through gitsafe.run_git.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from scanner import regexcache
from scanner.gitsafe import GitError, git_argv, git_env
from scanner.multi.targets import url_scheme

# Transports a fleet scan may use, by URL scheme. http and git:// are unencrypted and
# unauthenticated; every other scheme (ext::, fd::, remote helpers) could run a program.
TRANSPORTS: dict[str, str] = {
    "https": "https",
    "ssh": "ssh",
    "git+ssh": "ssh",
    "ssh+git": "ssh",
    "file": "file",
}

_POLL_SECONDS = 0.1
_MEASURE_EVERY_SECONDS = 0.5
_USERINFO = regexcache.compile(r"(?<=://)[^/@\s]+@")
_MESSAGE_LIMIT = 200


class CloneError(Exception):
    """The clone failed; the message is safe to show (no credentials, one line)."""


def _clone_config() -> list[str]:
    """Command-line configuration after gitsafe's: later `-c` values win."""
    pairs = [(f"protocol.{name}.allow", "always") for name in sorted(set(TRANSPORTS.values()))]
    pairs += [
        ("filter.lfs.smudge", ""),
        ("filter.lfs.process", ""),
        ("filter.lfs.required", "false"),
        ("core.sshCommand", _ssh_command()),
    ]
    argv: list[str] = []
    for key, value in pairs:
        argv += ["-c", f"{key}={value}"]
    return argv


def _ssh_command() -> str:
    path = os.environ.get("PATH", os.defpath)
    clean = os.pathsep.join(entry for entry in path.split(os.pathsep) if entry and os.path.isabs(entry))
    ssh = shutil.which("ssh", path=clean)
    if ssh is None:
        return "false"
    # BatchMode: never ask (password, passphrase, unknown host key); the user's ~/.ssh/config
    # and agent still apply.
    return f"{shlex.quote(ssh)} -o BatchMode=yes"


def clone_argv(url: str, dest: Path) -> list[str]:
    return git_argv(
        *_clone_config(),
        "clone",
        "--quiet",
        "--depth",
        "1",
        "--single-branch",
        "--no-tags",
        "--no-checkout",
        "--no-recurse-submodules",
        "--template=",
        "--",
        url,
        os.fspath(dest),
    )


def clone_env() -> dict[str, str]:
    env = git_env()
    env["GIT_ALLOW_PROTOCOL"] = ":".join(sorted(set(TRANSPORTS.values())))
    env["GIT_SSH_COMMAND"] = _ssh_command()
    env["GIT_LFS_SKIP_SMUDGE"] = "1"
    return env


def directory_bytes(directory: Path) -> int:
    total = 0
    for dirpath, _dirnames, filenames in os.walk(directory):
        for name in filenames:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                continue
    return total


def _first_error_line(stderr: bytes) -> str:
    for raw in stderr.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if not line or line.startswith(("hint:", "warning:")):
            continue
        line = line.removeprefix("fatal: ").removeprefix("error: ")
        line = _USERINFO.sub("", line)
        return line[:_MESSAGE_LIMIT]
    return ""


def _check_transport(url: str) -> None:
    scheme = url_scheme(url)
    if scheme not in TRANSPORTS:
        allowed = ", ".join(sorted(TRANSPORTS))
        raise CloneError(f"the {scheme} transport is not allowed (use one of: {allowed}, or user@host:path)")


def clone_shallow(url: str, dest: Path, *, timeout: float, max_bytes: int) -> None:
    """Clone the default branch's last commit of `url` into `dest` (which must not exist).

    Raises CloneError with a short, credential-free reason. `dest` may be left partly
    written: the caller owns it and removes it.
    """
    _check_transport(url)
    with tempfile.TemporaryFile() as stderr_file:
        try:
            process = subprocess.Popen(
                clone_argv(url, dest),
                env=clone_env(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr_file,
            )
        except (OSError, GitError) as error:
            reason = error.strerror if isinstance(error, OSError) else str(error)
            raise CloneError(f"git could not start: {reason}") from None
        _watch(process, dest, timeout=timeout, max_bytes=max_bytes)
        if process.returncode != 0:
            stderr_file.seek(0)
            detail = _first_error_line(stderr_file.read(64 * 1024))
            if not detail:
                detail = f"git exit {process.returncode}"
            raise CloneError(f"clone failed: {detail}")


def _watch(process: subprocess.Popen[bytes], dest: Path, *, timeout: float, max_bytes: int) -> None:
    """Wait for git, stopping it when it runs too long or the clone grows too large."""
    started = time.monotonic()
    measured = started
    try:
        while process.poll() is None:
            now = time.monotonic()
            if now - started > timeout:
                _stop(process)
                raise CloneError(f"clone timed out after {timeout:g} s")
            if now - measured >= _MEASURE_EVERY_SECONDS:
                measured = now
                if directory_bytes(dest) > max_bytes:
                    _stop(process)
                    raise CloneError(f"clone is larger than the {max_bytes}-byte limit")
            time.sleep(_POLL_SECONDS)
    except BaseException:
        _stop(process)
        raise
    if process.returncode == 0 and directory_bytes(dest) > max_bytes:
        raise CloneError(f"clone is larger than the {max_bytes}-byte limit")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()
