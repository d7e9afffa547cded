"""`ccpolicy scan` as a user runs it: a subprocess on a real git repository with a real commit."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fixturerepo import git, materialise

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SECRET = re.compile(r"sk-ant-api03-[A-Za-z0-9]{20,}")


def ccpolicy(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR",)}
    full_env.update({"NO_COLOR": "1", "CCPOLICY_NO_CACHE": "1", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def demo_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return materialise(DEMO, tmp_path_factory.mktemp("demo") / "repo")


def _snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing snapshot {name}; run with UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(encoding="utf-8")


def test_json_findings_are_exact(demo_repo: Path) -> None:
    proc = ccpolicy("scan", ".", "--no-policy", "--format", "json", cwd=demo_repo)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert data["schema_version"] == 1
    found = {(f["rule_id"], f["path"], f["line"], f["column"]) for f in data["findings"]}
    assert ("CCP401", ".env", 2, 1) in found
    assert ("CCP107", ".claude/settings.json", 4, 5) in found
    assert ("CCP108", ".claude/settings.json", 5, 5) in found
    assert ("CCP502", ".claude/settings.json", 8, 3) in found
    assert ("CCP503", ".claude/settings.local.json", 1, 1) in found
    assert ("CCP101", ".github/workflows/claude.yml", 5, 3) in found
    assert ("CCP103", "Dockerfile", 1, 1) in found
    assert ("CCP107", "scripts/nightly-review.sh", 3, 8) in found
    by_key = {(f["rule_id"], f["path"], f["line"]): f for f in data["findings"]}
    assert by_key[("CCP107", ".claude/settings.json", 4)]["message"] == (
        'DO_NOT_TRACK="0" does not disable usage metrics sent to Anthropic: DO_NOT_TRACK is a standard '
        'boolean, and "0" means no. Use 1 to opt out.'
    )
    assert (
        by_key[("CCP101", ".github/workflows/claude.yml", 5)]["context"]
        == "ci:.github/workflows/claude.yml#review"
    )
    assert data["summary"]["failed"] is True
    _snapshot("demo.json", proc.stdout)


def test_text_output_is_grouped_and_plain(demo_repo: Path) -> None:
    proc = ccpolicy("scan", "--no-policy", cwd=demo_repo)
    assert proc.returncode == 1
    assert "\x1b[" not in proc.stdout
    assert proc.stdout.startswith(".claude/settings.json\n")
    assert "  2:1  critical CCP401  ANTHROPIC_API_KEY is assigned a literal value" in proc.stdout
    assert proc.stdout.rstrip().splitlines()[-1].endswith("failing.")
    _snapshot("demo.txt", proc.stdout)


def test_sarif_output_matches_json_and_validates(demo_repo: Path) -> None:

    import jsonschema

    sarif_proc = ccpolicy("scan", "--no-policy", "-f", "sarif", cwd=demo_repo)
    json_proc = ccpolicy("scan", "--no-policy", "-f", "json", cwd=demo_repo)
    log = json.loads(sarif_proc.stdout)
    schema = json.loads((ROOT / ".ci" / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    results = {
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in log["runs"][0]["results"]
    }
    expected = {(f["rule_id"], f["path"], f["line"]) for f in json.loads(json_proc.stdout)["findings"]}
    assert results == expected
    assert log["runs"][0]["automationDetails"]["id"] == "ccpolicy/repository/"


def test_outputs_are_deterministic_and_written_atomically(demo_repo: Path, tmp_path: Path) -> None:
    out1, out2 = tmp_path / "a", tmp_path / "b"
    for out in (out1, out2):
        proc = ccpolicy(
            "scan", "--no-policy", "-q", "-o", f"{out}.sarif", "-o", f"json={out}.out", cwd=demo_repo
        )
        assert proc.returncode == 1
        assert proc.stdout == ""
    assert Path(f"{out1}.sarif").read_bytes() == Path(f"{out2}.sarif").read_bytes()
    assert Path(f"{out1}.out").read_bytes() == Path(f"{out2}.out").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_secret_never_appears_in_any_output(demo_repo: Path) -> None:
    secret = SECRET.search((demo_repo / ".env").read_text()).group(0)  # type: ignore[union-attr]
    for fmt in ("text", "json", "sarif", "markdown", "annotations"):
        proc = ccpolicy("scan", "--no-policy", "-f", fmt, cwd=demo_repo)
        assert secret not in proc.stdout + proc.stderr, fmt
        assert secret[13:25] not in proc.stdout, fmt
    proc = ccpolicy("effective", ".", "--all", cwd=demo_repo)
    assert secret not in proc.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["scan", "--fail-on", "never"], 0, ""),
        (["scan", "--fail-on", "critical"], 1, ""),
        (["scan", "--fail-on", "bogus"], 2, "--fail-on: unknown severity 'bogus'"),
        (["scan", "does-not-exist"], 2, "does-not-exist: no such file or directory"),
        (["scan", "-o", "out.unknown"], 2, "cannot tell the format"),
        (["scan", "--since", "HEAD"], 2, "--since and --all-branches go with --history"),
        (["frobnicate"], 2, "invalid choice"),
    ],
)
def test_exit_codes(demo_repo: Path, args: list[str], code: int, message: str) -> None:
    extra = ["--no-policy"] if args[0] == "scan" else []
    proc = ccpolicy(*args, *extra, cwd=demo_repo)
    assert proc.returncode == code, proc.stderr
    assert message in proc.stderr


def test_clean_repository_exits_zero(tmp_path: Path) -> None:
    repo = tmp_path / "clean"
    (repo / ".claude").mkdir(parents=True)
    (repo / ".claude" / "settings.json").write_text(
        '{"env": {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}, "skipWebFetchPreflight": true}\n'
    )
    git(repo, "init", "-q", "-b", "main")
    proc = ccpolicy("scan", "--no-policy", "--fail-on", "low", "-f", "json", cwd=repo)
    data = json.loads(proc.stdout)
    assert [f["rule_id"] for f in data["findings"]] == []
    assert proc.returncode == 0


def test_version_is_fast_path(tmp_path: Path) -> None:
    proc = ccpolicy("--version", cwd=tmp_path)
    assert proc.returncode == 0
    assert re.fullmatch(r"ccpolicy \d+\.\d+\.\d+\n", proc.stdout)


def test_effective_shows_provenance(demo_repo: Path) -> None:
    proc = ccpolicy("effective", ".", "--context", "ci:.github/workflows/claude.yml#review", cwd=demo_repo)
    assert proc.returncode == 0, proc.stderr
    assert "ci:.github/workflows/claude.yml#review" in proc.stdout
    assert '    DO_NOT_TRACK = "0"\n      set by .claude/settings.json:4:5\n' in proc.stdout
    assert '    DISABLE_TELEMETRY = ""\n      set by .github/workflows/claude.yml:5:3\n' in proc.stdout


def test_effective_host_shows_the_managed_winner(tmp_path: Path) -> None:
    root = ROOT / "fixtures" / "host" / "linux-conflicts"
    proc = ccpolicy("effective", "--host", "--root", str(root), "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    contexts = {c["id"]: c for c in json.loads(proc.stdout)["contexts"]}
    alice = contexts["host:alice"]
    telemetry = next(e for e in alice["env"] if e["name"] == "DISABLE_TELEMETRY")
    assert telemetry["set_by"] == [
        "/etc/claude-code/managed-settings.json:13:5",
        "/home/alice/.claude/settings.json:5:5",
    ]
    key = next(e for e in alice["env"] if e["name"] == "ANTHROPIC_API_KEY")
    assert key["value"] == "sk-ant-api03-…[REDACTED]"


def test_effective_rejects_host_flags_without_host(demo_repo: Path) -> None:
    proc = ccpolicy("effective", ".", "--root", "/", cwd=demo_repo)
    assert proc.returncode == 2
    assert "--root, --os, --all-users and --projects go with --host" in proc.stderr


COMMAND_NAMES = [
    "scan",
    "effective",
    "rules",
    "explain",
    "merge",
    "report",
    "policy",
    "install-hook",
    "baseline",
]


@pytest.mark.parametrize("args", [["--help"], ["-h", "scan"], ["--help", "scan", "."]])
def test_top_level_help_lists_every_command(tmp_path: Path, args: list[str]) -> None:
    proc = ccpolicy(*args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    listed = re.findall(r"^    ([a-z-]+)(?: {2,}\S|$)", proc.stdout, flags=re.M)
    assert listed == COMMAND_NAMES


def test_an_unknown_command_names_every_command(tmp_path: Path) -> None:
    proc = ccpolicy("scna", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1] == (
        "ccpolicy: error: argument COMMAND: invalid choice: 'scna' (choose from "
        + ", ".join(f"'{name}'" for name in COMMAND_NAMES)
        + ")"
    )


@pytest.mark.parametrize(("columns", "widest"), [(50, range(40, 49)), (160, range(100, 159))])
def test_help_is_wrapped_to_columns(tmp_path: Path, columns: int, widest: range) -> None:
    proc = ccpolicy("scan", "--help", cwd=tmp_path, env={"COLUMNS": str(columns)})
    assert proc.returncode == 0, proc.stderr
    # argparse keeps two columns free; only a list of choices cannot be broken
    assert max(len(line) for line in proc.stdout.splitlines() if "{" not in line) in widest


def test_a_scan_imports_neither_shutil_nor_tempfile(demo_repo: Path) -> None:
    # ~4 ms between them, for nothing a scan of a local directory needs on POSIX
    program = (
        "import sys; from scanner.cli import main; main(['scan', '.', '--format', 'short', '--fail-on', 'never']); "
        "print(sorted({'shutil', 'tempfile'} & set(sys.modules)), file=sys.stderr)"
    )
    env = {k: v for k, v in os.environ.items() if k != "CCPOLICY_NO_CACHE"}
    proc = subprocess.run(
        [sys.executable, "-c", program], cwd=demo_repo, env=env, capture_output=True, text=True
    )
    assert proc.stderr.splitlines()[-1] == "[]"


def test_the_exit_runs_exit_handlers(demo_repo: Path, tmp_path: Path) -> None:
    # the compiled expressions are saved by an atexit handler (scanner.regexcache)
    proc = ccpolicy(
        "scan",
        "--format",
        "short",
        cwd=demo_repo,
        env={"CCPOLICY_NO_CACHE": "", "XDG_CACHE_HOME": str(tmp_path)},
    )
    assert proc.returncode == 1, proc.stderr
    assert [path.name for path in (tmp_path / "ccpolicy" / "regex").iterdir()] == [
        f"{sys.implementation.cache_tag}.marshal"
    ]


def test_a_reader_that_went_away_is_no_error(demo_repo: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"}
    process = subprocess.Popen(
        [sys.executable, "-m", "scanner", "scan", "--format", "sarif", "--fail-on", "never"],
        cwd=demo_repo,
        env={**env, "CCPOLICY_NO_CACHE": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # as `| head` does once it has read enough
    stderr = process.stderr.read()
    assert process.wait(timeout=120) == 0
    assert stderr == b""
