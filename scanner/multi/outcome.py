"""Failed targets: a target that cannot be scanned becomes a result of its own, so every output
(text, JSON, SARIF, `ccpolicy merge`, `ccpolicy report`) shows it beside the ones that worked.

Exit status: failed targets do not change it while at least one target was scanned (findings
decide, as for one repository); the failures are printed on stderr and are in every output.
When no target could be scanned at all, the scan exits 2: nothing was audited.
"""

from __future__ import annotations

from collections.abc import Sequence

from scanner.model import Notification
from scanner.report.model import ScanResult
from scanner.scan import ScanOptions

TARGET_FAILED = "target-failed"


def failed_result(name: str, reason: str, options: ScanOptions) -> ScanResult:
    note = Notification(
        level="error",
        message=f"{name}: could not be scanned: {reason}",
        descriptor=TARGET_FAILED,
    )
    return ScanResult(
        root="",
        findings=(),
        notifications=(note,),
        rules=tuple(sorted(options.rules, key=lambda rule: rule.id)),
        files_scanned=0,
        category=options.category,
        fail_on=options.fail_on,
    )


def failure(result: ScanResult) -> str | None:
    """The failure message of a failed target's result, else None."""
    for note in result.notifications:
        if note.descriptor == TARGET_FAILED:
            return note.message
    return None


def failures(results: Sequence[tuple[str, ScanResult]]) -> list[str]:
    return [message for _, result in results if (message := failure(result)) is not None]


def every_target_failed(results: Sequence[tuple[str, ScanResult]]) -> bool:
    return bool(results) and all(failure(result) is not None for _, result in results)


def failure_report(results: Sequence[tuple[str, ScanResult]]) -> str:
    """Lines for stderr, empty when every target was scanned."""
    messages = failures(results)
    if not messages:
        return ""
    noun = "target" if len(results) == 1 else "targets"
    lines = [f"ccpolicy: {len(messages)} of {len(results)} {noun} could not be scanned:"]
    lines += [f"  {message}" for message in messages]
    return "\n".join(lines) + "\n"
