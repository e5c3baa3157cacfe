"""Similarity on its own: deterministic, explained, best first, at most five."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from opsagent.memory import LIMIT, find_similar, normalize_text_rank, search_terms, search_text
from opsagent.models import PastIncident

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
POOL = ["errors.elevated", "latency.elevated", "connections.saturated", "db.saturated",
        "customer_facing"]


def incident(id: str, days_ago: float = 10.0, **fields: Any) -> PastIncident:
    base: dict[str, Any] = {"id": id, "started_at": NOW - timedelta(days=days_ago),
                            "services": ["checkout-service"], "alerts": ["CheckoutErrors"],
                            "features": POOL, "categories": ["database", "capacity"],
                            "failure_modes": ["database", "capacity"]}
    base.update(fields)
    return PastIncident.model_validate(base)


CURRENT = incident("inc-now", 0)


def test_the_same_failure_on_the_same_service_ranks_first_with_its_reasons() -> None:
    same = incident("inc-same", 14, feedback=[{"cause": "database", "verdict": "correct"}],
                    resolution="raised the pool size")
    other = incident("inc-other", 2, services=["search-api"], alerts=["SearchSlow"],
                     features=["cache.hit_rate_drop", "latency.elevated"],
                     categories=["cache"], failure_modes=["cache"])
    found = find_similar(CURRENT, [other, same])
    assert [m.past.id for m in found] == ["inc-same"]
    match = found[0]
    assert match.similarity == pytest.approx(0.30 + 0.30 + 0.15 + 0.10
                                             + 0.05 * 2.718281828 ** (-14 / 20), abs=1e-3)
    assert match.why == ("shared service: checkout-service",
                         "same failure signature: database, connections.saturated, "
                         "db.saturated, errors.elevated",
                         "same alert: CheckoutErrors",
                         "same confirmed cause: database",
                         "recency: 14 days before")
    report = match.as_report()
    assert report.confirmed_cause == "database"
    assert report.resolution == "raised the pool size"
    assert report.started_at == "2026-11-06T09:00:00Z"


def test_service_names_are_compared_by_identity() -> None:
    found = find_similar(CURRENT, [incident("inc-a", services=["Checkout"])])
    assert found[0].why[0] == "shared service: checkout-service"
    assert found[0].shared_services == ("checkout-service",)


def test_a_shared_service_alone_is_not_similarity() -> None:
    unrelated = incident("inc-x", alerts=["DiskFull"], features=["disk.high"],
                         categories=["resource_exhaustion"], failure_modes=[])
    assert find_similar(CURRENT, [unrelated]) == []


def test_later_incidents_and_the_incident_itself_are_not_past() -> None:
    found = find_similar(CURRENT, [incident("inc-now"), incident("inc-future", -1),
                                   incident("inc-past", 1)])
    assert [m.past.id for m in found] == ["inc-past"]


def test_ties_break_by_recency_then_id_whatever_the_input_order() -> None:
    # beyond the recency window the recency part is tiny but still orders; equal onsets
    # fall back to the id
    pasts = [incident(f"inc-{n}", 400) for n in "dcba"] + [incident("inc-newer", 300)]
    for order in (pasts, list(reversed(pasts))):
        ids = [m.past.id for m in find_similar(CURRENT, order)]
        assert ids == ["inc-newer", "inc-a", "inc-b", "inc-c", "inc-d"]


def test_at_most_five_best_first() -> None:
    pasts = [incident(f"inc-{n:02}", n) for n in range(1, 12)]
    found = find_similar(CURRENT, pasts)
    assert len(found) == LIMIT == 5
    assert [m.past.id for m in found] == [f"inc-{n:02}" for n in range(1, 6)]
    scores = [m.similarity for m in found]
    assert scores == sorted(scores, reverse=True)


def test_a_full_text_score_lifts_a_candidate() -> None:
    pasts = [incident("inc-a", 400), incident("inc-b", 400)]
    assert [m.past.id for m in find_similar(CURRENT, pasts)] == ["inc-a", "inc-b"]
    ranked = find_similar(CURRENT, pasts, {"inc-b": 1.0})
    assert [m.past.id for m in ranked] == ["inc-b", "inc-a"]
    assert ranked[0].similarity - ranked[1].similarity == pytest.approx(0.10, abs=1e-3)


def test_database_text_scores_are_brought_to_zero_to_one() -> None:
    # SQLite FTS5 bm25(): lower is better
    assert normalize_text_rank({"a": -9.0, "b": -3.0, "c": -6.0}, higher_is_better=False) \
        == {"a": 1.0, "b": 0.0, "c": 0.5}
    assert normalize_text_rank({"a": 0.2, "b": 0.1}) == {"a": 1.0, "b": 0.0}
    assert normalize_text_rank({"a": 0.3}) == {"a": 1.0}
    assert normalize_text_rank({}) == {}


def test_times_without_a_zone_are_utc() -> None:
    naive = incident("inc-naive", started_at="2026-11-19T09:00:00")
    found = find_similar(CURRENT, [naive])
    assert "recency: 1 day before" in found[0].why


def test_the_searchable_words_are_the_same_for_the_index_and_the_query() -> None:
    past = incident("inc-a", summary="Orders pool exhausted; orders timing out",
                    alerts=["PostgresWaitingSessionsHigh"], categories=["database"],
                    failure_modes=["db_connection_pool"], resolution="killed the query")
    assert search_text(past) == ("orders pool exhausted timing out checkout service "
                                 "postgreswaitingsessionshigh database db connection "
                                 "killed the query")
    assert search_terms(past, limit=3) == ["orders", "pool", "exhausted"]
