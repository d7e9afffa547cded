"""The host root of the host-scan benchmark: a mounted Linux machine with many users and projects.

Laid out like fixtures/host/linux-conflicts (scanned with `ccpolicy scan --host --root DIR --os
linux`): managed settings in /etc/claude-code, users in /etc/passwd, and for each user a shell
profile, user settings and a `~/.claude.json` that records the user's projects, each a git
checkout with its own `.claude/settings.json`. Every user is configured alike, and the projects
cycle through four archetypes, so the expected findings are a sum (HOST_*_EXPECTED).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping

from benchmarks.corpus import POLICY

USERS = 10
PROJECTS_PER_USER = 20
PROJECT_ARCHETYPES = ("clean", "retention", "gateway", "local")

_MANAGED = """\
{
  "forceLoginMethod": "console",
  "forceLoginOrgUUID": "0b9c6a44-7c1d-4e8f-9a2b-3c4d5e6f7a80",
  "permissions": { "deny": ["Read(./.env)"] },
  "env": {
    "DISABLE_TELEMETRY": "1",
    "DISABLE_ERROR_REPORTING": "1"
  }
}
"""

_USER_SETTINGS = """\
{
  "model": "sonnet",
  "env": {
    "DISABLE_FEEDBACK_COMMAND": "1"
  }
}
"""

_BASHRC = """\
# ~/.bashrc
alias ll='ls -l'
export EDITOR=vim
export DO_NOT_TRACK=1
"""

_PROJECT_SETTINGS: Mapping[str, str] = {
    "clean": """\
{
  "env": { "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1" },
  "skipWebFetchPreflight": true
}
""",
    "retention": """\
{
  "env": { "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1" },
  "skipWebFetchPreflight": true,
  "cleanupPeriodDays": 120
}
""",
    "gateway": """\
{
  "env": { "ANTHROPIC_BASE_URL": "https://unapproved-gateway.example.net" },
  "skipWebFetchPreflight": true
}
""",
    "local": """\
{
  "skipWebFetchPreflight": true
}
""",
}
_LOCAL_SETTINGS = """\
{
  "env": { "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1" },
  "model": "haiku"
}
"""

# Findings per user with no projects, and per project of each archetype, under
# benchmarks.corpus.POLICY (kept at the top of the host root, where the scan is started).
# Managed settings switch telemetry and error reporting off, the user's settings /feedback, and
# DO_NOT_TRACK=1 in .bashrc the survey.
HOST_USER_EXPECTED: Mapping[str, int] = {
    "CCP104": 1,  # the user's own context: nothing switches non-essential traffic off
    "CCP106": 1,  # ... nor the WebFetch preflight
}
HOST_PROJECT_EXPECTED: Mapping[str, Mapping[str, int]] = {
    "clean": {},
    "retention": {"CCP301": 1},  # cleanupPeriodDays 120 > 30
    "gateway": {
        "CCP104": 1,  # this project does not switch non-essential traffic off
        "CCP307": 1,  # ANTHROPIC_BASE_URL points at a gateway that is not approved
    },
    "local": {},  # settings.local.json switches non-essential traffic off
}


def project_archetype(index: int) -> str:
    return PROJECT_ARCHETYPES[index % len(PROJECT_ARCHETYPES)]


def host_files(users: int = USERS, projects_per_user: int = PROJECTS_PER_USER) -> dict[str, str]:
    """Every file of the host root, path relative to the root -> content."""
    files = {
        "ccpolicy.toml": POLICY,
        "etc/claude-code/managed-settings.json": _MANAGED,
        "etc/profile": "# /etc/profile\nexport PATH=/usr/local/bin:/usr/bin:/bin\n",
    }
    passwd = ["root:x:0:0:root:/root:/bin/bash"]
    for number in range(users):
        name = f"user{number:02d}"
        home = f"home/{name}"
        passwd.append(f"{name}:x:{1000 + number}:{1000 + number}:{name}:/{home}:/bin/bash")
        files[f"{home}/.bashrc"] = _BASHRC
        files[f"{home}/.claude/settings.json"] = _USER_SETTINGS
        projects: dict[str, object] = {}
        for index in range(projects_per_user):
            archetype = project_archetype(index)
            project = f"{home}/src/project-{index:03d}"
            projects[f"/{project}"] = {"allowedTools": [], "hasTrustDialogAccepted": True}
            files[f"{project}/.git/HEAD"] = "ref: refs/heads/main\n"
            files[f"{project}/.claude/settings.json"] = _PROJECT_SETTINGS[archetype]
            if archetype == "local":
                files[f"{project}/.claude/settings.local.json"] = _LOCAL_SETTINGS
            files[f"{project}/README.md"] = f"# project {index}\n"
        files[f"{home}/.claude.json"] = json.dumps(
            {"numStartups": 3, "installMethod": "native", "projects": projects}, indent=2
        )
    files["etc/passwd"] = "\n".join(passwd) + "\n"
    return files


def expected_host_findings(users: int = USERS, projects_per_user: int = PROJECTS_PER_USER) -> Counter[str]:
    total: Counter[str] = Counter()
    for _ in range(users):
        total.update(HOST_USER_EXPECTED)
        for index in range(projects_per_user):
            total.update(HOST_PROJECT_EXPECTED[project_archetype(index)])
    return +total
