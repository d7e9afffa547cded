"""The context model: layers in precedence order and the effective value of every key.

A context is built once (by contexts.repo for repositories, contexts.host for machines) and
then only read by rules. Layers are always stored highest precedence first, and resolution
(contexts.resolve) is the one place that knows how layers combine, so repository and host
contexts share it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from scanner.model import EMPTY_MAPPING, JSONValue, Location, Observation, ValueKind
from scanner.records import NamedTuple


class ContextKind(str, enum.Enum):
    PROJECT = "project"  # a directory with Claude Code project settings
    CI = "ci"  # a GitHub Actions job that runs Claude Code
    CONTAINER = "container"  # a Dockerfile that installs or runs Claude Code
    DEVCONTAINER = "devcontainer"
    COMPOSE = "compose-service"
    HOST = "host"  # a (user, project) pair on a machine
    MANAGED_POLICY = "managed-policy"  # a managed-settings file kept in a repository, as deployed
    SCRIPT = "script"  # a shell script in the repository that runs Claude Code


class LayerKind(str, enum.Enum):
    """Where a layer comes from. Settings layers carry settings keys and a settings `env`;
    environment layers carry only variables (shell exports, CI env, image env)."""

    MANAGED = "managed"
    CLI = "cli"
    LOCAL = "local"
    PROJECT = "project"
    USER = "user"
    # environment layers, below every settings `env`
    ACTION = "action"  # claude-code-action inputs (claude_env, provider switches): above the step env
    STEP = "step"
    JOB = "job"
    WORKFLOW = "workflow"
    CONTAINER_ENV = "container-env"  # devcontainer containerEnv/remoteEnv, compose environment
    ENV_FILE = "env-file"  # .env files loaded by compose or direnv
    IMAGE = "image"  # Dockerfile ENV/ARG
    SHELL = "shell"  # shell profiles and scripts, .envrc
    PROCESS = "process"  # the scanner's own environment (opt-in)

    @property
    def is_settings(self) -> bool:
        return self in _SETTINGS_LAYERS


_SETTINGS_LAYERS = frozenset(
    {LayerKind.MANAGED, LayerKind.CLI, LayerKind.LOCAL, LayerKind.PROJECT, LayerKind.USER}
)


class Layer(NamedTuple):
    kind: LayerKind
    label: str  # e.g. ".claude/settings.json" or "job build env"
    observations: tuple[Observation, ...]
    paths: tuple[str, ...] = ()
    # False when Claude Code would not read this layer (rejected settings file, inert example).
    in_effect: bool = True
    why_not_in_effect: str = ""


class Effective(NamedTuple):
    """The value Claude Code would use for one variable or setting, and why."""

    name: str
    value: JSONValue
    value_kind: ValueKind
    winner: Observation | None
    # Every observation that set it, highest precedence first (the winner first). Observations
    # in layers that are not in effect are listed too, after the ones that count.
    chain: tuple[Observation, ...] = ()
    ignored: tuple[Observation, ...] = ()  # set where Claude Code ignores it (scope, rejected file)

    @property
    def is_set(self) -> bool:
        """Unset or `""` both mean unset to Claude Code (reference 2.1)."""
        if self.winner is None:
            return False
        return not (self.value_kind is ValueKind.LITERAL and self.value == "")

    @property
    def locations(self) -> tuple[Location, ...]:
        return tuple(o.location for o in self.chain)


class Provider(NamedTuple):
    """The API provider in effect (reference 2.3)."""

    name: str  # first-party | bedrock | vertex | foundry | anthropic-aws | mantle
    certain: bool = True  # False when a switch is a reference or dynamic value
    evidence: Effective | None = None
    base_url: str | None = None  # the endpoint override in effect, if any
    managed_by_host: bool = False

    @property
    def third_party(self) -> bool:
        return self.name != "first-party"


class Context(NamedTuple):
    id: str  # stable: used in fingerprints, waivers and JSON output
    kind: ContextKind
    label: str
    anchor: Location  # where a finding about something *missing* points
    layers: tuple[Layer, ...]  # highest precedence first
    env: Mapping[str, Effective]
    settings: Mapping[str, Effective]
    provider: Provider
    # host contexts: {"user": ..., "project": ...}; CI: {"workflow": ..., "job": ...}
    attributes: Mapping[str, str] = EMPTY_MAPPING

    def env_value(self, name: str) -> Effective:
        return self.env.get(name) or Effective(name, None, ValueKind.LITERAL, None)

    def setting(self, key: str) -> Effective:
        return self.settings.get(key) or Effective(key, None, ValueKind.LITERAL, None)

    @property
    def files(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for layer in self.layers:
            for p in layer.paths:
                seen.setdefault(p, None)
        return tuple(seen)
