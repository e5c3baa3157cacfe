"""Rewrite the golden notification messages (tests/notify/golden/) after a deliberate
change, then review them with ``git diff tests/notify/golden``."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.notify.messages import CASES, GOLDEN, golden_files  # noqa: E402


def main() -> int:
    GOLDEN.mkdir(exist_ok=True)
    for case in CASES:
        for name, content in golden_files(case).items():
            (GOLDEN / name).write_text(content, encoding="utf-8")
            print(f"wrote {GOLDEN.relative_to(ROOT) / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
