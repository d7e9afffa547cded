"""Work begun before it is needed: git started while the scan loads its policy and modules.

A registry of head starts by key. The code that needs the work takes it once (`take`); the
block that began it stops whatever was not taken when it ends (`begun`).

Loaded before git starts (scanner.gitstarts), so it imports nothing at run time.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Hashable
    from types import TracebackType
    from typing import Generic, TypeVar
else:  # what the classes below need of typing at run time (typing would import re, ~3 ms)

    class Generic:
        def __class_getitem__(cls, _parameters: object) -> type:
            return cls

    def TypeVar(name: str) -> str:
        return name


_Started = TypeVar("_Started")


class HeadStarts(Generic[_Started]):
    def __init__(self) -> None:
        self._waiting: dict[Hashable, _Started] = {}

    def take(self, key: Hashable) -> _Started | None:
        """The head start for `key`, if one is waiting; nobody else gets it."""
        return self._waiting.pop(key, None)

    def waiting(self) -> int:
        return len(self._waiting)

    def begun(self, key: Hashable, started: _Started, stop: Callable[[_Started], None]) -> Begun[_Started]:
        """`started` waits for `key` during the block; on leaving, `stop(started)` in any case."""
        self._waiting[key] = started
        return Begun(self, key, started, stop)

    def begin(
        self,
        key: Hashable,
        start: Callable[[], _Started],
        stop: Callable[[_Started], None],
        *,
        failing: tuple[type[Exception], ...] = (),
    ) -> Begun[_Started] | _NothingBegun:
        """The block in which `start()` waits for `key` (see begun); nothing is begun when a head
        start for `key` already waits (begun before the command line was parsed), or when
        `start` raises one of `failing` (the code that needs the work meets the error itself)."""
        if key in self._waiting:
            return NOTHING_BEGUN
        try:
            started = start()
        except failing:
            return NOTHING_BEGUN
        return self.begun(key, started, stop)


class Begun(Generic[_Started]):
    """The block a head start waits in (HeadStarts.begun)."""

    def __init__(
        self, starts: HeadStarts[_Started], key: Hashable, started: _Started, stop: Callable[[_Started], None]
    ) -> None:
        self._starts, self._key, self._started, self._stop = starts, key, started, stop

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        waiting = self._starts._waiting
        if waiting.get(self._key) is self._started:
            del waiting[self._key]
        self._stop(self._started)


class _NothingBegun:
    """The block of a head start that was not begun."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *_exc: object) -> None:
        return None


NOTHING_BEGUN = _NothingBegun()
