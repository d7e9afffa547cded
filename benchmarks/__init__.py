"""The benchmark suite: synthetic repositories, whole-process timings against floors and peers.

    python -m benchmarks run [--quick]      # generate (cached in benchmarks/out/), time, check, write RESULTS.md

See benchmarks/README.md for what each scenario measures and the targets it is held to.
"""

from __future__ import annotations
