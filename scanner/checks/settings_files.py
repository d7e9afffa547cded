"""CCP501 (settings file Claude Code rejects), CCP502 (invalid value), CCP503 (committed local settings)."""

from __future__ import annotations

from collections.abc import Iterator

from scanner import regexcache
from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding
from scanner.contexts.repo import MANAGED_KINDS, REJECTING_KINDS
from scanner.contexts.validate import describe_type, validate_setting
from scanner.knowledge import PROTECTS
from scanner.model import FileKind, Finding, Location, ObservationKind, ParsedFile, ValueKind

SETTINGS_KINDS = REJECTING_KINDS | MANAGED_KINDS | {FileKind.SETTINGS_REMOTE, FileKind.SETTINGS_INERT}
_ENV_NAME = regexcache.compile(r"^[A-Z_][A-Z0-9_]*$")


def _lost_controls(parsed: ParsedFile, scan: CheckInput) -> list[str]:
    lost: list[str] = []
    for obs in parsed.observations:
        if obs.kind is ObservationKind.ENV:
            var = scan.kb.variable(obs.name)
            if var is not None and var.category not in ("other",):
                lost.append(obs.name)
        elif obs.kind is ObservationKind.SETTING and "." not in obs.name and obs.name != "env":
            spec = scan.kb.settings.get(obs.name)
            if spec is not None and spec.category != "other":
                lost.append(obs.name)
    return list(dict.fromkeys(lost))


def rejected_file(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    for parsed in scan.files:
        if parsed.kind not in REJECTING_KINDS | MANAGED_KINDS:
            continue
        errors = parsed.facts.get("strict_errors")
        failed = bool(parsed.facts.get("parse_failed"))
        if parsed.kind in MANAGED_KINDS:
            if parsed.facts.get("valid_json") is not False:
                continue
            effect = "so it contributes nothing to the managed policy"
        else:
            if not (isinstance(errors, list) and errors) and not failed:
                continue
            effect = "Claude Code rejects the whole file"
        first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
        raw_line, raw_column = first.get("line"), first.get("column")
        line = raw_line if isinstance(raw_line, int) else 1
        column = raw_column if isinstance(raw_column, int) else 1
        why = str(first.get("message") or "it is not valid JSON")
        count = len(errors) if isinstance(errors, list) else 1
        more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
        lost = _lost_controls(parsed, scan)
        lost_text = ""
        if lost:
            shown_names = ", ".join(lost[:8]) + (f" and {len(lost) - 8} more" if len(lost) > 8 else "")
            lost_text = f" Every control in it is lost: {shown_names}."
        yield finding(
            rule,
            f"{parsed.path} is not strict JSON: {why}{more}; {effect}.{lost_text}",
            Location(parsed.path, line, column),
            key="file",
        )


def invalid_value(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    for parsed in scan.files:
        if parsed.kind not in SETTINGS_KINDS:
            continue
        managed = parsed.kind in MANAGED_KINDS
        for obs in parsed.observations:
            if obs.kind is ObservationKind.SETTING:
                problem = validate_setting(scan.kb, obs.name, obs.value)
                if problem is None:
                    continue
                spec = scan.kb.settings[obs.name]
                if managed and spec.fails_closed:
                    consequence = "a managed source treats this key as its fail-closed fallback"
                elif spec.default is not None:
                    consequence = f"Claude Code skips this entry, so the default ({spec.default}) applies"
                else:
                    consequence = "Claude Code skips this entry"
                yield finding(rule, f"{problem}; {consequence}.", obs.location, key=obs.name)
            elif obs.kind is ObservationKind.ENV and obs.scope == "settings-env":
                if not _ENV_NAME.match(obs.name):
                    yield finding(
                        rule,
                        f'env name "{obs.name}" is not a valid variable name (A-Z, 0-9 and _, not starting '
                        "with a digit); Claude Code may reject the file.",
                        obs.location,
                        key=obs.name,
                    )
                elif obs.value_kind is ValueKind.NON_STRING:
                    var = scan.kb.variable(obs.name)
                    protective = var is not None and var.effect == PROTECTS
                    consequence = (
                        "ccpolicy does not count it as set, because Claude Code's handling of non-string env "
                        "values is unconfirmed"
                        if protective
                        else "Claude Code's handling of non-string env values is unconfirmed"
                    )
                    yield finding(
                        rule,
                        f"env.{obs.name} is {describe_type(obs.raw)} where Claude Code expects a string "
                        f'(write "{_as_string(obs.raw)}"); {consequence}.',
                        obs.location,
                        key=obs.name,
                    )


def _as_string(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value) if isinstance(value, (int, float)) else "…"


def committed_local(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    local = [p for p in scan.files if p.kind is FileKind.SETTINGS_LOCAL]
    if not local or not scan.is_git:
        return
    tracked = _tracked_paths(scan, [p.path for p in local])
    for parsed in local:
        if parsed.path not in tracked:
            continue
        yield finding(
            rule,
            f"{parsed.path} is committed to git: it is meant for one developer's personal settings, and "
            "Claude Code applies it above the shared project settings for everyone who checks out this "
            "repository. Remove it from git and ignore it.",
            Location(parsed.path, 1, 1),
            key="file",
        )


def _tracked_paths(scan: CheckInput, paths: list[str]) -> set[str]:
    """Which of `paths` git tracks, as the scan's listing read it from git.

    The listing is git's own answer (`git ls-files` of the index, `ls-tree` of a clone's HEAD, or
    the index a hook is handed), read through the hardened wrapper; asking the index again, as
    this check once did through GitPython, gave the same answer for ~55 ms of imports.
    """
    if scan.tracked is None:
        return set()
    return {p for p in paths if p in scan.tracked}
