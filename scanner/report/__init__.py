"""Reporters: turn a ScanResult into text, JSON, SARIF, Markdown or workflow annotations."""
