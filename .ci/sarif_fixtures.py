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

from fixturerepo import load_case, materialise, materialise_history  # noqa: E402

from scanner.history_scan import scan_history  # noqa: E402
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
            spec = load_case(case)
            if spec.get("host"):
                from scanner.host.scan import HostOptions, scan_host

                host = HostOptions(root=str(case), os_name=str(spec.get("os", "linux")))
                result = scan_host(host, options)
            elif spec.get("history"):
                repo = Path(tmp) / f"case{i}"
                materialise_history(case, repo)
                result = scan_history(repo, options)
            else:
                repo = materialise(case, Path(tmp) / f"case{i}")
                result = scan_repository(repo, options)
            kind = "host-fixture" if spec.get("host") else "fixture"
            name = f"{kind}-{case.parent.name}-{case.name}.sarif"
            (out / name).write_text(render_sarif_log([(".", result)]), encoding="utf-8")
    print(f"wrote {len(cases)} fixture SARIF files to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
