"""Work begun before it is needed: git started while the scan loads its policy and modules.

A registry of head starts by key. The code that needs the work takes it once (`take`); the
block that began it stops whatever was not taken when it ends (`begun`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

_Started = TypeVar("_Started")


class HeadStarts(Generic[_Started]):
    def __init__(self) -> None:
        self._waiting: dict[Hashable, _Started] = {}

    def take(self, key: Hashable) -> _Started | None:
        """The head start for `key`, if one is waiting; nobody else gets it."""
        return self._waiting.pop(key, None)

    def waiting(self) -> int:
        return len(self._waiting)

    def has(self, key: Hashable) -> bool:
        """Whether a head start for `key` is waiting: then another need not be begun."""
        return key in self._waiting

    @contextlib.contextmanager
    def begun(self, key: Hashable, started: _Started, stop: Callable[[_Started], None]) -> Iterator[None]:
        """`started` waits for `key` during the block; on leaving, `stop(started)` in any case."""
        self._waiting[key] = started
        try:
            yield
        finally:
            if self._waiting.get(key) is started:
                del self._waiting[key]
            stop(started)
