"""Finding candidate files: the repository walk or git listing, staged content and history.

Submodules are imported by name (`scanner.discovery.listing`, ...) so that a caller pays only
for what it uses; this package module stays import-free.
"""

from __future__ import annotations

from scanner.errors import UsageError


class DiscoveryError(UsageError):
    """The scan target itself is unusable (missing root, not a repository when one is needed).

    The CLI maps it to exit status 2. Problems with single files are Notifications instead.
    """
