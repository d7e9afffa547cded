"""The wheel ships every package, the rules and the knowledge base; the README and .ci/run agree."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "scanner").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert found - listed == set(), "add these packages to [tool.setuptools] packages in pyproject.toml"
    assert "scanner.builtin_rules" in listed
    assert config["tool"]["setuptools"]["package-dir"]["scanner.builtin_rules"] == "rules"


def test_builtin_rules_are_importable_as_package_data() -> None:
    from scanner.catalogue.load import load_builtin_rules, rules_dir

    assert rules_dir().joinpath("presets.toml").is_file()
    assert "CCP101" in load_builtin_rules()


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    fence = readme.index("```sh")
    install_and_demo, test_command = readme[fence + 1], readme[fence + 2]
    assert readme[fence + 3] == "```"
    assert "fixtures/demo" in install_and_demo
    assert "pytest" in test_command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci, ".ci/run must run the README's test command verbatim"
