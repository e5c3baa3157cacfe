"""Evidence lines as an on-call engineer reads them: the same alert from many pods is one
line with a count, not a wall of near-identical sentences."""

from __future__ import annotations

from typing import Any

import opsagent
from opsagent.engine.features import Feature

from ..conftest import NOW


def _pod_alert(pod: str, *, region: str = "us-east-1") -> dict[str, Any]:
    return {"status": "firing",
            "labels": {"alertname": "KubePodCrashLooping", "severity": "critical",
                       "service": "orders", "pod": pod, "region": region},
            "annotations": {"summary": f"Pod shop/{pod} is OOMKilled and restarting"},
            "startsAt": "2026-01-15T11:50:00Z", "endsAt": "0001-01-01T00:00:00Z"}


def _webhook(alerts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"version": "4", "status": "firing", "receiver": "pager", "alerts": alerts}


def _all_evidence(report: opsagent.TriageReport) -> list[str]:
    return [line for cause in report.root_causes for line in cause.evidence]


def test_the_same_alert_from_several_pods_is_one_line_with_a_count() -> None:
    pods = [f"orders-7d9f8c6b5-{suffix}" for suffix in ("x2k4p", "b7m9q", "z5n2r", "q8w4t")]
    report = opsagent.analyze(_webhook([_pod_alert(pod) for pod in pods]), now=NOW)
    lines = [line for line in _all_evidence(report) if "KubePodCrashLooping" in line]
    assert lines, _all_evidence(report)
    assert all("(and 3 similar)" in line for line in lines), lines
    assert all(pods[0] in line for line in lines)  # the first one is quoted as it came
    assert not any(pod in line for line in lines for pod in pods[1:])


def test_different_sentences_are_not_folded() -> None:
    feature = Feature("text.oom", 1.0)
    for sentence in ("pod orders-1 OOMKilled", "pod orders-2 OOMKilled",
                     "node ip-10-0-0-7 under memory pressure", "pod orders-3 evicted",
                     "pod orders-4   OOMKilled"):  # spacing differs: not the same sentence
        feature.add_evidence(sentence)
    assert feature.evidence == ["pod orders-1 OOMKilled (and 1 similar)",
                                "node ip-10-0-0-7 under memory pressure",
                                "pod orders-3 evicted", "pod orders-4   OOMKilled"]


def test_a_repeated_sentence_is_kept_once() -> None:
    feature = Feature("errors.elevated", 0.8)
    for _ in range(3):
        feature.add_evidence("error rate 18% on checkout (objective 1%)")
    assert feature.evidence == ["error rate 18% on checkout (objective 1%)"]
