"""scanner.engine: checks imported ahead of time, and a check that cannot be imported."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from scanner import checks
from scanner.catalogue.load import load_builtin_rules
from scanner.checks.base import CheckInput
from scanner.engine import evaluate, load_checks
from scanner.knowledge import load as load_kb


def test_load_checks_imports_the_check_of_every_rule_given_and_no_other() -> None:
    program = textwrap.dedent(
        """
        import sys
        from scanner.catalogue.load import load_builtin_rules
        from scanner.checks import reads_history
        from scanner.engine import load_checks

        rules = load_builtin_rules()
        before = {name for name in sys.modules if name.startswith("scanner.checks.")}
        load_checks(rule for rule in rules.values() if not reads_history(rule))
        after = {name for name in sys.modules if name.startswith("scanner.checks.")}
        print(" ".join(sorted(after - before)))
        """
    )
    completed = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    imported = completed.stdout.split()
    assert "scanner.checks.history" not in imported  # the history rules: not given
    assert "scanner.checks.hooks" in imported
    assert "scanner.checks.login" in imported
    assert all(name.startswith("scanner.checks.") for name in imported)


def test_a_check_that_cannot_be_imported_is_reported_by_the_rule_not_raised(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rule = load_builtin_rules()["CCP107"]
    registered = rule.check["registered"]
    assert isinstance(registered, str)
    registry = checks.REGISTRY
    monkeypatch.setitem(registry._entries, registered, "no_such_module:check")  # type: ignore[attr-defined]
    monkeypatch.setattr(registry, "_loaded", {})
    load_checks([rule])  # does not raise
    scan = CheckInput(files=(), contexts=(), kb=load_kb(), params={}, tracked=None, is_git=False, root=".")
    findings, notes = evaluate([rule], scan)
    assert findings == []
    assert [(note.level, note.descriptor, note.message) for note in notes] == [
        (
            "error",
            "rule-error",
            "rule CCP107 failed: ModuleNotFoundError: No module named 'scanner.checks.no_such_module'",
        )
    ]
