"""Random documents never crash the parser: they triage or fail with a user error."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import opsagent
from opsagent.errors import UserError
from opsagent.ingest.documents import parse_text
from opsagent.ingest.generic_fields import KNOWN_FIELDS

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=30))
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=12), children, max_size=4)),
    max_leaves=12,
)
field_names = st.sampled_from([*sorted(KNOWN_FIELDS), "cpu", "weird", "errors"])
events = st.dictionaries(field_names, json_values, min_size=1, max_size=8)


def _triage(doc: Any) -> None:
    try:
        report = opsagent.analyze(doc, now="2026-01-15T12:00:00Z")
    except UserError as exc:
        errors = getattr(exc, "errors", [exc])  # InputErrors: one line per bad document
        lines = str(exc).splitlines()
        assert len(lines) == len(errors) and all(line.strip() for line in lines)
        return
    assert report.severity.level.value in ("LOW", "MEDIUM", "HIGH")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events)
def test_random_generic_events(doc: dict[str, Any]) -> None:
    _triage(doc)


@settings(max_examples=200, deadline=None)
@given(json_values)
def test_random_json_documents(doc: Any) -> None:
    _triage(doc)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes(data: bytes) -> None:
    try:
        docs = parse_text(data, "fuzz.json")
    except UserError:
        return
    for doc in docs:
        _triage(doc.data)


def test_example_round_trips_through_text_parsing() -> None:
    docs = parse_text(json.dumps({"service": "a", "error_rate": 0.5}).encode(), "x.json")
    assert docs[0].data["service"] == "a"
