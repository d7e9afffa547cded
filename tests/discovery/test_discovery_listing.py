from __future__ import annotations

import os
from pathlib import Path

import pytest
from gitrepo import commit, git, isolate_git_config, make_repo, stage, write_files

from scanner.discovery import DiscoveryError
from scanner.discovery.listing import FileListing, candidates, list_files
from scanner.discovery.read import read_text
from scanner.gitsafe import GitError
from scanner.model import FileKind, Notification


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)


def outside_note(path: str) -> Notification:
    return Notification(
        level="warning",
        message="symbolic link points outside the scanned root; not followed",
        path=path,
        descriptor="symlink-outside-root",
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path)
    commit(
        repo,
        {
            ".gitignore": "*.log\nbuild/\n.env.local\n",
            ".claude/settings.json": "{}\n",
            "README.md": "hi\n",
            "scripts/setup.sh": "export A=1\n",
        },
        "initial",
    )
    write_files(
        repo,
        {
            ".env": "A=1\n",  # untracked, not ignored
            ".env.local": "B=2\n",  # ignored
            "debug.log": "x\n",  # ignored
            "build/Dockerfile": "FROM x\n",  # ignored directory
        },
    )
    return repo


def test_git_tracked_and_untracked_not_ignored(repo: Path) -> None:
    listing = list_files(repo)
    assert listing == FileListing(
        root=repo,
        is_git=True,
        files=(".claude/settings.json", ".env", ".gitignore", "README.md", "scripts/setup.sh"),
        tracked=frozenset({".claude/settings.json", ".gitignore", "README.md", "scripts/setup.sh"}),
        notifications=(),
    )


def test_tracked_only(repo: Path) -> None:
    listing = list_files(repo, tracked_only=True)
    assert listing.files == (".claude/settings.json", ".gitignore", "README.md", "scripts/setup.sh")
    assert listing.tracked == frozenset(listing.files)


def test_staged_but_never_committed_counts_as_tracked(repo: Path) -> None:
    stage(repo, {".mcp.json": "{}\n"})
    listing = list_files(repo)
    assert ".mcp.json" in listing.tracked
    assert ".mcp.json" in listing.files


def test_deleted_but_tracked_files_are_skipped(repo: Path) -> None:
    (repo / "scripts/setup.sh").unlink()
    listing = list_files(repo)
    assert "scripts/setup.sh" not in listing.files
    assert "scripts/setup.sh" not in listing.tracked
    assert list_files(repo, tracked_only=True).files == (".claude/settings.json", ".gitignore", "README.md")


def test_tracked_file_whose_type_changed_is_left_to_the_reader(repo: Path) -> None:
    """git reports type changes only through content checks that could run filters, so the
    listing keeps what the index says and read_text refuses what is not a regular file."""
    (repo / "README.md").unlink()
    (repo / "README.md").mkdir()
    assert "README.md" in list_files(repo).files
    assert read_text(repo, "README.md") == (
        None,
        Notification(
            level="warning",
            message="not a regular file; not read",
            path="README.md",
            descriptor="not-regular-file",
        ),
    )


def test_subdirectory_root_lists_only_under_it_relative_to_it(repo: Path) -> None:
    write_files(repo, {"scripts/extra.bash": "x\n", "scripts/deep/.envrc": "x\n"})
    listing = list_files(repo / "scripts")
    assert listing.is_git is True
    assert listing.files == ("deep/.envrc", "extra.bash", "setup.sh")
    assert listing.tracked == frozenset({"setup.sh"})
    assert listing.root == repo / "scripts"


def test_untracked_directory_inside_a_work_tree_is_walked(repo: Path) -> None:
    """No tracked file under it: git knows nothing, and ignores would hide e.g. build/."""
    listing = list_files(repo / "build")
    assert listing.is_git is False
    assert listing.files == ("Dockerfile",)


def test_untracked_nested_repository_is_not_entered(repo: Path, tmp_path: Path) -> None:
    nested = repo / "nested"
    nested.mkdir()
    git(nested, "init", "-q")
    write_files(nested, {".env": "X=1\n"})
    assert not any(path.startswith("nested") for path in list_files(repo).files)


def test_submodule_is_not_entered(tmp_path: Path) -> None:
    sub = make_repo(tmp_path, "sub")
    commit(sub, {".env": "X=1\n"}, "sub")
    repo = make_repo(tmp_path, "outer")
    commit(repo, {"a.sh": "x\n"}, "outer")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendored")
    commit(repo, {}, "add submodule")
    listing = list_files(repo)
    assert listing.files == (".gitmodules", "a.sh")
    assert (repo / "vendored/.env").exists()


def test_dependency_and_cache_dirs_untracked_are_dropped(repo: Path) -> None:
    write_files(
        repo,
        {
            "node_modules/pkg/install.sh": "x\n",
            "web/node_modules/pkg/.env": "x\n",
            ".venv/bin/activate.fish": "x\n",
            "env/pyvenv.cfg": "home = /usr\n",
            "env/bin/activate": "x\n",
            "env/bin/activate.csh": "x\n",
            "tools/env/notes.sh": "x\n",
            "vendor/lib.sh": "x\n",
            "third_party/x.sh": "x\n",
            ".tox/py/x.sh": "x\n",
            "lib/python3.11/site-packages/x.sh": "x\n",
        },
    )
    listing = list_files(repo)
    assert [path for path in listing.files if path not in listing.tracked] == [".env", "tools/env/notes.sh"]


def test_tracked_files_in_dependency_dirs_are_kept(repo: Path) -> None:
    commit(repo, {"vendor/tool/.env": "A=1\n"}, "vendored on purpose")
    assert "vendor/tool/.env" in list_files(repo).tracked


def test_symlinks_in_git(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.env"
    outside.write_text("SECRET=x\n")
    (tmp_path / "outside_dir").mkdir()
    (repo / "inside.env").symlink_to("README.md")
    (repo / "escape.env").symlink_to(outside)
    (repo / "dirlink").symlink_to("scripts")
    (repo / "dangling.env").symlink_to("nowhere")
    commit(repo, {}, "noop")
    git(repo, "add", "inside.env", "escape.env")
    commit(repo, {}, "track two links")
    (repo / "untracked-escape.sh").symlink_to(outside)
    (repo / "outside-dirlink").symlink_to(tmp_path / "outside_dir")
    listing = list_files(repo)
    assert "inside.env" in listing.files
    assert "inside.env" in listing.tracked
    for hidden in ("escape.env", "untracked-escape.sh", "dirlink", "dangling.env", "outside-dirlink"):
        assert hidden not in listing.files
    assert not any(path.startswith(("dirlink/", "outside-dirlink/")) for path in listing.files)
    assert listing.notifications == (
        outside_note("escape.env"),
        outside_note("outside-dirlink"),
        outside_note("untracked-escape.sh"),
    )


def test_unmerged_file_is_listed_once(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "other")
    commit(repo, {"scripts/setup.sh": "export A=2\n"}, "other")
    git(repo, "checkout", "-q", "main")
    commit(repo, {"scripts/setup.sh": "export A=3\n"}, "main")
    with pytest.raises(AssertionError, match="CONFLICT"):
        git(repo, "merge", "-q", "other")
    listing = list_files(repo)
    assert listing.files.count("scripts/setup.sh") == 1
    assert "scripts/setup.sh" in listing.tracked


def test_skip_worktree_entries_present_on_disk_are_listed(repo: Path) -> None:
    git(repo, "update-index", "--skip-worktree", "scripts/setup.sh")
    assert "scripts/setup.sh" in list_files(repo).tracked
    (repo / "scripts/setup.sh").unlink()  # what a sparse checkout does
    assert "scripts/setup.sh" not in list_files(repo).files


def test_paths_with_spaces_unicode_and_newlines(repo: Path) -> None:
    names = ["with space/.env", "ünï/.envrc", "new\nline.sh"]
    commit(repo, dict.fromkeys(names, "x\n"), "odd names")
    listing = list_files(repo)
    assert set(names) <= listing.tracked


def test_walk_outside_git(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    write_files(
        root,
        {
            ".env": "A=1\n",
            "a/.claude/settings.json": "{}\n",
            "a/README.md": "x\n",
            ".git/config": "x\n",
            "node_modules/x/.env": "x\n",
            "venv/bin/activate": "x\n",
            "env/pyvenv.cfg": "x\n",
            "env/bin/activate.sh": "x\n",
            "tools/env/deploy.sh": "x\n",
            "myvenv/pyvenv.cfg": "x\n",
            "myvenv/bin/x.sh": "x\n",
            "__pycache__/a.pyc": "x\n",
            ".mypy_cache/x": "x\n",
            ".ruff_cache/x": "x\n",
            ".pytest_cache/x": "x\n",
            ".nox/x.sh": "x\n",
        },
    )
    listing = list_files(root)
    assert listing == FileListing(
        root=root,
        is_git=False,
        files=(".env", "a/.claude/settings.json", "a/README.md", "tools/env/deploy.sh"),
        tracked=frozenset(),
        notifications=(),
    )


def test_walk_symlinks(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    write_files(root, {"real.sh": "x\n", "sub/inner.sh": "x\n"})
    (tmp_path / "secret.env").write_text("S=1\n")
    (tmp_path / "outdir").mkdir()
    (root / "link.sh").symlink_to("real.sh")
    (root / "escape.env").symlink_to(tmp_path / "secret.env")
    (root / "subdirlink").symlink_to("sub")
    (root / "outdirlink").symlink_to(tmp_path / "outdir")
    listing = list_files(root)
    assert listing.files == ("link.sh", "real.sh", "sub/inner.sh")
    assert listing.notifications == (outside_note("escape.env"), outside_note("outdirlink"))


def test_walk_root_that_is_a_virtualenv_is_still_listed(tmp_path: Path) -> None:
    root = tmp_path / "venvroot"
    write_files(root, {"pyvenv.cfg": "x\n", "bin/activate.sh": "x\n"})
    assert list_files(root).files == ("bin/activate.sh", "pyvenv.cfg")


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists any directory")
def test_walk_unreadable_directory(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    write_files(root, {"locked/.env": "x\n", "ok.sh": "x\n"})
    (root / "locked").chmod(0)
    try:
        listing = list_files(root)
    finally:
        (root / "locked").chmod(0o700)
    assert listing.files == ("ok.sh",)
    assert [note.descriptor for note in listing.notifications] == ["unreadable"]


def test_walk_unreadable_directory_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "plain"
    write_files(root, {"locked/.env": "x\n", "ok.sh": "x\n"})
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr("scanner.discovery.listing.os.scandir", scandir)
    listing = list_files(root)
    assert listing.files == ("ok.sh",)
    assert listing.notifications == (
        Notification(
            level="warning",
            message="directory could not be listed: Permission denied",
            path="locked",
            descriptor="unreadable",
        ),
    )


def test_git_failure_falls_back_to_walking(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> bytes:
        raise GitError("git ls-files failed (exit 128): fatal: index file corrupt", returncode=128)

    monkeypatch.setattr("scanner.discovery.listing.run_git", broken)
    listing = list_files(repo)
    assert listing.is_git is False
    assert ".env.local" in listing.files  # a walk knows no ignore rules
    assert listing.notifications[0] == Notification(
        level="warning",
        message=(
            "git could not list the files (git ls-files failed (exit 128): fatal: index file corrupt);"
            " walked the directory instead"
        ),
        path=None,
        descriptor="git-unavailable",
    )


def test_missing_root_raises(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match=r"scan root is not an existing directory: .*nope"):
        list_files(tmp_path / "nope")


def test_file_as_root_raises(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(DiscoveryError, match="not an existing directory"):
        list_files(tmp_path / "f")


def test_tracked_only_outside_git_raises(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match="--tracked-only needs a git work tree"):
        list_files(tmp_path, tracked_only=True)


def test_candidates(repo: Path) -> None:
    assert candidates(list_files(repo)) == (
        (".claude/settings.json", FileKind.SETTINGS_PROJECT),
        (".env", FileKind.DOTENV),
        ("scripts/setup.sh", FileKind.SHELL),
    )


def test_empty_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    assert list_files(repo) == FileListing(root=repo, is_git=True, files=(), tracked=frozenset())
    write_files(repo, {".env": "A=1\n"})
    assert list_files(repo).files == (".env",)


def test_root_given_through_a_symlink(repo: Path, tmp_path: Path) -> None:
    alias = tmp_path / "alias"
    alias.symlink_to(repo)
    listing = list_files(alias)
    assert listing.root == alias
    assert listing.files == list_files(repo).files
    assert listing.notifications == ()


def test_tracked_is_a_subset_of_files(repo: Path) -> None:
    (repo / "scripts/setup.sh").unlink()
    listing = list_files(repo)
    assert listing.tracked <= set(listing.files)
    assert list(listing.files) == sorted(listing.files)
