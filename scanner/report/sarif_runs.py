"""A SARIF log for one or many targets: one run per target, each with its own category."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from scanner.report.model import ScanResult


def _texts(result: ScanResult) -> dict[str, str]:
    texts = result.extra.get("texts")
    return dict(texts) if isinstance(texts, dict) else {}


def _slug(target: str) -> str:
    """A category segment GitHub accepts: letters, digits, `.`, `_` and `-` only."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", target.strip("/")).strip("_.")
    return slug or "root"


def _shown_target(target: str) -> str:
    from scanner.multi.targets import display_url, is_git_url

    return display_url(target) if is_git_url(target) else target


def render_sarif_log(results: Sequence[tuple[str, ScanResult]]) -> str:
    from scanner.report.sarif import render_sarif

    if len(results) == 1:
        target, result = results[0]
        log = json.loads(render_sarif(result, file_texts=_texts(result)))
        for run in log["runs"]:
            run.setdefault("properties", {})["ccpolicy/target"] = _shown_target(target)
        return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
    logs = [json.loads(render_sarif(r, file_texts=_texts(r))) for _, r in results]
    runs = []
    used: set[str] = set()
    for (target, _result), log in zip(results, logs, strict=True):
        for run in log["runs"]:
            details = run.setdefault("automationDetails", {})
            base = str(details.get("id", "ccpolicy/")).rstrip("/")
            slug = _slug(target)
            candidate, n = slug, 1
            while f"{base}/{candidate}/" in used:
                n += 1
                candidate = f"{slug}-{n}"
            details["id"] = f"{base}/{candidate}/"
            used.add(details["id"])
            run.setdefault("properties", {})["ccpolicy/target"] = _shown_target(target)
            runs.append(run)
    merged = {**logs[0], "runs": runs}
    return json.dumps(merged, indent=2, ensure_ascii=False) + "\n"
