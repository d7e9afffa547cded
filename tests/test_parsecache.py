"""scanner.parsecache: scans reuse the previous run's parses of unchanged content, safely.

Staged scans key content by blob id (the index source), scans of a directory by its text (the
work-tree source)."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from scanner import parsecache
from scanner.history_scan import scan_history
from scanner.model import FileKind
from scanner.parsecache import ParseCache, code_signature, may_hold_secret, text_id
from scanner.report.model import ScanResult
from scanner.ruleset import preset_ruleset
from scanner.scan import ScanOptions, read_repository, scan_repository
from scanner.sources.registry import parse_file
from scanner.staged_scan import read_staged_inputs
from tests.gitrepo import commit, git, isolate_staged_reads, make_repo, stage, write_files

SETTINGS = '{\n  "env": {"DISABLE_TELEMETRY": "1"}\n}\n'
WORKFLOW = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: claude -p hi\n"
KEY = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_staged_reads(monkeypatch, tmp_path / "cache")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path)
    files = {
        ".claude/settings.json": SETTINGS,
        ".github/workflows/ci.yml": WORKFLOW,
        "deploy.sh": "export A=1\n",
    }
    commit(repo, files, "initial")
    return repo


def cache_files(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "ccpolicy" / "parsed").glob("*.pickle"))


def cached_keys(path: Path) -> dict[str, str]:
    signature, (keys, packed) = pickle.loads(path.read_bytes())
    assert signature == code_signature()
    assert list(pickle.loads(packed)) == list(keys)
    return {key[0]: key[2] for key in keys}


def blob(repo: Path, path: str) -> str:
    return git(repo, "rev-parse", f":{path}")


def test_second_run_reuses_unchanged_blobs_and_gives_the_same_inputs(repo: Path, tmp_path: Path) -> None:
    first = read_staged_inputs(repo.resolve())
    [cache_file] = cache_files(tmp_path)
    assert cached_keys(cache_file) == {
        ".claude/settings.json": blob(repo, ".claude/settings.json"),
        ".github/workflows/ci.yml": blob(repo, ".github/workflows/ci.yml"),
        "deploy.sh": blob(repo, "deploy.sh"),
    }
    second = read_staged_inputs(repo.resolve())
    assert second == first
    held = ParseCache(repo.resolve()).get(
        (".claude/settings.json", FileKind.SETTINGS_PROJECT, blob(repo, ".claude/settings.json"))
    )
    assert held == first.files[0]


def test_a_changed_blob_is_parsed_again_and_replaces_its_entry(repo: Path, tmp_path: Path) -> None:
    read_staged_inputs(repo.resolve())
    old = blob(repo, "deploy.sh")
    stage(repo, {"deploy.sh": "export CLAUDE_CODE_USE_VERTEX=1\n"})
    inputs = read_staged_inputs(repo.resolve())
    [deploy] = [parsed for parsed in inputs.files if parsed.path == "deploy.sh"]
    assert [(obs.name, obs.value) for obs in deploy.observations] == [("CLAUDE_CODE_USE_VERTEX", "1")]
    keys = cached_keys(cache_files(tmp_path)[0])
    assert keys["deploy.sh"] == blob(repo, "deploy.sh") != old


def test_a_removed_file_leaves_the_cache(repo: Path, tmp_path: Path) -> None:
    read_staged_inputs(repo.resolve())
    git(repo, "rm", "-q", "--cached", "deploy.sh")
    read_staged_inputs(repo.resolve())
    assert sorted(cached_keys(cache_files(tmp_path)[0])) == [
        ".claude/settings.json",
        ".github/workflows/ci.yml",
    ]


def test_a_file_holding_a_credential_is_never_written_to_the_cache(repo: Path, tmp_path: Path) -> None:
    stage(
        repo, {".env": f"ANTHROPIC_API_KEY={KEY}\n", "run.sh": "export MY_SERVICE_TOKEN=abcdef0123456789\n"}
    )
    inputs = read_staged_inputs(repo.resolve())
    assert {".env", "run.sh"} <= {parsed.path for parsed in inputs.files}
    [cache_file] = cache_files(tmp_path)
    data = cache_file.read_bytes()
    assert KEY.encode() not in data
    assert b"abcdef0123456789" not in data
    assert sorted(cached_keys(cache_file)) == [
        ".claude/settings.json",
        ".github/workflows/ci.yml",
        "deploy.sh",
    ]


@pytest.mark.parametrize(
    ("path", "kind", "text", "expected"),
    [
        (".env", FileKind.DOTENV, f"X={KEY}\n", True),  # a key format anywhere in the text
        (".env", FileKind.DOTENV, "AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP\n", True),
        (".env", FileKind.DOTENV, "DB_PASSWORD=hunter2hunter2\n", True),  # named like a secret
        (".env", FileKind.DOTENV, "OTEL_EXPORTER_OTLP_HEADERS=x-team=abc\n", True),
        ("run.sh", FileKind.SHELL, 'curl -H "Authorization: Bearer abc123" https://x\n', True),
        (".env", FileKind.DOTENV, "HTTPS_PROXY=http://user:pa55@proxy.example.com:8080\n", True),
        (".env", FileKind.DOTENV, "HTTPS_PROXY=http://proxy.example.com:8080\n", False),
        (".env", FileKind.DOTENV, "ANTHROPIC_API_KEY=${VAULT_KEY}\n", False),  # a reference
        (".env", FileKind.DOTENV, "DISABLE_TELEMETRY=1\n", False),
        (".claude/settings.json", FileKind.SETTINGS_PROJECT, SETTINGS, False),
    ],
)
def test_may_hold_secret(path: str, kind: FileKind, text: str, expected: bool) -> None:
    assert may_hold_secret(parse_file(path, text, kind)) is expected


def test_a_cache_file_others_can_write_is_not_loaded(repo: Path, tmp_path: Path) -> None:
    read_staged_inputs(repo.resolve())
    [cache_file] = cache_files(tmp_path)
    key = ("deploy.sh", FileKind.SHELL, blob(repo, "deploy.sh"))
    assert ParseCache(repo.resolve()).get(key) is not None
    cache_file.chmod(0o666)
    assert ParseCache(repo.resolve()).get(key) is None
    cache_file.chmod(0o600)
    cache_file.parent.chmod(0o777)
    assert ParseCache(repo.resolve()).get(key) is None


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a pickle",
        pickle.dumps(("another signature", {})),  # the format before the keys were kept apart
        pickle.dumps(("another signature", ((), pickle.dumps({})))),
        pickle.dumps((code_signature(), ((["unhashable"],), pickle.dumps({})))),
        pickle.dumps(["wrong", "shape", 1]),
    ],
)
def test_a_broken_or_stale_cache_file_is_an_empty_cache_and_is_rewritten(
    repo: Path, tmp_path: Path, content: bytes
) -> None:
    first = read_staged_inputs(repo.resolve())
    [cache_file] = cache_files(tmp_path)
    cache_file.write_bytes(content)
    assert read_staged_inputs(repo.resolve()) == first
    assert sorted(cached_keys(cache_file)) == [
        ".claude/settings.json",
        ".github/workflows/ci.yml",
        "deploy.sh",
    ]


def test_reuse_takes_an_entry_by_its_key_and_save_keeps_its_parse(repo: Path, tmp_path: Path) -> None:
    first = read_staged_inputs(repo.resolve())
    settings = (".claude/settings.json", FileKind.SETTINGS_PROJECT, blob(repo, ".claude/settings.json"))
    cache = ParseCache(repo.resolve())
    assert cache.reuse(settings)
    assert not cache.reuse(("deploy.sh", FileKind.SHELL, "0" * 40))
    cache.save()
    [cache_file] = cache_files(tmp_path)
    assert cached_keys(cache_file) == {".claude/settings.json": settings[2]}
    assert ParseCache(repo.resolve()).get(settings) == first.files[0]


def test_keys_without_their_parse_give_nothing_to_unpack(repo: Path, tmp_path: Path) -> None:
    """A file whose keys and parses disagree (written by hand, say): the key is claimed, but no
    parse comes of it, and the staged read parses the file again."""
    first = read_staged_inputs(repo.resolve())
    [cache_file] = cache_files(tmp_path)
    signature, (keys, _packed) = pickle.loads(cache_file.read_bytes())
    cache_file.write_bytes(pickle.dumps((signature, (keys, pickle.dumps({})))))
    settings = (".claude/settings.json", FileKind.SETTINGS_PROJECT, blob(repo, ".claude/settings.json"))
    assert ParseCache(repo.resolve()).reuse(settings)
    assert ParseCache(repo.resolve()).get(settings) is None
    assert read_staged_inputs(repo.resolve()) == first
    assert len(cached_keys(cache_file)) == 3


def test_ccpolicy_no_cache_writes_nothing(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCPOLICY_NO_CACHE", "1")
    read_staged_inputs(repo.resolve())
    assert cache_files(tmp_path) == []


def test_a_file_with_a_decoding_note_is_not_cached(repo: Path, tmp_path: Path) -> None:
    stage(repo, {"latin.sh": "export NAME=caf\xe9\n".encode("latin-1")})
    inputs = read_staged_inputs(repo.resolve())
    assert [note.path for note in inputs.notifications] == ["latin.sh"]
    assert "latin.sh" not in cached_keys(cache_files(tmp_path)[0])
    assert [note.path for note in read_staged_inputs(repo.resolve()).notifications] == ["latin.sh"]


def test_cli_output_is_identical_with_a_warm_cache(repo: Path, tmp_path: Path) -> None:
    stage(repo, {".env": f"ANTHROPIC_API_KEY={KEY}\n"})
    command = [sys.executable, "-m", "scanner", "scan", "--staged", "--format", "json", "--fail-on", "never"]
    cold = subprocess.run(command, cwd=repo, capture_output=True, check=True, env=os.environ.copy())
    assert len(cache_files(tmp_path)) == 1
    warm = subprocess.run(command, cwd=repo, capture_output=True, check=True, env=os.environ.copy())
    assert warm.stdout == cold.stdout
    assert b"CCP401" in warm.stdout
    assert KEY.encode() not in warm.stdout + warm.stderr


# --------------------------------------------------------------------------- the work tree


def scan_tree(root: Path) -> ScanResult:
    return scan_repository(root.resolve(), ScanOptions(rules=preset_ruleset("recommended").rules))


def worktree_keys(root: Path) -> dict[str, str]:
    cache_file = parsecache.cache_file(root.resolve(), "worktree")
    assert cache_file is not None
    return cached_keys(cache_file)


def test_a_repeated_scan_reuses_the_parses_of_unchanged_text(repo: Path) -> None:
    write_files(
        repo, {".env": f"ANTHROPIC_API_KEY={KEY}\n", "notes.sh": "export CLAUDE_CODE_USE_BEDROCK=1\n"}
    )
    first = scan_tree(repo)
    # keyed by the text on disk, untracked and tracked alike; the file holding a key is left out
    assert worktree_keys(repo) == {
        ".claude/settings.json": text_id(SETTINGS),
        ".github/workflows/ci.yml": text_id(WORKFLOW),
        "deploy.sh": text_id("export A=1\n"),
        "notes.sh": text_id("export CLAUDE_CODE_USE_BEDROCK=1\n"),
    }
    cache_file = parsecache.cache_file(repo.resolve(), "worktree")
    assert cache_file is not None and KEY.encode() not in cache_file.read_bytes()
    held = ParseCache(repo.resolve(), "worktree").get(("deploy.sh", FileKind.SHELL, text_id("export A=1\n")))
    assert held is not None and held.path == "deploy.sh"
    assert scan_tree(repo) == first


def test_an_edited_file_is_parsed_again_though_git_has_not_seen_the_edit(repo: Path) -> None:
    root = repo.resolve()
    read_repository(root, tracked_only=False, cache=ParseCache(root, "worktree"))
    write_files(repo, {"deploy.sh": "export CLAUDE_CODE_USE_VERTEX=1\n"})  # not staged
    inputs = read_repository(root, tracked_only=False, cache=ParseCache(root, "worktree"))
    [deploy] = [parsed for parsed in inputs.files if parsed.path == "deploy.sh"]
    assert [(obs.name, obs.value) for obs in deploy.observations] == [("CLAUDE_CODE_USE_VERTEX", "1")]
    assert worktree_keys(repo)["deploy.sh"] == text_id("export CLAUDE_CODE_USE_VERTEX=1\n")


def test_a_decoding_note_is_reported_on_every_run(repo: Path) -> None:
    (repo / "latin.sh").write_bytes("export NAME=caf\xe9\n".encode("latin-1"))
    notes = [[n.path for n in scan_tree(repo).notifications if n.descriptor == "encoding"] for _ in range(2)]
    assert notes == [["latin.sh"], ["latin.sh"]]
    assert "latin.sh" in worktree_keys(repo)  # the parse of the decoded text is cached; the note is not


def test_the_work_tree_and_the_index_keep_separate_files(repo: Path, tmp_path: Path) -> None:
    scan_tree(repo)
    read_staged_inputs(repo.resolve())
    assert sorted(cache_files(tmp_path)) == sorted(
        [parsecache.cache_file(repo.resolve(), "worktree"), parsecache.cache_file(repo.resolve())]
    )
    assert len(set(cache_files(tmp_path))) == 2


def test_only_the_most_recently_written_files_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parsecache, "MAX_FILES", 2)
    roots = []
    for n in range(4):
        root = tmp_path / f"project-{n}"
        write_files(root, {".claude/settings.json": SETTINGS})
        scan_tree(root)
        cache_file = parsecache.cache_file(root.resolve(), "worktree")
        assert cache_file is not None
        os.utime(cache_file, ns=(n * 10**9, n * 10**9))  # written in this order, a second apart
        roots.append(cache_file)
    assert sorted(cache_files(tmp_path)) == sorted(roots[2:])


def test_the_cli_gives_the_same_output_warm_cold_and_without_caches(repo: Path, tmp_path: Path) -> None:
    write_files(repo, {".env": f"ANTHROPIC_API_KEY={KEY}\n"})
    command = [sys.executable, "-m", "scanner", "scan", "--format", "json", "--fail-on", "never"]
    cold = subprocess.run(command, cwd=repo, capture_output=True, check=True, env=os.environ.copy())
    assert cache_files(tmp_path) == [parsecache.cache_file(repo.resolve(), "worktree")]
    warm = subprocess.run(command, cwd=repo, capture_output=True, check=True, env=os.environ.copy())
    uncached = subprocess.run(
        command, cwd=repo, capture_output=True, check=True, env={**os.environ, "CCPOLICY_NO_CACHE": "1"}
    )
    assert warm.stdout == cold.stdout == uncached.stdout
    assert b"CCP401" in warm.stdout
    assert KEY.encode() not in warm.stdout + warm.stderr


# --------------------------------------------------------------------------- the history


def test_a_repeated_history_scan_reuses_the_parses_of_its_versions(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "history")
    commit(repo, {".claude/settings.json": SETTINGS, ".env": "DISABLE_TELEMETRY=1\n"}, "protected")
    commit(
        repo,
        {".claude/settings.json": "{}\n", ".env": f"ANTHROPIC_API_KEY={KEY}\n"},
        "unprotected, and a key",
    )
    options = ScanOptions(rules=preset_ruleset("strict").rules)
    first = scan_history(repo.resolve(), options)
    assert sorted({f.rule_id for f in first.findings}) == ["CCP110", "CCP403"]
    cache_file = parsecache.cache_file(repo.resolve(), "history")
    assert cache_file is not None
    # both versions of the settings and the first of .env; never the version holding the key
    assert sorted(pickle.loads(cache_file.read_bytes())[1][0]) == sorted(
        [
            (
                ".claude/settings.json",
                FileKind.SETTINGS_PROJECT,
                git(repo, "rev-parse", f"{rev}:.claude/settings.json"),
            )
            for rev in ("HEAD~1", "HEAD")
        ]
        + [(".env", FileKind.DOTENV, git(repo, "rev-parse", "HEAD~1:.env"))]
    )
    assert KEY.encode() not in cache_file.read_bytes()
    assert scan_history(repo.resolve(), options) == first


def test_a_history_scan_without_history_rules_leaves_the_cache_alone(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "history")
    commit(repo, {".claude/settings.json": SETTINGS}, "protected")
    commit(repo, {".claude/settings.json": "{}\n"}, "unprotected")
    scan_history(repo.resolve(), ScanOptions(rules=preset_ruleset("strict").rules))
    cache_file = parsecache.cache_file(repo.resolve(), "history")
    assert cache_file is not None
    kept = cache_file.read_bytes()
    assert len(pickle.loads(kept)[1][0]) == 2
    no_history_rules = tuple(
        rule for rule in preset_ruleset("strict").rules if rule.id not in ("CCP110", "CCP403")
    )
    result = scan_history(repo.resolve(), ScanOptions(rules=no_history_rules))
    assert [note.descriptor for note in result.notifications] == ["no-history-rules"]
    assert cache_file.read_bytes() == kept


def test_the_code_signature_is_worked_out_once_per_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    walks: list[int] = []
    real = parsecache._package_files
    monkeypatch.setattr(parsecache, "_package_files", lambda: walks.append(1) or real())
    code_signature.cache_clear()
    try:
        signatures = {ParseCache(tmp_path / f"repository-{n}", "worktree")._signature for n in range(3)}
    finally:
        code_signature.cache_clear()
    assert walks == [1]
    assert len(signatures) == 1
