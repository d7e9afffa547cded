"""scanner.regexcache: programs kept between runs give exactly the expressions re.compile gives."""

from __future__ import annotations

import marshal
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def run(program: str, cache_home: Path, **env: str) -> str:
    """`program` in a fresh interpreter (one run of ccpolicy's process), with its own cache folder."""
    inherited = {key: value for key, value in os.environ.items() if key != "CCPOLICY_NO_CACHE"}
    environment = {**inherited, "XDG_CACHE_HOME": str(cache_home), **env}
    completed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(program)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    return completed.stdout


SCAN = f"""
    from scanner.cli import main
    from scanner import regexcache
    main(["scan", {str(FIXTURES / "demo")!r}, "--format", "short", "--fail-on", "never"])
    cache = regexcache._open()
    print(len(cache.known), len(cache.used), cache.saving)
"""


def cache_file(cache_home: Path) -> Path:
    (found,) = (cache_home / "ccpolicy" / "regex").iterdir()
    return found


def test_a_second_run_compiles_nothing_and_gets_the_same_expressions(tmp_path: Path) -> None:
    known, used, saving = run(SCAN, tmp_path).split()[-3:]
    assert (known, saving) == ("0", "True")  # the first run compiles all it uses, and keeps them
    assert int(used) > 80
    # the next compiles nothing anew; it uses fewer, as the parse cache spares it most parsers
    known_now, used_now, saving_now = run(SCAN, tmp_path).split()[-3:]
    assert (known_now, saving_now) == (used, "False")
    assert 40 <= int(used_now) < int(used)
    compare = """
        import re
        from scanner import regexcache
        cache = regexcache._open()
        different = [key for key in cache.known if regexcache.compile(*key) != re.compile(*key)]
        names = [key for key in cache.known if regexcache.compile(*key).groupindex != re.compile(*key).groupindex]
        print(len(cache.known), different, names)
    """
    # Pattern equality compares flags and the compiled programs themselves
    assert run(compare, tmp_path).split(maxsplit=1) == [used, "[] []\n"]
    assert sys.implementation.cache_tag in cache_file(tmp_path).name


def test_a_program_from_another_build_or_refused_by_the_engine_is_made_anew(tmp_path: Path) -> None:
    run(SCAN, tmp_path)
    file = cache_file(tmp_path)
    build, entries, _imports = marshal.loads(file.read_bytes())
    key = (r"(?P<word>claude)\s+-p", 0)
    for made_by, program in (
        (build, (0, [1, 2, 3], 0, {}, ())),
        ("another build", entries[next(iter(entries))]),
    ):
        file.write_bytes(marshal.dumps((made_by, {key: program}, {})))
        check = f"""
            import re
            from scanner import regexcache
            compiled = regexcache.compile(*{key!r})
            print(compiled == re.compile(*{key!r}), compiled.match("claude  -p").group("word"))
        """
        assert run(check, tmp_path) == "True claude\n"
        rebuilt, kept, _imports = marshal.loads(file.read_bytes())
        assert rebuilt == build
        assert key in kept and kept[key] != program


def test_a_cache_others_can_write_is_not_read(tmp_path: Path) -> None:
    run(SCAN, tmp_path)
    file = cache_file(tmp_path)
    file.chmod(0o666)
    assert run(SCAN, tmp_path).split()[-3] == "0"  # nothing known: compiled anew


def test_without_caching_it_is_re_compile(tmp_path: Path) -> None:
    check = """
        import re
        from scanner import regexcache
        print(regexcache.compile("a+b", re.IGNORECASE) == re.compile("a+b", re.IGNORECASE), regexcache._open().engine)
    """
    assert run(check, tmp_path, CCPOLICY_NO_CACHE="1") == "True None\n"
    assert not (tmp_path / "ccpolicy").exists()


def test_an_invalid_expression_raises_as_re_compile_does() -> None:
    from scanner import regexcache

    with pytest.raises(re.error, match="unterminated character set"):
        regexcache.compile("[a-")
    assert regexcache.compile(b"\\x00+") == re.compile(b"\\x00+")


LEXER = """
import re
NUMBER = re.compile(r"(?P<int>-?\\d+)(\\.\\d+)?", re.VERBOSE)
WORD = re.compile(b"[a-z]+")
"""

IMPORT_IT = """
    import re, sys
    try:
        from re import _compiler
    except ImportError:  # Python 3.10
        import sre_compile as _compiler
    sys.path.insert(0, {folder!r})
    from scanner import regexcache
    compiled = []
    real = _compiler.compile
    _compiler.compile = lambda pattern, flags=0: compiled.append(pattern) or real(pattern, flags)
    with regexcache.precompiled("lexer"):
        import lexer
    _compiler.compile = real
    same = lexer.NUMBER == re.compile(lexer.NUMBER.pattern, re.VERBOSE) and lexer.WORD == re.compile(b"[a-z]+")
    print(len(compiled), same, lexer.NUMBER.match("-12.5").group("int"), sorted(regexcache._open().imports))
"""


def test_what_an_import_compiles_with_re_is_precompiled_next_time(tmp_path: Path) -> None:
    (tmp_path / "lexer.py").write_text(LEXER)
    program = IMPORT_IT.format(folder=str(tmp_path))
    assert run(program, tmp_path / "cache") == "2 True -12 ['lexer']\n"  # compiled by re, and recorded
    assert run(program, tmp_path / "cache") == "0 True -12 ['lexer']\n"  # found in re's cache
    _build, entries, imports = marshal.loads(cache_file(tmp_path / "cache").read_bytes())
    expected = [(b"[a-z]+", 0), (r"(?P<int>-?\d+)(\.\d+)?", re.VERBOSE.value)]
    assert sorted(imports["lexer"], key=repr) == sorted(expected, key=repr)
    assert all(key in entries for key in expected)


def test_precompiled_without_caching_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "lexer.py").write_text(LEXER)
    program = IMPORT_IT.format(folder=str(tmp_path))
    assert run(program, tmp_path / "cache", CCPOLICY_NO_CACHE="1") == "2 True -12 []\n"
    assert run(program, tmp_path / "cache", CCPOLICY_NO_CACHE="1") == "2 True -12 []\n"
    assert not (tmp_path / "cache").exists()


def test_a_save_keeps_what_another_process_saved_meanwhile(tmp_path: Path) -> None:
    """A staged scan's forked child (scanner.forkedread) and its parent each save what they
    compiled; neither may drop the other's."""
    program = """
        import subprocess, sys
        from scanner import regexcache
        regexcache._open()  # this process's cache is loaded: empty
        other = "from scanner import regexcache; regexcache.compile('other-(a|b)'); regexcache.save_now()"
        subprocess.run([sys.executable, "-c", other], check=True)
        regexcache.compile("mine-(c|d)")
        regexcache.save_now()
        print(regexcache._open().saving)
    """
    assert run(program, tmp_path) == "False\n"  # saved now, not again at exit
    _build, entries, _imports = marshal.loads(cache_file(tmp_path).read_bytes())
    assert sorted(entries) == [("mine-(c|d)", 0), ("other-(a|b)", 0)]
