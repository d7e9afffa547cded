"""SARIF reporter: schema validity, GitHub's rules, exact values, limits, determinism, snapshot.

Also covers .ci/sarif_validate.py (the validator CI runs on real output) and, when the SARIF
Multitool binary is available, .ci/multitool_check.py.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import scanner
from scanner.catalogue.model import Rule
from scanner.model import Finding, Location, Notification, Severity, Suppression
from scanner.report import github_limits, sarif
from scanner.report.fingerprints import line_hashes, stable_fingerprint
from scanner.report.model import ScanResult
from scanner.report.sarif import redact_line, render_sarif

REPO = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "report_full.sarif"
SECRET = "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
HEADER_TOKEN = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg"


def _load_ci(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"ci_{name}", REPO / ".ci" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


validate = _load_ci("sarif_validate")
multitool = _load_ci("multitool_check")


# ---------------------------------------------------------------------------------------------
# A hand-built scan result


def _rule(rule_id: str, name: str, severity: Severity, **overrides: Any) -> Rule:
    fields: dict[str, Any] = {
        "title": f"Title of {name}",
        "what": f"What {name} does.",
        "why": f"Why {name} matters.",
        "example": 'DISABLE_TELEMETRY="0"',
        "use_instead": 'DISABLE_TELEMETRY="1"',
        "fix": "Set it to 1.",
        "references": ("https://docs.anthropic.com/en/docs/claude-code/data-usage",),
        "tags": ("privacy",),
    }
    fields.update(overrides)
    return Rule(id=rule_id, name=name, severity=severity, **fields)


TELEMETRY = _rule("CCP101", "telemetry-not-disabled", Severity.HIGH)
COLLECTOR = _rule("CCP201", "otel-collector-unapproved", Severity.MEDIUM, precision="medium")
KEY = _rule("CCP401", "literal-anthropic-key", Severity.CRITICAL, tags=("credential", "external/cwe/cwe-798"))
MANY_TAGS = _rule("CCP599", "many-tags", Severity.LOW, tags=tuple(f"tag-{i:02d}" for i in range(25)))
RULES = (COLLECTOR, KEY, MANY_TAGS, TELEMETRY)

SETTINGS = ".claude/settings.json"
UNICODE_ENV = "config/café/.env"
HOST_FILE = "/home/dev/.claude/settings.json"

FILE_TEXTS = {
    SETTINGS: "\n".join(
        [
            "{",
            '  "env": {',
            f'    "ANTHROPIC_API_KEY": "{SECRET}",',
            '    "DISABLE_TELEMETRY": "0"',
            "  }",
            "}",
            "",
        ]
    ),
    UNICODE_ENV: "\n".join(
        [
            "# café settings",
            "DO_NOT_TRACK=0",
            f"OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer {HEADER_TOKEN}",
            "",
        ]
    ),
}

KEY_FINDING = Finding(
    rule_id="CCP401",
    severity=Severity.CRITICAL,
    message="Literal Anthropic API key in ANTHROPIC_API_KEY (redacted).",
    location=Location(SETTINGS, 3, 6, 3, 78),
    context="project:.",
    fingerprint="f" * 32,
    key="ANTHROPIC_API_KEY",
)
TELEMETRY_FINDING = Finding(
    rule_id="CCP101",
    severity=Severity.HIGH,
    message='Telemetry is not disabled: DISABLE_TELEMETRY is "0", which Claude Code reads as set.',
    location=Location(SETTINGS, 4, 6, 4, 29),
    context="project:.",
    fingerprint="a" * 32,
    key="DISABLE_TELEMETRY",
    provenance=(Location(SETTINGS, 4, 6), Location(UNICODE_ENV, 2, 1)),
    baseline_state="new",
)
COLLECTOR_FINDING = Finding(
    rule_id="CCP201",
    severity=Severity.MEDIUM,
    message="OTLP headers are sent to a collector that is not approved.",
    location=Location(UNICODE_ENV, 3, 1),
    context="project:config/café",
    fingerprint="",  # not set by the engine: the reporter computes it
    key="OTEL_EXPORTER_OTLP_HEADERS",
    baseline_state="unchanged",
)
SUPPRESSED_FINDING = Finding(
    rule_id="CCP101",
    severity=Severity.HIGH,
    message="DO_NOT_TRACK=0 does not disable telemetry.",
    location=Location(UNICODE_ENV, 2, 1, 2, 15),
    context="project:config/café",
    fingerprint="b" * 32,
    key="DO_NOT_TRACK",
    suppressed=Suppression("external", "Accepted until the migration.", "secops", "2027-01-31"),
)
HOST_FINDING = Finding(
    rule_id="CCP599",
    severity=Severity.LOW,
    message="A host file outside the scanned root.",
    location=Location(HOST_FILE, 2, 3),
    context="host:dev",
    fingerprint="c" * 32,
    key="env",
)
NOTIFICATION = Notification("warning", "Could not parse: unexpected token.", "broken.json", 7, "parse-error")


def _result(*findings: Finding, **overrides: Any) -> ScanResult:
    fields: dict[str, Any] = {
        "root": "/work/checkout",
        "findings": findings
        or (KEY_FINDING, TELEMETRY_FINDING, COLLECTOR_FINDING, SUPPRESSED_FINDING, HOST_FINDING),
        "notifications": (NOTIFICATION,),
        "rules": RULES,
        "files_scanned": 3,
    }
    fields.update(overrides)
    return ScanResult(**fields)


def _render(result: ScanResult | None = None, texts: dict[str, str] | None = None) -> str:
    return render_sarif(result or _result(), file_texts=FILE_TEXTS if texts is None else texts)


def _log(result: ScanResult | None = None, texts: dict[str, str] | None = None) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(_render(result, texts))
    return log


def _run(log: dict[str, Any]) -> dict[str, Any]:
    run: dict[str, Any] = log["runs"][0]
    return run


def _results_by_rule(log: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r
        for r in _run(log)["results"]
    }


def _notification_texts(log: dict[str, Any]) -> list[str]:
    notes = _run(log)["invocations"][0]["toolExecutionNotifications"]
    return [note["message"]["text"] for note in notes]


# ---------------------------------------------------------------------------------------------
# Validity


def test_output_is_schema_valid_and_passes_the_github_lint() -> None:
    text = _render()
    assert validate.schema_errors(json.loads(text)) == []
    assert validate.github_lint(json.loads(text), raw=text.encode()) == []
    assert validate.validate_bytes(text.encode()) == []


def test_empty_scan_still_has_results_and_no_base_ids_without_root() -> None:
    log = _log(_result(findings=(), notifications=(), root="", rules=(TELEMETRY,)), texts={})
    run = _run(log)
    assert run["results"] == []
    assert "originalUriBaseIds" not in run
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]
    assert validate.validate_bytes(_render(_result(findings=(), root=""), texts={}).encode()) == []


# ---------------------------------------------------------------------------------------------
# Exact values


def test_log_and_run_header() -> None:
    log = _log()
    assert list(log) == ["$schema", "version", "runs"]
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run = _run(log)
    driver = run["tool"]["driver"]
    assert driver["name"] == "ccpolicy"
    assert driver["semanticVersion"] == scanner.__version__
    assert driver["version"] == scanner.__version__
    assert driver["informationUri"] == "https://github.com/ccpolicy/ccpolicy"
    assert [rule["id"] for rule in driver["rules"]] == ["CCP101", "CCP201", "CCP401", "CCP599"]
    assert run["automationDetails"] == {"id": "ccpolicy/repository/"}
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///work/checkout/"}}
    assert run["invocations"][0]["workingDirectory"] == {"uri": "file:///work/checkout/"}
    assert run["invocations"][0]["executionSuccessful"] is True


def test_category_names_the_automation_id() -> None:
    assert _run(_log(_result(category="host")))["automationDetails"] == {"id": "ccpolicy/host/"}


def test_rule_descriptor_is_complete() -> None:
    rule = _run(_log())["tool"]["driver"]["rules"][0]
    assert rule == {
        "id": "CCP101",
        "defaultConfiguration": {"level": "error"},
        "fullDescription": {"text": "What telemetry-not-disabled does."},
        "help": {
            "text": (
                "What telemetry-not-disabled does.\n\n"
                "Why is this bad?\nWhy telemetry-not-disabled matters.\n\n"
                'Example\nDISABLE_TELEMETRY="0"\n\n'
                'Use instead\nDISABLE_TELEMETRY="1"\n\n'
                "How to fix\nSet it to 1.\n\n"
                "References\n- https://docs.anthropic.com/en/docs/claude-code/data-usage\n"
            ),
            "markdown": (
                "## CCP101 telemetry-not-disabled\n\n"
                "**Title of telemetry-not-disabled**\n\n"
                "### What it does\n\nWhat telemetry-not-disabled does.\n\n"
                "### Why is this bad?\n\nWhy telemetry-not-disabled matters.\n\n"
                '### Example\n\n```\nDISABLE_TELEMETRY="0"\n```\n\n'
                '### Use instead\n\n```\nDISABLE_TELEMETRY="1"\n```\n\n'
                "### How to fix\n\nSet it to 1.\n\n"
                "### References\n\n- <https://docs.anthropic.com/en/docs/claude-code/data-usage>\n"
            ),
        },
        "helpUri": "https://github.com/ccpolicy/ccpolicy/blob/main/docs/rules/CCP101.md",
        "name": "telemetry-not-disabled",
        "properties": {
            "tags": ["security", "ccpolicy", "privacy"],
            "precision": "high",
            "security-severity": "8.0",
            "problem.severity": "error",
        },
        "shortDescription": {"text": "Title of telemetry-not-disabled"},
    }


@pytest.mark.parametrize(
    ("severity", "level", "problem", "score"),
    [
        (Severity.CRITICAL, "error", "error", "9.5"),
        (Severity.HIGH, "error", "error", "8.0"),
        (Severity.MEDIUM, "warning", "warning", "5.5"),
        (Severity.LOW, "note", "recommendation", "2.0"),
        (Severity.INFO, "note", "recommendation", "0.5"),
    ],
)
def test_severity_maps_to_levels(severity: Severity, level: str, problem: str, score: str) -> None:
    rule = TELEMETRY._replace(severity=severity)
    finding = TELEMETRY_FINDING._replace(severity=severity, provenance=(), baseline_state=None)
    run = _run(_log(_result(finding, rules=(rule,))))
    descriptor = run["tool"]["driver"]["rules"][0]
    assert descriptor["defaultConfiguration"] == {"level": level}
    assert descriptor["properties"]["problem.severity"] == problem
    assert descriptor["properties"]["security-severity"] == score
    # `level` is written even when it is the schema default ("warning").
    assert run["results"][0]["level"] == level


def test_result_level_follows_the_finding_not_the_rule() -> None:
    finding = TELEMETRY_FINDING._replace(severity=Severity.MEDIUM)
    result = _run(_log(_result(finding)))["results"][0]
    assert result["level"] == "warning"
    assert result["properties"] == {"ccpolicy/context": "project:.", "ccpolicy/severity": "medium"}


def test_results_are_ordered_active_then_by_severity_then_path() -> None:
    results = _run(_log())["results"]
    assert [(r["ruleId"], r["level"], "suppressions" in r) for r in results] == [
        ("CCP401", "error", False),
        ("CCP101", "error", False),
        ("CCP201", "warning", False),
        ("CCP599", "note", False),
        ("CCP101", "error", True),
    ]
    assert [r["ruleIndex"] for r in results] == [2, 0, 1, 3, 0]


def test_result_with_provenance_baseline_and_snippet() -> None:
    result = _results_by_rule(_log())[("CCP101", SETTINGS)]
    assert result == {
        "message": {
            "text": 'Telemetry is not disabled: DISABLE_TELEMETRY is "0", which Claude Code reads as set.'
        },
        "baselineState": "new",
        "level": "error",
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": ".claude/settings.json", "uriBaseId": "%SRCROOT%"},
                    "region": {
                        "endColumn": 29,
                        "endLine": 4,
                        "snippet": {"text": '    "DISABLE_TELEMETRY": "0"'},
                        "startColumn": 6,
                        "startLine": 4,
                    },
                }
            }
        ],
        "partialFingerprints": {
            "primaryLocationLineHash": line_hashes(FILE_TEXTS[SETTINGS])[3],
            "ccpolicy/v1": "a" * 32,
        },
        "properties": {"ccpolicy/context": "project:.", "ccpolicy/severity": "high"},
        "relatedLocations": [
            {
                "id": 1,
                "message": {"text": "Value set here (precedence 2 of 2, highest first)."},
                "physicalLocation": {
                    "artifactLocation": {"uri": "config/caf%C3%A9/.env", "uriBaseId": "%SRCROOT%"},
                    "region": {"startColumn": 1, "startLine": 2},
                },
            }
        ],
        "ruleId": "CCP101",
        "ruleIndex": 0,
    }


def test_credential_result_has_no_snippet_and_the_secret_is_nowhere() -> None:
    text = _render()
    assert SECRET not in text
    assert SECRET[:20] not in text
    result = _results_by_rule(json.loads(text))[("CCP401", SETTINGS)]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"endColumn": 78, "endLine": 3, "startColumn": 6, "startLine": 3}


def test_snippet_of_other_rules_is_redacted() -> None:
    text = _render()
    assert HEADER_TOKEN not in text
    result = _results_by_rule(json.loads(text))[("CCP201", "config/caf%C3%A9/.env")]
    snippet = result["locations"][0]["physicalLocation"]["region"]["snippet"]["text"]
    assert snippet == "OTEL_EXPORTER_OTLP_HEADERS=<redacted>"


def test_missing_fingerprint_is_computed_and_line_hash_uses_the_file() -> None:
    result = _results_by_rule(_log())[("CCP201", "config/caf%C3%A9/.env")]
    assert result["partialFingerprints"] == {
        "primaryLocationLineHash": line_hashes(FILE_TEXTS[UNICODE_ENV])[2],
        "ccpolicy/v1": stable_fingerprint(
            "CCP201", "project:config/café", "OTEL_EXPORTER_OTLP_HEADERS", UNICODE_ENV
        ),
    }
    assert result["baselineState"] == "unchanged"


def test_missing_file_text_means_no_line_hash_and_no_snippet() -> None:
    result = _results_by_rule(_log(texts={}))[("CCP101", SETTINGS)]
    assert result["partialFingerprints"] == {"ccpolicy/v1": "a" * 32}
    assert "snippet" not in result["locations"][0]["physicalLocation"]["region"]


def test_line_beyond_the_file_gets_no_line_hash() -> None:
    finding = TELEMETRY_FINDING._replace(location=Location(SETTINGS, 99, 1))
    result = _run(_log(_result(finding)))["results"][0]
    assert result["partialFingerprints"] == {"ccpolicy/v1": "a" * 32}


def test_suppressed_result_carries_a_schema_valid_suppression() -> None:
    result = _run(_log())["results"][-1]
    assert result["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "Accepted until the migration.",
            "properties": {"ccpolicy/owner": "secops", "ccpolicy/expires": "2027-01-31"},
        }
    ]
    assert "baselineState" not in result


def test_inline_suppression_without_justification() -> None:
    finding = SUPPRESSED_FINDING._replace(suppressed=Suppression("inSource", ""))
    result = _run(_log(_result(finding)))["results"][0]
    assert result["suppressions"] == [{"kind": "inSource", "status": "accepted"}]


def test_host_file_outside_root_is_an_absolute_file_uri_without_base() -> None:
    result = _results_by_rule(_log())[("CCP599", "file:///home/dev/.claude/settings.json")]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///home/dev/.claude/settings.json"
    }


@pytest.mark.parametrize(
    ("path", "root", "expected"),
    [
        ("./a/b.json", "/r", {"uri": "a/b.json", "uriBaseId": "%SRCROOT%"}),
        ("a//b\\c.json", "/r", {"uri": "a/b/c.json", "uriBaseId": "%SRCROOT%"}),
        ("/r/sub/x.json", "/r", {"uri": "sub/x.json", "uriBaseId": "%SRCROOT%"}),
        ("../outside/x.json", "/r/repo", {"uri": "file:///r/outside/x.json"}),
        ("dir with space/x#1.json", "/r", {"uri": "dir%20with%20space/x%231.json", "uriBaseId": "%SRCROOT%"}),
        ("C:/Users/dev/.claude/settings.json", "/r", {"uri": "file:///C:/Users/dev/.claude/settings.json"}),
    ],
)
def test_uris_are_clean(path: str, root: str, expected: dict[str, str]) -> None:
    finding = TELEMETRY_FINDING._replace(location=Location(path, 1, 1), provenance=())
    log = _log(_result(finding, root=root), texts={})
    assert _run(log)["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == expected
    assert validate.github_lint(log) == []


@pytest.mark.parametrize(
    ("root", "base", "uri"),
    [
        ("/", "file:///", "work/checkout/x.json"),
        ("/srv/my repo/", "file:///srv/my%20repo/", "file:///work/checkout/x.json"),
        ("C:\\Users\\dev", "file:///C:/Users/dev/", "file:///work/checkout/x.json"),
        ("C:/", "file:///C:/", "file:///work/checkout/x.json"),
    ],
)
def test_root_uris(root: str, base: str, uri: str) -> None:
    finding = TELEMETRY_FINDING._replace(location=Location("/work/checkout/x.json", 1, 1), provenance=())
    log = _log(_result(finding, root=root), texts={})
    run = _run(log)
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": base}}
    assert run["invocations"][0]["workingDirectory"] == {"uri": base}
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri
    assert validate.validate_bytes(json.dumps(log).encode()) == []


def test_notifications_become_tool_execution_notifications() -> None:
    notes = _run(_log())["invocations"][0]["toolExecutionNotifications"]
    assert notes[0] == {
        "message": {"text": "Could not parse: unexpected token."},
        "descriptor": {"id": "parse-error"},
        "level": "warning",
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "broken.json", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 7},
                }
            }
        ],
    }


def test_notification_levels_and_empty_fields_are_made_valid() -> None:
    notes = (
        Notification("info", "", None, None, ""),
        Notification("error", "Unreadable.", "x.sh", None, "unreadable"),
    )
    log = _log(_result(notifications=notes))
    assert _run(log)["invocations"][0]["toolExecutionNotifications"][:2] == [
        {"message": {"text": "(no message)"}, "descriptor": {"id": "notification"}, "level": "note"},
        {
            "message": {"text": "Unreadable."},
            "descriptor": {"id": "unreadable"},
            "level": "error",
            "locations": [
                {"physicalLocation": {"artifactLocation": {"uri": "x.sh", "uriBaseId": "%SRCROOT%"}}}
            ],
        },
    ]
    assert validate.schema_errors(log) == []


def test_finding_of_an_unknown_rule_gets_placeholder_metadata_and_no_snippet() -> None:
    finding = TELEMETRY_FINDING._replace(rule_id="ORG900", provenance=())
    run = _run(_log(_result(finding, rules=())))
    rule = run["tool"]["driver"]["rules"][0]
    assert rule["id"] == "ORG900"
    assert rule["shortDescription"] == {"text": "ccpolicy rule ORG900"}
    assert "helpUri" not in rule
    assert rule["properties"]["tags"] == ["security", "ccpolicy"]
    assert "snippet" not in run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert run["results"][0]["ruleIndex"] == 0


def test_organisation_rule_links_its_first_reference_not_the_builtin_docs() -> None:
    rule = TELEMETRY._replace(id="ORG001", origin="policy/ccpolicy.toml")
    finding = TELEMETRY_FINDING._replace(rule_id="ORG001")
    descriptor = _run(_log(_result(finding, rules=(rule,))))["tool"]["driver"]["rules"][0]
    assert descriptor["helpUri"] == rule.references[0]
    assert "docs/rules/ORG001" not in json.dumps(descriptor)


def test_organisation_rule_without_references_has_no_help_uri() -> None:
    rule = TELEMETRY._replace(id="ORG002", origin="policy/ccpolicy.toml", references=())
    finding = TELEMETRY_FINDING._replace(rule_id="ORG002")
    descriptor = _run(_log(_result(finding, rules=(rule,))))["tool"]["driver"]["rules"][0]
    assert "helpUri" not in descriptor


@pytest.mark.parametrize(
    ("location", "region"),
    [
        (Location("a.json", 0, 0), {"startLine": 1}),
        (Location("a.json", 5, 3, 4, 1), {"startColumn": 3, "startLine": 5}),
        (Location("a.json", 5, 3, None, 9), {"endColumn": 9, "endLine": 5, "startColumn": 3, "startLine": 5}),
        (Location("a.json", 5, 3, 5, 3), {"startColumn": 3, "startLine": 5}),
        (Location("a.json", 5, 3, 7, 2), {"endColumn": 2, "endLine": 7, "startColumn": 3, "startLine": 5}),
    ],
)
def test_regions_are_always_valid(location: Location, region: dict[str, int]) -> None:
    finding = TELEMETRY_FINDING._replace(location=location, provenance=())
    log = _log(_result(finding), texts={})
    assert _run(log)["results"][0]["locations"][0]["physicalLocation"]["region"] == region
    assert validate.schema_errors(log) == []


def test_empty_message_falls_back_to_the_rule_title() -> None:
    finding = TELEMETRY_FINDING._replace(message="  ")
    result = _run(_log(_result(finding)))["results"][0]
    assert result["message"] == {"text": "Title of telemetry-not-disabled"}


# ---------------------------------------------------------------------------------------------
# GitHub limits and truncation


def test_tags_are_capped_at_twenty_with_a_notification() -> None:
    log = _log()
    rule = _run(log)["tool"]["driver"]["rules"][3]
    assert rule["properties"]["tags"] == ["security", "ccpolicy", *(f"tag-{i:02d}" for i in range(18))]
    assert "rule CCP599: kept the first 20 of 27 tags (GitHub accepts at most 20); dropped 7." in (
        _notification_texts(log)
    )
    truncated = [
        n
        for n in _run(log)["invocations"][0]["toolExecutionNotifications"]
        if n["descriptor"]["id"] == "truncated"
    ]
    assert [n["level"] for n in truncated] == ["warning"]


def test_long_texts_are_truncated_with_an_ellipsis() -> None:
    rule = TELEMETRY._replace(name="n" * 300, title="word " * 300, what="w" * 2000)
    log = _log(_result(TELEMETRY_FINDING._replace(provenance=()), rules=(rule,)))
    descriptor = _run(log)["tool"]["driver"]["rules"][0]
    assert len(descriptor["name"]) == 255
    assert descriptor["name"].endswith("…")
    assert len(descriptor["shortDescription"]["text"]) <= 1024
    assert descriptor["shortDescription"]["text"].endswith("word…")
    assert descriptor["fullDescription"]["text"] == "w" * 1023 + "…"
    assert _notification_texts(log)[1:] == [
        "rule CCP101: name truncated from 300 to 255 characters (GitHub accepts at most 255).",
        "rule CCP101: shortDescription truncated from 1499 to 1020 characters (GitHub accepts at most 1024).",
        "rule CCP101: fullDescription truncated from 2000 to 1024 characters (GitHub accepts at most 1024).",
    ]
    assert validate.github_lint(log) == []


def test_results_over_the_limit_keep_the_most_severe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(github_limits, "MAX_RESULTS_PER_RUN", 2)
    log = _log()
    assert [r["ruleId"] for r in _run(log)["results"]] == ["CCP401", "CCP101"]
    assert (
        "results: kept 2 of 5 results, most severe first (GitHub accepts at most 2 per run); dropped 3."
        in _notification_texts(log)
    )


def test_related_locations_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(github_limits, "MAX_RELATED_LOCATIONS", 1)
    chain = (
        Location(SETTINGS, 4, 6),
        Location("a.env", 1, 1),
        Location("b.env", 1, 1),
        Location("c.env", 2, 1),
    )
    finding = TELEMETRY_FINDING._replace(provenance=chain)
    log = _log(_result(finding))
    related = _run(log)["results"][0]["relatedLocations"]
    assert [r["physicalLocation"]["artifactLocation"]["uri"] for r in related] == ["a.env"]
    assert related[0]["message"] == {"text": "Value set here (precedence 2 of 4, highest first)."}
    assert _notification_texts(log)[-1] == (
        "relatedLocations: kept at most 1 per result; dropped 2 location(s) from 1 result(s)."
    )


def test_default_related_location_cap_is_ten() -> None:
    chain = tuple(Location(f"f{i:02d}.env", 1, 1) for i in range(15))
    log = _log(_result(TELEMETRY_FINDING._replace(provenance=chain)))
    assert len(_run(log)["results"][0]["relatedLocations"]) == 10
    assert validate.github_lint(log) == []


def test_snippets_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(github_limits, "MAX_SNIPPET_CHARS", 10)
    result = _results_by_rule(_log())[("CCP101", SETTINGS)]
    assert result["locations"][0]["physicalLocation"]["region"]["snippet"] == {"text": '    "DISA…'}


def _snippet_of(line_text: str) -> str | None:
    finding = TELEMETRY_FINDING._replace(location=Location("long.json", 1, 1), provenance=())
    region = _run(_log(_result(finding), texts={"long.json": line_text}))["results"][0]["locations"][0][
        "physicalLocation"
    ]["region"]
    snippet: str | None = region.get("snippet", {}).get("text")
    return snippet


def test_secret_crossing_the_snippet_cut_is_masked_before_the_cut() -> None:
    token = "Ab1" * 20
    assert _snippet_of("x" * 380 + " " + token) == "x" * 380 + " <redacted>"
    assert _snippet_of("y" * 390 + " api_key=" + token + " " + "z" * 500) == "y" * 390 + " api_key=…"


def test_long_lines_stay_fast_and_are_marked_as_cut() -> None:
    started = time.monotonic()
    assert _snippet_of("key=" * 250_000) == "key=<redacted>…"
    snippet = _snippet_of("ab=1," * 200_000)
    assert time.monotonic() - started < 5
    assert snippet == ("ab=1," * 80)[:399] + "…"


def test_huge_files_get_no_line_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif, "_MAX_HASHED_CHARS", 10)
    result = _results_by_rule(_log())[("CCP101", SETTINGS)]
    assert result["partialFingerprints"] == {"ccpolicy/v1": "a" * 32}
    assert result["locations"][0]["physicalLocation"]["region"]["snippet"] == {
        "text": '    "DISABLE_TELEMETRY": "0"'
    }


# ---------------------------------------------------------------------------------------------
# Determinism and snapshot


def test_two_renders_are_byte_identical_and_input_order_does_not_matter() -> None:
    first = _render()
    assert first == _render()
    result = _result()
    shuffled_findings = list(result.findings)
    shuffled_rules = list(result.rules)
    random.Random(4).shuffle(shuffled_findings)
    random.Random(4).shuffle(shuffled_rules)
    reordered = result._replace(findings=tuple(shuffled_findings), rules=tuple(shuffled_rules))
    assert render_sarif(reordered, file_texts=dict(reversed(FILE_TEXTS.items()))) == first


def test_full_output_matches_the_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scanner, "__version__", "0.0.0-snapshot")
    text = _render()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert SNAPSHOT.read_text(encoding="utf-8") == text, "run with UPDATE_SNAPSHOTS=1 and review the diff"
    assert validate.validate_file(SNAPSHOT) == []


# ---------------------------------------------------------------------------------------------
# Snippet redaction


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"export ANTHROPIC_API_KEY={SECRET}", "export ANTHROPIC_API_KEY=<redacted>"),
        (f'    "ANTHROPIC_API_KEY": "{SECRET}",', '    "ANTHROPIC_API_KEY": "<redacted>",'),
        ('"env": {"ANTHROPIC_AUTH_TOKEN": "abc def"}', '"env": {"ANTHROPIC_AUTH_TOKEN": "<redacted>"}'),
        ("$env:AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI'", "$env:AWS_SECRET_ACCESS_KEY = '<redacted>'"),
        ("set -gx ANTHROPIC_AUTH_TOKEN hunter2", "set -gx ANTHROPIC_AUTH_TOKEN <redacted>"),
        ("setenv AWS_SESSION_TOKEN hunter2", "setenv AWS_SESSION_TOKEN <redacted>"),
        ("ENV DB_PASSWORD hunter2", "ENV DB_PASSWORD <redacted>"),
        ("key: AKIAIOSFODNN7EXAMPLE", "key: <redacted>"),
        ("aws_id = AKIAIOSFODNN7EXAMPLE # ci", "aws_id = <redacted> # ci"),
        ("https://user:pa55@proxy.example:8080", "https://<redacted>@proxy.example:8080"),
        ("ANTHROPIC_BASE_URL=https://gw.example/v1", "ANTHROPIC_BASE_URL=https://gw.example/v1"),
        (
            "ANTHROPIC_API_KEY: ${{ secrets.ANTHROPIC_API_KEY }}",
            "ANTHROPIC_API_KEY: ${{ secrets.ANTHROPIC_API_KEY }}",
        ),
        ('"disableBypassPermissionsMode": "disable"', '"disableBypassPermissionsMode": "disable"'),
        ("DISABLE_TELEMETRY=0", "DISABLE_TELEMETRY=0"),
        ("id: 0123456789abcdefABCDEF0123456789xyz", "id: <redacted>"),
        ("Authorization: Bearer abc.def", "Authorization: <redacted>"),
        ("curl -H 'X-Trace: Bearer abc.def'", "curl -H 'X-Trace: Bearer <redacted>'"),
        ("API_KEY=abc # rotated", "API_KEY=<redacted> # rotated"),
    ],
)
def test_redact_line(line: str, expected: str) -> None:
    assert redact_line(line) == expected


# ---------------------------------------------------------------------------------------------
# The CI validator catches what GitHub rejects


def _mutated(change: Any) -> dict[str, Any]:
    log = _log()
    change(log)
    return log


def _rule0(log: dict[str, Any]) -> dict[str, Any]:
    rule: dict[str, Any] = _run(log)["tool"]["driver"]["rules"][0]
    return rule


def _loc0(log: dict[str, Any]) -> dict[str, Any]:
    location: dict[str, Any] = _run(log)["results"][0]["locations"][0]["physicalLocation"]
    return location


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda log: _rule0(log)["properties"].update({"security-severity": "high"}),
            "runs/0/tool/driver/rules/0/properties/security-severity: "
            "security-severity 'high' is not a number string (upload rejected)",
        ),
        (
            lambda log: _rule0(log)["properties"].update({"security-severity": "10.5"}),
            "runs/0/tool/driver/rules/0/properties/security-severity: "
            "security-severity '10.5' is outside (0, 10]",
        ),
        (
            lambda log: _rule0(log)["properties"].update({"tags": ["t"] * 21}),
            "runs/0/tool/driver/rules/0/properties/tags: 21 tags (GitHub limit 20)",
        ),
        (
            lambda log: _rule0(log).update({"name": "n" * 256}),
            "runs/0/tool/driver/rules/0/name: name has 256 characters (GitHub limit 255)",
        ),
        (
            lambda log: _rule0(log).update({"fullDescription": {"text": "d" * 1025}}),
            "runs/0/tool/driver/rules/0/fullDescription/text: fullDescription has 1025 characters "
            "(GitHub limit 1024)",
        ),
        (
            lambda log: _run(log).pop("results"),
            "runs/0/results: missing 'results' array (upload-sarif rejects the file)",
        ),
        (
            lambda log: _run(log)["results"][0].update({"message": {"text": " "}}),
            "runs/0/results/0/message/text: message.text is missing or empty",
        ),
        (
            lambda log: _loc0(log)["artifactLocation"].update({"uri": "./x.json"}),
            "runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri: "
            "uri './x.json' starts with './' (breaks GitHub's file preview)",
        ),
        (
            lambda log: _loc0(log)["artifactLocation"].update({"uri": "a//x.json"}),
            "runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri: "
            "uri 'a//x.json' contains '//'",
        ),
        (
            lambda log: _loc0(log)["artifactLocation"].update({"uri": "a\\x.json"}),
            "runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri: "
            "uri 'a\\\\x.json' contains a backslash (use POSIX '/')",
        ),
        (
            lambda log: _loc0(log)["artifactLocation"].update({"uri": "https://example.com/x"}),
            "runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri: "
            "uri 'https://example.com/x' uses scheme 'https' (only repo-relative or file:// URIs work)",
        ),
        (
            lambda log: _loc0(log)["artifactLocation"].update({"uri": "/abs/x.json"}),
            "runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri: "
            "uri '/abs/x.json' is an absolute path without the file:// scheme",
        ),
        (
            lambda log: _loc0(log)["artifactLocation"].update({"uri": "café/x.json"}),
            "runs/0/results/0/locations/0/physicalLocation/artifactLocation/uri: "
            "uri 'café/x.json' has characters a URI cannot contain (percent-encode spaces and non-ASCII)",
        ),
        (
            lambda log: _loc0(log).pop("region"),
            "runs/0/results/0/locations/0/physicalLocation/region/startLine: region.startLine is missing",
        ),
        (
            lambda log: log["runs"].append(json.loads(json.dumps(_run(log)))),
            "runs/1: same tool and automationDetails.id as runs/0 "
            "(GitHub rejects several runs with one category)",
        ),
        (lambda log: log.update({"runs": [_run(log)] * 21}), "runs: 21 runs (GitHub limit 20)"),
    ],
)
def test_github_lint_reports_each_problem(change: Any, expected: str) -> None:
    assert expected in validate.github_lint(_mutated(change))


def test_github_lint_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate, "MAX_RESULTS_PER_RUN", 4)
    monkeypatch.setattr(validate, "MAX_GZIP_BYTES", 100)
    text = _render()
    errors = validate.github_lint(json.loads(text), raw=text.encode())
    assert errors[0].startswith("/: gzip-compressed size ")
    assert errors[0].endswith(" bytes exceeds GitHub's 100")
    assert "runs/0/results: 5 results (GitHub limit 4)" in errors


def test_schema_errors_are_reported_with_their_path() -> None:
    log = _mutated(lambda log: _run(log)["results"][0].update({"level": "critical"}))
    assert validate.schema_errors(log) == [
        "runs/0/results/0/level -> 'critical' is not one of ['none', 'note', 'warning', 'error']"
    ]


def test_validator_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.sarif"
    good.write_text(_render(), encoding="utf-8")
    bad = tmp_path / "bad.sarif"
    bad.write_text(
        json.dumps({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}}]}), encoding="utf-8"
    )
    broken = tmp_path / "broken.sarif"
    broken.write_bytes(b"\xff{")
    assert validate.main([str(good)]) == 0
    assert capsys.readouterr().out == f"{good}: OK\n"
    assert validate.main([str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}: 1 error(s)\n  github: runs/0/results: missing 'results' array" in out
    assert validate.main([str(broken)]) == 1
    assert "not valid UTF-8 JSON" in capsys.readouterr().out
    assert validate.main([str(tmp_path / "missing.sarif")]) == 1
    assert validate.main([]) == 2


# ---------------------------------------------------------------------------------------------
# Microsoft SARIF Multitool (CI installs it; skipped when absent)


def _multitool_binary() -> str | None:
    candidates = [
        os.environ.get("SARIF_MULTITOOL", ""),
        "/work/mt-npm/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("Sarif.Multitool")


def test_multitool_log_parsing() -> None:
    log = {
        "runs": [
            {
                "tool": {
                    "driver": {
                        "rules": [
                            {"id": "GH1001", "messageStrings": {"E": {"text": "{0}: empty"}}},
                            {"id": "SARIF2001", "defaultConfiguration": {"level": "error"}},
                        ]
                    }
                },
                "results": [
                    {"ruleId": "GH1001", "level": "error", "message": {"id": "E", "arguments": ["runs[0]"]}},
                    {"ruleId": "SARIF2001", "message": {"text": "inherits error"}},
                    {"ruleId": "SARIF2002", "level": "warning", "message": {"text": "only a warning"}},
                ],
                "invocations": [
                    {"toolExecutionNotifications": [{"level": "error", "message": {"text": "crash"}}]}
                ],
            }
        ]
    }
    assert [str(e) for e in multitool.errors_in_log(log)] == [
        "error GH1001: runs[0]: empty",
        "error SARIF2001: inherits error",
        "error notification: crash",
    ]
    assert multitool.errors_in_log({"runs": "nonsense"}) == []


@pytest.mark.slow
@pytest.mark.skipif(_multitool_binary() is None, reason="SARIF Multitool not installed (set SARIF_MULTITOOL)")
def test_multitool_with_all_github_rules(tmp_path: Path) -> None:
    binary = _multitool_binary()
    assert binary is not None
    config = REPO / ".ci" / "multitool-gh-all-rules.xml"
    repository = tmp_path / "repository.sarif"
    repository.write_text(
        _render(_result(KEY_FINDING, TELEMETRY_FINDING, COLLECTOR_FINDING, SUPPRESSED_FINDING)),
        encoding="utf-8",
    )
    assert multitool.run_multitool(binary, config, repository) == []
    # Host files outside the root stay absolute; GH1006 is stricter than GitHub there.
    host = tmp_path / "host.sarif"
    host.write_text(_render(), encoding="utf-8")
    errors = multitool.run_multitool(binary, config, host)
    assert [e.rule_id for e in errors] == ["GH1006"]
    assert errors[0].message.startswith(
        "host.sarif: runs[0].results[3].locations[0].physicalLocation.artifactLocation.uri:"
    )
    assert multitool.main(["--multitool", binary, "--allow", "GH1006", str(host)]) == 0
    assert multitool.main(["--multitool", binary, str(host)]) == 1
