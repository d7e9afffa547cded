"""Rule documentation, generated from the rule itself (ruff-style sections)."""

from __future__ import annotations

from scanner.catalogue.model import Rule


def rule_markdown(rule: Rule, presets: list[str] | None = None) -> str:
    lines = [
        f"# {rule.id}: {rule.name}",
        "",
        f"**{rule.title}**",
        "",
        f"Severity: `{rule.severity.label}`. Precision: `{rule.precision}`."
        + (f" Presets: {', '.join(f'`{p}`' for p in presets)}." if presets else ""),
        "",
        "## What it does",
        "",
        rule.what,
        "",
        "## Why is this bad?",
        "",
        rule.why,
        "",
        "## Example",
        "",
        "```",
        rule.example,
        "```",
        "",
        "## Use instead",
        "",
        "```",
        rule.use_instead,
        "```",
        "",
        "## How to fix it",
        "",
        rule.fix,
        "",
    ]
    if rule.unconfirmed:
        lines += ["## Where the facts are unconfirmed", "", rule.unconfirmed, ""]
    if rule.references:
        lines += ["## References", ""] + [f"- <{ref}>" for ref in rule.references] + [""]
    return "\n".join(lines)


def rule_text(rule: Rule) -> str:
    md = rule_markdown(rule)
    return md.replace("```\n", "").replace("```", "")
