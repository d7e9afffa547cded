"""Errors the CLI maps to exit codes (one handler: scanner.cli.main)."""

from __future__ import annotations


class CcpolicyError(Exception):
    exit_code = 3


class UsageError(CcpolicyError):
    """Bad arguments or a bad configuration file: exit 2."""

    exit_code = 2


class ConfigError(UsageError):
    """An invalid policy file: the message names the file, line and key."""
