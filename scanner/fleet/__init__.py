"""One view of many scans: `ccpolicy merge` and `ccpolicy report` over SARIF or JSON outputs.

inputs.py        read and check each input file (SARIF 2.1.0 or ccpolicy JSON schema 1)
names.py         target names per run or JSON target, made distinct across files
merge_sarif.py   SARIF files -> one log (distinct categories, no duplicate runs or results)
merge_json.py    JSON files -> one schema_version 1 document
collect.py       either format -> the plain model the report reads
summary.py       the security lead's report, as text or Markdown
"""

from __future__ import annotations
