"""CCP402: literal cloud-provider credentials Claude Code uses (Bedrock, AWS, Foundry, Claude on AWS).

Two ways in, like CCP401: a literal value assigned to a known cloud credential variable, and
credential formats found anywhere in a candidate file's text: an AWS access key id (`AKIA`/`ASIA`)
with a 40-character secret access key within a few lines of it, and a long-term Amazon Bedrock API
key (`ABSK...`). References and placeholders (credentials.is_placeholder) are not credentials, and
no value is ever shown.
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner import regexcache
from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding
from scanner.checks.credentials import is_placeholder, literal_assignments
from scanner.model import Finding, Location, ParsedFile

CLOUD_CREDENTIAL_VARIABLES = {
    "AWS_BEARER_TOKEN_BEDROCK": "an Amazon Bedrock API key",
    "AWS_SECRET_ACCESS_KEY": "an AWS secret access key",
    "AWS_SESSION_TOKEN": "an AWS session token",
    "ANTHROPIC_FOUNDRY_API_KEY": "a Microsoft Foundry API key",
    "ANTHROPIC_FOUNDRY_AUTH_TOKEN": "a Microsoft Foundry auth token",
    "ANTHROPIC_AWS_API_KEY": "a Claude Platform on AWS API key",
}
AWS_KEY_ID = regexcache.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
# Base64 alphabet, exactly 40 characters, not part of a longer run.
AWS_SECRET = regexcache.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
BEDROCK_API_KEY = regexcache.compile(r"(?<![A-Za-z0-9])ABSK[A-Za-z0-9+/]{36,}={0,2}")
PAIR_WINDOW = 5  # lines between a key id and its secret

_CONSEQUENCE = (
    "anyone who can read this file can use it against your cloud account (model calls billed to you, "
    "outside your organisation's login pinning), and it stays in git history after removal. Rotate it and "
    "use short-lived credentials (SSO, OIDC, a credential helper) or a secret store instead."
)


def _looks_like_aws_secret(token: str) -> bool:
    """40 base64 characters with upper case, lower case and a digit or symbol: not a git SHA or a word."""
    has_upper = any(c.isupper() for c in token)
    has_lower = any(c.islower() for c in token)
    has_other = any(c.isdigit() or c in "/+" for c in token)
    return has_upper and has_lower and has_other and not is_placeholder(token)


def check(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    reported: set[tuple[str, int]] = set()
    for obs, what in literal_assignments(scan, CLOUD_CREDENTIAL_VARIABLES):
        reported.add((obs.location.path, obs.location.line))
        yield finding(
            rule,
            f"{obs.name} is assigned a literal value that looks like {what} (value redacted): {_CONSEQUENCE}",
            obs.location,
            key=obs.name,
        )
    for parsed in scan.files:
        if parsed.text is None:
            continue
        yield from _formats_in_text(rule, parsed, reported)


def _formats_in_text(rule: Rule, parsed: ParsedFile, reported: set[tuple[str, int]]) -> Iterator[Finding]:
    text = parsed.text or ""
    has_key_id = "AKIA" in text or "ASIA" in text
    if not has_key_id and "ABSK" not in text:
        return
    lines = text.splitlines()
    key_id_lines = [n for n, line in enumerate(lines, start=1) if has_key_id and AWS_KEY_ID.search(line)]
    pairs = 0
    bedrock = 0
    for lineno, line in enumerate(lines, start=1):
        if (parsed.path, lineno) in reported:
            continue
        for m in BEDROCK_API_KEY.finditer(line):
            if is_placeholder(m.group(0)):
                continue
            reported.add((parsed.path, lineno))
            bedrock += 1
            yield finding(
                rule,
                "An Amazon Bedrock API key is written literally in this file (value redacted): "
                + _CONSEQUENCE,
                Location(parsed.path, lineno, m.start() + 1, lineno, m.end() + 1),
                key=f"bedrock-api-key-{bedrock}",
            )
            break
        if (parsed.path, lineno) in reported or not key_id_lines:
            continue
        if not any(abs(lineno - k) <= PAIR_WINDOW for k in key_id_lines):
            continue
        for m in AWS_SECRET.finditer(line):
            if not _looks_like_aws_secret(m.group(0)) or AWS_KEY_ID.fullmatch(m.group(0)):
                continue
            reported.add((parsed.path, lineno))
            pairs += 1
            yield finding(
                rule,
                "An AWS access key id and its secret access key are written literally in this file "
                f"(values redacted): {_CONSEQUENCE}",
                Location(parsed.path, lineno, m.start() + 1, lineno, m.end() + 1),
                key=f"aws-access-key-{pairs}",
            )
            break
