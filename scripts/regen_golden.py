"""Rewrite the golden reports under tests/golden/ from the engine as it is now.

    python scripts/regen_golden.py            # every case of tests/golden/reports.py
    python scripts/regen_golden.py s001-...   # only these cases

Renders with this checkout's src/ (whatever opsagent is installed), writes the text,
Markdown and JSON report of each case, removes the files of cases no longer listed and
says which files changed. Review the diff (`git diff tests/golden`) before committing.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.golden.reports import CASES, FORMATS, golden_path, render, stray_files  # noqa: E402


def main(args: list[str]) -> int:
    unknown = [case for case in args if case not in CASES]
    if unknown:
        sys.stderr.write(f"regen_golden: not a golden case: {', '.join(unknown)} "
                         "(list it in tests/golden/reports.py first)\n")
        return 2
    changed = 0
    for case in args or list(CASES):
        for suffix in FORMATS:
            path = golden_path(case, suffix)
            text = render(case, suffix)
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
                print(f"wrote {path.relative_to(ROOT)}")
                changed += 1
    if not args:
        for path in stray_files():
            path.unlink()
            print(f"removed {path.relative_to(ROOT)}")
            changed += 1
    print(f"{changed} file(s) changed" if changed else "golden reports unchanged")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
