from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from scanner.discovery.read import RootReader, decode_bytes, read_text
from scanner.model import Notification


@pytest.fixture
def root(tmp_path: Path) -> Path:
    directory = tmp_path / "root"
    directory.mkdir()
    return directory


def test_utf8(root: Path) -> None:
    (root / ".env").write_bytes("A=é\n".encode())
    assert read_text(root, ".env") == ("A=é\n", None)


def test_utf8_bom_is_stripped(root: Path) -> None:
    (root / "s.json").write_bytes(codecs.BOM_UTF8 + b'{"a": 1}')
    assert read_text(root, "s.json") == ('{"a": 1}', None)


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_bom_marked_unicode(root: Path, bom: bytes, encoding: str) -> None:
    text = '$env:DISABLE_TELEMETRY = "1"\r\n'
    (root / "profile.ps1").write_bytes(bom + text.encode(encoding))
    assert read_text(root, "profile.ps1") == (text, None)


def test_bom_with_undecodable_body(root: Path) -> None:
    (root / "x.ps1").write_bytes(codecs.BOM_UTF16_LE + b"\x00")  # odd number of bytes
    assert read_text(root, "x.ps1") == (
        None,
        Notification(
            level="warning",
            message="file starts with a utf-16-le byte-order mark but is not utf-16-le",
            path="x.ps1",
            descriptor="encoding",
        ),
    )


def test_latin1_fallback_with_note(root: Path) -> None:
    (root / "a.sh").write_bytes(b"export NAME=caf\xe9\n")
    assert read_text(root, "a.sh") == (
        "export NAME=café\n",
        Notification(
            level="note",
            message="file is not valid UTF-8; read as Latin-1",
            path="a.sh",
            descriptor="encoding",
        ),
    )


def test_binary(root: Path) -> None:
    (root / "Dockerfile").write_bytes(b"FROM x\n\x00\x01\x02")
    assert read_text(root, "Dockerfile") == (
        None,
        Notification(
            level="note",
            message="binary file (NUL byte in the first 8 KB); not scanned",
            path="Dockerfile",
            descriptor="binary",
        ),
    )


def test_nul_after_the_first_8_kb_is_text(root: Path) -> None:
    data = b"A=1\n" * 2048 + b"\x00"
    (root / ".env").write_bytes(data)
    text, note = read_text(root, ".env")
    assert note is None
    assert text == data.decode()


def test_too_large(root: Path) -> None:
    (root / ".env").write_bytes(b"A=1\n" * 10)
    assert read_text(root, ".env", max_bytes=39) == (
        None,
        Notification(
            level="warning",
            message="file is 40 bytes, over the 39-byte limit; not scanned",
            path=".env",
            descriptor="too-large",
        ),
    )
    assert read_text(root, ".env", max_bytes=40) == ("A=1\n" * 10, None)


def test_empty_file(root: Path) -> None:
    (root / ".env").write_bytes(b"")
    assert read_text(root, ".env") == ("", None)


def test_missing_file(root: Path) -> None:
    assert read_text(root, "gone/.env") == (
        None,
        Notification(
            level="warning",
            message="file could not be read: No such file or directory",
            path="gone/.env",
            descriptor="unreadable",
        ),
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_permission_denied(root: Path) -> None:
    path = root / ".env"
    path.write_text("A=1\n")
    path.chmod(0)
    try:
        assert read_text(root, ".env") == (
            None,
            Notification(
                level="warning",
                message="file could not be read: Permission denied",
                path=".env",
                descriptor="unreadable",
            ),
        )
    finally:
        path.chmod(0o600)


def test_directory_is_not_read(root: Path) -> None:
    (root / ".env").mkdir()
    assert read_text(root, ".env") == (
        None,
        Notification(
            level="warning",
            message="not a regular file; not read",
            path=".env",
            descriptor="not-regular-file",
        ),
    )


def test_fifo_is_not_opened(root: Path) -> None:
    os.mkfifo(root / ".env")
    text, note = read_text(root, ".env")  # must not block
    assert text is None
    assert note is not None and note.descriptor == "not-regular-file"


OUTSIDE = Notification(
    level="warning",
    message="symbolic link points outside the scanned root; not followed",
    path=".env",
    descriptor="symlink-outside-root",
)


def test_symlink_outside_root_is_refused(root: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.env"
    secret.write_text("TOKEN=x\n")
    (root / ".env").symlink_to(secret)
    assert read_text(root, ".env") == (None, OUTSIDE)


def test_symlinked_directory_outside_root_is_refused(root: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / ".env").write_text("TOKEN=x\n")
    (root / "linked").symlink_to(outside)
    assert read_text(root, "linked/.env") == (None, OUTSIDE._replace(path="linked/.env"))


def test_symlink_inside_root_is_read(root: Path) -> None:
    (root / "real.env").write_text("A=1\n")
    (root / ".env").symlink_to("real.env")
    assert read_text(root, ".env") == ("A=1\n", None)


def test_root_given_through_a_symlink(root: Path, tmp_path: Path) -> None:
    (root / ".env").write_text("A=1\n")
    alias = tmp_path / "alias"
    alias.symlink_to(root)
    assert read_text(alias, ".env") == ("A=1\n", None)


def test_one_reader_resolves_each_file_as_a_whole_path_would(root: Path, tmp_path: Path) -> None:
    # Directories are resolved once per reader: a link anywhere on a path must still count.
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / ".env").write_text("TOKEN=outside\n")
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / ".env").write_text("A=1\n")
    (root / "a" / "real.env").write_text("A=2\n")
    (root / "a" / "b" / "up.env").symlink_to("../real.env")
    (root / "alias").symlink_to("a")  # a directory link inside the root
    (root / "a" / "out").symlink_to(outside)  # and one leaving it, below a real directory
    (root / "a" / "b" / "out.env").symlink_to(outside / "deep" / ".env")
    reader = RootReader(root)
    paths = [
        "a/b/.env",
        "alias/b/.env",
        "a/b/up.env",
        "alias/b/up.env",
        "a/out/deep/.env",
        "a/b/out.env",
        "a/b/.env",
    ]
    read = {path: reader.read_text(path) for path in paths}
    assert read == {
        "a/b/.env": ("A=1\n", None),
        "alias/b/.env": ("A=1\n", None),
        "a/b/up.env": ("A=2\n", None),
        "alias/b/up.env": ("A=2\n", None),
        "a/out/deep/.env": (None, OUTSIDE._replace(path="a/out/deep/.env")),
        "a/b/out.env": (None, OUTSIDE._replace(path="a/b/out.env")),
    }
    assert read == {path: read_text(root, path) for path in paths}


@pytest.mark.parametrize("relpath", ["../x", "/etc/passwd", "a/../../x", "", "a//b", "./a", "a\0b"])
def test_paths_that_are_not_plain_relative_paths(root: Path, relpath: str) -> None:
    assert read_text(root, relpath) == (
        None,
        Notification(
            level="warning",
            message="path is not a plain relative path; not read",
            path=relpath,
            descriptor="invalid-path",
        ),
    )


def test_decode_bytes_never_mentions_content() -> None:
    _, note = decode_bytes(b"SECRET=sk-ant-xyz\xff", "a.sh")
    assert note is not None
    assert "sk-ant" not in note.message


def test_open_failure_becomes_a_notification(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The permission case as root can only be simulated: root reads mode-000 files."""
    (root / ".env").write_text("A=1\n")

    def refuse(*_args: object, **_kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("scanner.discovery.read.os.open", refuse)
    assert read_text(root, ".env") == (
        None,
        Notification(
            level="warning",
            message="file could not be read: Permission denied",
            path=".env",
            descriptor="unreadable",
        ),
    )
