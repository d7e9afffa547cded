"""CCP401: literal Anthropic credentials in any scanned file, never shown.

Two ways in: a literal value assigned to a known Anthropic credential variable, and any
Anthropic key format found anywhere in a candidate file's text (commands, comments, JSON).
References (`${VAR}`, `${{ secrets.X }}`) and obvious placeholders are not credentials.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from scanner import regexcache
from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding
from scanner.checks.observations import env_assignments
from scanner.model import Finding, Location, Observation, ValueKind

ANTHROPIC_CREDENTIAL_VARIABLES = {
    "ANTHROPIC_API_KEY": "an Anthropic API key",
    "ANTHROPIC_AUTH_TOKEN": "an Anthropic auth token",
    "CLAUDE_CODE_OAUTH_TOKEN": "a Claude subscription OAuth token",
}
KEY_FORMAT = regexcache.compile(r"sk-ant-(?:api|oat|admin|sid)\d\d-[A-Za-z0-9_\-]{20,}")
_PLACEHOLDER_WORDS = (
    "your",
    "example",
    "placeholder",
    "changeme",
    "change-me",
    "change_me",
    "replace",
    "insert",
    "dummy",
    "fake",
    "xxx",
    "...",
    "…",
    "<",
    ">",
    "redacted",
    "not-a-real",
    "notreal",
    "no-key",
    "nokey",
    "here",
    "todo",
    "sample",
    "secret-value",
    "test-key",
    "testkey",
    "mock",
)


def is_placeholder(value: str) -> bool:
    low = value.strip().lower()
    if len(low) < 16 or len(set(low)) < 8:
        return True
    if any(word in low for word in _PLACEHOLDER_WORDS):
        return True
    tail = low.rsplit("-", 1)[-1]
    return len(set(tail)) <= 3


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def kind_of(value: str) -> str:
    if value.startswith("sk-ant-oat"):
        return "a Claude subscription OAuth token"
    if value.startswith("sk-ant-admin"):
        return "an Anthropic Admin API key"
    return "an Anthropic API key"


def literal_assignments(scan: CheckInput, variables: Mapping[str, str]) -> Iterator[tuple[Observation, str]]:
    """Literal, non-placeholder values assigned to the given credential variables, with what each is."""
    for _parsed, obs in env_assignments(scan):
        what = variables.get(obs.name)
        if what is None or obs.value_kind is not ValueKind.LITERAL or not isinstance(obs.value, str):
            continue
        if not is_placeholder(obs.value):
            yield obs, what


def check(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    reported: set[tuple[str, int]] = set()
    for obs, what in literal_assignments(scan, ANTHROPIC_CREDENTIAL_VARIABLES):
        reported.add((obs.location.path, obs.location.line))
        yield finding(
            rule,
            f"{obs.name} is assigned a literal value that looks like {what} (value redacted): anyone who can "
            "read this file can use it, and it stays in git history after removal. Rotate it and load it "
            "from a secret store instead.",
            obs.location,
            key=obs.name,
        )
    for parsed in scan.files:
        if parsed.text is None or "sk-ant-" not in parsed.text:
            continue
        occurrence = 0
        for lineno, line in enumerate(parsed.text.splitlines(), start=1):
            if "sk-ant-" not in line:
                continue
            for m in KEY_FORMAT.finditer(line):
                if (parsed.path, lineno) in reported or is_placeholder(m.group(0)):
                    continue
                reported.add((parsed.path, lineno))
                occurrence += 1
                yield finding(
                    rule,
                    f"{_sentence_case(kind_of(m.group(0)))} is written literally in this file (value redacted): anyone who "
                    "can read the file can use it, and it stays in git history after removal. Rotate it and "
                    "load it from a secret store instead.",
                    Location(parsed.path, lineno, m.start() + 1, lineno, m.end() + 1),
                    key=f"literal-{occurrence}",
                )
