"""The `files:` regex of the pre-commit hook, generated from scanner.discovery.paths.

pre-commit runs a hook only when a staged path matches `files` (Python `re.search` on the POSIX
path relative to the repository). Written by hand, that regex would drift from the tables that
decide what a candidate file is; here it is derived from them, and a test checks that
.pre-commit-hooks.yaml holds exactly this text. It matches every path `classify` accepts (a
superset is harmless: the scan decides; a miss would skip the hook on a relevant commit).

    python -m scanner.precommit_files     # print the regex for .pre-commit-hooks.yaml
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable

from scanner import regexcache
from scanner.discovery.paths import (
    CHEZMOI_ATTRIBUTES,
    CHEZMOI_DOT,
    CHEZMOI_TEMPLATE,
    KIND_BY_BASENAME,
    KIND_BY_EXTENSION,
    KIND_BY_PARENT_AND_BASENAME,
    PATTERN_RULES,
)

_INDENT = "    "
# Verbose mode drops unescaped whitespace and treats `#` as a comment: no table entry may
# contain either, or the generated regex would silently mean something else.
_VERBOSE_UNSAFE = regexcache.compile(r"[\s#]")


def _checked(fragment: str) -> str:
    if _VERBOSE_UNSAFE.search(fragment):
        raise ValueError(f"cannot express {fragment!r} in a verbose regex")
    return fragment


def _either(fragments: Iterable[str]) -> str:
    return "(?:" + "|".join(_checked(fragment) for fragment in sorted(set(fragments))) + ")"


def _directories(names: Iterable[str]) -> str:
    escaped = sorted(re.escape(name) for name in names)
    return escaped[0] if len(escaped) == 1 else _either(escaped)


def _pattern_alternatives() -> list[str]:
    alternatives = []
    for rule in PATTERN_RULES:
        prefix = ""
        if rule.parents is not None:
            prefix = _directories(rule.parents) + "/"
            if rule.grandparent is not None:
                prefix = re.escape(rule.grandparent) + "/" + prefix
        alternatives.append(prefix + "(?:" + _checked(rule.pattern.pattern) + ")")
    return alternatives


def _chezmoi_alternative() -> str:
    """`private_dot_zshrc.tmpl` and friends: the source names whose target is a candidate."""
    targets = [re.escape(name[1:]) for name in KIND_BY_BASENAME if name.startswith(".") and len(name) > 1]
    targets.append(r"env\.[^/]+")  # .env.* targets, as classify accepts them
    attributes = _either(re.escape(attribute) for attribute in CHEZMOI_ATTRIBUTES)
    return f"{attributes}*{re.escape(CHEZMOI_DOT)}{_either(targets)}(?:{re.escape(CHEZMOI_TEMPLATE)})?"


def candidate_files_regex() -> str:
    """A verbose regex (one alternative per line, trailing newline) matching candidate paths."""
    alternatives = [
        _either(re.escape(name) for name in KIND_BY_BASENAME),
        *(
            f"{re.escape(parent)}/{_either(re.escape(name) for name in names)}"
            for parent, names in sorted(_basenames_by_parent().items())
        ),
        # classify lower-cases the extension and needs a name before it.
        r"[^/]+\.(?i:" + "|".join(sorted(_checked(re.escape(ext[1:])) for ext in KIND_BY_EXTENSION)) + ")",
        *_pattern_alternatives(),
        _chezmoi_alternative(),
    ]
    body = f"\n{_INDENT}| ".join(alternatives)
    return f"(?x)(?:^|/)(?:\n{_INDENT}  {body}\n)$\n"


def _basenames_by_parent() -> dict[str, list[str]]:
    by_parent: dict[str, list[str]] = {}
    for parent, name in KIND_BY_PARENT_AND_BASENAME:
        by_parent.setdefault(parent, []).append(name)
    return by_parent


def main() -> int:
    sys.stdout.write(candidate_files_regex())
    return 0


if __name__ == "__main__":
    sys.exit(main())
