"""Generate docs/rules/<ID>.md and docs/rules/README.md from the rules: `python -m scanner.catalogue.gendocs`.

The SARIF helpUri of every rule points at its page; tests fail when a page is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from scanner.catalogue.docs import rule_markdown
from scanner.catalogue.load import load_builtin_rules, load_presets, preset_rule_ids


def pages() -> dict[str, str]:
    rules = load_builtin_rules()
    presets = load_presets()
    membership: dict[str, list[str]] = {rid: [] for rid in rules}
    for name in sorted(presets):
        for rid in sorted(preset_rule_ids(name, presets, frozenset(rules))):
            if rid in membership:
                membership[rid].append(name)
    out = {f"{rid}.md": rule_markdown(rule, membership[rid]) for rid, rule in sorted(rules.items())}
    index = ["# ccpolicy rules", "", "| ID | Name | Severity | Title | Presets |", "|---|---|---|---|---|"]
    for rid, rule in sorted(rules.items()):
        index.append(
            f"| [{rid}]({rid}.md) | `{rule.name}` | {rule.severity.label} | {rule.title} | "
            f"{', '.join(membership[rid])} |"
        )
    out["README.md"] = "\n".join(index) + "\n"
    return out


def main(argv: list[str] | None = None) -> int:
    target = Path((argv or sys.argv[1:] or ["docs/rules"])[0])
    target.mkdir(parents=True, exist_ok=True)
    wanted = pages()
    for stale in target.glob("*.md"):
        if stale.name not in wanted:
            stale.unlink()
    for name, text in wanted.items():
        (target / name).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
