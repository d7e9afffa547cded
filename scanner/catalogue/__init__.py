"""The rule catalogue: rule metadata and checks, loaded from the TOML files in `rules/`."""
