"""Reading a commit's candidate files from the object store (clones and bare repositories)."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import git as gitpython
import pytest
from gitdb.exc import BadObject
from gitrepo import commit, git, isolate_git_config, make_repo
from multi_repos import SETTINGS, hostile_global_config

from scanner.gitsafe import GitError, safe_repo
from scanner.model import FileKind, Notification
from scanner.multi import tree
from scanner.multi.tree import TooLarge, read_head

MISSING = "file content is missing from the clone; not scanned"


@pytest.fixture(autouse=True)
def _no_machine_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)


def test_reads_candidates_with_kinds_and_texts(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(
        repo,
        {
            ".claude/settings.json": SETTINGS,
            ".env": "ANTHROPIC_MODEL=x\n",
            "src/main.py": "print(1)\n",  # not a candidate
            "big/.env": "A=" + "x" * 200 + "\n",
            "bin/.env": b"A=1\0\n",
        },
        "files",
    )
    git(repo, "rm", "-q", "--cached", ".env")  # tracked state comes from the commit, not the index
    inputs = read_head(repo, max_files=100, max_bytes=100)
    assert [(f.path, f.kind) for f in inputs.files] == [
        (".claude/settings.json", FileKind.SETTINGS_PROJECT),
        (".env", FileKind.DOTENV),
    ]
    assert inputs.files[0].text == SETTINGS
    assert inputs.tracked == frozenset(
        {".claude/settings.json", ".env", "src/main.py", "big/.env", "bin/.env"}
    )
    assert inputs.is_git is True
    assert inputs.notifications == (
        Notification(
            "warning",
            "file is 203 bytes, over the 100-byte limit; not scanned",
            "big/.env",
            descriptor="too-large",
        ),
        Notification(
            "note", "binary file (NUL byte in the first 8 KB); not scanned", "bin/.env", descriptor="binary"
        ),
    )


def test_symlinks_and_submodules_are_skipped(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"notes.txt": "A=1\n"}, "one")
    (repo / ".env").symlink_to("/etc/passwd")
    git(repo, "add", ".env")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{git(repo, 'rev-parse', 'HEAD')},sub/.env")
    commit(repo, {}, "link and gitlink")
    inputs = read_head(repo, max_files=100, max_bytes=1000)
    assert [f.path for f in inputs.files] == []
    assert inputs.tracked == frozenset({"notes.txt"})


def test_too_many_files(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"a": "1", "b": "2", "c/d": "3"}, "three")
    with pytest.raises(TooLarge) as caught:
        read_head(repo, max_files=2, max_bytes=1000)
    assert str(caught.value) == "the commit has 3 files, over the limit of 2"
    assert read_head(repo, max_files=3, max_bytes=1000).tracked == frozenset({"a", "b", "c/d"})


def test_repository_without_commits(tmp_path: Path) -> None:
    inputs = read_head(make_repo(tmp_path), max_files=10, max_bytes=10)
    assert inputs.files == ()
    assert inputs.tracked == frozenset()
    assert inputs.notifications == (
        Notification("note", "repository has no commits; nothing to scan", descriptor="empty"),
    )


def test_not_a_repository(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    inputs = read_head(tmp_path / "plain", max_files=10, max_bytes=10)
    assert inputs.notifications[0].descriptor == "empty"


def test_corrupt_object_store_raises_git_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {".env": "A=1\n"}, "one")
    tree = git(repo, "rev-parse", "HEAD^{tree}")
    (repo / ".git" / "objects" / tree[:2] / tree[2:]).unlink()
    with pytest.raises(GitError):
        read_head(repo, max_files=10, max_bytes=100)


# --- contents read through GitPython's object database ---------------------------------------


def _loose_object(repo: Path, oid: str) -> Path:
    return repo / ".git" / "objects" / oid[:2] / oid[2:]


def _missing(path: str) -> Notification:
    return Notification("warning", MISSING, path=path, descriptor="unreadable")


def _texts(repo: Path, **limits: int) -> tuple[dict[str, str], tuple[Notification, ...]]:
    inputs = read_head(repo, max_files=limits.get("max_files", 100), max_bytes=limits.get("max_bytes", 1000))
    texts = {file.path: file.text for file in inputs.files if file.text is not None}
    assert len(texts) == len(inputs.files)
    return texts, inputs.notifications


def test_contents_are_the_committed_bytes_without_filters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed: dict[str, bytes] = {
        ".env": b"A=1\n",
        "crlf/.env": b"A=1\r\nB=2\r\n",  # no eol conversion: cat-file gives the object
        "utf8/.env": "NAME=caf\u00e9 \u2603\n".encode(),
        "no-newline/.env": b"A=1",
        "empty/.env": b"",
        "copy/.env": b"A=1\n",  # the same blob at two paths is read once, given to both
        ".claude/settings.json": SETTINGS.encode(),
    }
    repo = make_repo(tmp_path)
    commit(repo, committed, "files")
    # Attributes that would rewrite every file if anything applied them on the way out.
    commit(repo, {".gitattributes": "* filter=evil text eol=crlf\n"}, "attributes")
    config, markers = hostile_global_config(tmp_path)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))  # after the last helper call
    texts, notes = _texts(repo)
    assert {path: text.encode() for path, text in texts.items()} == committed
    assert notes == ()
    assert sorted(markers.iterdir()) == []  # no smudge filter, no fsmonitor, no hook ran


def test_binary_and_latin1_blobs_take_the_notification_path(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"bin/.env": b"A=1\0\xff\n", "latin/.env": b"A=caf\xe9\n", ".env": "A=1\n"}, "files")
    texts, notes = _texts(repo)
    assert texts == {".env": "A=1\n", "latin/.env": "A=caf\u00e9\n"}
    assert notes == (
        Notification(
            "note", "binary file (NUL byte in the first 8 KB); not scanned", "bin/.env", descriptor="binary"
        ),
        Notification("note", "file is not valid UTF-8; read as Latin-1", "latin/.env", descriptor="encoding"),
    )


def test_sizes_over_the_limit_are_never_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"big/.env": "A=" + "x" * 50 + "\n", ".env": "A=1\n"}, "files")
    asked: list[tuple[str, str]] = []

    def around(method: str, oid: str, call: Callable[[], Any]) -> Any:
        asked.append((method, oid))
        return call()

    _spy_odb(monkeypatch, around)
    texts, notes = _texts(repo, max_bytes=20)
    assert texts == {".env": "A=1\n"}
    small, big = git(repo, "rev-parse", "HEAD:.env"), git(repo, "rev-parse", "HEAD:big/.env")
    assert sorted(asked) == sorted([("info", small), ("info", big), ("stream", small)])
    assert [note.descriptor for note in notes] == ["too-large"]


def test_a_deleted_loose_blob_is_reported_and_the_rest_is_scanned(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    files = {f"{name}/.env": f"{name.upper()}=1\n" for name in ("a", "b", "c", "d")}
    commit(repo, files, "files")
    oids = {path: git(repo, "rev-parse", f"HEAD:{path}") for path in files}
    gone = min(oids, key=oids.__getitem__)  # read first: every later read must still work
    _loose_object(repo, oids[gone]).unlink()
    texts, notes = _texts(repo)
    assert texts == {path: text for path, text in files.items() if path != gone}
    assert notes == (_missing(gone),)
    assert read_head(repo, max_files=100, max_bytes=1000).tracked == frozenset(files)


def test_a_corrupt_blob_is_reported_and_a_fresh_cat_file_reads_the_rest(tmp_path: Path) -> None:
    """cat-file --batch prints the header of a corrupt object, then dies while streaming it."""
    repo = make_repo(tmp_path)
    files = {f"{name}/.env": f"{name.upper()}=" + name * 40 + "\n" for name in ("a", "b", "c", "d")}
    commit(repo, files, "files")
    oids = {path: git(repo, "rev-parse", f"HEAD:{path}") for path in files}
    broken = min(oids, key=oids.__getitem__)
    loose = _loose_object(repo, oids[broken])
    loose.chmod(0o644)
    loose.write_bytes(zlib.compress(zlib.decompress(loose.read_bytes()))[:-8])  # header intact
    texts, notes = _texts(repo)
    assert texts == {path: text for path, text in files.items() if path != broken}
    assert notes == (_missing(broken),)


def test_a_partial_clone_reports_the_blobs_it_lacks_and_fetches_nothing(tmp_path: Path) -> None:
    source = make_repo(tmp_path, "source")
    commit(source, {"small/.env": "A=1\n", "large/.env": "B=" + "x" * 200 + "\n", "x.txt": "x"}, "files")
    git(source, "config", "uploadpack.allowFilter", "true")
    git(tmp_path, "clone", "-q", "--no-checkout", "--filter=blob:limit=100", source.as_uri(), "partial")
    clone = tmp_path / "partial"
    objects_before = sorted(path for path in (clone / ".git" / "objects").rglob("*"))
    texts, notes = _texts(clone)
    assert texts == {"small/.env": "A=1\n"}
    assert notes == (_missing("large/.env"),)
    assert sorted(path for path in (clone / ".git" / "objects").rglob("*")) == objects_before


def test_a_blob_less_clone_reports_every_candidate(tmp_path: Path) -> None:
    source = make_repo(tmp_path, "source")
    commit(source, {".env": "A=1\n", ".claude/settings.json": SETTINGS}, "files")
    git(source, "config", "uploadpack.allowFilter", "true")
    git(tmp_path, "clone", "-q", "--no-checkout", "--filter=blob:none", source.as_uri(), "partial")
    texts, notes = _texts(tmp_path / "partial")
    assert texts == {}
    assert notes == (_missing(".claude/settings.json"), _missing(".env"))


def test_an_entry_naming_a_tree_is_reported_not_read(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {".envrc": "export A=1\n", ".mcp.json": "{}\n"}, "files")
    tree_oid = git(repo, "rev-parse", "HEAD^{tree}")
    entries = [(".env", tree_oid), (".envrc", git(repo, "rev-parse", "HEAD:.envrc"))]
    entries.append((".mcp.json", git(repo, "rev-parse", "HEAD:.mcp.json")))
    raw = b"".join(b"100644 " + name.encode() + b"\0" + bytes.fromhex(oid) for name, oid in entries)
    crafted = git(repo, "hash-object", "-t", "tree", "-w", "--literally", "--stdin", input=raw)
    head = git(repo, "commit-tree", crafted, "-p", "HEAD", "-m", "a blob entry naming a tree")
    git(repo, "update-ref", "refs/heads/main", head)
    texts, notes = _texts(repo)
    assert texts == {".envrc": "export A=1\n", ".mcp.json": "{}\n"}
    assert notes == (_missing(".env"),)


Around = Callable[[str, str, Callable[[], Any]], Any]


def _spy_odb(monkeypatch: pytest.MonkeyPatch, around: Around) -> list[gitpython.Repo]:
    """Make read_head's repositories call `around(method, oid, call)` for each odb info/stream;
    returns those repositories (kept alive, so only an explicit close can stop their processes)."""
    opened: list[gitpython.Repo] = []

    def spying_safe_repo(path: Path) -> gitpython.Repo:
        repo = safe_repo(path)
        opened.append(repo)
        for method in ("info", "stream"):
            original = getattr(repo.odb, method)

            def spied(binsha: bytes, method: str = method, original: Any = original) -> Any:
                return around(method, binsha.hex(), lambda: original(binsha))

            monkeypatch.setattr(repo.odb, method, spied)
        return repo

    monkeypatch.setattr(tree, "safe_repo", spying_safe_repo)
    return opened


@pytest.mark.parametrize(
    "error",
    [
        ValueError("SHA could not be resolved"),
        BrokenPipeError(32, "Broken pipe"),
        gitpython.exc.GitCommandError(["git", "cat-file", "--batch"], 128, b"fatal: boom"),
        gitpython.exc.GitCommandNotFound("git", "not found"),
        BadObject(b"\0" * 20),
    ],
    ids=lambda error: type(error).__name__,
)
@pytest.mark.parametrize("failing_method", ["info", "stream"])
def test_gitpython_errors_become_the_missing_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception, failing_method: str
) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {"a/.env": "A=1\n", "b/.env": "B=1\n"}, "files")
    failing = git(repo, "rev-parse", "HEAD:a/.env")

    def around(method: str, oid: str, call: Callable[[], Any]) -> Any:
        if (method, oid) == (failing_method, failing):
            raise error
        return call()

    _spy_odb(monkeypatch, around)
    texts, notes = _texts(repo)
    assert texts == {"b/.env": "B=1\n"}
    assert notes == (_missing("a/.env"),)


def _git_children() -> dict[int, bytes]:
    """This process's child processes that are git (zombies included): pid -> command line."""
    children: dict[int, bytes] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # exited meanwhile
        comm, _, rest = stat.partition(" (")[2].rpartition(") ")
        if int(rest.split()[1]) == os.getpid() and (comm == "git" or b"cat-file" in cmdline):
            children[int(entry.name)] = cmdline
    return children


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_one_cat_file_reads_every_blob_and_is_gone_when_read_head_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path)
    files = {f"{name}/.env": f"{name.upper()}=1\n" for name in ("a", "b", "c", "d", "e")}
    commit(repo, files, "files")
    before = _git_children()
    readers: list[dict[int, bytes]] = []

    def around(_method: str, _oid: str, call: Callable[[], Any]) -> Any:
        result = call()
        readers.append({pid: cmd for pid, cmd in _git_children().items() if b"cat-file" in cmd})
        return result

    opened = _spy_odb(monkeypatch, around)
    texts, _ = _texts(repo)
    assert texts == files
    assert len(opened) == 1  # still referenced here: only an explicit close stops its cat-files
    assert len(readers) == 2 * len(files)  # one info and one stream per blob
    assert readers[-1] == readers[1]  # the same two processes answered every request
    assert sorted(cmd.split(b"\0")[-2] for cmd in readers[-1].values()) == [b"--batch", b"--batch-check"]
    assert _git_children() == before


def test_sha256_repository_is_read(tmp_path: Path) -> None:
    """GitPython cannot parse 64-digit object headers; these repositories use gitsafe's reader."""
    repo = tmp_path / "repo"
    repo.mkdir()
    try:
        git(repo, "-c", "init.defaultBranch=main", "init", "-q", "--object-format=sha256")
    except AssertionError:
        pytest.skip("git without SHA-256 repositories")
    commit(repo, {".env": "A=1\n", "bin/.env": b"\0", "gone/.env": "G=1\n"}, "files")
    _loose_object(repo, git(repo, "rev-parse", "HEAD:gone/.env")).unlink()
    texts, notes = _texts(repo)
    assert texts == {".env": "A=1\n"}
    assert [(note.path, note.descriptor) for note in notes] == [
        ("bin/.env", "binary"),
        ("gone/.env", "unreadable"),
    ]


def test_gitpython_is_imported_only_when_blobs_are_read(tmp_path: Path) -> None:
    plain = make_repo(tmp_path, "plain")
    commit(plain, {"src/main.py": "print(1)\n"}, "no candidates")
    candidates = make_repo(tmp_path, "candidates")
    commit(candidates, {".env": "A=1\n"}, "a candidate")
    program = (
        "import sys\n"
        "from pathlib import Path\n"
        "from scanner.multi.tree import read_head\n"
        "for repo in sys.argv[1:]:\n"
        "    read_head(Path(repo), max_files=10, max_bytes=100)\n"
        "    print('git' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", program, str(plain), str(candidates)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert completed.stdout.split() == ["False", "True"]


def test_gitpython_resolving_another_repository_is_a_git_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {".env": "A=1\n"}, "one")
    other = make_repo(tmp_path, "other")
    monkeypatch.setenv("GIT_COMMON_DIR", str(other / ".git"))  # GitPython reads it in Repo()
    with pytest.raises(GitError, match="GitPython resolved a different repository"):
        read_head(repo, max_files=10, max_bytes=100)
