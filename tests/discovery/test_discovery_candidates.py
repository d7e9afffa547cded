"""list_candidates must give exactly what candidates(list_files(...)) gives, however odd the tree.

It is the repository scan's fast path (no --deleted, only the entries a pattern picks out are
looked at), so every case the full listing handles is built here and both answers compared.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from gitrepo import commit, git, isolate_git_config, make_repo, write_files

from scanner import gitstarts
from scanner.discovery import DiscoveryError
from scanner.discovery.listing import (
    CandidateListing,
    FileListing,
    TrackedKnown,
    candidates,
    list_candidates,
    list_files,
)
from scanner.discovery.paths import classify
from scanner.model import FileKind, Notification
from scanner.scan import repo_prefix


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)


def expected(root: Path, tracked_only: bool) -> CandidateListing:
    listing = list_files(root, tracked_only=tracked_only)
    found = candidates(listing)
    return CandidateListing(
        root=Path(root),
        is_git=listing.is_git,
        candidates=found,
        tracked=frozenset(path for path, _ in found if path in listing.tracked),
        # git lists tracked files without their modes: a tracked symlink is looked at (and
        # noted if it leads out) only when its name is a candidate's
        notifications=tuple(note for note in listing.notifications if not _tracked_other_link(note, listing)),
        repo_prefix=repo_prefix(Path(root)) if listing.is_git else "",
    )


def _tracked_other_link(note: Notification, listing: FileListing) -> bool:
    return (
        listing.is_git
        and note.descriptor == "symlink-outside-root"
        and note.path is not None
        and classify(note.path) is None
        and note.path in _tracked_symlinks(listing.root)
    )


def _tracked_symlinks(root: Path) -> set[str]:
    out = git(root, "ls-files", "-s")
    return {line.split("\t", 1)[1] for line in out.splitlines() if line.startswith("120000 ")}


def _telling(told: list[Sequence[tuple[str, FileKind]]]) -> TrackedKnown:
    def tell(found: Sequence[tuple[str, FileKind]], still_walking: Callable[[], bool]) -> None:
        assert isinstance(still_walking(), bool)
        told.append(found)

    return tell


def assert_same(root: Path) -> CandidateListing:
    for tracked_only in (False, True):
        try:
            want = expected(root, tracked_only)
        except DiscoveryError as error:
            with pytest.raises(DiscoveryError, match=str(error).replace("(", r"\(").replace(")", r"\)")):
                list_candidates(root, tracked_only=tracked_only)
            continue
        assert list_candidates(root, tracked_only=tracked_only) == want
        # told the tracked candidates early (the scan reads them while git walks), and no others
        told: list[Sequence[tuple[str, FileKind]]] = []
        assert list_candidates(root, tracked_only=tracked_only, tracked_known=_telling(told)) == want
        if want.is_git and not tracked_only:
            assert told == [[(path, kind) for path, kind in want.candidates if path in want.tracked]]
        elif tracked_only:
            assert told == []
        assert all(set(early) <= set(want.candidates) for early in told)
        # the same answer from git commands started before they were needed (scan_cmd does this)
        with gitstarts.listing_started_early(root, tracked_only=tracked_only):
            assert list_candidates(root, tracked_only=tracked_only) == want
            assert gitstarts.listings.waiting() == 0  # used, and used once
    return list_candidates(root)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path)
    commit(
        repo,
        {
            ".gitignore": "*.log\nbuild/\n.env.local\n",
            ".claude/settings.json": "{}\n",
            ".claude/settings.local.json": "{}\n",
            "README.md": "hi\n",
            "src/settings.py": "x = 1\n",
            "scripts/setup.sh": "export A=1\n",
            "deploy/Dockerfile.prod": "FROM x\n",
            ".github/workflows/ci.yml": "on: push\n",
            "infra/managed-settings.d/10-base.json": "{}\n",
            "home/dot_zshrc.tmpl": "export A=1\n",
            "tools/RUN.SH": "x\n",
        },
        "initial",
    )
    write_files(
        repo,
        {
            ".env": "A=1\n",  # untracked, not ignored
            ".env.local": "B=2\n",  # ignored
            "debug.log": "x\n",
            "build/Dockerfile": "FROM x\n",
            "notes.txt": "x\n",
        },
    )
    return repo


def test_ordinary_repository(repo: Path) -> None:
    found = assert_same(repo)
    assert found.candidates == (
        (".claude/settings.json", FileKind.SETTINGS_PROJECT),
        (".claude/settings.local.json", FileKind.SETTINGS_LOCAL),
        (".env", FileKind.DOTENV),
        (".github/workflows/ci.yml", FileKind.WORKFLOW),
        ("deploy/Dockerfile.prod", FileKind.DOCKERFILE),
        ("home/dot_zshrc.tmpl", FileKind.SHELL),
        ("infra/managed-settings.d/10-base.json", FileKind.SETTINGS_MANAGED_DROPIN),
        ("scripts/setup.sh", FileKind.SHELL),
        ("tools/RUN.SH", FileKind.SHELL),
    )
    assert ".env" not in found.tracked
    assert ".claude/settings.local.json" in found.tracked


def test_deleted_tracked_files(repo: Path) -> None:
    (repo / "scripts/setup.sh").unlink()
    (repo / "README.md").unlink()
    found = assert_same(repo)
    assert "scripts/setup.sh" not in dict(found.candidates)


def test_type_changed_and_subdirectory_roots(repo: Path) -> None:
    (repo / "scripts/setup.sh").unlink()
    (repo / "scripts/setup.sh").mkdir()
    assert_same(repo)
    assert_same(repo / ".claude")
    assert_same(repo / "scripts")


def test_a_tracked_file_now_a_symlink_is_listed_as_the_index_has_it(repo: Path) -> None:
    (repo / "deploy/Dockerfile.prod").unlink()
    (repo / "deploy/Dockerfile.prod").symlink_to("../README.md")
    found = assert_same(repo)
    assert ("deploy/Dockerfile.prod", FileKind.DOCKERFILE) in found.candidates
    assert "deploy/Dockerfile.prod" in found.tracked


def test_untracked_directory_nested_repository_and_dependency_dirs(repo: Path) -> None:
    (repo / "fresh").mkdir()
    write_files(repo, {"fresh/.env": "A=1\n", "fresh/x.py": "x\n"})
    nested = repo / "nested"
    nested.mkdir()
    git(nested, "init", "-q")
    write_files(
        repo,
        {
            "nested/.env": "X=1\n",
            "node_modules/pkg/install.sh": "x\n",
            "env/pyvenv.cfg": "home = /usr\n",
            "env/bin/activate.csh": "x\n",
            "tools/env/notes.sh": "x\n",
            "vendor/lib.sh": "x\n",
        },
    )
    commit(repo, {"vendor/tool/.env": "A=1\n"}, "vendored on purpose")
    assert_same(repo)
    assert_same(repo / "fresh")


def test_submodule(tmp_path: Path) -> None:
    sub = make_repo(tmp_path, "sub")
    commit(sub, {".env": "X=1\n"}, "sub")
    outer = make_repo(tmp_path, "outer")
    commit(outer, {"a.sh": "x\n"}, "outer")
    git(outer, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendored")
    commit(outer, {}, "add submodule")
    assert assert_same(outer).candidates == (("a.sh", FileKind.SHELL),)


def test_symlinks(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.env"
    outside.write_text("SECRET=x\n")
    (tmp_path / "outside_dir").mkdir()
    (repo / "inside.env").symlink_to("README.md")
    (repo / "escape.env").symlink_to(outside)
    (repo / "escape-plain").symlink_to(outside)  # tracked, and not a candidate name: not looked at
    (repo / "dirlink").symlink_to("scripts")
    (repo / "dangling.env").symlink_to("nowhere")
    git(repo, "add", "inside.env", "escape.env", "escape-plain", "dangling.env")
    commit(repo, {}, "track links")
    (repo / "untracked-escape.sh").symlink_to(outside)
    (repo / "outside-dirlink").symlink_to(tmp_path / "outside_dir")
    found = assert_same(repo)
    assert [note.path for note in found.notifications] == [
        "escape.env",
        "outside-dirlink",
        "untracked-escape.sh",
    ]


def test_unmerged_and_skip_worktree(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "other")
    commit(repo, {"scripts/setup.sh": "export A=2\n"}, "other")
    git(repo, "checkout", "-q", "main")
    commit(repo, {"scripts/setup.sh": "export A=3\n"}, "main")
    with pytest.raises(AssertionError, match="CONFLICT"):
        git(repo, "merge", "-q", "other")
    assert_same(repo)
    git(repo, "merge", "--abort")
    git(repo, "update-index", "--skip-worktree", "scripts/setup.sh", "README.md")
    assert_same(repo)
    (repo / "scripts/setup.sh").unlink()
    assert "scripts/setup.sh" not in dict(assert_same(repo).candidates)


def test_odd_names(repo: Path) -> None:
    names = ["with space/.env", "ünï/.envrc", "new\nline.sh", "tab\tname.sh", "-dash.sh", "a\\b.env"]
    commit(repo, dict.fromkeys(names, "x\n"), "odd names")
    assert set(names) <= assert_same(repo).tracked


def test_empty_repository_everything_deleted_and_no_git(tmp_path: Path) -> None:
    empty = make_repo(tmp_path, "empty")
    assert_same(empty)
    gone = make_repo(tmp_path, "gone")
    commit(gone, {"sub/x.sh": "x\n", "sub/y.txt": "y\n"}, "one")
    (gone / "sub/x.sh").unlink()
    (gone / "sub/y.txt").unlink()
    write_files(gone, {"sub/.env": "A=1\n"})
    assert_same(gone)
    assert_same(gone / "sub")
    plain = tmp_path / "plain"
    write_files(plain, {".env": "A=1\n", "x/Dockerfile": "FROM x\n"})
    assert assert_same(plain).is_git is False
    with pytest.raises(DiscoveryError, match="scan root is not an existing directory"):
        list_candidates(tmp_path / "missing")


def test_git_failure_falls_back_to_walking(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scanner import gitsafe, gitspawn

    monkeypatch.setattr(gitspawn, "git_executable", lambda: "/nonexistent/git")
    monkeypatch.setattr("scanner.discovery.listing.run_git", _failing(gitsafe.run_git))
    found = assert_same(repo)
    assert found.is_git is False
    assert found.notifications[0].descriptor == "git-unavailable"


def _failing(run: Callable[..., bytes]) -> Callable[..., bytes]:
    def fail(*args: object, **kwargs: object) -> bytes:
        from scanner.gitsafe import GitError

        raise GitError("git ls-files could not start: No such file or directory")

    return fail


SAMPLE_NAMES = (
    ".claude/settings.json",
    "a/.claude/settings.local.json",
    "x/.claude/remote-settings.json",
    "x/claude/settings.json.example",
    "x/dot_claude/private_settings.json",
    "managed-settings.json",
    "etc/claude-code/managed-settings.d/10.json",
    "etc/claude-code/managed-settings.d/.hidden.json",
    "managed-settings.prod.json.bak",
    "team-claude-settings.json",
    "managed-mcp.json",
    ".mcp.json",
    ".env",
    "deploy/.env.production",
    "prod.ENV",
    ".envrc",
    "config.fish",
    "x.FISH",
    "Dockerfile",
    "dockerfile",
    "Containerfile.dev",
    "api.Dockerfile",
    "Dockerfile-prod",
    "devcontainer.json",
    ".devcontainer.json",
    "docker-compose.override.yml",
    "compose.yaml",
    ".github/workflows/x.yaml",
    "etc/profile",
    "etc/environment",
    ".bashrc",
    "zshenv",
    ".cshrc",
    "tcshrc",
    "a.ps1",
    "b.PSM1",
    "c.ksh",
    "private_dot_bashrc.tmpl",
    "dot_env.local",
    "executable_dot_envrc",
)


def test_every_kind_of_candidate_name(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    ordinary = ("src/app.py", "README.md", "package.json", "docs/index.html", "a/b/c.ts", "x.YAML")
    commit(repo, dict.fromkeys((*SAMPLE_NAMES, *ordinary), "x\n"), "names")
    found = assert_same(repo)
    assert [path for path, _ in found.candidates] == sorted(SAMPLE_NAMES)
    assert all(classify(name) is not None for name in SAMPLE_NAMES)


def test_root_given_through_a_symlink(repo: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(repo)
    assert_same(link)
    assert os.path.realpath(link) == os.path.realpath(repo)


def test_an_early_listing_not_used_is_stopped_on_leaving(repo: Path) -> None:
    with gitstarts.listing_started_early(repo, tracked_only=False):
        started = gitstarts.listings.take((os.path.realpath(repo), False))
        assert started is not None  # taken here, so list_candidates will not use it
        processes = list(started._processes)
        assert len(processes) == 3  # the index read, where the root is, and the untracked walk
    assert gitstarts.listings.waiting() == 0
    assert all(process.returncode is not None for process in processes)
    assert list_candidates(repo) == expected(repo, False)


def test_an_early_listing_of_another_root_is_not_used(repo: Path, tmp_path: Path) -> None:
    other = make_repo(tmp_path / "other")
    commit(other, {".env": "A=1\n"}, "initial")
    with gitstarts.listing_started_early(other, tracked_only=False):
        assert list_candidates(repo) == expected(repo, False)
        assert list_candidates(repo, tracked_only=True) == expected(repo, True)
        assert gitstarts.listings.waiting() == 1  # still waiting for its own root
        assert [path for path, _ in list_candidates(other).candidates] == [".env"]
        assert gitstarts.listings.waiting() == 0


def test_an_early_listing_outside_git_changes_nothing(tmp_path: Path) -> None:
    write_files(tmp_path, {"plain/.claude/settings.json": "{}\n"})
    root = tmp_path / "plain"
    with gitstarts.listing_started_early(root, tracked_only=False):
        found = list_candidates(root)
    assert found == expected(root, False)
    assert found.is_git is False
    assert found.candidates == ((".claude/settings.json", FileKind.SETTINGS_PROJECT),)
    with gitstarts.listing_started_early(tmp_path / "missing", tracked_only=False):
        assert gitstarts.listings.waiting() == 0  # git could not even start there
