"""Re-express a result's paths relative to the repository root, for GitHub-facing outputs.

GitHub resolves SARIF URIs and annotation `file=` values against the repository root, so a
scan of a subdirectory (`paths: app` in the Action, `ccpolicy scan app`) must report
`app/.env`, not `.env`. Text and JSON stay relative to the target the user named.
"""

from __future__ import annotations

import posixpath

from scanner.model import Finding, Location, Notification
from scanner.report.model import ScanResult


def _path(prefix: str, path: str) -> str:
    if not path or path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        return path
    return posixpath.normpath(prefix + path)


def _loc(prefix: str, loc: Location) -> Location:
    return loc._replace(path=_path(prefix, loc.path))


def _finding(prefix: str, f: Finding) -> Finding:
    return f._replace(
        location=_loc(prefix, f.location), provenance=tuple(_loc(prefix, p) for p in f.provenance)
    )


def _note(prefix: str, n: Notification) -> Notification:
    return n._replace(path=_path(prefix, n.path) if n.path else n.path)


def to_repository_root(result: ScanResult) -> ScanResult:
    prefix = str(result.extra.get("repo_prefix") or "")
    if not prefix:
        return result
    root = result.root
    if root:
        depth = len([p for p in prefix.split("/") if p])
        for _ in range(depth):
            root = posixpath.dirname(root.rstrip("/")) or "/"
    texts = result.extra.get("texts")
    extra = dict(result.extra)
    if isinstance(texts, dict):
        extra["texts"] = {_path(prefix, k): v for k, v in texts.items()}
    extra["repo_prefix"] = ""
    return result._replace(
        root=root,
        findings=tuple(_finding(prefix, f) for f in result.findings),
        notifications=tuple(_note(prefix, n) for n in result.notifications),
        extra=extra,
    )
