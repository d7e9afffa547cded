"""The built-in rule catalogue (rules/ at the repository root), shipped as package data."""
