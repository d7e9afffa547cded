"""Compiled regular expressions kept between runs, as Python keeps compiled modules.

CPython compiles a regular expression with Python code (re's parser and compiler), then hands the
resulting program to its C engine, `_sre`. A scan compiles ~140 expressions: ~20 ms of every run,
the largest single cost of its start-up. `compile` keeps each program in a cache file, and a later
run hands it to the engine directly: ~1 ms for all of them, file read included.

The program format is private to each CPython build, so the file records the build it was made by
(the version string and the engine's MAGIC and CODESIZE) and is ignored by any other; on another
implementation, with caching off, or when anything is unexpected, `compile` is `re.compile`. The
engine validates every program it is given, and tests/test_regexcache.py checks that each cached
expression equals the one `re.compile` makes (Pattern equality compares the programs). Like
Python's own bytecode cache, the file is read with marshal, and only when it and its folder
belong to the current user and nobody else can write them. What it keeps is the text of
ccpolicy's own expressions and of those a policy file gives; nothing read from a scanned file is
ever compiled into an expression.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import marshal
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from scanner.cachedir import cache_folder, is_private, write_atomic

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, AnyStr

# What re's compiler hands the engine after the pattern: flags, code, groups, group names both ways.
_Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]
_Key = tuple[str | bytes, int]

_MAX_ENTRIES = 2_000  # beyond this, a run keeps only what it used (a policy may bring its own)


class _Cache:
    __slots__ = ("build", "engine", "file", "imports", "known", "saving", "used")

    def __init__(self, engine: Any = None, build: str = "", file: Path | None = None) -> None:
        self.engine = engine  # _sre, or None: plain re.compile
        self.build = build
        self.file = file
        self.known: dict[_Key, _Program]
        # label -> what the code run under precompiled(label) compiled with re itself
        self.imports: dict[str, list[_Key]]
        self.known, self.imports = _load(file, build) if file is not None else ({}, {})
        self.used: dict[_Key, _Program] = {}
        self.saving = False

    def save_at_exit(self) -> None:
        if not self.saving:
            self.saving = True
            atexit.register(_save, self)


def compile(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """re.compile(pattern, flags), from the program a previous run kept when there is one."""
    cache = _open()
    if cache.engine is None:
        return re.compile(pattern, flags)
    key: _Key = (pattern, int(flags))
    program = cache.known.get(key)
    if program is not None:
        compiled = _engine_compile(cache.engine, pattern, program)
        if compiled is not None:
            cache.used[key] = program
            return compiled
        del cache.known[key]  # refused: made anew below, and saved
    program = _program(pattern, int(flags))
    compiled = None if program is None else _engine_compile(cache.engine, pattern, program)
    if program is None or compiled is None:
        return re.compile(pattern, flags)  # raises re.error for an invalid pattern, as usual
    cache.used[key] = program
    cache.save_at_exit()
    return compiled


@contextlib.contextmanager
def precompiled(label: str) -> Iterator[None]:
    """Around code that compiles expressions with re itself, such as importing a module that
    compiles its own (PyYAML's resolver, gettext's plural-forms lexer: ~3 ms of a scan): what
    that code compiled last time is put in re's own cache first, from this cache, so re finds it
    there; what it compiles anew is kept for next time. re's cache is CPython's `re._cache`,
    keyed by (type, pattern, flags); elsewhere this does nothing."""
    cache = _open()
    re_cache = getattr(re, "_cache", None)
    if cache.engine is None or not isinstance(re_cache, dict):
        yield
        return
    recorded = cache.imports.get(label, [])
    for pattern, flags in recorded:
        compiled = compile(pattern, flags)  # type: ignore[type-var]  # str or bytes, as recorded
        re_cache.setdefault((type(pattern), pattern, flags), compiled)
    before = set(re_cache)
    yield
    made = [(key[1], key[2]) for key in list(re_cache) if key not in before and _is_re_key(key)]
    if made:
        for pattern, flags in made:
            compile(pattern, flags)  # keeps its program
        cache.imports[label] = sorted({*recorded, *made}, key=repr)
        cache.save_at_exit()


def _is_re_key(key: object) -> bool:
    return (
        isinstance(key, tuple)
        and len(key) == 3
        and key[0] in (str, bytes)
        and isinstance(key[1], key[0])
        and type(key[2]) is int
    )


def _engine_compile(engine: Any, pattern: AnyStr, program: _Program) -> re.Pattern[AnyStr] | None:
    try:
        compiled: re.Pattern[AnyStr] = engine.compile(pattern, *program)
    except Exception:  # the engine validates the program, and refuses a malformed one
        return None
    return compiled


def _program(pattern: str | bytes, flags: int) -> _Program | None:
    """What re.compile hands the engine for `pattern` (the end of re._compiler.compile)."""
    try:
        parser, compiler = _internals()
        parsed = parser.parse(pattern, flags)
        code = compiler._code(parsed, flags)
        groupindex = {str(name): int(index) for name, index in parsed.state.groupdict.items()}
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        return (
            int(flags | parsed.state.flags),
            [int(op) for op in code],  # opcodes are an int subclass marshal does not take
            int(parsed.state.groups - 1),
            groupindex,
            tuple(indexgroup),
        )
    except Exception:  # an invalid pattern: re.compile says why
        return None


def _internals() -> tuple[Any, Any]:
    """re's parser and compiler modules."""
    if sys.version_info >= (3, 11):
        from re import _compiler, _parser

        return _parser, _compiler
    import sre_compile
    import sre_parse

    return sre_parse, sre_compile


@functools.cache
def _open() -> _Cache:
    engine = sys.modules.get("_sre") if sys.implementation.name == "cpython" else None
    folder = cache_folder("regex")
    if engine is None or folder is None or not hasattr(engine, "MAGIC"):
        return _Cache()
    build = f"{sys.version}\0{engine.MAGIC}\0{engine.CODESIZE}"
    return _Cache(engine, build, folder / f"{sys.implementation.cache_tag}.marshal")


def _load(file: Path, build: str) -> tuple[dict[_Key, _Program], dict[str, list[_Key]]]:
    try:
        if not is_private(file):
            return {}, {}
        made_by, entries, imports = marshal.loads(file.read_bytes())
    except Exception:  # missing, unreadable, foreign or of an earlier format: an empty cache
        return {}, {}
    if made_by != build or not isinstance(entries, dict) or not isinstance(imports, dict):
        return {}, {}
    return entries, imports


def save_now() -> None:
    """Save now what would be saved at exit, for a process that leaves by os._exit (the child of
    scanner.forkedread)."""
    if _open.cache_info().currsize:
        cache = _open()
        if cache.saving:
            cache.saving = False
            atexit.unregister(_save)
            _save(cache)


def _save(cache: _Cache) -> None:
    """At exit, after a run that compiled something anew: what it used, what was there when it
    began, and what another process (a forked child) saved meanwhile."""
    if cache.file is None:
        return
    saved, saved_imports = _load(cache.file, cache.build)
    for label, keys in saved_imports.items():
        cache.imports[label] = sorted({*keys, *cache.imports.get(label, [])}, key=repr)
    entries = {**saved, **cache.known, **cache.used}
    if len(entries) > _MAX_ENTRIES:
        entries = dict(cache.used)
    imports = {label: [key for key in keys if key in entries] for label, keys in cache.imports.items()}
    try:
        data = marshal.dumps((cache.build, entries, imports))
    except ValueError:  # something marshal cannot write: nothing is kept
        return
    write_atomic(cache.file.parent, cache.file.name, data)
