"""Generate the benchmark inputs, deterministically, and cache them under benchmarks/out/.

    repo-10k        10,000 files: the ~200 configuration files of benchmarks.corpus among sources
    repo-100k       100,000 files: the same configuration files, more sources
    staged-10k      a copy of repo-10k with 20 configuration files changed and staged
    history-1k      1,000 commits over a small tree, a quarter of them touching configuration files
    history-10k     10,000 commits of the same kind
    host-200        a mounted Linux root (`--host --root`) with 10 users and 200 projects

Each input is rebuilt only when its recipe (sizes, seed, GENERATOR_VERSION) changed: a stamp
file in the input's directory records the recipe it was built from.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks import corpus, hostcorpus
from benchmarks.gitstream import Commit, git, import_commits

GENERATOR_VERSION = 1
SEED = "ccpolicy-bench-1"
STAMP = ".bench-recipe.json"
OUT = Path(__file__).resolve().parent / "out"

_EXTENSIONS = (".py", ".ts", ".md", ".json", ".go", ".css", ".txt", ".yaml")
# Ordinary files whose names come close to candidate names: the classifier must say no.
_NEAR_MISSES = (
    "settings.py",
    "config.json",
    "compose.py",
    ".dockerignore",
    "environment.ts",
    "README.env.md",
    "docker.md",
    "profile.py",
)


@dataclass(frozen=True)
class Recipe:
    """What an input is built from; a change here rebuilds it."""

    kind: str
    files: int = 0
    commits: int = 0
    users: int = 0
    projects_per_user: int = 0
    staged_changes: int = 0
    units: int = corpus.UNITS
    seed: str = SEED
    version: int = GENERATOR_VERSION

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]


def ordinary_path(index: int) -> str:
    """The path of ordinary (non-configuration) source file number `index`."""
    package, module = divmod(index, 500)
    folder = f"packages/pkg-{package:03d}/src/mod{module // 25:02d}"
    if index % 97 == 13:
        return f"{folder}/{_NEAR_MISSES[(index // 97) % len(_NEAR_MISSES)]}"
    return f"{folder}/file{index:06d}{_EXTENSIONS[index % len(_EXTENSIONS)]}"


def ordinary_text(index: int) -> str:
    """Source-like text of a few hundred bytes, different for every index."""
    words = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")
    body = " ".join(words[(index * 7 + k) % len(words)] for k in range(12 + index % 20))
    return (
        f"// generated file {index}\n"
        f"// {body}\n"
        f"value_{index} = {index * 2654435761 % 1000003}\n"
        f"def handler_{index}(value):\n    return value * {index % 97} + {index % 13}\n"
    )


def ordinary_files(count: int) -> Iterator[tuple[str, str]]:
    for index in range(count):
        yield ordinary_path(index), ordinary_text(index)


def repository_files(total: int, seed: str = SEED, units: int = corpus.UNITS) -> dict[str, str]:
    """The files of a benchmark repository of `total` files: the corpus, then ordinary sources."""
    files = corpus.config_files(seed, units)
    files.update(ordinary_files(max(0, total - len(files))))
    return files


def _stamped(path: Path, recipe: Recipe) -> bool:
    try:
        return bool(json.loads((path / STAMP).read_text())["digest"] == recipe.digest())
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _stamp(path: Path, recipe: Recipe, facts: Mapping[str, object]) -> None:
    (path / STAMP).write_text(json.dumps({"digest": recipe.digest(), "recipe": asdict(recipe), **facts}))


def _fresh(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)


def _exclude_stamp(repo: Path) -> None:
    """Keep the stamp out of `git ls-files --others` and so out of every scan of the input."""
    info = repo / ".git" / "info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "exclude").write_text(f"/{STAMP}\n")


def build_repository(path: Path, recipe: Recipe) -> None:
    _fresh(path)
    files = repository_files(recipe.files, recipe.seed, recipe.units)
    import_commits(path, [Commit("Benchmark repository", files)])
    _exclude_stamp(path)


def build_staged(path: Path, source: Path, recipe: Recipe) -> list[str]:
    """A copy of the repository at `source` with `recipe.staged_changes` files changed and staged."""
    _fresh(path)
    shutil.copytree(source, path, symlinks=True, ignore=shutil.ignore_patterns(STAMP))
    edits = corpus.staged_edits(recipe.seed, recipe.units, recipe.staged_changes)
    for relpath, text in edits.items():
        (path / relpath).write_text(text)
    git(path, "add", "--", *edits)
    return sorted(edits)


# History: a small tree, then commits that each change one source file; every 4th also appends
# a harmless line to a configuration file, and every 100th (at offset 50) adds a new Anthropic key
# to a .env that the next commit takes out again.
HISTORY_SOURCES = 300
_HISTORY_TOUCHED = ("api-{:03d}/.env", "api-{:03d}/scripts/review.sh", "web-{:03d}/.env")


def _history_unit(archetype: str, step: int) -> int:
    """The index of the `step`-th unit of an archetype (units cycle through the archetypes)."""
    order = corpus.ARCHETYPE_ORDER
    per_cycle = len(order)
    return (step % (corpus.UNITS // per_cycle)) * per_cycle + order.index(archetype)


def history_commits(commits: int, seed: str = SEED) -> Iterator[Commit]:
    files = repository_files(len(corpus.config_files(seed)) + HISTORY_SOURCES, seed)
    yield Commit("Initial tree", dict(files))
    secrets = corpus.Secrets(seed + "/history")
    planted: str | None = None
    for number in range(1, commits):
        writes: dict[str, str] = {}
        source = ordinary_path(number % HISTORY_SOURCES)
        files[source] += f"# change {number}\n"
        writes[source] = files[source]
        if number % 4 == 0:
            template = _HISTORY_TOUCHED[(number // 4) % len(_HISTORY_TOUCHED)]
            archetype = template.split("-", 1)[0]
            path = "services/" + template.format(_history_unit(archetype, number // 12))
            line = f"# reviewed in change {number}\n" if path.endswith(".sh") else f"FEATURE_{number}=on\n"
            files[path] += line
            writes[path] = files[path]
        if number % 100 == 50:
            planted = f"services/api-{_history_unit('api', number // 100):03d}/.env"
            writes[planted] = files[planted] + f"ANTHROPIC_API_KEY_ROTATED={secrets.anthropic_api_key()}\n"
        elif planted is not None:
            writes[planted] = files[planted]  # the key is taken out again
            planted = None
        yield Commit(f"Change {number}", writes)


def expected_history_findings(commits: int, units: int = corpus.UNITS) -> Counter[str]:
    """Credentials ever committed (CCP403): one per distinct secret.

    The initial tree holds one Anthropic key per `api` unit and one AWS key pair per `worker`
    unit (reported once, as the repository scan does); one more key is planted every 100 commits.
    """
    per_cycle = len(corpus.ARCHETYPE_ORDER)
    base = sum(1 for index in range(units) if index % per_cycle in (0, 1))
    planted = sum(1 for number in range(1, commits) if number % 100 == 50)
    return Counter({"CCP403": base + planted})


def build_history(path: Path, recipe: Recipe) -> None:
    _fresh(path)
    import_commits(path, history_commits(recipe.commits, recipe.seed))
    _exclude_stamp(path)


def build_host(path: Path, recipe: Recipe) -> None:
    _fresh(path)
    for relpath, text in hostcorpus.host_files(recipe.users, recipe.projects_per_user).items():
        target = path / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


RECIPES: Mapping[str, Recipe] = {
    "repo-10k": Recipe("repository", files=10_000),
    "repo-100k": Recipe("repository", files=100_000),
    "staged-10k": Recipe("staged", files=10_000, staged_changes=corpus.STAGED_CHANGES),
    "history-1k": Recipe("history", commits=1_000),
    "history-10k": Recipe("history", commits=10_000),
    "host-200": Recipe("host", users=hostcorpus.USERS, projects_per_user=hostcorpus.PROJECTS_PER_USER),
}


def ensure(names: tuple[str, ...], out: Path = OUT, log: object = print) -> dict[str, Path]:
    """Build the named inputs that are missing or stale; their paths, by name."""
    paths: dict[str, Path] = {}
    for name in names:
        recipe = RECIPES[name]
        path = out / name
        paths[name] = path
        if _stamped(path, recipe):
            continue
        if callable(log):
            log(f"generating {name} ...")
        facts: dict[str, object] = {}
        if recipe.kind == "repository":
            build_repository(path, recipe)
        elif recipe.kind == "staged":
            source = ensure(("repo-10k",), out, log)["repo-10k"]
            facts["staged"] = build_staged(path, source, recipe)
        elif recipe.kind == "history":
            build_history(path, recipe)
        elif recipe.kind == "host":
            build_host(path, recipe)
        _stamp(path, recipe, facts)
    return paths


def staged_paths(path: Path) -> list[str]:
    data = json.loads((path / STAMP).read_text())
    return [str(p) for p in data.get("staged", [])]
