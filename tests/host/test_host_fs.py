from __future__ import annotations

import os
from pathlib import Path

from scanner.host.fs import HostFS


def _fs(root: Path, os_name: str = "linux") -> HostFS:
    return HostFS(str(root), os_name)


def test_machine_paths_map_onto_the_root(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "a.json").write_text("{}", encoding="utf-8")
    fs = _fs(tmp_path)
    assert fs.resolve("/etc/a.json") == (tmp_path / "etc" / "a.json", None)
    assert fs.resolve("/etc/missing.json") == (None, None)
    assert fs.read_text("/etc/a.json") == ("{}", None)
    assert fs.machine_path(tmp_path / "etc" / "a.json") == "/etc/a.json"
    assert fs.machine_path(tmp_path.parent) is None


def test_windows_drive_maps_onto_the_root(tmp_path: Path) -> None:
    (tmp_path / "Program Files").mkdir()
    (tmp_path / "Program Files" / "x.json").write_text("1", encoding="utf-8")
    fs = _fs(tmp_path, "windows")
    assert fs.read_text("C:/Program Files/x.json") == ("1", None)
    assert fs.read_text("c:\\Program Files\\x.json") == ("1", None)
    real, note = fs.resolve("D:/data/x.json")
    assert real is None and note is not None
    assert (note.descriptor, note.message) == ("outside-root", "path is outside the audited root; not read")
    assert fs.exists("D:/data/x.json") is False
    assert fs.machine_path(tmp_path / "Program Files" / "x.json") == "C:/Program Files/x.json"


def test_links_resolve_inside_the_root(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "real.json").write_text("inside", encoding="utf-8")
    (tmp_path / "home").mkdir()
    os.symlink("/etc/real.json", tmp_path / "home" / "absolute")
    os.symlink("../../../../../../etc/real.json", tmp_path / "home" / "climbing")
    os.symlink("/etc", tmp_path / "home" / "etcdir")
    fs = _fs(tmp_path)
    assert fs.read_text("/home/absolute") == ("inside", None)
    assert fs.read_text("/home/climbing") == ("inside", None)
    assert fs.read_text("/home/etcdir/real.json") == ("inside", None)
    assert fs.read_text("/home/../../etc/real.json") == ("inside", None)


def test_loops_fifos_directories_binary_and_size(tmp_path: Path) -> None:
    os.symlink("b", tmp_path / "a")
    os.symlink("a", tmp_path / "b")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "dir").mkdir()
    (tmp_path / "bin").write_bytes(b"\x00\x01")
    (tmp_path / "big").write_bytes(b"x" * 11)
    (tmp_path / "latin").write_bytes(b"caf\xe9")
    (tmp_path / "utf16").write_bytes(b"\xff\xfeh\x00i\x00")
    fs = _fs(tmp_path)

    def note(path: str, **kw: int) -> tuple[str, str, str | None]:
        _, n = fs.read_text(path, **kw)
        assert n is not None
        return n.descriptor, n.message, n.path

    assert note("/a") == ("symlink-loop", "too many levels of symbolic links (a loop); not read", "/a")
    assert note("/fifo") == ("not-regular-file", "not a regular file; not read", "/fifo")
    assert note("/dir") == ("not-regular-file", "is a directory, not a file; not read", "/dir")
    assert note("/bin") == ("binary", "binary file (NUL byte in the first 8 KB); not scanned", "/bin")
    assert note("/big", max_bytes=10) == (
        "too-large",
        "file is 11 bytes, over the 10-byte limit; not scanned",
        "/big",
    )
    text, n = fs.read_text("/latin")
    assert text == "café" and n is not None and n.descriptor == "encoding"
    assert fs.read_text("/utf16") == ("hi", None)
    assert fs.list_dir("/a")[1] is not None
    assert fs.list_dir("/missing") == ((), None)
    assert fs.list_dir("/") == (("a", "b", "big", "bin", "dir", "fifo", "latin", "utf16"), None)
