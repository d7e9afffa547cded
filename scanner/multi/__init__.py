"""Scanning many repositories in one run: `ccpolicy scan A B C`, `--repos-from FILE`, `--jobs N`.

    targets.py   what to scan: command-line paths and a list file (paths and git URLs)
    clone.py     shallow, inert clones of URLs into a temporary directory (through gitsafe)
    tree.py      the candidate files of a clone's HEAD, read from the object store (no checkout)
    worker.py    one target -> one ScanResult, never an exception
    outcome.py   failed targets: their result, how to recognise and report them
    pool.py      the worker pool, results in input order
    progress.py  the progress bar (rich, only on a terminal outside CI)

Modules are imported by name, so `import scanner.multi` costs nothing.
"""

from __future__ import annotations
