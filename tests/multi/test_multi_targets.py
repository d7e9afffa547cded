"""Targets of a many-repository scan: command line, --repos-from lists, URLs, duplicates."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from scanner.errors import UsageError
from scanner.multi.targets import (
    Target,
    display_url,
    is_git_url,
    resolve_targets,
    targets_from_list,
    url_scheme,
)
from scanner.redact import MARKER


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://github.com/org/repo.git", True),
        ("ssh://git@github.com/org/repo.git", True),
        ("git@github.com:org/repo.git", True),
        ("file:///srv/git/repo.git", True),
        ("http://example.com/repo.git", True),  # recognised, refused when cloning
        ("repo", False),
        ("./repo", False),
        ("/abs/repo", False),
        ("C:\\work\\repo", False),
        ("a:b", False),  # no user part: a local path with a colon
        ("ext::sh -c touch% /tmp/pwned", False),  # never handed to git as a URL
        ("-u evil", False),
    ],
)
def test_is_git_url(text: str, expected: bool) -> None:
    assert is_git_url(text) is expected


def test_url_scheme() -> None:
    assert url_scheme("HTTPS://h/r") == "https"
    assert url_scheme("git@h:r") == "ssh"
    assert url_scheme("file:///r") == "file"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://github.com/org/repo.git", "https://github.com/org/repo.git"),
        ("https://ghp_tokentokentoken@github.com/org/r.git", f"https://{MARKER}@github.com/org/r.git"),
        ("https://x-access-token:s3cret@github.com/org/r.git", f"https://{MARKER}@github.com/org/r.git"),
        ("ssh://git@github.com/org/r.git", "ssh://git@github.com/org/r.git"),
        ("ssh://deploy:hunter2@host/r.git", f"ssh://deploy:{MARKER}@host/r.git"),
        ("git@github.com:org/r.git", "git@github.com:org/r.git"),
    ],
)
def test_display_url_never_shows_credentials(url: str, shown: str) -> None:
    assert display_url(url) == shown


def test_target_repr_hides_the_url() -> None:
    target = Target(name="https://[REDACTED]@h/r", url="https://user:s3cret@h/r")
    assert "s3cret" not in repr(target)
    assert target.is_url


def test_list_file_entries_comments_and_relative_paths(tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    listing = lists / "repos.txt"
    listing.write_text(
        "\ufeff# fleet\n"
        "\n"
        "  ../a  \n"
        "b # trailing comment\n"
        "/abs/c\n"
        "https://tok@example.com/org/d.git\n"
        "dir#not-a-comment\n",
        encoding="utf-8",
    )
    targets = targets_from_list(str(listing))
    assert [t.name for t in targets] == [
        os.path.normpath(str(tmp_path / "a")),
        str(lists / "b"),
        "/abs/c",
        f"https://{MARKER}@example.com/org/d.git",
        str(lists / "dir#not-a-comment"),
    ]
    assert [t.path for t in targets] == [
        lists / "../a",
        lists / "b",
        Path("/abs/c"),
        None,
        lists / "dir#not-a-comment",
    ]
    assert targets[3].url == "https://tok@example.com/org/d.git"
    assert not any(t.from_command_line for t in targets)


def test_list_file_given_relative_names_targets_relative_to_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "repos.txt").write_text("../a\nb\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    targets = targets_from_list("lists/repos.txt")
    assert [t.name for t in targets] == ["a", "lists/b"]
    assert [t.path for t in targets] == [Path("lists/../a"), Path("lists/b")]


def test_list_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"x\n# c\ngit@h:o/r.git\n")))
    targets = targets_from_list("-")
    assert [(t.name, t.path, t.url) for t in targets] == [
        ("x", Path("x"), None),
        ("git@h:o/r.git", None, "git@h:o/r.git"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"# only comments\n\n", "lists no repositories"),
        (b"a\n\xff\xfe\n", "line 2: not valid UTF-8"),
        (b"a\nb\0c\n", "line 2: contains a NUL byte"),
    ],
)
def test_bad_list_files_are_usage_errors(tmp_path: Path, content: bytes, message: str) -> None:
    listing = tmp_path / "repos.txt"
    listing.write_bytes(content)
    with pytest.raises(UsageError) as caught:
        targets_from_list(str(listing))
    assert str(caught.value) == f"--repos-from {listing}: {message}"


def test_missing_list_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        targets_from_list(str(tmp_path / "nope.txt"))
    assert str(caught.value) == f"--repos-from {tmp_path / 'nope.txt'}: No such file or directory"


def test_resolve_defaults_to_the_current_directory() -> None:
    targets, duplicates = resolve_targets([], None)
    assert [(t.name, t.path) for t in targets] == [(".", Path("."))]
    assert duplicates == []


def test_resolve_drops_duplicates_keeping_the_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a").mkdir()
    listing = tmp_path / "repos.txt"
    listing.write_text("a\nhttps://h/o/r.git/\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    targets, duplicates = resolve_targets(["./a/", "https://h/o/r.git"], str(listing))
    assert [t.name for t in targets] == ["./a/", "https://h/o/r.git"]
    assert duplicates == [str(tmp_path / "a"), "https://h/o/r.git/"]


def test_one_missing_command_line_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_targets([str(tmp_path / "nope")], None)
    assert str(caught.value) == f"{tmp_path / 'nope'}: no such file or directory"
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        resolve_targets([str(tmp_path / "file")], None)
    assert str(caught.value) == f"{tmp_path / 'file'}: not a directory"


def test_missing_paths_among_several_targets_are_left_to_the_scan(tmp_path: Path) -> None:
    targets, _ = resolve_targets([str(tmp_path), str(tmp_path / "nope")], None)
    assert [t.name for t in targets] == [str(tmp_path), str(tmp_path / "nope")]


def test_a_missing_path_listed_in_a_file_is_left_to_the_scan(tmp_path: Path) -> None:
    listing = tmp_path / "repos.txt"
    listing.write_text("nope\n", encoding="utf-8")
    targets, _ = resolve_targets([], str(listing))
    assert [t.name for t in targets] == [str(tmp_path / "nope")]
