"""Fuzzing: random mutations of every sample give a user error or signals, never a crash.

Each sample is mutated a few times (keys deleted, values replaced by other JSON types,
random strings and numbers, edge-case timestamps; alarms carried as JSON strings inside
SNS messages are mutated inside too). Then

* every adapter's ``detect`` answers True or False without raising;
* the adapter's own ``parse``, *without* its safety net, raises only ``UserError``
  subclasses (so the net in ``fields.user_errors_only`` is never what saves us);
* the whole pipeline (``build_incident``) raises only ``UserError`` subclasses.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsagent.errors import UserError
from opsagent.ingest import Document, ParseContext, build_incident
from opsagent.registry import default_registry

from .conftest import sample_id, sample_paths

NOW = datetime(2024, 12, 1, tzinfo=timezone.utc)
ADAPTERS = list(default_registry().adapters())

EDGE_STRINGS = [
    "",
    " ",
    "0001-01-01T00:00:00Z",
    "2024-13-45T25:61:00Z",
    "2024-05-14T11:02:07.512843211+02:00",
    "2015-07-17T08:42:58.315+0000",
    "1717430520000",
    "99999999999999999999999",
    "-1",
    "1e400",
    "NaN",
    "null",
    "ALARM",
    "OK",
    "resolved",
    "firing",
    "Warning",
    "P1",
    "app/checkout-alb/50dc",
    "checkout-7d9f8b6c5d-x2x9k",
    '{"AlarmName": "x"}',
    "[ var='B' labels={} value=1e308 ]",
    "[1.0 (12/03/24 09:40:00)]",
    "\u0000\ud7ff\U0001f525",
]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=24)
    | st.sampled_from(EDGE_STRINGS)
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner,
                                                                  max_size=3),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((*prefix, key))
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.append((*prefix, index))
            out.extend(_paths(value, (*prefix, index)))
    return out


def _embedded(value: Any) -> Any:
    if isinstance(value, str) and value.startswith("{"):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return None


@st.composite
def mutated(draw: st.DrawFn, original: Any) -> Any:
    doc = copy.deepcopy(original)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        doc = _mutate_once(draw, doc)
    return doc


def _mutate_once(draw: st.DrawFn, doc: Any) -> Any:
    paths = _paths(doc)
    if not paths:
        return draw(JSON)
    path = draw(st.sampled_from(paths))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    inner = _embedded(parent[key])
    op = draw(st.sampled_from(["delete", "replace", "string", "number", "inner"]))
    if op == "inner" and isinstance(inner, dict):
        parent[key] = json.dumps(_mutate_once(draw, inner))
    elif op == "delete" and isinstance(parent, dict):
        del parent[key]
    elif op == "string":
        parent[key] = draw(st.text(max_size=30) | st.sampled_from(EDGE_STRINGS))
    elif op == "number":
        parent[key] = draw(st.integers(min_value=-(10**20), max_value=10**20)
                           | st.floats(allow_nan=False, allow_infinity=False))
    else:
        parent[key] = draw(JSON)
    return doc


SAMPLES = {sample_id(p): json.loads(p.read_text(encoding="utf-8")) for p in sample_paths()}


def _unwrapped_parse(adapter: Any) -> Any:
    parse = type(adapter).parse
    return getattr(parse, "__wrapped__", parse)


@pytest.mark.parametrize("name", sorted(SAMPLES))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutations_give_user_errors_only(name: str, data: st.DataObject) -> None:
    mutated_doc = data.draw(mutated(SAMPLES[name]), label="document")
    docs = mutated_doc if isinstance(mutated_doc, list) else [mutated_doc]
    ctx = ParseContext(now=NOW, source="fuzz.json")
    for doc in docs:
        for adapter in ADAPTERS:
            recognised = adapter.detect(doc) if isinstance(doc, dict) else False
            assert isinstance(recognised, bool)
            if recognised:
                try:
                    signals = _unwrapped_parse(adapter)(adapter, doc, ctx)
                except UserError:
                    continue
                assert isinstance(signals, list)
    try:
        build_incident([Document(doc, f"fuzz.json[{i}]") for i, doc in enumerate(docs)],
                       now=NOW)
    except UserError as exc:
        assert str(exc)


def test_fuzz_covers_every_sample() -> None:
    assert set(SAMPLES) == {sample_id(p) for p in sample_paths()}
    assert all(isinstance(Path(p), Path) for p in sample_paths())
