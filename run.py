"""Triage the bundled example (or the payload files given) and print the report.

    pip install -r requirements.txt
    python run.py                      # the engine alone, no API key needed
    OPENAI_API_KEY=sk-... python run.py  # the engine, reviewed by the LLM agent

Anything else: ``opsagent analyze --help``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
EXAMPLE = ROOT / "examples" / "checkout-service.json"

try:
    import opsagent  # noqa: F401
except ImportError:  # running from a checkout without `pip install`
    sys.path.insert(0, str(ROOT / "src"))

from opsagent.cli import main  # noqa: E402

if __name__ == "__main__":
    paths = sys.argv[1:] or [str(EXAMPLE)]
    raise SystemExit(main(["analyze", *paths]))
