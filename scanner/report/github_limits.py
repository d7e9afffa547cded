"""GitHub code scanning limits the SARIF reporter keeps to (reference/sarif-github.md 1.5).

Exceeding a GitHub maximum gets the whole upload rejected, so the reporter truncates first and
says so in a toolExecutionNotification. Reporters read these as module attributes at call time
(`github_limits.MAX_RESULTS_PER_RUN`), which lets tests lower them.

Limits the reporter cannot reach are not repeated here: one run per log, one location per
result (GitHub allows 1,000) and a rule catalogue of hundreds (GitHub allows 25,000 per run).
"""

from __future__ import annotations

MAX_RESULTS_PER_RUN = 25_000
MAX_TAGS_PER_RULE = 20
MAX_RULE_NAME_CHARS = 255
MAX_DESCRIPTION_CHARS = 1024
# Our own cap, well under GitHub's: provenance chains longer than this are noise in the UI.
MAX_RELATED_LOCATIONS = 10
# Ours too: a snippet is a preview, and minified one-line files would otherwise be copied whole.
MAX_SNIPPET_CHARS = 400
