"""Host scans: the configuration Claude Code really runs with on a machine, per user and project.

layout (where each OS keeps things, as data) -> fs (a machine's files, read safely, possibly under a
mounted root) -> discover (which files exist) -> sources (plist, registry, claude_json, plus the shared
ones) -> managed (the managed tier) -> contexts (one per user and project) -> scan (a ScanResult).
"""

from __future__ import annotations
