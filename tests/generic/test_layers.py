"""Shared helpers live on their own floor: the engine, the catalog, the values and the names
modules never reach down into ingest."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "opsagent"
BELOW_INGEST = sorted([*SRC.glob("engine/*.py"), SRC / "catalog.py", *SRC.glob("values/*.py"),
                       SRC / "names.py", *SRC.glob("models/*.py")])


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("path", BELOW_INGEST, ids=lambda p: str(p.relative_to(SRC)))
def test_nothing_below_ingest_imports_it(path: Path) -> None:
    ingest = {name for name in _imports(path)
              if name.lstrip(".").startswith("ingest") or name.startswith("opsagent.ingest")}
    assert ingest == set()
