"""Runs the example's own tests from a checkout of opsagent without installing it: the
package's ``src`` goes first on the import path (``pip install -e .`` does the same)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
