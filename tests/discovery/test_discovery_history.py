from __future__ import annotations

import codecs
import os
from pathlib import Path
from typing import Any

import pytest
from gitrepo import (
    AUTHOR_EMAIL,
    AUTHOR_NAME,
    commit,
    git,
    git_subcommand,
    isolate_git_config,
    make_repo,
    record_git_processes,
    write_files,
)

from scanner.discovery import DiscoveryError, history
from scanner.discovery.history import HistoryChange, added_lines, history_started_early, iter_history
from scanner.model import FileKind, Notification


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)


def date(minute: int) -> str:
    """The author date gitrepo.commit gives the repository's n-th commit (0-based)."""
    return f"2023-11-14T22:{13 + minute:02d}:20+00:00"


def change(sha: str, minute: int, path: str, kind: FileKind, *lines: tuple[int, str]) -> HistoryChange:
    return HistoryChange(
        commit=sha,
        author_name=AUTHOR_NAME,
        author_email=AUTHOR_EMAIL,
        author_date=date(minute),
        path=path,
        kind=kind,
        added_lines=tuple(lines),
    )


def test_secret_added_then_removed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    first = commit(repo, {".env": "A=1\nB=2\n", "README.md": "docs\n"}, "add env")
    second = commit(repo, {".env": "A=1\nANTHROPIC_API_KEY=sk-ant-secret\nB=2\n"}, "add key")
    third = commit(repo, {".env": "A=1\nB=2\n"}, "remove key")
    fourth = commit(repo, {".env": None}, "drop env")
    changes = list(iter_history(repo))
    assert changes == [
        change(first, 0, ".env", FileKind.DOTENV, (1, "A=1"), (2, "B=2")),
        change(second, 1, ".env", FileKind.DOTENV, (2, "ANTHROPIC_API_KEY=sk-ant-secret")),
    ]
    assert third and fourth  # removals add no lines, so they yield nothing


def test_only_candidate_files(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    sha = commit(
        repo,
        {
            "src/app.py": "KEY = 'x'\n",
            ".claude/settings.json": '{\n  "env": {}\n}\n',
            "docs/settings.json": "{}\n",
            "deploy/run.sh": "export A=1\n",
        },
        "mixed",
    )
    assert list(iter_history(repo)) == [
        change(
            sha, 0, ".claude/settings.json", FileKind.SETTINGS_PROJECT, (1, "{"), (2, '  "env": {}'), (3, "}")
        ),
        change(sha, 0, "deploy/run.sh", FileKind.SHELL, (1, "export A=1")),
    ]


def test_line_numbers_in_the_new_file_across_hunks(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"a.sh": "".join(f"l{n}\n" for n in range(1, 11))}, "ten lines")
    lines = [f"l{n}" for n in range(1, 11)]
    lines[1] = "changed2"
    lines.insert(5, "inserted")
    lines.append("appended")
    sha = commit(repo, {"a.sh": "".join(f"{line}\n" for line in lines)}, "edit")
    assert list(iter_history(repo))[-1] == change(
        sha, 1, "a.sh", FileKind.SHELL, (2, "changed2"), (6, "inserted"), (12, "appended")
    )


def test_lines_that_look_like_headers_are_content(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    tricky = "++ b/evil\n+++ b/x.sh\ndiff --git a/y b/y\n@@ -1 +1 @@\n\\ fake\n"
    sha = commit(repo, {"t.sh": tricky}, "tricky")
    assert list(iter_history(repo)) == [
        change(
            sha,
            0,
            "t.sh",
            FileKind.SHELL,
            (1, "++ b/evil"),
            (2, "+++ b/x.sh"),
            (3, "diff --git a/y b/y"),
            (4, "@@ -1 +1 @@"),
            (5, "\\ fake"),
        )
    ]


def test_no_newline_at_end_and_crlf(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    sha = commit(repo, {"w.ps1": "$env:A='1'\r\n$env:B='é'".encode()}, "crlf")
    assert list(iter_history(repo)) == [
        change(sha, 0, "w.ps1", FileKind.POWERSHELL, (1, "$env:A='1'"), (2, "$env:B='é'"))
    ]


def test_binary_candidate(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    sha = commit(repo, {"blob.env": b"A=1\x00\x01\x02"}, "binary")
    assert list(iter_history(repo)) == [
        HistoryChange(
            commit=sha,
            author_name=AUTHOR_NAME,
            author_email=AUTHOR_EMAIL,
            author_date=date(0),
            path="blob.env",
            kind=FileKind.DOTENV,
            added_lines=(),
            notification=Notification(
                level="note",
                message=f"binary file (NUL byte in the first 8 KB); not scanned (commit {sha[:12]})",
                path="blob.env",
                descriptor="binary",
            ),
        )
    ]


def test_utf16_powershell_is_read(tmp_path: Path) -> None:
    """git calls UTF-16 binary; the history scan reads it like the working tree does."""
    repo = make_repo(tmp_path)
    text = '$env:ANTHROPIC_API_KEY = "k"\r\n'
    sha = commit(repo, {"p.ps1": codecs.BOM_UTF16_LE + text.encode("utf-16-le")}, "ps")
    assert list(iter_history(repo)) == [
        change(sha, 0, "p.ps1", FileKind.POWERSHELL, (1, '$env:ANTHROPIC_API_KEY = "k"'))
    ]


def test_latin1_lines_come_with_a_note(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    sha = commit(repo, {"a.sh": b"export N=caf\xe9\n"}, "latin")
    [found] = list(iter_history(repo))
    assert found.added_lines == ((1, "export N=café"),)
    assert found.notification == Notification(
        level="note",
        message=f"file is not valid UTF-8; read as Latin-1 (commit {sha[:12]})",
        path="a.sh",
        descriptor="encoding",
    )


def test_too_large(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    sha = commit(repo, {".env": "A=1\n" * 10}, "big")
    [found] = list(iter_history(repo, max_bytes=39))
    assert found.added_lines == ()
    assert found.notification == Notification(
        level="warning",
        message=f"file is 40 bytes, over the 39-byte limit; not scanned (commit {sha[:12]})",
        path=".env",
        descriptor="too-large",
    )


def test_moved_and_reordered_lines_add_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {".env": "A=1\nKEY=secret\nB=2\n"}, "first")
    commit(repo, {".env": "KEY=secret\nB=2\nA=1\n"}, "reorder")
    sha = commit(repo, {".env": "KEY=secret\nB=2\nA=1\nKEY=secret\n"}, "duplicate")
    assert list(iter_history(repo))[1:] == [change(sha, 2, ".env", FileKind.DOTENV, (4, "KEY=secret"))]


def test_mode_change_only_adds_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"run.sh": "export A=1\n"}, "add")
    git(repo, "update-index", "--chmod=+x", "run.sh")
    commit(repo, {}, "chmod")
    assert len(list(iter_history(repo))) == 1


def test_symlinks_and_type_changes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    (repo / ".env").symlink_to("/etc/passwd")
    git(repo, "add", ".env")
    commit(repo, {}, "a symlink has no content to scan")
    (repo / ".env").unlink()
    sha = commit(repo, {".env": "/etc/passwd\nTOKEN=x\n"}, "now a file")
    assert list(iter_history(repo)) == [
        change(sha, 1, ".env", FileKind.DOTENV, (1, "/etc/passwd"), (2, "TOKEN=x"))
    ]


def test_submodule_commits_add_nothing(tmp_path: Path) -> None:
    sub = make_repo(tmp_path, "sub")
    commit(sub, {".env": "S=1\n"}, "sub")
    repo = make_repo(tmp_path, "outer")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "mod.env")
    sha = commit(repo, {}, "add submodule")
    assert [item.path for item in iter_history(repo)] == []
    assert sha


def test_missing_blob_is_a_notification_not_a_failure(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    sha = commit(repo, {".env": "A=1\n", "b.sh": "export B=1\n"}, "two files")
    oid = git(repo, "rev-parse", "HEAD:.env")
    (repo / ".git/objects" / oid[:2] / oid[2:]).unlink()
    assert list(iter_history(repo)) == [
        HistoryChange(
            commit=sha,
            author_name=AUTHOR_NAME,
            author_email=AUTHOR_EMAIL,
            author_date=date(0),
            path=".env",
            kind=FileKind.DOTENV,
            added_lines=(),
            notification=Notification(
                level="warning",
                message=(
                    "content is not in the local object store (partial or shallow clone?); not scanned"
                    f" (commit {sha[:12]})"
                ),
                path=".env",
                descriptor="unreadable",
            ),
        ),
        change(sha, 0, "b.sh", FileKind.SHELL, (1, "export B=1")),
    ]


def test_added_lines_function() -> None:
    assert added_lines(None, "a\r\nb\n\nc") == ((1, "a"), (2, "b"), (3, ""), (4, "c"))
    assert added_lines("a\nb\n", "b\na\n") == ()
    assert added_lines("x\n", "x\nx\n") == ((2, "x"),)
    assert added_lines("", "") == ()
    assert added_lines("a\n", "a\n\n") == ((2, ""),)


def test_rename_reports_the_content_at_its_new_path(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"old/.env": "TOKEN=x\n"}, "add")
    (repo / "new").mkdir()
    git(repo, "mv", "old/.env", "new/.env")
    sha = commit(repo, {}, "move")
    assert list(iter_history(repo))[-1] == change(sha, 1, "new/.env", FileKind.DOTENV, (1, "TOKEN=x"))


def test_rename_from_a_non_candidate(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"notes.txt": "TOKEN=x\n"}, "add")
    git(repo, "mv", "notes.txt", ".env")
    sha = commit(repo, {}, "move")
    assert list(iter_history(repo)) == [change(sha, 1, ".env", FileKind.DOTENV, (1, "TOKEN=x"))]


def test_odd_path_names(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    names = ["with space/.env", "ünï/.envrc", 'quo"te.sh', "tab\tname.sh", "a b/c b/x.sh"]
    sha = commit(repo, dict.fromkeys(names, "X=1\n"), "odd")
    assert sorted(item.path for item in iter_history(repo)) == sorted(names)
    assert {item.commit for item in iter_history(repo)} == {sha}


def test_oldest_first_and_since(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    shas = [commit(repo, {f"s{n}.sh": f"export N={n}\n"}, f"c{n}") for n in range(4)]
    assert [item.commit for item in iter_history(repo)] == shas
    assert [item.commit for item in iter_history(repo, since=shas[1])] == shas[2:]
    git(repo, "tag", "v1", shas[2])
    assert [item.path for item in iter_history(repo, since="v1")] == ["s3.sh"]
    assert list(iter_history(repo, since="HEAD")) == []


def test_since_must_be_a_commit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"a.sh": "x\n"}, "c")
    with pytest.raises(DiscoveryError, match="--since 'nope' is not a commit"):
        list(iter_history(repo, since="nope"))
    with pytest.raises(DiscoveryError, match="--since '--output=/tmp/x' is not a commit"):
        list(iter_history(repo, since="--output=/tmp/x"))


def test_all_branches(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    base = commit(repo, {"a.sh": "export A=1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    feature = commit(repo, {".env": "KEY=on-branch\n"}, "feature")
    git(repo, "checkout", "-q", "main")
    main = commit(repo, {"b.sh": "export B=1\n"}, "main")
    assert [item.commit for item in iter_history(repo)] == [base, main]
    assert [item.commit for item in iter_history(repo, all_branches=True)] == [base, feature, main]
    assert [item.commit for item in iter_history(repo, all_branches=True, since=base)] == [feature, main]


def test_merge_commits_add_nothing_themselves(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    base = commit(repo, {"a.sh": "export A=1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    feature = commit(repo, {".env": "KEY=1\n"}, "feature")
    git(repo, "checkout", "-q", "main")
    main = commit(repo, {"b.sh": "export B=1\n"}, "main")
    git(repo, "merge", "-q", "--no-edit", "feature", env={"GIT_AUTHOR_DATE": "@1700009999 +0000"})
    assert sorted(item.commit for item in iter_history(repo)) == sorted([base, feature, main])


def test_empty_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    assert list(iter_history(repo)) == []
    assert list(iter_history(repo, all_branches=True)) == []


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match="history needs a git repository"):
        list(iter_history(tmp_path))


def test_shallow_clone(tmp_path: Path) -> None:
    origin = make_repo(tmp_path, "origin")
    commit(origin, {".env": "A=1\n"}, "one")
    commit(origin, {".env": "A=1\nB=2\n"}, "two")
    last = commit(origin, {".env": "A=1\nB=2\nC=3\n"}, "three")
    clone = tmp_path / "clone"
    git(
        tmp_path,
        "-c",
        "protocol.file.allow=always",
        "clone",
        "-q",
        "--depth=1",
        f"file://{origin}",
        str(clone),
    )
    assert (clone / ".git/shallow").exists()
    assert list(iter_history(clone)) == [
        change(last, 2, ".env", FileKind.DOTENV, (1, "A=1"), (2, "B=2"), (3, "C=3"))
    ]


def test_stopping_early_kills_git(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    for n in range(5):
        commit(repo, {f"s{n}.sh": "x\n" * 50}, f"c{n}")
    history = iter_history(repo)
    first = next(history)
    history.close()
    assert first.path == "s0.sh"


OUTPUT_CHANGING_CONFIG = {
    "diff.noprefix": "true",
    "diff.mnemonicPrefix": "true",
    "diff.suppressBlankEmpty": "true",
    "diff.interHunkContext": "10",
    "diff.context": "7",
    "diff.renames": "copies",
    "diff.relative": "true",
    "diff.algorithm": "patience",
    "color.ui": "always",
    "color.diff": "always",
    "log.showRoot": "false",
    "log.decorate": "full",
    "log.abbrevCommit": "true",
    "log.date": "relative",
    "log.follow": "true",
    "format.pretty": "fuller",
    "core.abbrev": "7",
    "core.quotePath": "true",
    "i18n.logOutputEncoding": "ISO-8859-1",
}


def test_repository_config_cannot_change_what_is_parsed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"a.sh": "a\n\nb\nc\n", "ü dir/.env": "X=1\n", "b.sh": "1\n"}, "first")
    write_files(repo, {"a.sh": "A\n\nb\nC\n", "b.sh": "1\n2\n"})
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "second", env={"GIT_AUTHOR_NAME": "Jürgen Ölçü"})
    (repo / "sub").mkdir()
    expected = list(iter_history(repo))
    assert [(item.path, item.added_lines) for item in expected[-2:]] == [
        ("a.sh", ((1, "A"), (4, "C"))),
        ("b.sh", ((2, "2"),)),
    ]
    assert expected[-1].author_name == "Jürgen Ölçü"
    order = tmp_path / "order"
    order.write_text("b.sh\na.sh\n")
    for key, value in {**OUTPUT_CHANGING_CONFIG, "diff.orderFile": str(order)}.items():
        git(repo, "config", key, value)
    assert list(iter_history(repo)) == expected


def test_process_count_does_not_grow_with_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path)
    for n in range(30):
        commit(repo, {f"s{n % 4}.sh": f"export N={n}\n", f"doc{n}.md": "x\n"}, f"c{n}")
    processes = record_git_processes(monkeypatch)

    changes = list(iter_history(repo))
    assert len(changes) == 30
    assert [git_subcommand(process.args) for process in processes] == [
        "rev-parse",
        "rev-parse",
        "cat-file",
        "log",
    ]


def test_paths_are_relative_to_the_top_whatever_the_directory(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    sha = commit(repo, {"app/.env": "A=1\n", "top.sh": "export T=1\n"}, "two dirs")
    git(repo, "config", "diff.relative", "true")
    expected = [
        change(sha, 0, "app/.env", FileKind.DOTENV, (1, "A=1")),
        change(sha, 0, "top.sh", FileKind.SHELL, (1, "export T=1")),
    ]
    assert list(iter_history(repo / "app")) == expected
    assert list(iter_history(repo)) == expected


def test_bare_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    sha = commit(repo, {".env": "A=1\n"}, "one")
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    assert list(iter_history(bare)) == [change(sha, 0, ".env", FileKind.DOTENV, (1, "A=1"))]


def started_early(directory: Path, **options: Any) -> list[HistoryChange]:
    """iter_history as `ccpolicy scan --history` runs it: its first steps begun on a thread."""
    with history_started_early(
        directory, since=options.get("since"), all_branches=options.get("all_branches", False)
    ):
        try:
            return list(iter_history(directory, **options))
        finally:
            assert history.head_starts.waiting() == 0  # taken by the first read, and only by it


@pytest.mark.parametrize("ahead", [history._HEAD_START_BYTES, 1, 0])
def test_a_head_start_reads_the_same_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ahead: int
) -> None:
    monkeypatch.setattr(history, "_HEAD_START_BYTES", ahead)  # all, a record cut in two, none
    repo = make_repo(tmp_path)
    base = commit(repo, {"a.sh": "export A=1\n", "app/.env": "K=1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit(repo, {".env": "KEY=on-branch\n"}, "feature")
    git(repo, "checkout", "-q", "main")
    commit(repo, {"b.sh": "export B=1\n"}, "main")
    for options in ({}, {"since": base}, {"all_branches": True}, {"all_branches": True, "since": base}):
        assert started_early(repo, **options) == list(iter_history(repo, **options))
        assert started_early(repo / "app", **options) == list(iter_history(repo / "app", **options))
    assert [item.path for item in started_early(repo, all_branches=True)] == [
        "a.sh",
        "app/.env",
        ".env",
        "b.sh",
    ]


def test_a_head_start_raises_what_the_read_would(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match="history needs a git repository"):
        started_early(tmp_path)
    repo = make_repo(tmp_path / "repo")
    assert started_early(repo) == []  # no commits yet
    commit(repo, {"a.sh": "x\n"}, "c")
    with pytest.raises(DiscoveryError, match="--since 'nope' is not a commit"):
        started_early(repo, since="nope")


def test_a_head_start_is_used_only_by_a_read_that_matches_it(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    first = commit(repo, {"a.sh": "export A=1\n"}, "one")
    commit(repo, {"b.sh": "export B=1\n"}, "two")
    with history_started_early(repo, since=None, all_branches=False):
        assert [item.path for item in iter_history(repo, since=first)] == ["b.sh"]
        assert history.head_starts.waiting() == 1  # a different read: still waiting for its own
    assert history.head_starts.waiting() == 0  # not used: stopped on leaving


def test_a_head_start_not_used_stops_git(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    for n in range(5):
        commit(repo, {f"s{n}.sh": "x\n" * 50}, f"c{n}")
    with history_started_early(repo, since=None, all_branches=False):
        head_start = history.head_starts.take((os.path.realpath(repo), None, False))
        assert head_start is not None  # taken here, so no read will use it
    stream = head_start._stream
    assert stream is not None
    assert stream._process.returncode is not None
    assert stream._process.stdout is not None and stream._process.stdout.closed
