"""Helpers for evaluation tests: tiny synthetic corpora and a fake analysis function."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from opsagent.models.report import (
    Action,
    Analysis,
    IncidentRef,
    Level,
    RootCause,
    Severity,
    TriageReport,
)

BASE_EXPECTED: dict[str, Any] = {
    "summary": "synthetic case",
    "source": "everyday",
    "difficulty": "easy",
    "now": "2026-03-14T10:30:00Z",
    "severity": ["HIGH"],
    "top1": ["dns"],
}

MakeCase = Callable[..., Path]


@pytest.fixture
def make_case(tmp_path: Path) -> MakeCase:
    """``make_case(name, expected_overrides, payload, root=...)`` writes one case directory.

    ``expected`` may be a dict merged over a valid base, or raw YAML text.
    """

    def make(name: str, expected: dict[str, Any] | str | None = None,
             payload: Any = None, *, root: Path | None = None,
             payload_name: str = "event.json") -> Path:
        directory = (root or tmp_path / "corpus") / name
        directory.mkdir(parents=True, exist_ok=True)
        if isinstance(expected, str):
            text = expected
        else:
            text = yaml.safe_dump({**BASE_EXPECTED, **(expected or {})}, sort_keys=False)
        (directory / "expected.yaml").write_text(text, encoding="utf-8")
        if payload is not None:
            (directory / payload_name).write_text(json.dumps(payload), encoding="utf-8")
        return directory

    return make


def fake_payload(severity: str = "HIGH", categories: tuple[str, ...] = ("dns",),
                 actions: tuple[str, ...] = ("Check DNS resolution",),
                 fail: str | None = None) -> dict[str, Any]:
    """A payload the fake analysis turns into exactly this report (or this exception)."""
    return {"fake": {"severity": severity, "categories": list(categories),
                     "actions": list(actions), "fail": fail}}


def fake_analyze(*payloads: Any, now: Any = None, **options: Any) -> TriageReport:
    spec = payloads[0]["fake"]
    if spec.get("fail"):
        raise RuntimeError(spec["fail"])
    return TriageReport(
        incident=IncidentRef(id="inc-test"),
        summary="synthetic",
        severity=Severity(level=Level(spec["severity"]), score=0.5),
        root_causes=[RootCause(category=c, title=c, confidence=0.5)
                     for c in spec["categories"]],
        actions=[Action(title=t, kind="mitigate") for t in spec["actions"]],
        analysis=Analysis(engine="fake"),
    )
