"""Integrity of the labeled scenario corpus in benchmarks/scenarios."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest

from opsagent.evaluation import Case, load_corpus
from opsagent.ingest import build_incident
from opsagent.ingest.documents import Document
from opsagent.models.report import CATEGORIES

from ..conftest import ROOT

CORPUS = ROOT / "benchmarks" / "scenarios"
CATEGORY_WORDS = {w for c in CATEGORIES for w in [c, *c.split("_")]}
REQUIRED_TAGS = {"red_herring", "recovered", "nonprod", "storm", "missing_telemetry",
                 "multi_format", "far_trigger"}
VENDOR_FORMATS = {"alertmanager", "grafana", "pagerduty", "datadog", "cloudwatch", "sentry",
                  "github", "kubernetes"}


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    loaded, broken = load_corpus(CORPUS)
    assert not broken, "\n".join(str(b.error) for b in broken)
    return loaded


def _tokens(name: str) -> set[str]:
    return {t for t in re.split(r"[^a-z0-9]+", name.lower()) if t}


def test_the_corpus_is_large_enough_and_every_case_is_valid(cases: list[Case]) -> None:
    assert len(cases) >= 60
    for case in cases:
        assert re.fullmatch(r"s\d{3}-[a-z0-9-]+", case.name), case.name
        assert case.expected.notes, f"{case.name}: explain the labels in 'notes'"
        assert case.expected.top3, f"{case.name}: list the categories required in the top 3"
        assert set(case.expected.top3) & set(case.expected.top1), case.name


def test_every_category_is_the_primary_top1_at_least_three_times(cases: list[Case]) -> None:
    counts = Counter(case.expected.top1[0] for case in cases)
    assert {c: counts[c] for c in CATEGORIES if counts[c] < 3} == {}


def test_severities_are_balanced(cases: list[Case]) -> None:
    counts = Counter(case.expected.primary_level for case in cases)
    for level in ("LOW", "MEDIUM", "HIGH"):
        assert 0.25 <= counts[level] / len(cases) <= 0.42, counts


def test_difficulties_and_hard_case_kinds_are_represented(cases: list[Case]) -> None:
    difficulties = Counter(case.expected.difficulty for case in cases)
    assert difficulties["hard"] >= 10 and difficulties["medium"] >= 15
    tags = Counter(tag for case in cases for tag in case.expected.tags)
    assert {t for t in REQUIRED_TAGS if tags[t] == 0} == set()


def test_names_do_not_give_the_answer_away(cases: list[Case]) -> None:
    leaks = {case.name: sorted(_tokens(case.name) & CATEGORY_WORDS) for case in cases}
    assert {k: v for k, v in leaks.items() if v} == {}


def test_service_names_do_not_contain_category_words(cases: list[Case]) -> None:
    leaks: dict[str, set[str]] = {}
    for case in cases:
        incident = build_incident([Document(p, case.name) for p in case.payloads],
                                  now=case.expected.now)
        for signal in incident.signals:
            for name in (signal.service, signal.dependency):
                found = _tokens(name or "") & CATEGORY_WORDS
                if found:
                    leaks.setdefault(f"{case.name}: {name}", set()).update(found)
    assert leaks == {}


def test_no_payload_describes_the_future_of_its_pinned_now(cases: list[Case]) -> None:
    late = {}
    for case in cases:
        incident = build_incident([Document(p, case.name) for p in case.payloads],
                                  now=case.expected.now)
        limit = case.expected.now + timedelta(minutes=1)
        stamps = [t for s in incident.signals for t in (s.at, s.ended_at) if t is not None]
        if any(t > limit for t in stamps):
            late[case.name] = max(stamps).isoformat()
    assert late == {}


def test_vendor_formats_are_all_used(cases: list[Case]) -> None:
    from opsagent.ingest import detect
    from opsagent.registry import default_registry

    registry = default_registry()
    used = {detect(p, registry, case.name).name for case in cases for p in case.payloads}
    assert used >= VENDOR_FORMATS


def test_one_incident_in_several_formats_has_identical_labels(cases: list[Case]) -> None:
    groups: dict[str, list[Case]] = {}
    for case in cases:
        match = re.fullmatch(r"s\d{3}-(.+)-(alertmanager|grafana|datadog|k8s-events|"
                             r"pagerduty|cloudwatch|sentry)", case.name)
        if match:
            groups.setdefault(match.group(1), []).append(case)
    assert len(groups) >= 3
    for name, members in groups.items():
        assert len(members) >= 3, name
        labels = {(m.expected.severity, m.expected.top1, m.expected.top3) for m in members}
        assert len(labels) == 1, name


def test_sources_cite_a_postmortem_or_say_everyday(cases: list[Case]) -> None:
    cited = [c for c in cases if not c.expected.source.startswith("everyday")]
    assert len(cited) >= 20
    for case in cited:
        assert re.search(r"https?://|postmortem", case.expected.source, re.I), case.name


def test_the_readme_lists_every_case(cases: list[Case]) -> None:
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert {c.name for c in cases if f"| {c.name} |" not in readme} == set()
