"""A scanned repository must not be able to run anything, nor be changed, by being scanned.

Each vector installs, in a real repository, config (or hooks, attributes, environment) that
names a program writing a marker file. Every public function of gitsafe and discovery then
runs on it, and the test asserts that no marker exists and that the repository, .git included,
is byte-identical. `test_vector_is_live` proves each trap works by springing it with plain git.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import stat
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from gitrepo import (
    commit,
    git,
    isolate_git_config,
    isolated_env,
    make_repo,
    record_git_processes,
    snapshot_tree,
    stage,
    write_files,
)

from scanner import gitspawn
from scanner.discovery import DiscoveryError
from scanner.discovery.history import iter_history
from scanner.discovery.listing import candidates, list_files
from scanner.discovery.read import read_text
from scanner.discovery.staged import changed_staged_paths, read_staged
from scanner.gitsafe import (
    SAFE_CONFIG,
    BlobReader,
    GitError,
    StartedGit,
    StartedStream,
    TooLarge,
    forget_git_executable,
    git_argv,
    git_env,
    git_executable,
    run_git,
    safe_repo,
)
from scanner.gitspawn import GitProcess

HOOKS = (
    "applypatch-msg",
    "pre-applypatch",
    "post-applypatch",
    "pre-commit",
    "pre-merge-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "pre-rebase",
    "post-checkout",
    "post-merge",
    "pre-push",
    "pre-receive",
    "update",
    "proc-receive",
    "post-receive",
    "post-update",
    "reference-transaction",
    "push-to-checkout",
    "pre-auto-gc",
    "post-rewrite",
    "sendemail-validate",
    "fsmonitor-watchman",
    "p4-changelist",
    "p4-prepare-changelist",
    "p4-post-changelist",
    "p4-pre-submit",
    "post-index-change",
)


@dataclass
class Trap:
    repo: Path
    markers: Path
    tmp: Path
    missing_blob: str = ""

    def program(self, name: str, *, passthrough: bool = False) -> Path:
        """An executable that records it ran; a filter also passes stdin through."""
        path = self.tmp / "bin" / name
        path.parent.mkdir(exist_ok=True)
        body = "cat\n" if passthrough else ""
        path.write_text(f"#!/bin/sh\ntouch '{self.markers}/{name}'\n{body}exit 0\n")
        path.chmod(0o755)
        return path

    def config(self, key: str, value: str) -> None:
        git(self.repo, "config", "--add", key, value)

    def sprung(self) -> list[str]:
        return sorted(os.listdir(self.markers))


def build(tmp_path: Path) -> Trap:
    """A repository with history, a branch, staged and unstaged edits and untracked files."""
    repo = make_repo(tmp_path)
    commit(repo, {".env": "A=1\n", "README.md": "x\n", "scripts/a.sh": "export A=1\n"}, "first")
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {".claude/settings.json": '{"env": {}}\n'}, "feature")
    git(repo, "checkout", "-q", "main")
    commit(repo, {".env": "A=1\nB=2\n"}, "second")
    stage(repo, {".mcp.json": '{"mcpServers": {}}\n', "scripts/a.sh": "export A=2\n"})
    write_files(repo, {"scripts/a.sh": "export A=3\n", "untracked.env": "U=1\n"})
    markers = tmp_path / "markers"
    markers.mkdir()
    return Trap(repo=repo, markers=markers, tmp=tmp_path)


def make_partial_clone(trap: Trap, url: str) -> None:
    """Turn the repository into a partial clone missing one blob, so reading it lazily fetches."""
    oid = git(trap.repo, "rev-parse", "HEAD:.env")
    (trap.repo / ".git/objects" / oid[:2] / oid[2:]).unlink()
    trap.missing_blob = oid
    trap.config("core.repositoryformatversion", "1")
    trap.config("extensions.partialClone", "origin")
    trap.config("remote.origin.url", url)
    trap.config("remote.origin.promisor", "true")
    trap.config("remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*")


def forge_signed_commit(trap: Trap) -> None:
    head = git(trap.repo, "rev-parse", "HEAD")
    tree = git(trap.repo, "rev-parse", "HEAD^{tree}")
    body = (
        f"tree {tree}\nparent {head}\n"
        "author A <a@example.com> 1700001000 +0000\ncommitter A <a@example.com> 1700001000 +0000\n"
        "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEEforged\n -----END PGP SIGNATURE-----\n"
        "\nsigned\n"
    )
    sha = git(trap.repo, "hash-object", "-t", "commit", "-w", "--stdin", input=body.encode())
    git(trap.repo, "update-ref", "refs/heads/main", sha)


def install_hooks(trap: Trap, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for hook in HOOKS:
        shutil.copy(trap.program(f"hook-{hook}"), directory / hook)
        (directory / hook).chmod(0o755)


# Each vector: (prepare with plain git, then install the trap), and the plain-git control that
# proves the trap is live: (argv, stdin, extra env) run in the repository, or None.
Control = tuple[list[str], bytes | None, dict[str, str]]


def v_fsmonitor(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    trap.config("core.fsmonitor", str(trap.program("fsmonitor")))
    return ["git", "status"], None, {}


def v_include(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    included = trap.tmp / "included.config"
    included.write_text(f"[core]\n\tfsmonitor = {trap.program('included-fsmonitor')}\n")
    trap.config("include.path", str(included))
    return ["git", "status"], None, {}


def v_hooks(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    install_hooks(trap, trap.repo / ".git/hooks")
    return ["git", "commit", "-q", "--allow-empty", "-m", "x"], None, {}


def v_hooks_path(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    install_hooks(trap, trap.tmp / "evilhooks")
    trap.config("core.hooksPath", str(trap.tmp / "evilhooks"))
    return ["git", "update-ref", "refs/heads/x", "HEAD"], None, {}


def v_filter(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    write_files(trap.repo, {".gitattributes": "* filter=evil\n"})
    trap.config("filter.evil.clean", str(trap.program("filter-clean", passthrough=True)))
    trap.config("filter.evil.smudge", str(trap.program("filter-smudge", passthrough=True)))
    trap.config("filter.evil.required", "true")
    return ["git", "add", "untracked.env"], None, {}


def v_filter_process(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    write_files(trap.repo, {".gitattributes": "* filter=evilp\n"})
    trap.config("filter.evilp.process", str(trap.program("filter-process")))
    return ["git", "add", "untracked.env"], None, {}


def v_textconv(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    write_files(trap.repo, {".gitattributes": "* diff=evil\n"})
    trap.config("diff.evil.textconv", str(trap.program("textconv")))
    return ["git", "log", "-p"], None, {}


def v_diff_driver_command(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    write_files(trap.repo, {".gitattributes": "* diff=evilcmd\n"})
    trap.config("diff.evilcmd.command", str(trap.program("diff-command")))
    return ["git", "diff", "HEAD~1"], None, {}


def v_diff_external(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    trap.config("diff.external", str(trap.program("diff-external")))
    return ["git", "diff", "HEAD~1"], None, {}


def v_pager(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    trap.config("core.pager", str(trap.program("core-pager")))
    for command in ("log", "ls-files", "diff", "show", "cat-file", "rev-parse"):
        trap.config(f"pager.{command}", str(trap.program(f"pager-{command}")))
    monkeypatch.setenv("PAGER", str(trap.program("env-pager")))
    # A pager only starts on a terminal: `script` gives the control one.
    return ["script", "-qec", "git log", "/dev/null"], None, {}


def v_alias(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    for name in ("log", "ls-files", "cat-file", "rev-parse", "diff", "scan"):
        trap.config(f"alias.{name}", f"!{trap.program('alias-' + name)}")
    return ["git", "scan"], None, {}


def v_credential_helper(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    trap.config("credential.helper", f"!{trap.program('credential-helper')}")
    trap.config("credential.https://example.invalid.helper", f"!{trap.program('credential-url-helper')}")
    return ["git", "credential", "fill"], b"protocol=https\nhost=example.invalid\n\n", {}


def v_askpass(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    trap.config("core.askPass", str(trap.program("askpass")))
    monkeypatch.setenv("SSH_ASKPASS", str(trap.program("ssh-askpass")))
    return ["git", "credential", "fill"], b"protocol=https\nhost=example.invalid\n\n", {}


def v_ssh_lazy_fetch(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    make_partial_clone(trap, "ssh://example.invalid/repo.git")
    trap.config("core.sshCommand", str(trap.program("ssh-command")))
    return ["git", "cat-file", "-p", trap.missing_blob], None, {}


def v_ext_lazy_fetch(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    make_partial_clone(trap, f"ext::{trap.program('ext-transport')} %S")
    trap.config("protocol.ext.allow", "always")
    return ["git", "cat-file", "-p", trap.missing_blob], None, {}


def v_git_proxy_lazy_fetch(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    make_partial_clone(trap, "git://example.invalid/repo.git")
    trap.config("core.gitProxy", str(trap.program("git-proxy")))
    return ["git", "cat-file", "-p", trap.missing_blob], None, {}


def v_gpg_signature(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    forge_signed_commit(trap)
    trap.config("log.showSignature", "true")
    trap.config("gpg.program", str(trap.program("gpg")))
    trap.config("gpg.openpgp.program", str(trap.program("gpg-openpgp")))
    return ["git", "log", "-1"], None, {}


def v_inherited_environment(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    """A calling process (a hook, a CI step) left git variables that would run programs."""
    environment = {
        "GIT_EXTERNAL_DIFF": str(trap.program("env-external-diff")),
        "GIT_PAGER": str(trap.program("env-git-pager")),
        "GIT_EDITOR": str(trap.program("env-editor")),
        "GIT_ASKPASS": str(trap.program("env-askpass")),
        "GIT_SSH_COMMAND": str(trap.program("env-ssh")),
        "GIT_SSH": str(trap.program("env-ssh-plain")),
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "core.fsmonitor",
        "GIT_CONFIG_VALUE_0": str(trap.program("env-config-fsmonitor")),
        "GIT_CONFIG_PARAMETERS": f"'core.hookspath'='{trap.tmp / 'envhooks'}'",
    }
    install_hooks(trap, trap.tmp / "envhooks")
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    return ["git", "status"], None, environment


def v_path_hijack(trap: Trap, monkeypatch: pytest.MonkeyPatch) -> Control:
    """`.` on PATH would let the scanned tree supply git itself, or the `false` run as ssh."""
    make_partial_clone(trap, "ssh://example.invalid/repo.git")
    for name in ("git", "false", "cat", "ssh", "gpg", "less"):
        shutil.copy(trap.program(f"path-{name}"), trap.repo / name)
    monkeypatch.setenv("PATH", f".:{os.environ['PATH']}")
    forget_git_executable()
    # A shell (git runs GIT_SSH_COMMAND through one) would pick the tree's programs first.
    return ["sh", "-c", "git --version"], None, {"PATH": f".:{os.environ['PATH']}"}


VECTORS: dict[str, Callable[[Trap, pytest.MonkeyPatch], Control]] = {
    "fsmonitor": v_fsmonitor,
    "include-path": v_include,
    "hooks": v_hooks,
    "hooks-path": v_hooks_path,
    "filter-clean-smudge": v_filter,
    "filter-process": v_filter_process,
    "textconv": v_textconv,
    "diff-driver-command": v_diff_driver_command,
    "diff-external": v_diff_external,
    "pager": v_pager,
    "alias": v_alias,
    "credential-helper": v_credential_helper,
    "askpass": v_askpass,
    "ssh-lazy-fetch": v_ssh_lazy_fetch,
    "ext-lazy-fetch": v_ext_lazy_fetch,
    "git-proxy-lazy-fetch": v_git_proxy_lazy_fetch,
    "gpg-signature": v_gpg_signature,
    "inherited-environment": v_inherited_environment,
    "path-hijack": v_path_hijack,
}


def exercise(repo: Path) -> dict[str, object]:
    """Call every public function that runs git; return what each gave (or the error type)."""
    results: dict[str, object] = {}

    def attempt(name: str, call: Callable[[], object]) -> None:
        try:
            results[name] = call()
        except (DiscoveryError, GitError) as error:
            results[name] = type(error).__name__

    attempt("list_files", lambda: candidates(list_files(repo)))
    attempt("list_files_tracked", lambda: list_files(repo, tracked_only=True).files)
    attempt("list_subdir", lambda: list_files(repo / "scripts").files)
    listing = list_files(repo)
    attempt("read_text", lambda: [read_text(repo, path)[0] for path, _ in candidates(listing)])
    attempt("read_staged", lambda: [file.path for file in read_staged(repo, repo).files])
    attempt("changed_staged_paths", lambda: changed_staged_paths(repo, repo))
    attempt("history", lambda: [change.commit for change in iter_history(repo)])
    attempt(
        "history_all",
        lambda: [change.path for change in iter_history(repo, all_branches=True, since="HEAD~1")],
    )
    attempt("run_git", lambda: run_git(repo, "rev-parse", "HEAD"))
    attempt("StartedStream", lambda: list(StartedStream(repo, "log", "--format=%H").records()))
    attempt("gitpython", lambda: exercise_gitpython(repo))
    return results


def exercise_gitpython(repo_path: Path) -> list[str]:
    import git as gitpython

    seen: list[str] = []
    repo = safe_repo(repo_path)
    try:
        seen.append(repo.git.log("-p", "--no-ext-diff", "--no-textconv", "-n", "3"))
        seen.append(repo.git.ls_files())
        seen.append(repo.git.cat_file("-p", "HEAD"))
        head = repo.head.commit
        for item in head.tree.traverse():
            if isinstance(item, gitpython.Blob):
                try:
                    seen.append(item.data_stream.read().decode(errors="replace"))
                except (ValueError, gitpython.GitCommandError):
                    seen.append("missing")
        for parent in head.parents:
            seen.extend(str(diff) for diff in head.diff(parent, create_patch=True))
        seen.extend(commit.hexsha for commit in repo.iter_commits("--all"))
    except gitpython.GitCommandError as error:
        seen.append(f"GitCommandError {error.status}")
    finally:
        repo.close()
    return seen


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    isolate_git_config(monkeypatch)
    forget_git_executable()
    yield
    forget_git_executable()


# Partial clones missing a blob: reading it would fetch. Transports are disabled either way, but
# only git that honours GIT_NO_LAZY_FETCH (2.39.4+ maintenance releases, 2.45+) skips the
# attempt entirely; older git records `remote.<name>.partialclonefilter` in .git/config first.
LAZY_FETCH_VECTORS = frozenset({"ssh-lazy-fetch", "ext-lazy-fetch", "git-proxy-lazy-fetch", "path-hijack"})
_NO_LAZY_FETCH_SINCE = {(2, 39): 4, (2, 40): 2, (2, 41): 1, (2, 42): 2, (2, 43): 4, (2, 44): 1}


def git_honours_no_lazy_fetch() -> bool:
    major, minor, patch = (int(part) for part in re.findall(r"\d+", git(Path.cwd(), "version"))[:3])
    return (major, minor) >= (2, 45) or patch >= _NO_LAZY_FETCH_SINCE.get((major, minor), 1000)


@pytest.mark.parametrize("vector", list(VECTORS))
def test_scanning_runs_nothing_and_changes_nothing(
    vector: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trap = build(tmp_path)
    VECTORS[vector](trap, monkeypatch)
    before = snapshot_tree(trap.repo)
    results = exercise(trap.repo)
    after = snapshot_tree(trap.repo)
    assert trap.sprung() == []
    if vector in LAZY_FETCH_VECTORS and not git_honours_no_lazy_fetch():
        for changed in (".git", ".git/config"):
            before.pop(changed), after.pop(changed)
    assert after == before
    assert not (trap.repo / ".git/index.lock").exists()
    # The scan still did its job (a trap must not simply make everything fail).
    listed = dict(results["list_files"])  # type: ignore[call-overload]
    assert {".env", ".mcp.json", "scripts/a.sh", "untracked.env"} <= set(listed)
    assert isinstance(results["read_staged"], list)
    assert isinstance(results["gitpython"], list)
    assert [name for name, value in results.items() if value in ("GitError", "DiscoveryError")] == []
    if vector not in LAZY_FETCH_VECTORS:
        # GitPython may fail to read the missing blob of a partial clone, and nothing else.
        assert not any(str(item).startswith("GitCommandError") for item in results["gitpython"])


@pytest.mark.parametrize("vector", list(VECTORS))
def test_vector_is_live(vector: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same trap springs under plain git, so the test above can fail."""
    trap = build(tmp_path)
    argv, stdin, extra_env = VECTORS[vector](trap, monkeypatch)
    if argv[0] == "script" and shutil.which("script") is None:
        pytest.skip("needs util-linux script(1) to give git a terminal")
    env = isolated_env(extra_env)
    env["PATH"] = extra_env.get("PATH", os.environ["PATH"])
    env["PAGER"] = os.environ.get("PAGER", "")
    subprocess.run(argv, cwd=trap.repo, env=env, input=stdin, capture_output=True, timeout=60, check=False)
    assert trap.sprung() != []


def test_clean_repository_reads_normally(tmp_path: Path) -> None:
    trap = build(tmp_path)
    results = exercise(trap.repo)
    assert results["read_staged"] == [".env", ".mcp.json", "scripts/a.sh"]
    assert results["changed_staged_paths"] == (".mcp.json", "scripts/a.sh")
    assert results["list_subdir"] == ("a.sh",)
    assert len(results["history"]) == 3  # type: ignore[arg-type]


def test_partial_clone_is_read_without_fetching(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    trap = build(tmp_path)
    v_ssh_lazy_fetch(trap, monkeypatch)
    history = list(iter_history(trap.repo))
    missing = [change for change in history if change.notification is not None]
    assert [(change.path, change.notification.descriptor) for change in missing if change.notification] == [
        (".env", "unreadable")
    ]
    assert [change.path for change in history if change.added_lines] == [".env", "scripts/a.sh"]
    snapshot = read_staged(trap.repo, trap.repo)
    assert [file.path for file in snapshot.files] == [".mcp.json", "scripts/a.sh"]
    assert [(note.path, note.descriptor) for note in snapshot.notifications] == [(".env", "unreadable")]
    assert trap.sprung() == []


@pytest.fixture(params=["posix_spawn", "subprocess"])
def spawning(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """git started as on Linux and macOS (os.posix_spawn), and as where os has none (Windows)."""
    if request.param == "subprocess":
        monkeypatch.setattr(gitspawn, "_posix_spawn", None)
    return str(request.param)


def test_blob_reader(tmp_path: Path, spawning: str) -> None:
    repo = make_repo(tmp_path)
    small = run_git(repo, "hash-object", "-w", "--stdin", input=b"small\n").decode().strip()
    big = run_git(repo, "hash-object", "-w", "--stdin", input=b"x" * 5000).decode().strip()
    absent = "0123456789abcdef0123456789abcdef01234567"
    with BlobReader(repo) as blobs:
        assert blobs.read(small) == b"small\n"
        assert blobs.read(absent) is None
        assert blobs.read(big, max_bytes=4999) == TooLarge(5000)
        assert blobs.read(big) == b"x" * 5000
        # More than one batch, duplicates and order kept; a skipped object leaves the stream in step.
        asked = [small, big, absent] * 700
        answers = blobs.read_many(asked, max_bytes=100)
        assert answers == [b"small\n", TooLarge(5000), None] * 700
        # By id: each id once, whatever the repetitions asked.
        assert blobs.read_by_id(asked, max_bytes=100) == {
            small: b"small\n",
            big: TooLarge(5000),
            absent: None,
        }
        with pytest.raises(GitError, match="not an object id"):
            blobs.read("HEAD:.env")
        assert blobs.read(small) == b"small\n"


def test_blob_reader_runs_meanwhile_once_while_git_answers_the_first_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path)
    ids = [
        run_git(repo, "hash-object", "-w", "--stdin", input=f"{n}\n".encode()).decode().strip()
        for n in range(3)
    ]
    monkeypatch.setattr(BlobReader, "_BATCH", 2)
    ran: list[bool] = []
    with BlobReader(repo) as blobs:

        def meanwhile() -> None:  # the first two ids are asked already: an answer is coming
            readable, _, _ = select.select([blobs._stdout], [], [], 10)
            ran.append(bool(readable))

        assert blobs.read_many(ids, meanwhile=meanwhile) == [b"0\n", b"1\n", b"2\n"]
    assert ran == [True]


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
def test_blob_reader_git_dies_of_a_broken_pipe_as_under_subprocess(tmp_path: Path, spawning: str) -> None:
    """Python ignores SIGPIPE and a spawned program inherits that; subprocess resets it, and so
    does BlobReader, so that cat-file writing to a reader that went away ends at once."""
    repo = make_repo(tmp_path)
    with BlobReader(repo) as blobs:
        status = Path(f"/proc/{blobs._process.pid}/status").read_text()
    ignored = int(next(line for line in status.splitlines() if line.startswith("SigIgn:")).split()[1], 16)
    assert not ignored & (1 << (signal.SIGPIPE - 1))


def test_git_process_waits_with_a_timeout_and_kills(tmp_path: Path, spawning: str) -> None:
    repo = make_repo(tmp_path)
    read_end, write_end = os.pipe()  # cat-file reads requests until stdin ends: never, here
    with open(os.devnull, "wb") as devnull:
        process = GitProcess(
            repo,
            ("cat-file", "--batch"),
            git_env(),
            stdin=read_end,
            stdout=devnull.fileno(),
            stderr=devnull.fileno(),
        )
    try:
        with pytest.raises(TimeoutError):
            process.wait(timeout=0.05)
        assert process.poll() is None
        process.kill()
        assert process.wait() != 0
        process.kill()  # once ended, nothing to do
    finally:
        os.close(read_end)
        os.close(write_end)


def test_git_process_in_a_missing_directory_does_not_start(tmp_path: Path, spawning: str) -> None:
    with pytest.raises(GitError, match=r"^git ls-files could not start: No such file or directory$"):
        StartedGit(tmp_path / "missing", ("ls-files",))
    (tmp_path / "file").write_text("x")
    with pytest.raises(GitError, match=r"^git ls-files could not start: Not a directory$"):
        StartedGit(tmp_path / "file", ("ls-files",))


def test_blob_reader_reports_a_dead_process(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    blobs = BlobReader(repo)
    blobs._process.kill()
    blobs._process.wait()
    with pytest.raises(GitError, match="git cat-file stopped answering"):
        blobs.read("0123456789abcdef0123456789abcdef01234567")
    blobs.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand the repository to another user")
def test_repository_owned_by_another_user(tmp_path: Path) -> None:
    trap = build(tmp_path)
    for directory, dirnames, filenames in os.walk(trap.repo):
        for name in [*dirnames, *filenames, "."]:
            os.lchown(os.path.join(directory, name), 65534, 65534)
    plain = subprocess.run(
        ["git", "ls-files"], cwd=trap.repo, env=isolated_env(), capture_output=True, check=False
    )
    assert b"dubious ownership" in plain.stderr
    assert list_files(trap.repo).is_git is True
    assert [file.path for file in read_staged(trap.repo, trap.repo).files] == [
        ".env",
        ".mcp.json",
        "scripts/a.sh",
    ]


def test_git_argv_shape() -> None:
    argv = git_argv("log", "-1")
    assert os.path.isabs(argv[0])
    assert argv[1:3] == ["--no-pager", "--no-replace-objects"]
    assert argv[-2:] == ["log", "-1"]
    pairs = [argv[index + 1] for index, value in enumerate(argv[:-2]) if value == "-c"]
    assert pairs == [f"{key}={value}" for key, value in SAFE_CONFIG]
    assert "core.hooksPath=/dev/null" in pairs
    assert "safe.directory=*" in pairs
    assert "protocol.allow=never" in pairs


def test_git_env_strips_inherited_git_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_EXTERNAL_DIFF", "GIT_CONFIG_PARAMETERS"):
        monkeypatch.setenv(key, "x")
    monkeypatch.setenv("SSH_ASKPASS", "x")
    monkeypatch.setenv("PATH", f".::relative/bin:{os.environ['PATH']}")
    env = git_env()
    for key in (
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_EXTERNAL_DIFF",
        "GIT_CONFIG_PARAMETERS",
        "SSH_ASKPASS",
    ):
        assert key not in env
    assert env["GIT_CONFIG_GLOBAL"] == os.devnull  # kept: says which trusted config to read
    assert env["GIT_OPTIONAL_LOCKS"] == "0"
    assert env["GIT_SSH_COMMAND"] == "false"
    assert env["GIT_ASKPASS"] == ""
    assert env["GIT_ALLOW_PROTOCOL"] == ""
    assert env["LC_ALL"] == "C"
    assert all(os.path.isabs(entry) for entry in env["PATH"].split(os.pathsep))
    assert git_env(index_file=Path("/tmp/idx"))["GIT_INDEX_FILE"] == "/tmp/idx"


def test_run_git_error_is_short_and_redacted(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    with pytest.raises(GitError) as caught:
        run_git(repo, "ls-remote", "https://user:s3cr3t@example.invalid/repo.git")
    message = str(caught.value)
    assert message.startswith("git ls-remote failed (exit 128): ")
    assert "s3cr3t" not in message
    assert caught.value.returncode == 128
    assert "not allowed" in caught.value.stderr_summary  # no network: GIT_ALLOW_PROTOCOL


def test_run_git_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError) as caught:
        run_git(tmp_path, "ls-files")
    assert caught.value.not_a_repository


def test_run_git_check_false_returns_output(tmp_path: Path) -> None:
    assert run_git(tmp_path, "rev-parse", "--verify", "--quiet", "HEAD", check=False) == b""


def test_run_git_input_and_timeout(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    oid = run_git(repo, "hash-object", "--stdin", input=b"hello\n").decode().strip()
    assert oid == "ce013625030ba8dba906f756967f9e9ca394464a"
    with pytest.raises(GitError, match="timed out"):
        run_git(repo, "cat-file", "--batch", input=None, timeout=0.000001)


def test_missing_git_executable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    forget_git_executable()
    with pytest.raises(GitError, match="git executable not found on PATH"):
        run_git(tmp_path, "--version")


@pytest.mark.skipif(os.name == "nt", reason="shutil.which itself is used on Windows")
def test_git_is_found_as_shutil_which_finds_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real_git = shutil.which("git")
    assert real_git is not None
    decoys = {"dir": tmp_path / "dir", "not-executable": tmp_path / "plain", "relative": Path("relative")}
    (decoys["dir"] / "git").mkdir(parents=True)  # a directory named git
    decoys["not-executable"].mkdir()
    (decoys["not-executable"] / "git").write_text("#!/bin/sh\n")
    entries = [str(path) for path in decoys.values()] + ["", os.path.dirname(real_git)]
    monkeypatch.setenv("PATH", os.pathsep.join(entries))
    forget_git_executable()
    try:
        assert git_executable() == real_git
    finally:
        forget_git_executable()


def test_a_stream_raises_after_it_failed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    with pytest.raises(GitError, match="git log failed"):
        list(StartedStream(repo, "log", "no-such-revision").records())


def test_a_stream_kills_git_when_the_reader_stops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"a": "x\n"}, "one")
    started = record_git_processes(monkeypatch)
    # `cat-file --batch` with stdin at /dev/null would end by itself; `log --all -p` of a big
    # range might not have: use a command that never ends unless killed.
    lines = StartedStream(repo, "cat-file", "--batch-check", "--buffer").records()
    with pytest.raises(StopIteration):
        next(lines)
    assert started[0].returncode is not None
    history = StartedStream(repo, "log", "--format=%H%n%H%n%H").records()
    assert next(history)
    history.close()
    assert started[1].returncode is not None


def test_started_git_runs_to_the_end_before_anyone_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path)
    blob = git(repo, "hash-object", "-w", "--stdin", input=b"x\n")
    # 30,000 index entries: ~2 MB of ls-files output, far more than a pipe holds
    entries = "".join(f"100644 {blob}\tdir-{n // 100}/file-{n}.txt\n" for n in range(30_000))
    git(repo, "update-index", "--index-info", input=entries.encode())
    processes = record_git_processes(monkeypatch)
    started = StartedGit(repo, ("ls-files", "-z", "-s"), ("ls-files", "-z"))
    try:
        # nobody reads yet, and git still finishes: its output does not wait in a pipe
        assert [process.wait(timeout=60) for process in processes] == [0, 0]
        listed = started.output(0)
        names = started.output(1)
    finally:
        started.stop()
    assert len(listed) > 1 << 20
    assert listed == run_git(repo, "ls-files", "-z", "-s")
    assert names == run_git(repo, "ls-files", "-z")


def test_started_git_hands_each_result_over_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spawning: str
) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"a.txt": "x\n"}, "one")
    processes = record_git_processes(monkeypatch)
    started = StartedGit(repo, ("rev-parse", "--show-toplevel"), ("log", "no-such-revision"), ("ls-files",))
    try:
        assert started.output(0).decode().strip() == str(repo.resolve())
        failed = started.result(1)
        assert isinstance(failed, GitError)
        assert str(failed).startswith("git log failed (exit 128)")
        assert started.output(2) == b"a.txt\n"
    finally:
        started.stop()
    assert [process.returncode for process in processes] == [0, 128, 0]
    failing = StartedGit(repo, ("log", "no-such-revision"))
    try:
        with pytest.raises(GitError, match=r"^git log failed \(exit 128\)"):
            failing.output(0)
    finally:
        failing.stop()


def test_started_git_stop_reaps_git_and_drops_its_output(tmp_path: Path, spawning: str) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"a.txt": "x\n"}, "one")
    started = StartedGit(repo, ("ls-files",), ("ls-files", "--others"))
    processes = list(started._processes)
    files = [file for pair in started._files for file in pair]
    assert len(files) == 4 and not any(file.closed for file in files)
    started.stop()  # nothing read
    assert all(process.returncode is not None for process in processes)
    assert all(file.closed for file in files)


@pytest.mark.skipif(not hasattr(os, "memfd_create"), reason="memfd_create is Linux's")
def test_started_commands_write_to_anonymous_memory_files_on_linux(tmp_path: Path) -> None:
    # not tempfile's files: importing tempfile alone costs a scan ~2 ms
    repo = make_repo(tmp_path)
    started = StartedGit(repo, ("ls-files",))
    stream = StartedStream(repo, "log", "--format=%H")
    files = [*started._files[0], stream._stderr]
    try:
        targets = [os.readlink(f"/proc/self/fd/{file.fileno()}") for file in files]
    finally:
        started.stop()
        stream.stop()
    assert targets == ["/memfd:ccpolicy-git (deleted)"] * 3


@pytest.mark.parametrize("taken", [False, True])
def test_a_stream_read_ahead_stops_when_the_reader_takes_over(tmp_path: Path, taken: bool) -> None:
    repo = make_repo(tmp_path)
    for n in range(3):
        commit(repo, {f"file-{n}.txt": f"{n}\n"}, f"commit {n}")
    whole = run_git(repo, "log", "--format=%H %s").splitlines(keepends=True)
    assert len(whole) == 3
    stream = StartedStream(repo, "log", "--format=%H %s")
    taken_over = threading.Event()
    if taken:
        taken_over.set()
    stream.read_ahead(1 << 20, until=taken_over)
    assert b"".join(stream._ahead) == (b"" if taken else b"".join(whole))  # all, unless taken over
    assert list(stream.records()) == whole


def test_safe_repo_uses_the_same_options_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trap = build(tmp_path)
    monkeypatch.setenv("GIT_INDEX_FILE", "/nonexistent/index")
    monkeypatch.setenv("GIT_EXTERNAL_DIFF", "evil")
    monkeypatch.setenv("GIT_SSH_COMMAND", "evil")
    monkeypatch.setenv("GIT_NO_LAZY_FETCH", "0")
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    repo = safe_repo(trap.repo)
    try:
        assert repo.git._persistent_git_options == git_argv()[1:]
        environment = repo.git.environment()
        for key, value in git_env().items():
            if os.environ.get(key) != value:
                assert environment[key] == value, key
        assert environment["GIT_INDEX_FILE"] == str(trap.repo / ".git/index")
        assert environment["GIT_EXTERNAL_DIFF"] == ""
        assert environment["GIT_SSH_COMMAND"] == "false"
        assert environment["GIT_NO_LAZY_FETCH"] == "1"
        assert environment["GIT_CONFIG_COUNT"] == "0"
        assert repo.git.ls_files().splitlines() == [".env", ".mcp.json", "README.md", "scripts/a.sh"]
    finally:
        repo.close()


def test_safe_repo_neutralises_inherited_locations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIT_DIR/GIT_WORK_TREE left by a calling hook must not point git at another repository."""
    trap = build(tmp_path)
    other = make_repo(tmp_path, "other")
    commit(other, {"other.sh": "x\n"}, "other")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    repo = safe_repo(trap.repo)
    try:
        assert repo.git.ls_files().splitlines() == [".env", ".mcp.json", "README.md", "scripts/a.sh"]
        assert repo.git.environment()["GIT_DIR"] == str(trap.repo / ".git")
        assert repo.git.environment()["GIT_WORK_TREE"] == str(trap.repo)
    finally:
        repo.close()


def test_safe_repo_refuses_a_repository_gitpython_would_misread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trap = build(tmp_path)
    other = make_repo(tmp_path, "other")
    monkeypatch.setenv("GIT_COMMON_DIR", str(other / ".git"))  # GitPython reads it in Repo()
    with pytest.raises(GitError, match="GitPython resolved a different repository"):
        safe_repo(trap.repo)


def test_safe_repo_not_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(GitError, match="not a git repository"):
        safe_repo(plain)


def test_hook_program_helper_is_executable(tmp_path: Path) -> None:
    trap = build(tmp_path)
    program = trap.program("probe")
    assert program.stat().st_mode & stat.S_IXUSR
    subprocess.run([str(program)], input=b"", check=True)
    assert trap.sprung() == ["probe"]
