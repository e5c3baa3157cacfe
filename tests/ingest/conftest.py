"""Sample payloads of every vendor format, written from each vendor's documented schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

SAMPLES = Path(__file__).resolve().parent / "samples"
VENDORS = sorted(p.name for p in SAMPLES.iterdir() if p.is_dir())


def sample_paths() -> list[Path]:
    return sorted(SAMPLES.glob("*/*.json"))


def sample_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def documents(path: Path) -> list[Any]:
    """The documents of a sample file (a file may hold a JSON array of documents)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, list) else [data]


def load(name: str) -> Any:
    """``load("alertmanager/storm")`` → the parsed sample."""
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(params=sample_paths(), ids=sample_id)
def sample(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    return path


ROOT_EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "checkout-service.json"
