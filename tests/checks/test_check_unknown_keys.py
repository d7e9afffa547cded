from __future__ import annotations

from checks_support import brief, run

from scanner.checks.unknown_keys import closest_key, nested_home
from scanner.knowledge import load as load_kb
from scanner.model import Severity


def test_misplacements_typos_and_unknown_keys() -> None:
    found = run(
        "CCP506",
        {
            "managed-settings.json": (
                '{\n"defaultMode": "plan",\n"allowedDomains": [],\n'
                '"permissions": {"allowManagedHooksOnly": true, "defaultmode": "plan"},\n'
                '"themme": "dark",\n"zzzUnrelated": 1\n}'
            ),
        },
    )
    assert [(f.location.line, f.location.column, f.key, f.severity) for f in found] == [
        (2, 1, "defaultMode", Severity.MEDIUM),
        (3, 1, "allowedDomains", Severity.MEDIUM),
        (4, 17, "permissions.allowManagedHooksOnly", Severity.MEDIUM),
        (4, 48, "permissions.defaultmode", Severity.MEDIUM),
        (5, 1, "themme", Severity.LOW),
        (6, 1, "zzzUnrelated", Severity.LOW),
    ]
    assert found[1].message == (
        '"allowedDomains" is not a top-level setting, so Claude Code ignores it here; it belongs under '
        '"sandbox.network" ("sandbox.network.allowedDomains").'
    )
    assert found[3].message == (
        '"permissions.defaultmode" is not a permissions setting Claude Code knows, so it has no effect; did '
        'you mean "permissions.defaultMode"?'
    )
    assert (
        found[4].message
        == '"themme" is not a Claude Code setting, so it has no effect; did you mean "theme"?'
    )
    assert (
        found[5].message
        == '"zzzUnrelated" is not a Claude Code setting ccpolicy knows, so Claude Code ignores it.'
    )


def test_pseudo_comments_schema_and_runtime_state_are_silent() -> None:
    files = {
        ".claude/settings.json": (
            '{"$schema": "x", "$comment": "c", "_comment": "c", "//": "c", "#note": "n",'
            ' "_telemetry_note": "t", "feedbackSurveyState": {"lastShownTime": 1}, "sandbox": {"custom": 1}}'
        )
    }
    assert run("CCP506", files) == []


def test_commented_out_real_key_is_reported() -> None:
    found = run("CCP506", {".claude/settings.json": '{"//hooks": {}, "_env": {"A": "1"}}'})
    assert brief(found) == [
        (".claude/settings.json", 1, 2, "//hooks"),
        (".claude/settings.json", 1, 17, "_env"),
    ]
    assert (
        found[0].message
        == '"//hooks" looks like a commented-out "hooks": Claude Code ignores it, so nothing in it applies.'
    )


def test_inert_files_are_judged_and_wrong_shapes_are_clean() -> None:
    found = run("CCP506", {"dot_claude/settings.json.tmpl": '{"statusline": {}}'})
    assert brief(found) == [("dot_claude/settings.json.tmpl", 1, 2, "statusline")]
    assert run("CCP506", {".claude/settings.json": '"just a string"'}) == []
    assert run("CCP506", {".claude/settings.json": '{"permissions": [1, 2], "env": 3}'}) == []


def test_helpers() -> None:
    kb = load_kb()
    assert nested_home(kb, "defaultMode") == "permissions"
    assert nested_home(kb, "autoAllowBashIfSandboxed") == "sandbox"
    assert nested_home(kb, "hooks") is None
    assert nested_home(kb, "allowedTools") is None
    known = sorted(kb.known_top_level_keys)
    assert closest_key("cleanupPeriodDay", known) == "cleanupPeriodDays"
    assert closest_key("CLEANUPPERIODDAYS", known) == "cleanupPeriodDays"
    assert closest_key("qqqq", known) is None


def test_legacy_top_level_key() -> None:
    found = run("CCP506", {".claude/settings.json": '{"allowedTools": ["Bash(ls)"]}'})
    assert [(f.key, f.severity) for f in found] == [("allowedTools", Severity.MEDIUM)]
    assert found[0].message == (
        '"allowedTools" is the legacy name of "permissions.allow": Claude Code ignores it at the top level, '
        "so nothing in it applies."
    )
