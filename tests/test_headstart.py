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
