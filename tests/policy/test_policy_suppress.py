"""Waivers, inline ignores, stale waivers, --no-ignores and exclude, on hand-built results."""

from __future__ import annotations

import datetime

from scanner.contexts.model import Context, ContextKind, Provider
from scanner.model import Finding, Location, Notification, Severity, Suppression
from scanner.policy.spec import Waiver
from scanner.policy.suppress import apply
from scanner.report.model import ScanResult
from scanner.ruleset import RuleSet, preset_ruleset

TODAY = datetime.date(2026, 6, 1)
BASE = preset_ruleset("recommended")
TEXTS = {
    "legacy/run.sh": "#!/bin/sh\n# ccpolicy: ignore[CCP104] retired next month\nclaude -p hi\n",
    "app/.env": "DO_NOT_TRACK=0 # ccpolicy: ignore[CCP107]\n",
    ".claude/settings.json": '{ "env": {} }\n',
}


def _finding(rule: str, path: str, line: int, context: str = "", message: str = "m") -> Finding:
    return Finding(
        rule, Severity.MEDIUM, message, Location(path, line, 1), context, fingerprint=f"{rule}{path}"
    )


FINDINGS = (  # in output order
    _finding("CCP101", ".claude/settings.json", 1, "project:."),
    _finding("CCP101", ".github/workflows/old.yml", 5, "ci:.github/workflows/old.yml#build"),
    _finding("CCP107", "app/.env", 1),
    _finding("CCP104", "legacy/run.sh", 3, "script:legacy/run.sh"),
)
NO_REASON = Notification(
    "warning",
    "inline ignore without a reason: ignore[CCP107] suppresses nothing until it says why "
    "(ccpolicy: ignore[CCP107] <reason>)",
    "app/.env",
    1,
    "inline-ignore-without-reason",
)


def _result(findings: tuple[Finding, ...] = FINDINGS, root: str = "/repo") -> ScanResult:
    contexts = (
        Context(
            "script:legacy/run.sh",
            ContextKind.SCRIPT,
            "script legacy/run.sh",
            Location("legacy/run.sh", 3, 1),
            (),
            {},
            {},
            Provider("first-party"),
        ),
    )
    return ScanResult(
        root=root,
        findings=findings,
        notifications=(),
        rules=BASE.rules,
        contexts=contexts,
        extra={"texts": dict(TEXTS)},
    )


def _waiver(
    index: int,
    rule: str,
    *,
    path: str | None = None,
    context: str | None = None,
    expires: datetime.date = datetime.date(2030, 1, 1),
    owner: str = "alice",
) -> Waiver:
    return Waiver(
        rule, owner, f"reason {index}", expires, path=path, context=context, line=10 + index, position=index
    )


def _ruleset(*waivers: Waiver, **kw: object) -> RuleSet:
    fields: dict[str, object] = {
        "source": "ccpolicy.toml",
        "policy_file": "/repo/ccpolicy.toml",
        "waivers": waivers,
    }
    fields.update(kw)
    return RuleSet(BASE.rules, BASE.params, {}, **fields)  # type: ignore[arg-type]


def _run(
    ruleset: RuleSet,
    *,
    use_ignores: bool = True,
    results: list[ScanResult] | None = None,
    report_stale: bool = True,
) -> list[ScanResult]:
    pairs = [(f"t{i}", r) for i, r in enumerate(results or [_result()])]
    return [
        r for _, r in apply(pairs, ruleset, today=TODAY, use_ignores=use_ignores, report_stale=report_stale)
    ]


def _states(result: ScanResult) -> list[tuple[str, str, str, Suppression | None]]:
    return [(f.rule_id, f.location.path, f.message, f.suppressed) for f in result.findings]


def test_an_active_path_waiver_suppresses_with_owner_and_expiry() -> None:
    (result,) = _run(_ruleset(_waiver(0, "CCP101", path=".claude/**")))
    assert _states(result)[:2] == [
        ("CCP101", ".claude/settings.json", "m", Suppression("external", "reason 0", "alice", "2030-01-01")),
        ("CCP101", ".github/workflows/old.yml", "m", None),
    ]
    assert result.stale_waivers == ()


def test_a_context_waiver_matches_the_context_id_pattern() -> None:
    (result,) = _run(_ruleset(_waiver(0, "CCP101", context="ci:.github/workflows/old.yml#*")))
    assert [f.suppressed is not None for f in result.findings] == [False, True, False, True]  # last: inline


def test_path_and_context_must_both_match() -> None:
    (result,) = _run(_ruleset(_waiver(0, "CCP101", path=".github/**", context="project:*")))
    assert [f.suppressed is not None for f in result.findings] == [False, False, False, True]
    assert result.stale_waivers == (
        "CCP101 waiver (path .github/** and context project:*) by alice at ccpolicy.toml:10",
    )


def test_the_last_day_still_counts_and_the_day_after_it_has_expired() -> None:
    on_the_day = _ruleset(_waiver(0, "CCP101", path=".claude/**", expires=TODAY))
    assert _run(on_the_day)[0].findings[0].suppressed is not None
    expired = _ruleset(
        _waiver(
            0,
            "CCP101",
            path=".claude/**",
            expires=TODAY - datetime.timedelta(days=1),
            owner="bob@example.com",
        )
    )
    (result,) = _run(expired)
    assert _states(result)[0] == (
        "CCP101",
        ".claude/settings.json",
        "m (waiver by bob@example.com expired on 2026-05-31)",
        None,
    )
    assert result.stale_waivers == ()  # it matched: expired, not stale
    assert result.notifications == (NO_REASON,)


def test_an_active_waiver_wins_over_an_expired_one() -> None:
    ruleset = _ruleset(
        _waiver(0, "CCP101", path=".claude/**", expires=datetime.date(2020, 1, 1)),
        _waiver(1, "CCP101", context="project:*"),
    )
    (result,) = _run(ruleset)
    assert _states(result)[0] == (
        "CCP101",
        ".claude/settings.json",
        "m",
        Suppression("external", "reason 1", "alice", "2030-01-01"),
    )


def test_a_stale_waiver_is_listed_and_reported_once_with_its_line() -> None:
    ruleset = _ruleset(_waiver(0, "CCP101", path="nowhere/**"), _waiver(1, "CCP503", path="x"))
    first, second = _run(ruleset, results=[_result(), _result(root="/other")])
    stale = (
        "CCP101 waiver (path nowhere/**) by alice at ccpolicy.toml:10",
        "CCP503 waiver (path x) by alice at ccpolicy.toml:11",
    )
    assert first.stale_waivers == stale
    assert second.stale_waivers == stale
    assert first.notifications == (
        NO_REASON,
        Notification(
            "warning",
            "stale waiver: the CCP101 waiver (path nowhere/**) by alice at ccpolicy.toml:10 "
            "matched no finding; remove it or correct its rule, path or context",
            "ccpolicy.toml",
            10,
            "stale-waiver",
        ),
        Notification(
            "warning",
            "stale waiver: the CCP503 waiver (path x) by alice at ccpolicy.toml:11 matched no "
            "finding; remove it or correct its rule, path or context",
            "ccpolicy.toml",
            11,
            "stale-waiver",
        ),
    )
    assert second.notifications == (NO_REASON,)


def test_a_waiver_used_by_any_target_is_not_stale() -> None:
    ruleset = _ruleset(_waiver(0, "CCP101", path=".claude/**"))
    first, second = _run(ruleset, results=[_result(findings=()), _result()])
    assert first.stale_waivers == second.stale_waivers == ()


def test_a_stale_waiver_for_a_rule_that_does_not_run_says_so() -> None:
    (result,) = _run(_ruleset(_waiver(0, "ACME-gone", path="x")))
    assert result.notifications[1].message.endswith(
        "matched no finding (ACME-gone does not run under this policy); remove it or correct its rule, "
        "path or "
        "context"
    )


def test_partial_scans_do_not_judge_staleness() -> None:
    (result,) = _run(_ruleset(_waiver(0, "CCP101", path="nowhere/**")), report_stale=False)
    assert result.stale_waivers == ()
    assert result.notifications == (NO_REASON,)


def test_inline_ignores_suppress_in_source_and_need_a_reason() -> None:
    (result,) = _run(_ruleset())
    assert _states(result)[2:] == [
        ("CCP107", "app/.env", "m", None),  # no reason: not suppressed
        ("CCP104", "legacy/run.sh", "m", Suppression("inSource", "retired next month")),  # the line above
    ]
    assert result.notifications == (NO_REASON,)


def test_a_waiver_wins_over_an_inline_ignore() -> None:
    (result,) = _run(_ruleset(_waiver(0, "CCP104", path="legacy/**")))
    assert result.findings[3].suppressed == Suppression("external", "reason 0", "alice", "2030-01-01")


def test_the_policy_can_turn_inline_ignores_off() -> None:
    (result,) = _run(_ruleset(inline_ignores=False))
    assert all(f.suppressed is None for f in result.findings)
    assert result.notifications == ()
    assert result.extra["policy"] == {
        "source": "ccpolicy.toml",
        "file": "ccpolicy.toml",
        "presets": ["recommended"],
        "rules": len(BASE.rules),
        "organisation_rules": 0,
        "waivers": 0,
        "suppressions": True,
        "inline_ignores": False,
    }


def test_no_ignores_disregards_waivers_and_inline_ignores() -> None:
    ruleset = _ruleset(
        _waiver(0, "CCP101", path=".claude/**"),
        _waiver(1, "CCP101", path="nowhere"),
        _waiver(2, "CCP101", context="ci:*", expires=datetime.date(2000, 1, 1)),
    )
    (result,) = _run(ruleset, use_ignores=False)
    assert result.findings == FINDINGS
    assert result.stale_waivers == ()
    assert result.notifications == ()
    assert result.extra["policy"]["suppressions"] is False  # type: ignore[index]


def test_exclude_drops_findings_notifications_and_contexts_below_it() -> None:
    note = Notification("warning", "unreadable", "legacy/big.sh", 1, "parse-error")
    result = _result()
    result = result._replace(notifications=(note,))
    # the script context lives in legacy/: its finding in another file goes with it
    moved = _finding("CCP101", ".claude/settings.json", 9, "script:legacy/run.sh")
    result = result._replace(findings=(*result.findings, moved))
    (out,) = _run(_ruleset(exclude=("legacy",)), results=[result])
    assert [(f.rule_id, f.location.path, f.location.line) for f in out.findings] == [
        ("CCP101", ".claude/settings.json", 1),
        ("CCP101", ".github/workflows/old.yml", 5),
        ("CCP107", "app/.env", 1),
    ]
    assert out.contexts == ()
    assert out.notifications == (NO_REASON,)
    assert "legacy/run.sh" not in out.extra["texts"]  # type: ignore[operator]


def test_policy_summary_for_the_builtin_preset() -> None:
    (result,) = _run(preset_ruleset("recommended"))
    assert result.extra["policy"] == {
        "source": "built-in preset recommended",
        "file": None,
        "presets": ["recommended"],
        "rules": len(BASE.rules),
        "organisation_rules": 0,
        "waivers": 0,
        "suppressions": True,
        "inline_ignores": True,
    }
