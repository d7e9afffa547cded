from __future__ import annotations

import pytest

from scanner.headstart import HeadStarts


def test_a_head_start_is_taken_once_and_stopped_on_leaving() -> None:
    registry: HeadStarts[list[str]] = HeadStarts()
    work: list[str] = []
    with registry.begun(("root", True), work, lambda started: started.append("stopped")):
        assert registry.take(("root", False)) is None
        assert registry.waiting() == 1
        assert registry.take(("root", True)) is work
        assert registry.take(("root", True)) is None
        assert work == []
    assert work == ["stopped"]  # stopped even though it was taken: the taker may have stopped early
    assert registry.waiting() == 0


def test_a_head_start_nobody_took_is_stopped_and_forgotten_when_the_block_fails() -> None:
    registry: HeadStarts[list[str]] = HeadStarts()
    work: list[str] = []
    with (
        pytest.raises(KeyboardInterrupt),
        registry.begun("key", work, lambda started: started.append("stopped")),
    ):
        raise KeyboardInterrupt
    assert work == ["stopped"]
    assert registry.take("key") is None


def test_begin_starts_nothing_when_a_head_start_waits_or_starting_fails() -> None:
    registry: HeadStarts[list[str]] = HeadStarts()
    first: list[str] = []
    calls: list[str] = []

    def start(name: str) -> list[str]:
        calls.append(name)
        return first if name == "first" else []

    def stop(started: list[str]) -> None:
        started.append("stopped")

    with registry.begin("key", lambda: start("first"), stop):
        assert registry.waiting() == 1
        with registry.begin("key", lambda: start("second"), stop):  # begun already: not again
            assert registry.waiting() == 1
        assert first == []  # the inner block stopped nothing
        assert registry.take("key") is first

    def failing() -> list[str]:
        raise OSError("cannot start")

    with registry.begin("other", failing, stop, failing=(OSError,)):
        assert registry.waiting() == 0
    with pytest.raises(OSError, match="cannot start"), registry.begin("other", failing, stop):
        pass  # an error not named in `failing` is the caller's
    assert calls == ["first"]
    assert first == ["stopped"]
