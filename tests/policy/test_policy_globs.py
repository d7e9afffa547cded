from __future__ import annotations

import pytest

from scanner.policy.globs import matches, problem


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("fixtures/**", "fixtures/a/b.env", True),
        ("fixtures/**", "fixtures", False),  # like gitignore: inside it, not the name itself
        ("fixtures/**", "other/fixtures/a", False),
        ("vendor", "vendor/x/.env", True),
        ("vendor/", "vendor/x/.env", True),
        ("vendor", "vendored/.env", False),
        ("*.env", "a.env", True),
        ("*.env", "dir/a.env", False),
        ("**/*.env", "dir/deep/a.env", True),
        ("**/*.env", "a.env", True),
        ("legacy/*.sh", "legacy/a.sh", True),
        ("legacy/*.sh", "legacy/sub/a.sh", False),
        ("a/**/b", "a/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("a/**/b", "a/x/y/c", False),
        ("scripts/run-?.sh", "scripts/run-1.sh", True),
        ("scripts/run-?.sh", "scripts/run-10.sh", False),
        ("scripts/[ab].sh", "scripts/b.sh", True),
        ("scripts/[!ab].sh", "scripts/b.sh", False),
        ("./Dockerfile", "Dockerfile", True),
        ("Dockerfile", "dockerfile", False),  # case-sensitive, like git
        ("**", "anything/at/all", True),
        ("a+b/(c)", "a+b/(c)", True),  # regex characters are literal
    ],
)
def test_glob_semantics(pattern: str, path: str, expected: bool) -> None:
    assert matches(path, pattern) is expected


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("", "must not be empty"),
        ("  ", "must not be empty"),
        ("/etc/**", "must be relative to the repository root (no leading /)"),
        ("a\\b", "use / to separate directories, not \\"),
        ("../up", "must not contain .. (paths are relative to the repository root)"),
        ("a[b", "has an unbalanced [ ] character class"),
    ],
)
def test_unusable_patterns_say_why(pattern: str, why: str) -> None:
    assert problem(pattern) == why


def test_usable_patterns_have_no_problem() -> None:
    assert problem("fixtures/**") is None
    assert problem("**/*.env") is None
