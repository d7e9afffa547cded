"""Contexts: the places where Claude Code runs, each with its layers and effective configuration."""
