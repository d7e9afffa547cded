"""Run one registered check over in-memory files, the way the engine would (no git, no disk)."""

from __future__ import annotations

from collections.abc import Mapping

from scanner.catalogue.load import load_builtin_rules
from scanner.checks import REGISTRY
from scanner.checks.base import CheckInput
from scanner.contexts.repo import RepoContextBuilder
from scanner.discovery.paths import classify
from scanner.knowledge import load as load_kb
from scanner.model import FileKind, Finding
from scanner.ruleset import DEFAULT_PARAMS
from scanner.sources.registry import parse_file


def check_input(
    files: Mapping[str, str],
    *,
    params: Mapping[str, object] | None = None,
    tracked: frozenset[str] | None = None,
    kinds: Mapping[str, FileKind] | None = None,
) -> CheckInput:
    kb = load_kb()
    parsed = []
    for path, text in files.items():
        kind = (kinds or {}).get(path) or classify(path)
        assert kind is not None, f"{path} is not a candidate file"
        parsed.append(parse_file(path, text, kind))
    contexts = RepoContextBuilder(parsed, kb).contexts()
    return CheckInput(
        files=tuple(parsed),
        contexts=tuple(contexts),
        kb=kb,
        params={**DEFAULT_PARAMS, **(params or {})},
        tracked=tracked,
        is_git=tracked is not None,
        root="",
    )


def run(rule_id: str, files: Mapping[str, str], **kwargs: object) -> list[Finding]:
    rule = load_builtin_rules()[rule_id]
    registered = rule.check["registered"]
    assert isinstance(registered, str)
    scan = check_input(files, **kwargs)  # type: ignore[arg-type]
    return sorted(REGISTRY[registered](rule, scan), key=Finding.sort_key)


def brief(findings: list[Finding]) -> list[tuple[str, int, int, str]]:
    return [(f.location.path, f.location.line, f.location.column, f.key) for f in findings]
