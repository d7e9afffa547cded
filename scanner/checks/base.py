"""What every check receives, and how it reports."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from scanner.catalogue.model import Rule
from scanner.contexts.model import Context
from scanner.knowledge import KnowledgeBase
from scanner.model import EMPTY_MAPPING, Finding, Location, ParsedFile
from scanner.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.checks.history import HistoryEvidence


class CheckInput(NamedTuple):
    files: tuple[ParsedFile, ...]
    contexts: tuple[Context, ...]
    kb: KnowledgeBase
    params: Mapping[str, object] = EMPTY_MAPPING
    tracked: frozenset[str] | None = None  # files tracked by git; None outside git
    is_git: bool = False
    root: str = ""
    tracked_is_index: bool = False  # `tracked` was read from the git index (staged scans)
    history: HistoryEvidence | None = None  # what a history scan found in the commits it read


# What a registered check is: the rule it runs for, and the scan, to the findings.
Check = Callable[[Rule, CheckInput], Iterable[Finding]]


def finding(
    rule: Rule,
    message: str,
    location: Location,
    *,
    context: str = "",
    key: str = "",
    provenance: Iterable[Location] = (),
) -> Finding:
    """A finding at the rule's default severity; the engine applies overrides and fingerprints."""
    prov = tuple(dict.fromkeys(p for p in provenance if p != location))
    return Finding(rule.id, rule.severity, message, location, context, key=key, provenance=prov)


def param_list(params: Mapping[str, object], name: str) -> list[str]:
    value = params.get(name)
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return []
