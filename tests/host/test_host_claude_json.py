from __future__ import annotations

import json

from scanner.host.claude_json import email_domain, parse, without_emails
from scanner.model import FileKind

PATH = "/home/alice/.claude.json"
STATE = """{
  "numStartups": 4,
  "primaryApiKey": "sk-ant-api03-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  "oauthAccount": {
    "accountUuid": "5e0f6b1c-1d2e-4f3a-9b4c-5d6e7f8a9b0c",
    "emailAddress": "Alice.Smith@Example.COM",
    "organizationUuid": "0b9c6a44-7c1d-4e8f-9a2b-3c4d5e6f7a80",
    "organizationName": "alice.smith@example.com's Organization",
    "billingType": "stripe_subscription"
  },
  "mcpServers": {
    "docs": {"type": "http", "url": "https://user:pw@mcp.example.com:8443/sse?token=abc#x",
             "headers": {"Authorization": "Bearer abc"}},
    "note": "not a server"
  },
  "projects": {
    "/home/alice/src/app": {
      "hasTrustDialogAccepted": true,
      "mcpServers": {
        "db": {"command": "npx", "args": ["db-mcp", "--password", "hunter2"],
               "env": {"ANTHROPIC_API_KEY": "sk-ant-api03-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", "N": 3}}
      }
    },
    "/home/alice/other": {"hasTrustDialogAccepted": "yes"},
    "/home/alice/odd": []
  },
  "customApiKeyResponses": {"approved": ["AAAAAAAAAAAAAAAAAAAA"], "rejected": ["BBBBBBBBBBBBBBBBBBBB", "C"]}
}
"""


def test_facts_keep_what_audits_need_and_nothing_secret() -> None:
    parsed = parse(PATH, STATE, FileKind.CLAUDE_JSON)
    facts = parsed.facts
    assert facts["oauth_account"] == {
        "line": 4,
        "column": 3,
        "organization_uuid": "0b9c6a44-7c1d-4e8f-9a2b-3c4d5e6f7a80",
        "organization_name": "…@example.com's Organization",
        "billing_type": "stripe_subscription",
        "email_domain": "example.com",
        "uuid_line": 7,
        "uuid_column": 5,
    }
    assert facts["projects"] == [
        {"path": "/home/alice/src/app", "line": 17, "column": 5, "trusted": True},
        {"path": "/home/alice/other", "line": 24, "column": 5, "trusted": None},
    ]
    assert facts["mcp_servers"] == [
        {
            "name": "docs",
            "scope": "user",
            "project": None,
            "type": "http",
            "url": "https://mcp.example.com:8443/sse",
            "line": 12,
            "column": 5,
        },
        {
            "name": "db",
            "scope": "local",
            "project": "/home/alice/src/app",
            "type": "stdio",
            "url": None,
            "line": 20,
            "column": 9,
        },
    ]
    assert facts["api_key_responses"] == {"approved": 1, "rejected": 2}
    assert facts["primary_api_key"] is True
    assert parsed.text is None
    # An MCP server's env value is an observation, judged (and redacted) like any other assignment;
    # nothing else from the file is kept.
    shown = repr(parsed)
    for secret in (
        "Alice.Smith",
        "alice.smith",
        "5e0f6b1c",
        "AAAAAAAAAAAAAAAAAAAA",
        "hunter2",
        "user:pw",
        "token=abc",
        "Bearer abc",
    ):
        assert secret not in shown, secret
    assert [(n.descriptor, n.message) for n in parsed.notifications] == [
        (
            "unexpected-shape",
            f"{PATH}: 1 entry of projects is not an object (the format is undocumented); skipped",
        ),
    ]


def test_mcp_servers_are_observations() -> None:
    parsed = parse(PATH, STATE, FileKind.CLAUDE_JSON)
    assert [
        (o.kind.value, o.name, o.scope, o.group, o.location.line, o.location.column, o.value_kind.value)
        for o in parsed.observations
    ] == [
        ("setting", "mcpServers.docs", "mcp", ("mcpServers", "docs"), 12, 5, "literal"),
        (
            "setting",
            "mcpServers.db",
            "mcp",
            ("projects", "/home/alice/src/app", "mcpServers", "db"),
            20,
            9,
            "literal",
        ),
        (
            "env",
            "ANTHROPIC_API_KEY",
            "mcp-server-env",
            ("projects", "/home/alice/src/app", "mcpServers", "db"),
            21,
            24,
            "literal",
        ),
        (
            "env",
            "N",
            "mcp-server-env",
            ("projects", "/home/alice/src/app", "mcpServers", "db"),
            21,
            98,
            "non-string",
        ),
    ]
    assert parsed.observations[0].value == {
        "type": "http",
        "url": "https://mcp.example.com:8443/sse",
        "headers": ["Authorization"],
    }


def test_every_unexpected_shape_is_a_notification() -> None:
    odd = {
        "oauthAccount": {"organizationUuid": 7, "emailAddress": ["x"], "billingType": None},
        "projects": "no",
        "mcpServers": [],
        "customApiKeyResponses": {"approved": {}, "rejected": None},
    }
    parsed = parse(PATH, json.dumps(odd, indent=1), FileKind.CLAUDE_JSON)
    assert sorted(n.message for n in parsed.notifications) == sorted(
        f"{PATH}: {where} is {shape}, expected {expected} (the format is undocumented and may have "
        "changed); skipped"
        for where, shape, expected in (
            ("oauthAccount.organizationUuid", "a number", "a string"),
            ("oauthAccount.billingType", "null", "a string"),
            ("oauthAccount.emailAddress", "an array", "a string"),
            ("projects", "a string", "an object"),
            ("mcpServers", "an array", "an object"),
            ("customApiKeyResponses.approved", "an object", "an array"),
        )
    )
    assert parsed.facts["oauth_account"] == {
        "line": 2,
        "column": 2,
        "organization_uuid": None,
        "organization_name": None,
        "billing_type": None,
        "email_domain": None,
        "uuid_line": None,
        "uuid_column": None,
    }
    assert parsed.facts["api_key_responses"] == {"approved": None, "rejected": 0}


def test_not_json_and_not_an_object() -> None:
    broken = parse(PATH, '{"oauthAccount": {"organizationUuid": "x"', FileKind.CLAUDE_JSON)
    assert broken.notifications[0].descriptor == "parse-error"
    assert broken.facts["oauth_account"] == {
        "line": 1,
        "column": 2,
        "organization_uuid": "x",
        "organization_name": None,
        "billing_type": None,
        "email_domain": None,
        "uuid_line": 1,
        "uuid_column": 19,
    }
    array = parse(PATH, "[]", FileKind.CLAUDE_JSON)
    assert [(n.descriptor, n.message) for n in array.notifications] == [
        (
            "unexpected-shape",
            f"{PATH}: the document is an array, expected an object (the format is undocumented "
            "and may have changed); skipped",
        )
    ]


def test_email_helpers() -> None:
    assert email_domain("a@b.example") == "b.example"
    assert email_domain("no-at-sign") is None
    assert email_domain("@example.com") is None
    assert without_emails("bob@corp.io and carol@x.org") == "…@corp.io and …@x.org"
