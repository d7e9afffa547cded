"""A rule as the rest of ccpolicy sees it: metadata for docs and reporters, and its check."""

from __future__ import annotations

from collections.abc import Mapping

from scanner.model import EMPTY_MAPPING, Severity
from scanner.records import NamedTuple

DOCS_BASE_URL = "https://github.com/ccpolicy/ccpolicy/blob/main/docs/rules/"


class Rule(NamedTuple):
    id: str  # CCPnnn: public API, never reused or renumbered
    name: str  # kebab-case, e.g. "telemetry-not-disabled"
    severity: Severity
    title: str  # one line, used as SARIF shortDescription
    what: str  # "What it does"
    why: str  # "Why is this bad?" with the data-usage facts behind it
    example: str  # a configuration that fires
    use_instead: str  # the fix, as configuration
    fix: str  # how to fix it, in words
    references: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    precision: str = "high"  # very-high | high | medium | low
    unconfirmed: str = ""  # where a fact is unconfirmed, which reading the rule takes and why
    check: Mapping[str, object] = EMPTY_MAPPING  # the declarative check table
    origin: str = "builtin"  # "builtin" or the path of the organisation's policy file

    @property
    def help_uri(self) -> str:
        """The rule's documentation page; an organisation rule's first reference, if any."""
        if self.origin != "builtin":
            return self.references[0] if self.references else ""
        return f"{DOCS_BASE_URL}{self.id}.md"

    @property
    def security_severity(self) -> str:
        # Well inside GitHub's bands (reference/sarif-github.md 1.1), never on a boundary.
        return {
            Severity.CRITICAL: "9.5",
            Severity.HIGH: "8.0",
            Severity.MEDIUM: "5.5",
            Severity.LOW: "2.0",
            Severity.INFO: "0.5",
        }[self.severity]
