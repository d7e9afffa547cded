"""The organisation's policy: the policy file, presets, parameters, waivers and inline ignores."""
