from __future__ import annotations

from checks_support import brief, run


def test_every_helper_in_committed_project_settings() -> None:
    found = run(
        "CCP602",
        {
            ".claude/settings.json": (
                '{"apiKeyHelper": "echo sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",'
                ' "gcpAuthRefresh": "gcloud auth login", "otelHeadersHelper": 42}'
            ),
        },
    )
    assert brief(found) == [
        (".claude/settings.json", 1, 2, "apiKeyHelper"),
        (".claude/settings.json", 1, 87, "gcpAuthRefresh"),
        (".claude/settings.json", 1, 126, "otelHeadersHelper"),
    ]
    assert found[0].message.startswith(
        "The committed project settings run apiKeyHelper `echo [REDACTED]`: its output"
    )
    assert "AAAA" not in found[0].message
    assert found[2].message.startswith(
        "The committed project settings run otelHeadersHelper 42: its output becomes"
    )


def test_user_managed_untracked_local_and_empty_are_silent() -> None:
    files = {
        "dot_claude/settings.json": '{"apiKeyHelper": "~/bin/key"}',
        "managed-settings.json": '{"apiKeyHelper": "/usr/local/bin/key"}',
        ".claude/settings.json": '{"apiKeyHelper": "  ", "awsAuthRefresh": ""}',
        ".claude/settings.local.json": '{"awsCredentialExport": "aws-vault export x"}',
    }
    assert run("CCP602", files, tracked=frozenset({".claude/settings.json"})) == []


def test_tracked_local_fires() -> None:
    found = run(
        "CCP602",
        {".claude/settings.local.json": '{"awsCredentialExport": "aws-vault export x"}'},
        tracked=frozenset({".claude/settings.local.json"}),
    )
    assert brief(found) == [(".claude/settings.local.json", 1, 2, "awsCredentialExport")]
