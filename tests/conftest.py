from __future__ import annotations

import sys
from pathlib import Path

# Test helpers (fixturerepo, gitrepo) live beside the tests and are imported by name.
sys.path.insert(0, str(Path(__file__).resolve().parent))
