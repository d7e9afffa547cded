"""The organisation's policy: the policy file, presets, parameters, waivers and inline ignores.

discover   find ccpolicy.toml / [tool.ccpolicy] by walking up (stops at the git top level)
load       TOML -> schema (model, pydantic) + catalogue references (crossref, checkspec)
           -> spec.Policy, with FILE:LINE: KEY: MESSAGE errors (locate finds the lines)
cache      a validated Policy as JSON, so the scan path need not import pydantic
select     Policy -> RuleSet (presets, enable/disable, severities, organisation rules,
           parameters); `ruleset_for(args)` for the scan command
suppress   after the scan: exclude, waivers (waivers), inline ignores (inline), stale waivers
template   the commented file `ccpolicy policy init` writes
"""
