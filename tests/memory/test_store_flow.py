"""The calls a history store makes around one triage, through the library: a probe
before the triage to pick candidates, the triage with them, the record after it."""

from __future__ import annotations

from opsagent.api import remember, triage
from opsagent.evaluation import Case
from opsagent.memory import normalize_text_rank, search_terms, search_text
from opsagent.names import service_key

from .conftest import earlier, incident_of, said


def test_probe_triage_record(corpus: dict[str, Case]) -> None:
    first = incident_of(corpus["s023-ledger-calls-failing-alertmanager"])
    stored = [earlier(remember(first, triage(first)), 2,
                      feedback=[said("certificate", "correct")])]
    other = incident_of(corpus["s015-orders-timeouts-evening"])
    stored.append(earlier(remember(other, triage(other)), 1))

    incident = incident_of(corpus["s079-ledger-calls-failing-datadog"])
    probe = remember(incident)  # before the triage: no summary yet, the engine's ranking
    assert probe.summary == ""
    assert probe.categories[0] == "certificate"
    assert probe.features and probe.services
    # what a database would do: candidates sharing a service key, ranked by its text search
    keys = {service_key(s) for s in probe.services}
    candidates = [p for p in stored if keys & {service_key(s) for s in p.services}]
    assert [c.id for c in candidates] == [stored[0].id]
    words = set(search_terms(probe))
    raw = {c.id: float(len(words & set(search_text(c).split()))) for c in candidates}
    report = triage(incident, past=candidates, text_rank=normalize_text_rank(raw))
    assert report.similar_incidents is not None
    assert report.similar_incidents[0].incident == stored[0].id
    assert report.similar_incidents[0].confirmed_cause == "certificate"
    record = remember(incident, report)  # after it: what the store keeps
    assert record.summary == report.summary
    assert record.categories == [c.category for c in report.root_causes]
    assert record.features == probe.features
