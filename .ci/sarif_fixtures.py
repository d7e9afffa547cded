#!/usr/bin/env python3
"""Write the SARIF of every rule fixture (fixtures/CCP*/*) into OUT_DIR, one file each, for validation.

Each fixture is copied into a temporary git repository with a real commit (as the tests do), so
the SARIF is what a user's CI would upload.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fixturerepo import materialise  # noqa: E402

from scanner.report.sarif_runs import render_sarif_log  # noqa: E402
from scanner.ruleset import preset_ruleset  # noqa: E402
from scanner.scan import ScanOptions, scan_repository  # noqa: E402


def main(out_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ruleset = preset_ruleset("strict")
    options = ScanOptions(rules=ruleset.rules, params=ruleset.params, fail_on=None)
    cases = sorted(p for p in (ROOT / "fixtures").glob("CCP*/*") if p.is_dir())
    with tempfile.TemporaryDirectory() as tmp:
        for i, case in enumerate(cases):
            repo = materialise(case, Path(tmp) / f"case{i}")
            result = scan_repository(repo, options)
            name = f"fixture-{case.parent.name}-{case.name}.sarif"
            (out / name).write_text(render_sarif_log([(".", result)]), encoding="utf-8")
    print(f"wrote {len(cases)} fixture SARIF files to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
