from __future__ import annotations

from checks_support import brief, run

from scanner.checks.cloud_credentials import AWS_SECRET, _looks_like_aws_secret

BEDROCK = "ABSKTlYm/rYqDJsP/HU1EiAVU7tvi8f/v7THOruamUCj9ay6oPSz0rlJSQ0SyUNW6i0dD3c+cynDaVCEgcsb"
KEY_ID = "AKIA4AN2L4Q1CUYZVEBD"
SECRET = "iYZiADrgx3RbUGCH60oOvhacnWJiW1oS0DgCAoR6"


def test_literal_variables_fire_and_never_show_the_value() -> None:
    found = run(
        "CCP402",
        {
            ".env": (
                f"AWS_BEARER_TOKEN_BEDROCK={BEDROCK}\n"
                "AWS_SESSION_TOKEN=FwoGZXIvYXdzEJr//////////wEaDHk2bW9sZ\n"
            ),
            ".claude/settings.json": '{"env": {"ANTHROPIC_AWS_API_KEY": "q8Wm2Zt7Lr4Vx9Nc3Bd6Hf1Jk5Ps0Gy"}}',
        },
    )
    assert brief(found) == [
        (".claude/settings.json", 1, 10, "ANTHROPIC_AWS_API_KEY"),
        (".env", 1, 1, "AWS_BEARER_TOKEN_BEDROCK"),
        (".env", 2, 1, "AWS_SESSION_TOKEN"),
    ]
    assert found[0].message.startswith(
        "ANTHROPIC_AWS_API_KEY is assigned a literal value that looks like a Claude Platform on AWS API key "
        "(value redacted): "
    )
    for f in found:
        assert BEDROCK not in f.message and "q8Wm2" not in f.message and "FwoG" not in f.message


def test_key_pair_in_text_is_found_at_the_secret() -> None:
    text = (
        f"#!/bin/sh\naws configure set aws_access_key_id {KEY_ID}\n"
        f"aws configure set aws_secret_access_key {SECRET}\n"
    )
    found = run("CCP402", {"scripts/setup.sh": text})
    assert brief(found) == [("scripts/setup.sh", 3, 41, "aws-access-key-1")]
    assert found[0].location.end_column == 81
    assert SECRET not in found[0].message and KEY_ID not in found[0].message


def test_bedrock_key_format_anywhere() -> None:
    found = run(
        "CCP402",
        {"scripts/run.sh": f"#!/bin/sh\ncurl -H 'Authorization: Bearer {BEDROCK}' https://bedrock\n"},
    )
    assert brief(found) == [("scripts/run.sh", 2, 32, "bedrock-api-key-1")]
    assert found[0].message.startswith(
        "An Amazon Bedrock API key is written literally in this file (value redacted)"
    )


def test_variable_and_pattern_on_one_line_report_once() -> None:
    text = f"export AWS_ACCESS_KEY_ID={KEY_ID}\nexport AWS_SECRET_ACCESS_KEY={SECRET}\n"
    found = run("CCP402", {"deploy.sh": text})
    assert brief(found) == [("deploy.sh", 2, 8, "AWS_SECRET_ACCESS_KEY")]


def test_references_placeholders_and_lone_key_ids_are_silent() -> None:
    files = {
        ".env": (
            "AWS_BEARER_TOKEN_BEDROCK=your-bedrock-api-key-here\n"
            "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
            "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
            "ANTHROPIC_FOUNDRY_API_KEY=\n"
            "ANTHROPIC_FOUNDRY_AUTH_TOKEN=${FOUNDRY_TOKEN}\n"
        ),
        "run.sh": (
            f"export AWS_ACCESS_KEY_ID={KEY_ID}\ngit checkout 11bd71901bbe5b1630ceea73d27597364c9af683\n"
        ),
        ".github/workflows/ci.yml": (
            "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n"
            "      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n"
            "    steps:\n      - run: echo hi\n"
        ),
    }
    assert run("CCP402", files) == []


def test_secret_shape() -> None:
    assert _looks_like_aws_secret(SECRET)
    assert not _looks_like_aws_secret("11bd71901bbe5b1630ceea73d27597364c9af683")  # a git SHA
    assert not _looks_like_aws_secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    assert AWS_SECRET.search("x" * 41) is None  # part of a longer run


def test_binary_and_empty_text_are_clean() -> None:
    assert run("CCP402", {".env": ""}) == []
    assert run("CCP402", {".env": "\x00\x01AKIA\x00ABSK\n"}) == []
