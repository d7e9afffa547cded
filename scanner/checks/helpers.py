"""CCP602: committed project settings that run credential helpers.

`apiKeyHelper`, `awsCredentialExport`, `awsAuthRefresh`, `gcpAuthRefresh` and `otelHeadersHelper`
are shell commands Claude Code runs and whose output becomes a credential (reference 2.4, 3.1).
From a committed project file they run for everyone who uses the repository, before trust in
`claude -p`, SDK and CI runs (reference 1.7). The command is quoted redacted and never run.
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding
from scanner.checks.command_text import shown_command
from scanner.checks.project_config import committed_project_layers
from scanner.model import Finding
from scanner.redact import shown

CREDENTIAL_HELPERS = {
    "apiKeyHelper": "its output is sent to the model API as the credential (X-Api-Key and a Bearer token)",
    "awsCredentialExport": "its output becomes the AWS credentials Claude Code uses for Bedrock",
    "awsAuthRefresh": "it refreshes the AWS credentials Claude Code uses for Bedrock",
    "gcpAuthRefresh": "it refreshes the Google Cloud credentials Claude Code uses for Vertex AI",
    "otelHeadersHelper": "its output becomes the headers sent to the OpenTelemetry collector",
}


def check(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    for item in committed_project_layers(scan):
        for obs in item.settings():
            what = CREDENTIAL_HELPERS.get(obs.name)
            if what is None:
                continue
            if isinstance(obs.value, str):
                if not obs.value.strip():
                    continue
                command = f"`{shown_command(obs.value)}`"
            else:
                command = shown(obs.name, obs.value, scan.kb)
            yield finding(
                rule,
                f"The committed project settings run {obs.name} {command}: {what}. It runs on every "
                "machine that uses this repository, before workspace trust in `claude -p`, SDK and CI runs, "
                "so whoever can change the command or the script it calls controls the credential "
                "(ccpolicy never runs it).",
                obs.location,
                context=item.context.id,
                key=obs.name,
            )
