"""The catalogue is well-formed: IDs, docs, fixtures, presets, registered checks, generated pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scanner.catalogue.gendocs import README_END, README_START, pages, with_readme_table
from scanner.catalogue.load import RULE_ID, load_builtin_rules, load_presets, preset_rule_ids
from scanner.checks import REGISTRY
from scanner.checks.declarative import CONDITION_KEYS

ROOT = Path(__file__).resolve().parents[2]
RULES = load_builtin_rules()


def test_rule_ids_are_unique_and_well_formed() -> None:
    files = sorted(p.name for p in (ROOT / "rules").glob("CCP*.toml"))
    assert files == [f"{rid}.toml" for rid in sorted(RULES)]
    for rid in RULES:
        assert RULE_ID.match(rid), rid
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names))


def test_catalogue_ranges() -> None:
    ranges = {
        "1": "privacy",
        "2": "otel",
        "3": "retention",
        "4": "credentials",
        "5": "integrity",
        "6": "egress",
    }
    for rid in RULES:
        assert rid[3] in ranges, f"{rid} is outside the documented ranges"


@pytest.mark.parametrize("rid", sorted(RULES))
def test_every_rule_is_documented(rid: str) -> None:
    rule = RULES[rid]
    for section in ("what", "why", "example", "use_instead", "fix"):
        assert getattr(rule, section).strip(), f"{rid} has no {section}"
    assert rule.references, f"{rid} has no references"
    assert all(ref.startswith("https://") for ref in rule.references)
    assert len(rule.title) <= 120
    assert rule.help_uri.endswith(f"/docs/rules/{rid}.md")


@pytest.mark.parametrize("rid", sorted(RULES))
def test_every_rule_has_firing_and_silent_fixtures(rid: str) -> None:
    folder = ROOT / "fixtures" / rid
    fires = [p for p in folder.glob("fires*") if p.is_dir()]
    silent = [p for p in folder.glob("silent*") if p.is_dir()]
    assert fires, f"fixtures/{rid} has no fires* case"
    assert silent, f"fixtures/{rid} has no silent* case"


@pytest.mark.parametrize("rid", sorted(RULES))
def test_every_check_is_known(rid: str) -> None:
    check = RULES[rid].check
    if "registered" in check:
        assert check["registered"] in REGISTRY
    else:
        when = check["when"]
        assert isinstance(when, list) and when
        for cond in when:
            assert CONDITION_KEYS & set(cond), cond


def test_presets_name_only_existing_rules() -> None:
    presets = load_presets()
    assert {"baseline", "no-telemetry", "commercial-zdr", "hardened", "strict", "recommended"} <= set(presets)
    for name in presets:
        ids = preset_rule_ids(name, presets, frozenset(RULES))
        assert ids, name
        assert ids <= set(RULES), f"preset {name} names unknown rules {sorted(ids - set(RULES))}"
    assert preset_rule_ids("strict", presets, frozenset(RULES)) == set(RULES)


def test_every_registered_check_is_used() -> None:
    used = {r.check.get("registered") for r in RULES.values()}
    assert set(REGISTRY) <= used


def test_generated_docs_are_up_to_date() -> None:
    wanted = pages()
    folder = ROOT / "docs" / "rules"
    present = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.md")}
    stale = sorted(n for n in wanted if present.get(n) != wanted[n]) + sorted(set(present) - set(wanted))
    assert not stale, (
        f"docs/rules is out of date ({', '.join(stale)}): run python -m scanner.catalogue.gendocs"
    )


def test_rule_pages_have_every_section() -> None:
    for rid, text in pages().items():
        if rid == "README.md":
            continue
        for heading in (
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Use instead",
            "## References",
        ):
            assert heading in text, f"{rid} lacks {heading}"
        assert re.match(r"# CCP\d{3}: [a-z-]+\n", text)


def test_readme_rule_table_is_up_to_date() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert README_START in readme and README_END in readme
    assert with_readme_table(readme) == readme, (
        "README rule table is stale: run python -m scanner.catalogue.gendocs"
    )


def test_every_registered_check_resolves_to_a_function() -> None:
    for name in REGISTRY:
        assert callable(REGISTRY[name]), name
