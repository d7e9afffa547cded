from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import ConfigError
from scanner.policy.discover import PolicySource, find_policy, named_policy, read_bytes, shown_path

TOOL_TABLE = '[project]\nname = "x"\n\n[tool.ccpolicy]\nextends = ["baseline"]\n'


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_walks_up_from_the_scanned_directory(tmp_path: Path) -> None:
    _tree(tmp_path, {"repo/.git/HEAD": "", "repo/ccpolicy.toml": "", "repo/a/b/c/x.sh": ""})
    found = find_policy(tmp_path / "repo" / "a" / "b", cwd=tmp_path)
    assert found == PolicySource(
        (tmp_path / "repo" / "ccpolicy.toml").resolve(), "ccpolicy", "repo/ccpolicy.toml"
    )


def test_the_nearest_file_wins(tmp_path: Path) -> None:
    _tree(tmp_path, {"repo/.git/HEAD": "", "repo/ccpolicy.toml": "", "repo/sub/ccpolicy.toml": ""})
    found = find_policy(tmp_path / "repo" / "sub", cwd=tmp_path / "repo")
    assert found is not None and found.shown == "sub/ccpolicy.toml"


def test_stops_at_the_top_of_the_git_repository(tmp_path: Path) -> None:
    _tree(tmp_path, {"ccpolicy.toml": "", "repo/.git/HEAD": "", "repo/src/a.sh": ""})
    assert find_policy(tmp_path / "repo" / "src", cwd=tmp_path) is None


def test_a_git_file_marks_the_top_too(tmp_path: Path) -> None:
    # worktrees and submodules have a .git file, not a directory
    _tree(tmp_path, {"ccpolicy.toml": "", "wt/.git": "gitdir: /elsewhere\n"})
    assert find_policy(tmp_path / "wt", cwd=tmp_path) is None


def test_outside_git_the_walk_goes_to_the_root(tmp_path: Path) -> None:
    _tree(tmp_path, {"ccpolicy.toml": "", "a/b/c.txt": ""})
    found = find_policy(tmp_path / "a" / "b", cwd=tmp_path)
    assert found is not None and found.shown == "ccpolicy.toml"


def test_a_file_path_starts_from_its_directory_and_a_missing_one_from_its_parent(tmp_path: Path) -> None:
    _tree(tmp_path, {".git/HEAD": "", "ccpolicy.toml": "", "dir/file.sh": ""})
    assert find_policy(tmp_path / "dir" / "file.sh", cwd=tmp_path) is not None
    assert find_policy(tmp_path / "dir" / "missing" / "deeper", cwd=tmp_path) is not None


def test_pyproject_with_the_tool_table(tmp_path: Path) -> None:
    _tree(tmp_path, {".git/HEAD": "", "pyproject.toml": TOOL_TABLE, "src/x": ""})
    found = find_policy(tmp_path / "src", cwd=tmp_path)
    assert found == PolicySource((tmp_path / "pyproject.toml").resolve(), "pyproject", "pyproject.toml")


def test_pyproject_without_the_table_is_passed_over(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "ccpolicy.toml": "",
            "repo/pyproject.toml": '[project]\ndependencies = ["ccpolicy>=0.1"]\n',
            "repo/sub/pyproject.toml": "not = [valid toml\n",  # broken, but not about ccpolicy
        },
    )
    found = find_policy(tmp_path / "repo" / "sub", cwd=tmp_path)
    assert found is not None and found.shown == "ccpolicy.toml"


def test_a_broken_pyproject_that_holds_the_table_is_found_so_its_error_is_reported(tmp_path: Path) -> None:
    _tree(tmp_path, {".git/HEAD": "", "pyproject.toml": "[tool.ccpolicy]\nextends = [\n"})
    found = find_policy(tmp_path, cwd=tmp_path)
    assert found is not None and found.kind == "pyproject"


def test_both_forms_in_one_directory_is_an_error(tmp_path: Path) -> None:
    _tree(tmp_path, {".git/HEAD": "", "ccpolicy.toml": "", "pyproject.toml": TOOL_TABLE})
    with pytest.raises(ConfigError) as caught:
        find_policy(tmp_path, cwd=tmp_path)
    assert str(caught.value) == (
        "ccpolicy.toml: pyproject.toml also has a [tool.ccpolicy] table; keep the policy in one of them"
    )


def test_named_policy_keeps_the_name_the_user_gave(tmp_path: Path) -> None:
    assert named_policy("conf/org.toml").kind == "ccpolicy"
    assert named_policy("conf/org.toml").shown == "conf/org.toml"
    assert named_policy("../pyproject.toml").kind == "pyproject"
    assert named_policy("conf/org.toml").path.is_absolute()


def test_shown_path_is_relative_inside_the_working_directory_else_absolute(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    assert shown_path(tmp_path / "a" / "ccpolicy.toml", cwd=tmp_path) == "a/ccpolicy.toml"
    assert shown_path(tmp_path / "ccpolicy.toml", cwd=tmp_path / "a") == str(
        (tmp_path / "ccpolicy.toml").resolve()
    )


def test_read_bytes_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^org\.toml: no such policy file$"):
        read_bytes(tmp_path / "org.toml", "org.toml")
    with pytest.raises(ConfigError, match=r"^dir: is a directory, not a policy file$"):
        read_bytes(tmp_path, "dir")
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (1 << 20 + 1))
    with pytest.raises(
        ConfigError,
        match=r"^big\.toml: 2097152 bytes is too large for a policy file "
        r"\(limit 1048576\)$",
    ):
        read_bytes(big, "big.toml")
