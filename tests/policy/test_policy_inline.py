from __future__ import annotations

import pytest

from scanner.model import Notification
from scanner.policy.inline import InlineIgnore, ignore_for, ignores_in, supports_comments

KNOWN = frozenset({"CCP101", "CCP104", "CCP107", "ACME-gateway-only"})


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        (
            "scripts/run.sh",
            "export X=0  # ccpolicy: ignore[CCP107] wrapper sets it\n",
            {1: InlineIgnore(1, ("CCP107",), "wrapper sets it", False)},
        ),
        (
            ".env",
            "# ccpolicy: ignore[CCP101,CCP104] sandbox only\nA=1\n",
            {1: InlineIgnore(1, ("CCP101", "CCP104"), "sandbox only", True)},
        ),
        (
            ".github/workflows/ci.yml",
            "env:\n  # ccpolicy:ignore[ CCP101 , CCP104 ]: offline runners\n",
            {2: InlineIgnore(2, ("CCP101", "CCP104"), "offline runners", True)},
        ),
        (
            "Dockerfile",
            "## ccpolicy: ignore[CCP101] - throwaway image\r\nFROM x\r\n",
            {1: InlineIgnore(1, ("CCP101",), "throwaway image", True)},
        ),
        (
            ".devcontainer/devcontainer.json",
            "{\n  // ccpolicy: ignore[ACME-gateway-only] vendor sandbox\n}\n",
            {2: InlineIgnore(2, ("ACME-gateway-only",), "vendor sandbox", True)},
        ),
        (
            ".devcontainer/devcontainer.json",
            '{ "a": 1 /* ccpolicy: ignore[CCP104] local only */ }\n',
            {1: InlineIgnore(1, ("CCP104",), "local only", False)},
        ),
        (
            "docker-compose.yml",
            "services: # ccpolicy: ignore[CCP101] test stack\n",
            {1: InlineIgnore(1, ("CCP101",), "test stack", False)},
        ),
        (
            "config/tool.toml",
            "x = 1 # ccpolicy: ignore[CCP101] r\n",
            {1: InlineIgnore(1, ("CCP101",), "r", False)},
        ),
    ],
)
def test_ignore_forms(path: str, text: str, expected: dict[int, InlineIgnore]) -> None:
    found, notes = ignores_in(path, text, KNOWN)
    assert notes == []
    assert found == expected


def test_settings_json_has_no_inline_ignores() -> None:
    text = '{\n  "env": { "X": "# ccpolicy: ignore[CCP101] smuggled in a value" }\n}\n'
    assert ignores_in(".claude/settings.json", text, KNOWN) == ({}, [])
    assert ignores_in(".mcp.json", text, KNOWN) == ({}, [])
    assert supports_comments(".claude/settings.json") is False
    assert supports_comments(".env") is True


def test_a_hash_inside_a_word_is_not_a_comment() -> None:
    assert ignores_in("run.sh", "echo a#ccpolicy: ignore[CCP101] x\n", KNOWN) == ({}, [])


def test_a_dockerfile_comment_must_start_its_line() -> None:
    # After an instruction, # is part of its arguments, not a comment.
    assert ignores_in("Dockerfile", "ENV A=1 # ccpolicy: ignore[CCP101] reason\n", KNOWN) == ({}, [])


def test_an_ignore_without_a_reason_suppresses_nothing_and_says_so() -> None:
    found, notes = ignores_in(
        "run.sh", "export A=1\nexport X=0 # ccpolicy: ignore[CCP107]  \n# ccpolicy: ignore[CCP101] -\n", KNOWN
    )
    assert found == {}
    assert notes == [
        Notification(
            "warning",
            "inline ignore without a reason: ignore[CCP107] suppresses nothing until it says "
            "why (ccpolicy: ignore[CCP107] <reason>)",
            "run.sh",
            2,
            "inline-ignore-without-reason",
        ),
        Notification(
            "warning",
            "inline ignore without a reason: ignore[CCP101] suppresses nothing until it says "
            "why (ccpolicy: ignore[CCP101] <reason>)",
            "run.sh",
            3,
            "inline-ignore-without-reason",
        ),
    ]


def test_malformed_and_unknown_ids() -> None:
    text = "# ccpolicy: ignore everything\n# ccpolicy: ignore[] why\n# ccpolicy: ignore[CCP101,CCP999] why\n"
    found, notes = ignores_in(".env", text, KNOWN)
    assert found == {3: InlineIgnore(3, ("CCP101",), "why", True)}
    assert notes == [
        Notification(
            "warning",
            "inline ignore must name its rules, e.g. `ccpolicy: ignore[CCP101] reason`; it "
            "suppresses nothing",
            ".env",
            1,
            "inline-ignore-malformed",
        ),
        Notification(
            "warning",
            "inline ignore names no rule; it suppresses nothing",
            ".env",
            2,
            "inline-ignore-malformed",
        ),
        Notification(
            "warning", "inline ignore names unknown rule 'CCP999'", ".env", 3, "inline-ignore-unknown-rule"
        ),
    ]


def test_ignore_for_covers_the_same_line_and_the_line_below_a_comment_line() -> None:
    ignores = {
        2: InlineIgnore(2, ("CCP101",), "r", True),
        5: InlineIgnore(5, ("CCP104",), "r", False),
    }
    assert ignore_for("CCP101", 2, ignores) == ignores[2]
    assert ignore_for("CCP101", 3, ignores) == ignores[2]
    assert ignore_for("CCP101", 4, ignores) is None
    assert ignore_for("CCP104", 3, ignores) is None  # other rule
    assert ignore_for("CCP104", 5, ignores) == ignores[5]
    assert ignore_for("CCP104", 6, ignores) is None  # a trailing comment covers its own line only
