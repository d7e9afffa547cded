"""The git listing classifies only the entries its prefilter picks out: it must never drop a candidate.

`entries_to_examine` runs one regular expression, built from `paths.prefilter()`, over git's
whole `ls-files -z -s -t` output. These tests feed it every path classify accepts that we can
think of (the tables, every sample path in the test suite and the fixtures, and generated tricky
variants) and check that each one is picked out; then they check that a real repository full of
such names lists exactly what the exhaustive listing gives.
"""

from __future__ import annotations

import ast
import itertools
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from gitrepo import commit, git, isolate_git_config, make_repo, write_files

from scanner.discovery.listing import (
    SKIPPED_DIRS,
    _before_ending,
    _prefilter_regex,
    candidates,
    entries_to_examine,
    list_candidates,
    list_files,
)
from scanner.discovery.paths import (
    CHEZMOI_ATTRIBUTES,
    CHEZMOI_DOT,
    CHEZMOI_TEMPLATE,
    DOTFILES_CLAUDE_DIRS,
    INERT_SUFFIXES,
    KIND_BY_BASENAME,
    KIND_BY_EXTENSION,
    KIND_BY_PARENT_AND_BASENAME,
    MANAGED_DROPIN_DIR,
    PATTERN_RULES,
    UNICODE_LOWERING_TO_ASCII,
    classify,
    prefilter,
)
from scanner.discovery.read import is_plain_relpath

REPOSITORY = Path(__file__).resolve().parents[2]
SHA1 = "0123456789abcdef0123456789abcdef01234567"
SHA256 = "89abcdef" * 8
KELVIN = "\u212a"

# ------------------------------------------------------------------------------------------
# The paths to try.
# ------------------------------------------------------------------------------------------


def _case_variants(name: str) -> set[str]:
    variants = {name, name.lower(), name.upper(), name.title(), name.swapcase(), name.capitalize()}
    variants |= {variant.replace("K", KELVIN) for variant in variants}  # classify lower-cases extensions
    return variants


def _generated_basenames() -> set[str]:
    names: set[str] = set(KIND_BY_BASENAME)
    names |= {name for _, name in KIND_BY_PARENT_AND_BASENAME}
    stems = ("x", "a.b", ".hidden", "with space", "ünï", "tab\tname", "-dash", "0", "Dockerfile", "settings")
    names |= {stem + extension for stem in stems for extension in KIND_BY_EXTENSION}
    endings = ("", "c", *(f".{suffix}" for suffix in INERT_SUFFIXES))
    settings_stems = (
        "settings",
        "settings.local",
        "remote-settings",
        "settings.example",
        "private_settings",
        "readonly_encrypted_settings",
        "10-base",
        ".hidden",
        "tab\there",
        "managed-settings",
        "managed-settings.prod",
        "claude-settings",
        "claude_settings",
        "team-claude-settings",
        "x.claude_settings.dev",
        "a\tb.claude-settings",
    )
    names |= {stem + ".json" + ending for stem in settings_stems for ending in endings}
    for head in ("Dockerfile", "dockerfile", "Containerfile", "containerfile"):
        for separator in ".-_":
            for tail in ("dev", "prod.local", "a\tb", "ü", "x.py", "md"):
                names.add(head + separator + tail)
        names.add(head + "s")
    for head in ("compose", "docker-compose"):
        for middle in ("", ".override", "-ci", "_x", ".a\tb", ".prod.local"):
            names |= {head + middle + ".yml", head + middle + ".yaml"}
    names |= {".env." + tail for tail in ("local", "production.local", "a\tb", "x.py", "ü")}
    targets = [name[1:] for name in KIND_BY_BASENAME if name.startswith(".")] + ["env.local", "env.a\tb"]
    attribute_runs = [""] + [
        "".join(run) for length in (1, 2) for run in itertools.permutations(CHEZMOI_ATTRIBUTES, length)
    ]
    for run, target, template in itertools.product(attribute_runs, targets, ("", CHEZMOI_TEMPLATE)):
        names.add(run + CHEZMOI_DOT + target + template)
    names |= {name[1:] for name in KIND_BY_BASENAME if name.startswith(".")}
    return {variant for name in names for variant in _case_variants(name)}


_DIRECTORIES = (
    "",
    "a/",
    "deep/er/",
    ".claude/",
    "x/.claude/",
    *(f"{name}/" for name in sorted(DOTFILES_CLAUDE_DIRS)),
    f"{MANAGED_DROPIN_DIR}/",
    f"etc/claude-code/{MANAGED_DROPIN_DIR}/",
    ".github/workflows/",
    "sub/.github/workflows/",
    ".github/workflows/sub/",
    "etc/",
    ".devcontainer/",
    ".devcontainer/sub/",
    "with space/",
    "ünï/",
    "tab\tdir/",
    "tab\t/",
    "\t/",
    "Dockerfile.d/",
)


def _strings_in_tests() -> set[str]:
    """Every string constant of the test suite: it holds the sample paths of every test."""
    found: set[str] = set()
    for source in (REPOSITORY / "tests").rglob("*.py"):
        if source == Path(__file__).resolve():
            continue  # this file's own names are made up to be exactly where they are
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 300:
                found.add(node.value)
    return found


def _fixture_paths() -> set[str]:
    """The files under fixtures/, relative to every directory above them."""
    found: set[str] = set()
    for path in (REPOSITORY / "fixtures").rglob("*"):
        parts = path.relative_to(REPOSITORY).parts
        found |= {"/".join(parts[start:]) for start in range(len(parts))}
    return found


def _usable(path: str) -> bool:
    return bool(path) and "\0" not in path and not path.startswith("/") and "//" not in path


def accepted(paths: Iterable[str]) -> list[str]:
    return sorted(path for path in set(paths) if _usable(path) and classify(path) is not None)


GENERATED = accepted(directory + name for directory in _DIRECTORIES for name in _generated_basenames())
FROM_TESTS = accepted(_strings_in_tests() | _fixture_paths())

# ------------------------------------------------------------------------------------------
# `ls-files -z -s -t` output around those paths.
# ------------------------------------------------------------------------------------------


def entry(path: str, *, tag: str = "H", mode: str = "100644", object_id: str = SHA1) -> str:
    return f"{tag} {mode} {object_id} 0\t{path}"


def path_entry(path: str, *, tag: str = "H") -> str:
    """An entry of `ls-files -z -t` without -s, as a scan of the work tree lists the index."""
    return f"{tag} {path}"


_WITH_MODE = re.compile(r". [0-7]{6} [0-9a-f]+ [0-3]\t")


def entry_path(item: str) -> str:
    with_mode = _WITH_MODE.match(item)
    return item[with_mode.end() :] if with_mode else item[2:]


def ordinary(index: int) -> str:
    return entry(f"src/pkg{index % 7}/module_{index}.py")


def interleaved(
    paths: list[str], *, mode: str = "100644", object_id: str = SHA1, with_modes: bool = True
) -> str:
    """Each path between two ordinary files (which the prefilter leaves alone, so an entry is
    picked out for its own name, never for a neighbour's)."""
    if not with_modes:
        entries = [path_entry("src/pkg0/module_0.py")]
        for index, path in enumerate(paths, 1):
            entries += [path_entry(path), path_entry(f"src/pkg{index % 7}/module_{index}.py")]
        return "\0".join(entries) + "\0"
    entries = [ordinary(0)]
    for index, path in enumerate(paths, 1):
        entries += [entry(path, mode=mode, object_id=object_id), ordinary(index)]
    return "\0".join(entries) + "\0"


def matched_by_name(text: str) -> set[str]:
    """The entries whose own NUL the prefilter matched (a match also keeps the next entry)."""
    last = len(text) - 1
    found = set()
    for match in _prefilter_regex().finditer(text[::-1]):
        end = last - match.start()
        found.add(text[text.rfind("\0", 0, end) + 1 : end])
    return found


def assert_picked(text: str, paths: list[str]) -> None:
    picked = {entry_path(item) for item in entries_to_examine(text)}
    assert [path for path in paths if path not in picked] == []
    last = text[text.rfind("\0", 0, len(text) - 1) + 1 : -1]  # its NUL has no entry after it to vouch for
    assert [item for item in matched_by_name(text) - {last} if "/module_" in item] == []


def test_the_path_sets_are_large_and_varied() -> None:
    assert len(GENERATED) > 20_000
    assert len(FROM_TESTS) > 400
    kinds = {classify(path) for path in GENERATED + FROM_TESTS}
    assert len(kinds) >= 15
    assert any("\t" in path for path in GENERATED)


@pytest.mark.parametrize("with_modes", [True, False], ids=["ls-files-s", "paths-only"])
@pytest.mark.parametrize("paths", [GENERATED, FROM_TESTS], ids=["generated", "from-tests-and-fixtures"])
def test_prefilter_picks_out_every_candidate(paths: list[str], with_modes: bool) -> None:
    assert_picked(interleaved(paths, with_modes=with_modes), paths)


def test_prefilter_picks_out_executables_and_sha256_repositories() -> None:
    sample = GENERATED[::7] + FROM_TESTS
    assert_picked(interleaved(sample, mode="100755"), sample)
    assert_picked(interleaved(sample, object_id=SHA256), sample)


@pytest.mark.parametrize("path", ["Dockerfile", ".env", "x/.claude/settings.json", "tab\tx/Dockerfile.dev"])
def test_first_last_and_only_entries(path: str) -> None:
    assert entries_to_examine(entry(path) + "\0") == [entry(path)]
    assert entries_to_examine(entry(path)) == [entry(path)]  # no final NUL
    assert entry(path) in entries_to_examine(ordinary(1) + "\0" + entry(path) + "\0")
    assert entry(path) in entries_to_examine(entry(path) + "\0" + ordinary(1) + "\0")
    assert entries_to_examine("") == []


def test_entries_other_than_tracked_files_are_always_examined() -> None:
    odd = [
        entry("src/sparse.py", tag="S"),
        path_entry("src/sparse.py", tag="S"),
        path_entry("src/conflict.py", tag="M"),
        entry("src/conflict.py", tag="M").replace(" 0\t", " 2\t"),
        "? notes.txt",
        "? build/",
        "? dir/untracked.py",
        "? with\ttab",
        "K src/killed.py",
    ]
    text = "\0".join(item for index, odd_one in enumerate(odd) for item in (ordinary(index), odd_one)) + "\0"
    assert set(odd) <= set(entries_to_examine(text))


def test_symlinks_and_gitlinks_are_examined_for_their_names_alone() -> None:
    """What they are is looked at for candidates only: the disk or the mode tells."""
    plain = [entry("src/link", mode="120000"), entry("vendor/sub", mode="160000")]
    named = [entry("src/.env", mode="120000"), entry("tools/Dockerfile", mode="160000")]
    items = [ordinary(0), plain[0], ordinary(1), named[0], ordinary(2), plain[1], ordinary(3), named[1]]
    examined = set(entries_to_examine("\0".join([*items, ordinary(4)]) + "\0"))
    assert set(named) <= examined
    assert not set(plain) & examined


def test_untracked_neighbours_do_not_hide_candidates() -> None:
    # Read backwards, a name with no `/` runs into the entry git listed before it.
    sample = GENERATED[::13]
    entries = [ordinary(0)]
    for index, path in enumerate(sample):
        entries += [entry(path), f"? plain{index}.txt", f"? dir/plain{index}.txt"]
    picked = set(entries_to_examine("\0".join(entries) + "\0"))
    assert {entry(path) for path in sample} <= picked


def test_ordinary_sources_are_left_alone() -> None:
    names = ["main.py", "index.ts", "README.md", "package.json", "go.mod", "style.css", "x.yaml", "lib.rs"]
    paths = [f"pkg{i}/sub/{name}" for i in range(50) for name in names]
    for make in (entry, path_entry):
        text = "\0".join(make(path) for path in paths) + "\0"
        # The first entry follows no NUL, the last one's NUL has no entry after it: both are examined.
        assert entries_to_examine(text) == [make(paths[0]), make(paths[-1])]


# ------------------------------------------------------------------------------------------
# The facts the prefilter relies on.
# ------------------------------------------------------------------------------------------


def test_unicode_lowering_table_is_complete() -> None:
    """classify lower-cases extensions: which non-ASCII characters can stand for an ASCII letter."""
    lowering = {}
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if not char.isascii() and char.lower().isascii():
            lowering[char] = char.lower()
    assert lowering == dict(UNICODE_LOWERING_TO_ASCII)


def test_rule_starts_and_ends_follow_from_their_patterns() -> None:
    """`starts` and `ends` restate what each pattern implies: classify's answers do not depend on them."""
    bases = {path.rsplit("/", 1)[-1] for path in GENERATED + FROM_TESTS} | _generated_basenames()
    for rule in PATTERN_RULES:
        matching = [base for base in bases if rule.needle in base and rule.pattern.fullmatch(base)]
        assert matching or rule.parents is not None, rule
        for base in matching:
            assert not rule.starts or base.startswith(rule.starts), (rule.needle, base)
            assert not rule.ends or base.endswith(rule.ends), (rule.needle, base)


def test_prefilter_clues() -> None:
    clues = prefilter()
    assert clues.extensions == set(KIND_BY_EXTENSION)
    assert {".claude", "workflows", MANAGED_DROPIN_DIR} <= clues.parents
    assert {"Dockerfile", ".env.", CHEZMOI_DOT, *CHEZMOI_ATTRIBUTES} <= clues.starts
    assert [needle for needle, _ in clues.needles] == ["claude"]
    assert _prefilter_regex() is _prefilter_regex()


def test_before_ending() -> None:
    assert _before_ending("claude", ".json")
    assert not _before_ending("json", ".json")  # inside the ending
    assert not _before_ending("x.js", ".json")  # runs into it
    assert not _before_ending("abc", "c.json")
    assert _before_ending("abc", ".json.bak")


# ------------------------------------------------------------------------------------------
# A real repository.
# ------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)


def _on_disk(paths: Iterable[str]) -> list[str]:
    """Paths a repository can hold side by side: no file where another needs a directory."""
    chosen: list[str] = []
    directories: set[str] = set()
    files: set[str] = set()
    for path in sorted(paths):
        parts = path.split("/")
        prefixes = {"/".join(parts[:end]) for end in range(1, len(parts))}
        odd = not is_plain_relpath(path) or ".git" in parts or any(len(part.encode()) > 255 for part in parts)
        odd = odd or path.startswith(":") or any(char in path for char in "*?[\\")  # git pathspec syntax
        if odd or path in directories or prefixes & files:
            continue
        chosen.append(path)
        files.add(path)
        directories |= prefixes
    return chosen


def test_real_repository_lists_every_candidate(tmp_path: Path) -> None:
    wanted = _on_disk(GENERATED[::20] + FROM_TESTS)
    decoys = [f"src/pkg{i % 9}/module_{i}.py" for i in range(300)] + ["compose.py", "docker.md", "README.md"]
    # Untracked files under dependency directories are not listed: keep those tracked.
    untracked = [path for path in wanted[1::2] if SKIPPED_DIRS.isdisjoint(path.split("/")[:-1])]
    repo = make_repo(tmp_path)
    commit(repo, dict.fromkeys(sorted(set(wanted) - set(untracked)) + decoys, "x\n"), "tracked")
    write_files(repo, dict.fromkeys(untracked, "x\n"))  # untracked, not ignored
    (repo / "src/pkg1/link-to-module.sh").symlink_to("module_1.py")
    git(repo, "add", "src/pkg1/link-to-module.sh")
    commit(repo, {}, "a symlink")
    git(repo, "update-index", "--skip-worktree", wanted[0])
    (repo / decoys[0]).unlink()  # a deleted ordinary file

    found = list_candidates(repo)
    listing = list_files(repo)
    assert found.candidates == candidates(listing)
    assert found.notifications == listing.notifications
    assert found.tracked == frozenset(path for path, _ in found.candidates if path in listing.tracked)
    assert {path for path, _ in found.candidates} == {*wanted, "src/pkg1/link-to-module.sh"}
