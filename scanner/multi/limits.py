"""How far a fleet scan goes with one target before calling it too large or too slow."""

from __future__ import annotations

from scanner.discovery.read import DEFAULT_MAX_BYTES
from scanner.records import NamedTuple


class Limits(NamedTuple):
    # A clone that takes longer than this is stopped and the target reported as failed.
    clone_timeout_seconds: float = 300.0
    # The clone directory is measured while git runs; past this, git is stopped.
    max_clone_bytes: int = 512 * 1024 * 1024
    # Files in the scanned commit (all of them, not only candidates): a monorepo of this size
    # is better scanned from a checkout, where discovery uses git's own listing.
    max_files: int = 200_000
    # Per candidate file, as for a working-tree scan.
    max_file_bytes: int = DEFAULT_MAX_BYTES
