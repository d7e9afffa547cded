"""The scenarios: what ccpolicy runs, the floors and peers it is timed beside, and its targets.

A target is a ratio measured in the same run: ccpolicy's median over a reference's median, where
the reference is a floor, peer or baseline of the same scenario, timed in turns with ccpolicy (for
scaling, the baseline of the 100,000-file scan is the scan of the 10,000-file repository), or
ccpolicy in another scenario.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import corpus, generate, hostcorpus
from benchmarks.measure import Command, environment
from scanner import parsecache

PYTHON_PASS = "python -c pass"
GIT_LS_FILES = "git ls-files"
GIT_UNTRACKED = "git ls-files --others"
GIT_LOG_P = "git log -p"
DETECT_SECRETS = "detect-secrets"
SEMGREP = "semgrep"
ZIZMOR = "zizmor"
SCAN_10K = "ccpolicy scan (10,000 files)"
FIRST_SCAN = "ccpolicy scan, no parses cached"
MEMORY_LIMIT_KIB = 80 * 1024

SEMGREP_RULE = """\
rules:
  - id: anthropic-api-key
    languages: [generic]
    severity: ERROR
    message: Anthropic API key
    pattern-regex: sk-ant-api03-[A-Za-z0-9_-]{20,}
"""


@dataclass(frozen=True)
class Target:
    reference: str  # a floor or peer label of this scenario, or "scenario:NAME" (ccpolicy there)
    bound: float  # ccpolicy's median must be at most bound x the reference's

    @property
    def text(self) -> str:
        name = self.reference.removeprefix("scenario:")
        return f"≤ {self.bound:g} × {name}"


@dataclass(frozen=True)
class Reference:
    command: Command
    role: str  # "floor", "peer", "baseline" or "first run" (ccpolicy without its parse cache)
    runs: int | None = None  # fewer runs for slow peers (None: the scenario's)
    available: bool = True  # a peer that is not installed is listed, not run


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    inputs: tuple[str, ...]
    subject: Command
    references: tuple[Reference, ...] = ()
    targets: tuple[Target, ...] = ()
    # The same run with JSON output, whose findings per rule must equal `expected`.
    check: Command | None = None
    expected: Mapping[str, int] = field(default_factory=dict)
    slow: bool = False  # left out of --quick
    setup: Callable[[], None] | None = None  # run once after the check, before timing


@dataclass(frozen=True)
class Tools:
    python: str  # the interpreter ccpolicy is installed in (the floor's `python`)
    ccpolicy: tuple[str, ...]
    peers: Path  # the peers' virtual environment (benchmarks/out/peers)

    def peer(self, name: str) -> str | None:
        path = self.peers / "bin" / name
        return str(path) if path.exists() else None


def default_tools(peers: Path, python: str = sys.executable) -> Tools:
    """ccpolicy as installed beside `python` (its console script), and that python as the floor."""
    console = Path(python).parent / "ccpolicy"
    ccpolicy = (str(console),) if console.exists() else (python, "-m", "scanner")
    return Tools(python, ccpolicy, peers)


def _python_pass(tools: Tools, cwd: Path) -> Reference:
    return Reference(Command(PYTHON_PASS, (tools.python, "-c", "pass"), cwd), "floor")


def _git(label: str, cwd: Path, *args: str) -> Reference:
    return Reference(Command(label, ("git", *args), cwd), "floor")


def _peer(
    tools: Tools, label: str, executable: str, args: tuple[str, ...], cwd: Path, runs: int | None = None
) -> Reference:
    path = tools.peer(executable)
    argv = (path or executable, *args)
    return Reference(Command(label, argv, cwd), "peer", runs=runs, available=path is not None)


def _scan(tools: Tools, label: str, cwd: Path, *args: str) -> tuple[Command, Command]:
    """(timed command, check command): the check asks for JSON and never fails on findings."""
    timed = Command(label, (*tools.ccpolicy, "scan", *args), cwd)
    check = Command(label, (*tools.ccpolicy, "scan", *args, "--format", "json", "--fail-on", "never"), cwd)
    return timed, check


def build(paths: Mapping[str, Path], tools: Tools, out: Path) -> list[Scenario]:
    """Every scenario whose inputs are in `paths` (generated input name -> directory)."""
    rule = out / "semgrep-rule.yml"
    rule.parent.mkdir(parents=True, exist_ok=True)
    rule.write_text(SEMGREP_RULE)
    made: list[Scenario] = []
    here = out

    made.append(
        Scenario(
            "version",
            "`ccpolicy --version`",
            (),
            Command("ccpolicy --version", (*tools.ccpolicy, "--version"), here),
            (_python_pass(tools, here),),
            (Target(PYTHON_PASS, 3),),
        )
    )
    builders: dict[str, Callable[[Path], Scenario]] = {
        "staged-10k": lambda p: _staged(p, tools, out),
        "repo-10k": lambda p: _full(p, tools, "full-10k", rule, slow=False),
        "repo-100k": lambda p: _full(p, tools, "full-100k", rule, slow=True, baseline=paths.get("repo-10k")),
        "history-1k": lambda p: _history(p, tools, "history-1k", 1_000, slow=False),
        "history-10k": lambda p: _history(p, tools, "history-10k", 10_000, slow=True),
        "host-200": lambda p: _host(p, tools),
    }
    for name, make in builders.items():
        if name in paths:
            made.append(make(paths[name]))
    return made


def _staged(repo: Path, tools: Tools, out: Path) -> Scenario:
    staged = generate.staged_paths(repo)
    timed, check = _scan(tools, "ccpolicy scan --staged", repo, "--staged")
    cache = parsecache.cache_file(repo)
    snapshot = out / "staged-head-parses.pickle"
    # As after the previous commit's hook run: the parse cache holds HEAD's blobs, so the run
    # timed reads and parses the staged changes and reuses the rest (scanner.parsecache).
    prepare = ("cp", str(snapshot), str(cache)) if cache is not None else None
    timed = Command(timed.label, (*timed.argv, "--format", "short"), repo, prepare=prepare)
    workflows = tuple(sorted(p for p in corpus.root_files() if p.startswith(".github/workflows/")))
    return Scenario(
        "staged-10k",
        f"`scan --staged` (pre-commit): {len(staged)} staged configuration files in the 10,000-file repository",
        ("staged-10k",),
        timed,
        (
            _python_pass(tools, repo),
            _git(GIT_LS_FILES, repo, "ls-files", "-s"),
            _peer(tools, DETECT_SECRETS, "detect-secrets-hook", tuple(staged), repo),
            _peer(tools, ZIZMOR, "zizmor", ("--offline", "--no-progress", *workflows), repo),
        ),
        (Target(DETECT_SECRETS, 0.5), Target(PYTHON_PASS, 8)),
        check,
        corpus.expected_staged_findings(),
        setup=(lambda: warm_head_parses(repo, tools, cache, snapshot)) if cache is not None else None,
    )


def warm_head_parses(repo: Path, tools: Tools, cache: Path, snapshot: Path) -> None:
    """Save the parse cache a staged run of HEAD's index leaves (the state before the changes)."""
    index = snapshot.with_suffix(".index")
    subprocess.run(["git", "read-tree", f"--index-output={index}", "HEAD"], cwd=repo, check=True)
    cache.unlink(missing_ok=True)
    subprocess.run(
        [*tools.ccpolicy, "scan", "--staged", "--format", "short"],
        cwd=repo,
        env=environment({"GIT_INDEX_FILE": str(index)}),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,  # findings exit 1
    )
    index.unlink()
    shutil.copyfile(cache, snapshot)


def _full(
    repo: Path, tools: Tools, name: str, rule: Path, *, slow: bool, baseline: Path | None = None
) -> Scenario:
    """A full scan; with `baseline` (the 10,000-file repository), timed in turns with the scan of it."""
    timed, check = _scan(tools, "ccpolicy scan", repo, ".")
    size = "100,000" if name == "full-100k" else "10,000"
    references = [
        _python_pass(tools, repo),
        _git(GIT_LS_FILES, repo, "ls-files"),
        # The walk for untracked files, which a scan must do too: what grows with the tree.
        _git(GIT_UNTRACKED, repo, "ls-files", "--others", "--exclude-standard"),
    ]
    targets = [Target(PYTHON_PASS, 12)]
    if name == "full-100k":
        targets = [Target("scenario:full-10k", 1.5)]
        if baseline is not None:
            references.append(
                Reference(Command(SCAN_10K, (*tools.ccpolicy, "scan", "."), baseline), "baseline")
            )
            targets = [Target(SCAN_10K, 1.5)]
    if name == "full-10k":
        cache = parsecache.cache_file(repo, "worktree")
        if cache is not None:
            # The same scan without the previous run's parses (scanner.parsecache): a directory's
            # first scan, as in a fresh CI job (whose other caches would be cold too).
            first = Command(FIRST_SCAN, timed.argv, repo, prepare=("rm", "-f", str(cache)))
            references.append(Reference(first, "first run"))
        references += [
            _peer(
                tools,
                SEMGREP,
                "semgrep",
                ("scan", "--config", str(rule), "--metrics=off", "--disable-version-check", "--quiet", "."),
                repo,
                runs=3,
            ),
            _peer(tools, DETECT_SECRETS, "detect-secrets", ("scan", "."), repo, runs=1),
            _peer(tools, ZIZMOR, "zizmor", ("--offline", "--no-progress", ".github/workflows"), repo),
        ]
    return Scenario(
        name,
        f"full scan of the {size}-file repository (~200 configuration files)",
        (f"repo-{name.split('-')[1]}",),
        timed,
        tuple(references),
        tuple(targets),
        check,
        corpus.expected_findings(),
        slow=slow,
    )


def _history(repo: Path, tools: Tools, name: str, commits: int, *, slow: bool) -> Scenario:
    timed, check = _scan(tools, "ccpolicy scan --history", repo, "--history")
    targets = [Target(GIT_LOG_P, 3)] if commits == 1_000 else [Target("scenario:history-1k", 10)]
    return Scenario(
        name,
        f"`scan --history` over {commits:,} commits",
        (name,),
        timed,
        (_python_pass(tools, repo), _git(GIT_LOG_P, repo, "log", "-p")),
        tuple(targets),
        check,
        generate.expected_history_findings(commits),
        slow=slow,
    )


def _host(root: Path, tools: Tools) -> Scenario:
    timed, check = _scan(tools, "ccpolicy scan --host", root, "--host", "--root", ".", "--os", "linux")
    projects = hostcorpus.USERS * hostcorpus.PROJECTS_PER_USER
    return Scenario(
        "host-200",
        f"`scan --host --root` of a Linux root with {hostcorpus.USERS} users and {projects} projects",
        ("host-200",),
        timed,
        (_python_pass(tools, root),),
        (Target(PYTHON_PASS, 15),),
        check,
        hostcorpus.expected_host_findings(),
    )


def counts(findings: object) -> Counter[str]:
    """Findings per rule in a JSON report's `findings` list."""
    if not isinstance(findings, list):
        return Counter()
    return Counter(str(f.get("rule_id")) for f in findings if isinstance(f, dict))
