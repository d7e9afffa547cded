"""`python -m benchmarks run [--quick]`, `python -m benchmarks generate`, `python -m benchmarks peers`."""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks import generate
from benchmarks.run import QUICK, Settings, main_run

HERE = Path(__file__).resolve().parent
PEER_PACKAGES = ("detect-secrets", "zizmor", "semgrep")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="generate what is missing, check findings, time, write RESULTS.md")
    run.add_argument(
        "--quick", action="store_true", help="fewer runs; skip the 100k-file and 10k-commit inputs"
    )
    run.add_argument("--runs", type=int, help="timed runs per command (default 10, quick 5)")
    run.add_argument("--only", action="append", default=[], metavar="SCENARIO", help="run only this scenario")
    run.add_argument(
        "--results", type=Path, default=HERE / "RESULTS.md", help="where to write the Markdown table"
    )
    run.add_argument(
        "--out", type=Path, default=generate.OUT, help="generated inputs (default benchmarks/out)"
    )
    run.add_argument(
        "--current-install",
        action="store_true",
        help="time the ccpolicy installed beside this python instead of a regular install in out/venv",
    )
    gen = sub.add_parser("generate", help="only generate the inputs")
    gen.add_argument("--quick", action="store_true")
    gen.add_argument("--out", type=Path, default=generate.OUT)
    peers = sub.add_parser("peers", help="install detect-secrets, zizmor and semgrep in benchmarks/out/peers")
    peers.add_argument("--out", type=Path, default=generate.OUT)
    return parser


def install_peers(out: Path) -> int:
    venv = out / "peers"
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    done = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *PEER_PACKAGES], check=False)
    return done.returncode


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "peers":
        return install_peers(args.out)
    if args.command == "generate":
        names = tuple(n for n in generate.RECIPES if not (args.quick and n in ("repo-100k", "history-10k")))
        for name, path in generate.ensure(names, args.out).items():
            print(f"{name}: {path}")
        return 0
    settings = QUICK if args.quick else Settings()
    if args.runs:
        settings = dataclasses.replace(settings, runs=args.runs, slow_runs=min(settings.slow_runs, args.runs))
    settings = dataclasses.replace(settings, only=tuple(args.only))
    return main_run(settings, args.out, args.results, own_install=not args.current_install)


if __name__ == "__main__":
    sys.exit(main())
