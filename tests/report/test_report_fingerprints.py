"""Line hashes (port of codeql-action's fingerprints.ts) and ccpolicy's stable fingerprint."""

from __future__ import annotations

import re

import pytest

from scanner.report.fingerprints import line_hashes, stable_fingerprint

EMPTY_LINE_HASH = "c129715d7a2bc9a3:1"

# Every vector of the `hash` test in github/codeql-action src/fingerprints.test.ts (MIT).
CODEQL_ACTION_VECTORS: list[tuple[str, list[str]]] = [
    ("", [EMPTY_LINE_HASH]),
    (
        " a\nb\n  \t\tc\n d",
        ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"],
    ),
    (
        " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
        [
            "8b7cf3e952e7aeb2:1",
            "b1ae1287ec4718d9:1",
            "bff680108adb0fcc:1",
            "c6805c5e1288b612:1",
            "b86d3392aea1be30:1",
            "e6ceba753e1a442:1",
        ],
    ),
    *[
        (
            text,
            [
                "e9496ae3ebfced30:1",
                "fb7c023a8b9ccb3f:1",
                "ce8ba1a563dcdaca:1",
                "e20e36e16fcb0cc8:1",
                "b3edc88f2938467e:1",
                "c8e28b0b4002a3a0:1",
                EMPTY_LINE_HASH,
            ],
        )
        for text in (
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
            " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
            " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
            " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
        )
    ],
    (
        "Lorem ipsum dolor sit amet.\n" * 10,
        [
            "a7f2ff13bc495cf2:1",
            "a7f2ff13bc495cf2:2",
            "a7f2ff13bc495cf2:3",
            "a7f2ff13bc495cf2:4",
            "a7f2ff13bc495cf2:5",
            "a7f2ff13bc495cf2:6",
            "a7f2ff1481e87703:1",
            "a9cf91f7bbf1862b:1",
            "55ec222b86bcae53:1",
            "cc97dc7b1d7d8f7b:1",
            EMPTY_LINE_HASH,
        ],
    ),
    (
        "x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n",
        [
            "e54938cc54b302f1:1",
            "bb609acbe9138d60:1",
            "1131fd5871777f34:1",
            "5c482a0f8b35ea28:1",
            "54517377da7028d2:1",
            "2c644846cb18d53e:1",
            "f1b89f20de0d133:1",
            EMPTY_LINE_HASH,
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CODEQL_ACTION_VECTORS)
def test_line_hashes_match_codeql_action_vectors(text: str, expected: list[str]) -> None:
    assert line_hashes(text) == expected
    # The original test also checks one hash per line, counting lines its own way.
    assert len(line_hashes(text)) == len(re.split(r"\r\n|\r|\n", text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Computed with the original algorithm under node (JavaScript strings are UTF-16):
        # an astral character counts as two units, U+2028 is not a line break.
        ("a😀b\n c", ["50d1910feaea6dbc:1", "188ff2f224477a1e:1"]),
        ("é\r\n\tx\r", ["503236afde42b354:1", "828973aa50c68d6d:1", EMPTY_LINE_HASH]),
        ("x\u2028y\n", ["ffc9df0190f29c5a:1", EMPTY_LINE_HASH]),
    ],
)
def test_line_hashes_count_utf16_units_like_javascript(text: str, expected: list[str]) -> None:
    assert line_hashes(text) == expected


def test_line_hash_ignores_indentation_and_trailing_blanks() -> None:
    assert line_hashes("  key = 1\t\n")[0] == line_hashes("key = 1\n")[0]


def test_line_hash_depends_on_following_lines_within_100_characters() -> None:
    assert line_hashes("a\nb\n")[0] != line_hashes("a\nc\n")[0]
    far = "a\n" + "x" * 200 + "\n"
    assert line_hashes(far + "b\n")[0] == line_hashes(far + "c\n")[0]


def test_line_hashes_survive_lone_surrogates() -> None:
    hashes = line_hashes("bad \udcff byte\nok\n")
    assert len(hashes) == 3
    assert hashes[2] == EMPTY_LINE_HASH


def test_stable_fingerprint_is_pinned() -> None:
    # Pinned: a change here re-opens every alert and breaks every baseline.
    assert (
        stable_fingerprint("CCP101", "project:.", "DISABLE_TELEMETRY", ".claude/settings.json")
        == "328d408c1bac6141d102f9b4b9e62ad3"
    )


def test_stable_fingerprint_shape_and_purity() -> None:
    value = stable_fingerprint("CCP101", "ci:build", "DISABLE_TELEMETRY", ".github/workflows/ci.yml")
    assert re.fullmatch(r"[0-9a-f]{32}", value)
    assert value == stable_fingerprint("CCP101", "ci:build", "DISABLE_TELEMETRY", ".github/workflows/ci.yml")


@pytest.mark.parametrize(
    "changed",
    [
        ("CCP102", "project:.", "DISABLE_TELEMETRY", "a/.env"),
        ("CCP101", "project:sub", "DISABLE_TELEMETRY", "a/.env"),
        ("CCP101", "project:.", "DO_NOT_TRACK", "a/.env"),
        ("CCP101", "project:.", "DISABLE_TELEMETRY", "b/.env"),
    ],
)
def test_stable_fingerprint_changes_with_each_part(changed: tuple[str, str, str, str]) -> None:
    base = stable_fingerprint("CCP101", "project:.", "DISABLE_TELEMETRY", "a/.env")
    assert stable_fingerprint(*changed) != base


def test_stable_fingerprint_normalises_path_spelling() -> None:
    expected = stable_fingerprint("CCP101", "host:u", "K", "dir/.env")
    assert stable_fingerprint("CCP101", "host:u", "K", "./dir/.env") == expected
    assert stable_fingerprint("CCP101", "host:u", "K", "dir\\.env") == expected


def test_stable_fingerprint_parts_cannot_run_together() -> None:
    assert stable_fingerprint("CCP1", "01", "K", "p") != stable_fingerprint("CCP10", "1", "K", "p")
    assert stable_fingerprint("R", "c", "ab", "c") != stable_fingerprint("R", "c", "a", "bc")
