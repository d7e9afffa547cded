"""A SARIF log for one or many targets: one run per target, each with its own category."""

from __future__ import annotations

import json
from collections.abc import Sequence

from scanner.report.model import ScanResult


def _texts(result: ScanResult) -> dict[str, str]:
    texts = result.extra.get("texts")
    return dict(texts) if isinstance(texts, dict) else {}


def render_sarif_log(results: Sequence[tuple[str, ScanResult]]) -> str:
    from scanner.report.sarif import render_sarif

    if len(results) == 1:
        return render_sarif(results[0][1], file_texts=_texts(results[0][1]))
    logs = [json.loads(render_sarif(r, file_texts=_texts(r))) for _, r in results]
    runs = []
    for (target, _result), log in zip(results, logs, strict=True):
        for run in log["runs"]:
            details = run.setdefault("automationDetails", {})
            base = str(details.get("id", "ccpolicy/")).rstrip("/")
            details["id"] = f"{base}/{target.strip('/').replace('/', '_') or 'root'}/"
            runs.append(run)
    merged = {**logs[0], "runs": runs}
    return json.dumps(merged, indent=2, ensure_ascii=False) + "\n"
