"""Sample payloads of every vendor format, written from each vendor's documented schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from opsagent.ingest import build_incident, parse_text
from opsagent.models import Incident

SAMPLES = Path(__file__).resolve().parent / "samples"
NOW = datetime(2024, 12, 1, tzinfo=timezone.utc)
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


def sample_incident(name: str) -> Incident:
    """``sample_incident("zabbix/resolved")`` → the incident of that sample, at ``NOW``."""
    path = SAMPLES / f"{name}.json"
    return build_incident(parse_text(path.read_bytes(), path.name), now=NOW)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def set_field(path: tuple[Any, ...], value: Any) -> Callable[[Any], None]:
    """A mutation that sets the field at ``path`` of a document to ``value``."""

    def mutate(doc: Any) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate
