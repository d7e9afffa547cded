"""A validated policy as plain data: what the scan path uses, with no pydantic in sight.

`scanner.policy.load` builds a `Policy` from a file (validating it with pydantic); the cache
stores it as JSON (`to_json` / `from_json`) so that later scans can skip validation entirely.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from scanner.model import EMPTY_MAPPING
from scanner.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DEFAULT_EXTENDS = ("recommended",)


class Waiver(NamedTuple):
    """An accountable exception: one rule, where it applies, who owns it, why, and until when."""

    rule: str
    owner: str
    reason: str
    expires: datetime.date  # the last day the waiver applies
    path: str | None = None  # glob over the finding's path (POSIX, relative to the scan root)
    context: str | None = None  # fnmatch pattern over the finding's context id
    line: int = 0  # line of the waiver's table in the policy file
    position: int = 0  # index in `waivers`

    def expired(self, today: datetime.date) -> bool:
        return today > self.expires

    def scope(self) -> str:
        parts = []
        if self.path is not None:
            parts.append(f"path {self.path}")
        if self.context is not None:
            parts.append(f"context {self.context}")
        return " and ".join(parts)

    def describe(self, policy_path: str) -> str:
        return f"{self.rule} waiver ({self.scope()}) by {self.owner} at {policy_path}:{self.line}"


class Policy(NamedTuple):
    path: str  # as shown to the user (relative to the working directory when inside it)
    kind: str  # "ccpolicy" (ccpolicy.toml or any --policy file) | "pyproject" ([tool.ccpolicy])
    extends: tuple[str, ...] = DEFAULT_EXTENDS
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    severity: Mapping[str, str] = EMPTY_MAPPING  # rule id -> severity label
    parameters: Mapping[str, Any] = EMPTY_MAPPING  # only the ones the file sets
    rules: tuple[Mapping[str, Any], ...] = ()  # organisation rule tables, as written
    waivers: tuple[Waiver, ...] = ()
    inline_ignores: bool = True


def _waiver_to_json(w: Waiver) -> dict[str, Any]:
    return {
        "rule": w.rule,
        "owner": w.owner,
        "reason": w.reason,
        "expires": w.expires.isoformat(),
        "path": w.path,
        "context": w.context,
        "line": w.line,
        "index": w.position,
    }


def to_json(policy: Policy) -> dict[str, Any]:
    return {
        "path": policy.path,
        "kind": policy.kind,
        "extends": list(policy.extends),
        "enable": list(policy.enable),
        "disable": list(policy.disable),
        "exclude": list(policy.exclude),
        "severity": dict(policy.severity),
        "parameters": dict(policy.parameters),
        "rules": [dict(r) for r in policy.rules],
        "waivers": [_waiver_to_json(w) for w in policy.waivers],
        "inline_ignores": policy.inline_ignores,
    }


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("expected a list of strings")
    return tuple(value)


def _optional_str(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError("expected a string or null")


def _waiver_from_json(raw: Any) -> Waiver:
    if not isinstance(raw, dict):
        raise ValueError("waiver: expected an object")
    line, index = raw["line"], raw["index"]
    if not isinstance(line, int) or not isinstance(index, int):
        raise ValueError("waiver: bad line or index")
    for key in ("rule", "owner", "reason", "expires"):
        if not isinstance(raw[key], str):
            raise ValueError(f"waiver: bad {key}")
    return Waiver(
        rule=raw["rule"],
        owner=raw["owner"],
        reason=raw["reason"],
        expires=datetime.date.fromisoformat(raw["expires"]),
        path=_optional_str(raw["path"]),
        context=_optional_str(raw["context"]),
        line=line,
        position=index,
    )


def from_json(data: Any) -> Policy:
    """The inverse of `to_json`; raises ValueError (or KeyError/TypeError) on anything else."""
    if not isinstance(data, dict):
        raise ValueError("expected an object")
    severity, parameters, rules = data["severity"], data["parameters"], data["rules"]
    if not isinstance(severity, dict) or not all(isinstance(v, str) for v in severity.values()):
        raise ValueError("bad severity")
    if not isinstance(parameters, dict):
        raise ValueError("bad parameters")
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise ValueError("bad rules")
    if not isinstance(data["path"], str) or data["kind"] not in ("ccpolicy", "pyproject"):
        raise ValueError("bad path or kind")
    if not isinstance(data["inline_ignores"], bool) or not isinstance(data["waivers"], list):
        raise ValueError("bad inline_ignores or waivers")
    return Policy(
        path=data["path"],
        kind=data["kind"],
        extends=_strings(data["extends"]),
        enable=_strings(data["enable"]),
        disable=_strings(data["disable"]),
        exclude=_strings(data["exclude"]),
        severity=dict(severity),
        parameters=dict(parameters),
        rules=tuple(dict(r) for r in rules),
        waivers=tuple(_waiver_from_json(w) for w in data["waivers"]),
        inline_ignores=data["inline_ignores"],
    )
