"""Corpus incidents as they are triaged and remembered, for the memory tests."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from opsagent.api import as_documents, default_knowledge
from opsagent.engine import Engine
from opsagent.evaluation import Case, load_corpus
from opsagent.ingest import build_incident
from opsagent.models import Feedback, Incident, PastIncident

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "benchmarks" / "scenarios"


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(default_knowledge())


@pytest.fixture(scope="session")
def corpus() -> dict[str, Case]:
    cases, _ = load_corpus(CORPUS)
    return {case.name: case for case in cases}


def incident_of(case: Case) -> Incident:
    """The case's incident, with the case's name as its id."""
    built = build_incident(as_documents(case.payloads, case.name), now=case.expected.now)
    return built.model_copy(update={"id": case.name})


def earlier(record: PastIncident, days: float, **update: Any) -> PastIncident:
    """``record`` as if it had happened ``days`` earlier under another id."""
    assert record.started_at is not None
    changes: dict[str, Any] = {"id": f"inc-{record.id}-before",
                               "started_at": record.started_at - timedelta(days=days)}
    changes.update(update)
    return record.model_copy(update=changes)


def said(cause: str, verdict: str, by: str = "oncall@example.com") -> Feedback:
    return Feedback.model_validate({"cause": cause, "verdict": verdict, "by": by})
