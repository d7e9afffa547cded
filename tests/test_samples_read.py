"""Every real configuration file in ../shared/samples is read without a traceback (skipped without it)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.discovery.paths import classify
from scanner.model import FileKind
from scanner.sources.registry import parse_file

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
KIND_BY_INDEX = {
    "managed": FileKind.SETTINGS_MANAGED,
    "settings": FileKind.SETTINGS_PROJECT,
    "settings.local": FileKind.SETTINGS_LOCAL,
    "devcontainer": FileKind.DEVCONTAINER,
    "workflow": FileKind.WORKFLOW,
    "dotenv": FileKind.DOTENV,
    "schema-test-positive": FileKind.SETTINGS_PROJECT,
    "schema-test-negative": FileKind.SETTINGS_PROJECT,
}

pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not present")


def _index() -> list[tuple[str, str]]:
    with (SAMPLES / "INDEX.tsv").open(encoding="utf-8") as handle:
        return [(row["local_path"], row["kind"]) for row in csv.DictReader(handle, delimiter="\t")]


def _all_files() -> list[Path]:
    return sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.name != "INDEX.tsv")


def test_every_sample_parses_without_an_internal_error() -> None:
    indexed = dict(_index()) if SAMPLES.is_dir() else {}
    checked = 0
    for path in _all_files():
        rel = path.relative_to(SAMPLES).as_posix()
        kind = classify(rel)
        if kind is None:
            label = indexed.get(rel, "")
            kind = FileKind.MCP if label == "mcp" else KIND_BY_INDEX.get(label, FileKind.SETTINGS_PROJECT)
        parsed = parse_file(rel, path.read_text(encoding="utf-8", errors="replace"), kind)
        assert not [
            n for n in parsed.notifications if n.descriptor in ("internal-parse-error", "too-complex")
        ], rel
        checked += 1
    assert checked >= 90


def test_scanning_the_samples_folder_completes() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scanner",
            "scan",
            str(SAMPLES),
            "--no-policy",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert '"schema_version": 1' in proc.stdout
