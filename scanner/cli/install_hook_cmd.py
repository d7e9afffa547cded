"""`ccpolicy install-hook`: a plain git pre-commit hook running `ccpolicy scan --staged`.

For teams not using the pre-commit framework. The hook goes where git will look for it: the
directory named by core.hooksPath when the user's own config sets one, else the common git
directory's hooks/ (shared by every worktree). That config is read, never acted on: git runs
through scanner.gitsafe, and the one key read is a path.

The hook names the ccpolicy of the interpreter running this command by absolute path, so it
works whatever PATH a GUI git client or IDE gives hooks; when that interpreter has no ccpolicy
script (a source checkout), it runs `python -m scanner` instead.
"""

from __future__ import annotations

import argparse
import os
import shlex
import stat
import sys
import tempfile
from pathlib import Path

from scanner.errors import UsageError
from scanner.gitsafe import GitError, run_git

HOOK_NAME = "pre-commit"
MARKER = "# Installed by `ccpolicy install-hook`."
SCAN_ARGUMENTS = ("scan", "--staged", "--format", "short")
_COMMAND_SCOPE = "command"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path", nargs="?", default=".", metavar="PATH", help="a directory inside the repository (default .)"
    )
    parser.add_argument("--force", action="store_true", help="replace an existing pre-commit hook")


def ccpolicy_command() -> list[str]:
    """How the hook starts this installation of ccpolicy, by absolute path."""
    scripts = Path(sys.executable).parent
    for name in ("ccpolicy", "ccpolicy.exe"):
        candidate = scripts / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return [os.path.abspath(candidate)]
    return [os.path.abspath(sys.executable), "-m", "scanner"]


def hook_script(command: list[str]) -> str:
    argv = " ".join(shlex.quote(part) for part in [*command, *SCAN_ARGUMENTS])
    return (
        "#!/bin/sh\n"
        f"{MARKER}\n"
        "# Judges what is being committed (the git index) against the policy in the working tree.\n"
        "# Skip once with `git commit --no-verify`; uninstall by deleting this file.\n"
        f"exec {argv}\n"
    )


def _git_text(repo: Path, *args: str) -> str:
    return run_git(repo, *args).decode("utf-8", "surrogateescape").rstrip("\n")


def _configured_hooks_path(repo: Path) -> str | None:
    """core.hooksPath from the user's config files (system, global, repository, worktree).

    gitsafe pins core.hooksPath on the command line so that scans never run hooks; that value
    has the scope "command" and is skipped, leaving what git uses for a real commit.
    """
    try:
        out = run_git(
            repo, "config", "--show-scope", "--type=path", "--get-all", "core.hooksPath", check=False
        )
    except GitError as error:
        raise UsageError(f"cannot read core.hooksPath: {error}") from None
    value = None
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        scope, _, path = line.partition("\t")
        if scope != _COMMAND_SCOPE:
            value = path  # the last one wins, as in git
    return value or None


def hooks_directory(start: Path) -> Path:
    """Where git looks for hooks in the repository holding `start`."""
    try:
        top = _git_text(start, "rev-parse", "--show-toplevel")
        common = _git_text(start, "rev-parse", "--path-format=absolute", "--git-common-dir")
    except GitError as error:
        if error.not_a_repository:
            raise UsageError(f"{start}: not inside a git repository") from None
        raise UsageError(f"{start}: cannot read the git repository: {error}") from None
    configured = _configured_hooks_path(start)
    if configured:
        # git runs hooks from the top of the work tree, so a relative hooksPath is relative to it.
        return Path(top) / configured
    return Path(common) / "hooks"


def _write_executable(path: Path, text: str) -> None:
    """Replace `path` atomically (a symlinked hook is replaced, not written through)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(tmp, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        finally:
            raise


def install_hook(start: Path, *, force: bool) -> tuple[Path, str]:
    """Install the hook; return its path and what happened ("installed", "replaced", "unchanged")."""
    hook = hooks_directory(start) / HOOK_NAME
    script = hook_script(ccpolicy_command())
    exists = hook.is_symlink() or hook.exists()
    if exists and not hook.is_symlink() and hook.is_file():
        try:
            if hook.read_text(encoding="utf-8") == script:
                return hook, "unchanged"
        except (OSError, UnicodeDecodeError):
            pass
    if exists and not force:
        raise UsageError(
            f"{hook} already exists; not replacing it. Run `ccpolicy install-hook --force` to replace it "
            "(its content is not kept), or call `ccpolicy scan --staged` from that hook yourself."
        )
    if hook.is_dir() and not hook.is_symlink():
        raise UsageError(f"{hook} is a directory; remove it first")
    _write_executable(hook, script)
    return hook, "replaced" if exists else "installed"


def run(args: argparse.Namespace) -> int:
    start = Path(args.path)
    if not start.is_dir():
        raise UsageError(f"{args.path}: not a directory")
    hook, outcome = install_hook(start.resolve(), force=args.force)
    if outcome == "unchanged":
        sys.stdout.write(f"ccpolicy pre-commit hook already installed: {hook}\n")
    else:
        sys.stdout.write(f"ccpolicy pre-commit hook {outcome}: {hook}\n")
    return 0
