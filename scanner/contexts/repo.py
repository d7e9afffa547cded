"""Contexts found in a repository: projects, CI jobs, containers, scripts and managed policies.

A repository scan knows only the repository's own layers (no managed or user settings of the
machine that will run it); host scans (contexts.host) add those.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence

from scanner.contexts.model import Context, ContextKind, Layer, LayerKind
from scanner.contexts.resolve import resolve_env, resolve_provider, resolve_settings
from scanner.knowledge import KnowledgeBase
from scanner.model import FileKind, JSONValue, Location, Observation, ParsedFile

# Settings precedence, highest first (reference 1.2); environment layers keep their given order below.
SETTINGS_RANK = {
    LayerKind.MANAGED: 0,
    LayerKind.CLI: 1,
    LayerKind.LOCAL: 2,
    LayerKind.PROJECT: 3,
    LayerKind.USER: 4,
}
REJECTING_KINDS = frozenset({FileKind.SETTINGS_USER, FileKind.SETTINGS_PROJECT, FileKind.SETTINGS_LOCAL})
MANAGED_KINDS = frozenset({FileKind.SETTINGS_MANAGED, FileKind.SETTINGS_MANAGED_DROPIN})


def rejection(parsed: ParsedFile) -> str:
    """Why Claude Code would not read this settings file at all, or "" when it would."""
    errors = parsed.facts.get("strict_errors")
    if parsed.facts.get("parse_failed"):
        return f"{parsed.path} is not valid JSON"
    if parsed.kind in REJECTING_KINDS and isinstance(errors, list) and errors:
        first = errors[0]
        what = first.get("message", "") if isinstance(first, dict) else ""
        return f"Claude Code rejects {parsed.path} as a whole ({what})"
    if parsed.kind in MANAGED_KINDS and parsed.facts.get("valid_json") is False:
        return f"{parsed.path} is not valid JSON, so it contributes nothing"
    return ""


def settings_layer(parsed: ParsedFile, kind: LayerKind, label: str | None = None) -> Layer:
    why = rejection(parsed)
    return Layer(
        kind=kind,
        label=label or parsed.path,
        observations=parsed.observations,
        paths=(parsed.path,),
        in_effect=not why,
        why_not_in_effect=why,
    )


def env_layer(
    kind: LayerKind, label: str, observations: Iterable[Observation], paths: Sequence[str]
) -> Layer:
    return Layer(kind=kind, label=label, observations=tuple(observations), paths=tuple(paths))


def build_context(
    cid: str,
    kind: ContextKind,
    label: str,
    anchor: Location,
    layers: Sequence[Layer],
    kb: KnowledgeBase,
    attributes: Mapping[str, str] | None = None,
) -> Context:
    ordered = tuple(sorted(layers, key=lambda layer: SETTINGS_RANK.get(layer.kind, len(SETTINGS_RANK))))
    env = resolve_env(ordered)
    settings = resolve_settings(ordered, kb)
    return Context(
        id=cid,
        kind=kind,
        label=label,
        anchor=anchor,
        layers=ordered,
        env=env,
        settings=settings,
        provider=resolve_provider(env, kb),
        attributes=dict(attributes or {}),
    )


def _dir_of_claude_file(path: str) -> str:
    """`a/b/.claude/settings.json` -> `a/b`; `.claude/settings.json` -> `.`."""
    parent = posixpath.dirname(posixpath.dirname(path))
    return parent or "."


def _anchor(parsed: ParsedFile, facts_key: str = "anchor") -> Location:
    raw = parsed.facts.get(facts_key)
    if isinstance(raw, dict):
        line, column = raw.get("line"), raw.get("column")
        if isinstance(line, int) and isinstance(column, int):
            return Location(parsed.path, line, column)
    return Location(parsed.path, 1, 1)


def _settings_anchor(parsed: ParsedFile) -> Location:
    for obs in parsed.observations:
        if obs.name == "env":
            return obs.location
    return Location(parsed.path, 1, 1)


class RepoContextBuilder:
    def __init__(self, files: Sequence[ParsedFile], kb: KnowledgeBase) -> None:
        self.files = {f.path: f for f in files}
        self.kb = kb
        self.project_dirs: dict[str, dict[FileKind, ParsedFile]] = {}
        for f in files:
            if f.kind in (FileKind.SETTINGS_PROJECT, FileKind.SETTINGS_LOCAL):
                self.project_dirs.setdefault(_dir_of_claude_file(f.path), {})[f.kind] = f

    # -- shared layers -------------------------------------------------------------------------

    def project_layers(self, directory: str) -> list[Layer]:
        found = self.project_dirs.get(directory, {})
        layers: list[Layer] = []
        local = found.get(FileKind.SETTINGS_LOCAL)
        if local is not None:
            layers.append(settings_layer(local, LayerKind.LOCAL))
        project = found.get(FileKind.SETTINGS_PROJECT)
        if project is not None:
            layers.append(settings_layer(project, LayerKind.PROJECT))
        return layers

    def nearest_project(self, path: str) -> str | None:
        directory = posixpath.dirname(path) or "."
        while True:
            if directory in self.project_dirs:
                return directory
            if directory in (".", ""):
                return None
            directory = posixpath.dirname(directory) or "."

    def envrc_layer(self, directory: str) -> Layer | None:
        current = directory
        while True:
            candidate = ".envrc" if current == "." else f"{current}/.envrc"
            parsed = self.files.get(candidate)
            if parsed is not None:
                exported = [o for o in parsed.observations if o.scope not in ("command-local", "alias")]
                return env_layer(LayerKind.SHELL, candidate, exported, (candidate,))
            if current == ".":
                return None
            current = posixpath.dirname(current) or "."

    # -- contexts ------------------------------------------------------------------------------

    def contexts(self) -> list[Context]:
        out: list[Context] = []
        out.extend(self._projects())
        out.extend(self._inert_settings())
        out.extend(self._managed_policies())
        for parsed in sorted(self.files.values(), key=lambda f: f.path):
            if parsed.kind is FileKind.WORKFLOW:
                out.extend(self._ci_jobs(parsed))
            elif parsed.kind is FileKind.DOCKERFILE and parsed.facts.get("runs_claude"):
                out.append(self._container(parsed))
            elif parsed.kind is FileKind.DEVCONTAINER and parsed.facts.get("runs_claude"):
                out.append(self._devcontainer(parsed))
            elif parsed.kind is FileKind.COMPOSE:
                out.extend(self._compose(parsed))
            elif parsed.kind in (FileKind.SHELL, FileKind.FISH, FileKind.CSH, FileKind.POWERSHELL) and (
                parsed.facts.get("runs_claude")
            ):
                out.append(self._script(parsed))
        return sorted(out, key=lambda c: c.id)

    def _projects(self) -> list[Context]:
        out = []
        for directory in sorted(self.project_dirs):
            layers = self.project_layers(directory)
            envrc = self.envrc_layer(directory)
            if envrc is not None:
                layers.append(envrc)
            found = self.project_dirs[directory]
            main = found.get(FileKind.SETTINGS_PROJECT) or found[FileKind.SETTINGS_LOCAL]
            out.append(
                build_context(
                    f"project:{directory}",
                    ContextKind.PROJECT,
                    f"project {directory}",
                    _settings_anchor(main),
                    layers,
                    self.kb,
                    {"directory": directory},
                )
            )
        return out

    def _inert_settings(self) -> list[Context]:
        out = []
        for parsed in sorted(self.files.values(), key=lambda f: f.path):
            if parsed.kind is not FileKind.SETTINGS_INERT:
                continue
            layer = Layer(LayerKind.PROJECT, parsed.path, parsed.observations, (parsed.path,))
            out.append(
                build_context(
                    f"inert:{parsed.path}",
                    ContextKind.PROJECT,
                    f"{parsed.path} (not read by Claude Code)",
                    _settings_anchor(parsed),
                    [layer],
                    self.kb,
                    {"not_in_effect": f"{posixpath.basename(parsed.path)} is not a file Claude Code reads"},
                )
            )
        return out

    def _managed_policies(self) -> list[Context]:
        out = []
        for parsed in sorted(self.files.values(), key=lambda f: f.path):
            if parsed.kind is not FileKind.SETTINGS_MANAGED:
                continue
            directory = posixpath.dirname(parsed.path)
            dropin_dir = (
                posixpath.join(directory, "managed-settings.d") if directory else "managed-settings.d"
            )
            dropins = sorted(
                (
                    f
                    for f in self.files.values()
                    if f.kind is FileKind.SETTINGS_MANAGED_DROPIN and posixpath.dirname(f.path) == dropin_dir
                ),
                key=lambda f: posixpath.basename(f.path),
                reverse=True,  # later files win: highest precedence first
            )
            layers = [settings_layer(d, LayerKind.MANAGED) for d in dropins]
            layers.append(settings_layer(parsed, LayerKind.MANAGED))
            out.append(
                build_context(
                    f"managed:{parsed.path}",
                    ContextKind.MANAGED_POLICY,
                    f"managed policy {parsed.path}",
                    _settings_anchor(parsed),
                    layers,
                    self.kb,
                    _legacy_managed_attributes(parsed.path),
                )
            )
        return out

    def _root_project_layers(self, path: str) -> list[Layer]:
        directory = self.nearest_project(path)
        if directory is None:
            directory = "." if "." in self.project_dirs else None
        return self.project_layers(directory) if directory is not None else []

    def _ci_jobs(self, parsed: ParsedFile) -> list[Context]:
        jobs = parsed.facts.get("jobs")
        if not isinstance(jobs, dict):
            return []
        out = []
        for job_id in sorted(jobs):
            job = jobs[job_id]
            if not isinstance(job, dict) or not job.get("runs_claude"):
                continue
            step_groups = _claude_step_groups(job_id, job)
            steps, action, settings, job_env, wf_env = [], [], [], [], []
            for obs in parsed.observations:
                g = obs.group
                if obs.scope == "workflow-env":
                    wf_env.append(obs)
                elif len(g) >= 2 and g[0] == "jobs" and g[1] == job_id:
                    if obs.scope == "job-env":
                        job_env.append(obs)
                    elif g in step_groups:
                        if obs.scope in ("action-settings", "action-settings-env"):
                            settings.append(obs)
                        elif obs.scope.startswith("action"):
                            action.append(obs)
                        else:
                            steps.append(obs)
            # The action writes inline `settings` to ~/.claude/settings.json (user scope), and its own
            # step env (from its inputs) overrides the workflow's step env for the names it sets.
            layers = [
                env_layer(
                    LayerKind.USER, f"{parsed.path} job {job_id} action settings", settings, (parsed.path,)
                ),
                env_layer(
                    LayerKind.ACTION, f"{parsed.path} job {job_id} action inputs", action, (parsed.path,)
                ),
                env_layer(LayerKind.STEP, f"{parsed.path} job {job_id} step env", steps, (parsed.path,)),
                env_layer(LayerKind.JOB, f"{parsed.path} job {job_id} env", job_env, (parsed.path,)),
                env_layer(LayerKind.WORKFLOW, f"{parsed.path} workflow env", wf_env, (parsed.path,)),
            ]
            layers = [layer for layer in layers if layer.observations]
            layers.extend(self._root_project_layers(".github"))
            line, column = job.get("line", 1), job.get("column", 1)
            anchor = Location(
                parsed.path, line if isinstance(line, int) else 1, column if isinstance(column, int) else 1
            )
            out.append(
                build_context(
                    f"ci:{parsed.path}#{job_id}",
                    ContextKind.CI,
                    f"job {job_id} in {parsed.path}",
                    anchor,
                    layers,
                    self.kb,
                    {"workflow": parsed.path, "job": str(job_id)},
                )
            )
        return out

    def _image_layers(self, dockerfile: str | None) -> list[Layer]:
        if not dockerfile:
            return []
        parsed = self.files.get(dockerfile)
        if parsed is None:
            return []
        return [env_layer(LayerKind.IMAGE, dockerfile, _final_stage_observations(parsed), (dockerfile,))]

    def _container(self, parsed: ParsedFile) -> Context:
        layers = self._image_layers(parsed.path)
        return build_context(
            f"container:{parsed.path}",
            ContextKind.CONTAINER,
            f"image built from {parsed.path}",
            _anchor(parsed),
            layers,
            self.kb,
        )

    def _devcontainer(self, parsed: ParsedFile) -> Context:
        remote = [o for o in parsed.observations if o.scope == "remote-env"]
        container = [o for o in parsed.observations if o.scope == "container-env"]
        layers = [
            env_layer(LayerKind.CONTAINER_ENV, f"{parsed.path} remoteEnv", remote, (parsed.path,)),
            env_layer(LayerKind.CONTAINER_ENV, f"{parsed.path} containerEnv", container, (parsed.path,)),
        ]
        dockerfile = parsed.facts.get("dockerfile")
        layers.extend(self._image_layers(dockerfile if isinstance(dockerfile, str) else None))
        layers = [layer for layer in layers if layer.observations]
        # The workspace is mounted into the container, so the repository's project settings apply.
        layers.extend(self.project_layers(".") if "." in self.project_dirs else [])
        return build_context(
            f"devcontainer:{parsed.path}",
            ContextKind.DEVCONTAINER,
            f"devcontainer {parsed.path}",
            _anchor(parsed),
            layers,
            self.kb,
        )

    def _compose(self, parsed: ParsedFile) -> list[Context]:
        services = parsed.facts.get("services")
        if not isinstance(services, dict):
            return []
        out = []
        base = posixpath.dirname(parsed.path)
        for name in sorted(services):
            svc = services[name]
            if not isinstance(svc, dict) or not svc.get("runs_claude"):
                continue
            env = [o for o in parsed.observations if o.group[:2] == ("services", name)]
            layers = [
                env_layer(LayerKind.CONTAINER_ENV, f"{parsed.path} service {name}", env, (parsed.path,))
            ]
            for env_file in _strings(svc.get("env_files")):
                resolved = posixpath.normpath(posixpath.join(base, env_file))
                ef = self.files.get(resolved)
                if ef is not None:
                    layers.append(env_layer(LayerKind.ENV_FILE, resolved, ef.observations, (resolved,)))
            build = svc.get("build")
            if isinstance(build, dict) and isinstance(build.get("dockerfile"), str):
                layers.extend(self._image_layers(str(build["dockerfile"])))
            line, column = svc.get("line", 1), svc.get("column", 1)
            anchor = Location(
                parsed.path, line if isinstance(line, int) else 1, column if isinstance(column, int) else 1
            )
            out.append(
                build_context(
                    f"compose:{parsed.path}#{name}",
                    ContextKind.COMPOSE,
                    f"service {name} in {parsed.path}",
                    anchor,
                    [layer for layer in layers if layer.observations],
                    self.kb,
                    {"service": str(name)},
                )
            )
        return out

    def _script(self, parsed: ParsedFile) -> Context:
        claude_lines = _claude_command_groups(parsed)
        env = [
            o
            for o in parsed.observations
            if o.scope not in ("command-local", "alias") or o.group in claude_lines
        ]
        layers = [env_layer(LayerKind.SHELL, parsed.path, env, (parsed.path,))]
        layers.extend(self._root_project_layers(parsed.path))
        first = _first_claude_command(parsed)
        return build_context(
            f"script:{parsed.path}",
            ContextKind.SCRIPT,
            f"script {parsed.path}",
            first or Location(parsed.path, 1, 1),
            layers,
            self.kb,
        )


def _legacy_managed_attributes(path: str) -> dict[str, str]:
    """A managed file in the legacy Windows ProgramData folder is a stale policy (CCP504)."""
    from scanner.checks.managed_paths import legacy_managed_path

    if legacy_managed_path(path):
        return {"not_in_effect": "Claude Code no longer reads C:\\ProgramData\\ClaudeCode (since v2.1.75)"}
    return {}


def _strings(value: JSONValue) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _claude_step_groups(job_id: str, job: Mapping[str, JSONValue]) -> set[tuple[str, ...]]:
    groups: set[tuple[str, ...]] = set()
    steps = job.get("claude_steps")
    if isinstance(steps, list):
        for step in steps:
            if isinstance(step, dict) and isinstance(step.get("index"), int):
                groups.add(("jobs", job_id, "steps", str(step["index"])))
    return groups


def _claude_command_groups(parsed: ParsedFile) -> set[tuple[str, ...]]:
    groups: set[tuple[str, ...]] = set()
    commands = parsed.facts.get("commands")
    if isinstance(commands, list):
        for cmd in commands:
            if isinstance(cmd, dict) and cmd.get("runs_claude") and isinstance(cmd.get("line"), int):
                groups.add(("command", str(cmd["line"])))
    for obs in parsed.observations:
        if obs.scope == "alias":
            groups.add(obs.group)
    return groups


def _first_claude_command(parsed: ParsedFile) -> Location | None:
    commands = parsed.facts.get("commands")
    if isinstance(commands, list):
        for cmd in commands:
            if isinstance(cmd, dict) and cmd.get("runs_claude"):
                line, column = cmd.get("line"), cmd.get("column")
                if isinstance(line, int) and isinstance(column, int):
                    return Location(parsed.path, line, column)
    return None


def _final_stage_observations(parsed: ParsedFile) -> list[Observation]:
    """ENV of the stage that runs Claude Code and of the stages it is built FROM."""
    stages = parsed.facts.get("stages")
    if not isinstance(stages, list) or not stages:
        return list(parsed.observations)
    chosen = None
    for stage in stages:
        if isinstance(stage, dict) and (stage.get("runs_claude") or stage.get("installs_claude")):
            chosen = stage
    if chosen is None:
        chosen = stages[-1] if isinstance(stages[-1], dict) else None
    if chosen is None:
        return list(parsed.observations)
    wanted: set[str] = set()
    current: JSONValue = chosen
    while isinstance(current, dict) and isinstance(current.get("index"), int):
        index = current["index"]
        if str(index) in wanted:
            break
        wanted.add(str(index))
        parent = current.get("parent")
        current = stages[parent] if isinstance(parent, int) and 0 <= parent < len(stages) else None
    return [o for o in parsed.observations if len(o.group) < 2 or o.group[1] in wanted]
