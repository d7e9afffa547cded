"""Host scans: the configuration Claude Code really runs with on a machine."""
