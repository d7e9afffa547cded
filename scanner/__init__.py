"""ccpolicy: a compliance audit scanner for Claude Code configuration.

Kept import-free on purpose: `ccpolicy --version` and the pre-commit path pay for
every module imported here.
"""

from __future__ import annotations

__version__ = "0.1.0"
