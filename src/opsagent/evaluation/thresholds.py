"""The pinned quality bar of the engine on the scenario corpus.

``DEFAULT_THRESHOLDS`` is the single place these numbers live: ``opsagent eval`` uses them
as its defaults and the test suite asserts them. Raise them as the engine improves; lower
them only with a reason in the commit message.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass, replace
from typing import Any

from .scoring import Aggregate


@dataclass(frozen=True)
class Thresholds:
    # Set a little below the current figures so that a regression fails the suite. The
    # corpus grew from 85 to 330 cases, 245 of them (s086-s330) written to expose whole
    # classes of misjudgment; on it the engine is at 92 % severity, 89 % top-1, 92 %
    # top-3, 78 % action recall and 9 forbidden-action hits. Action recall is lower than
    # before because the last 80 cases (s251-s330), written by people who never saw the
    # engine, ask for actions as specific as their evidence (52-58 % recall on them,
    # 85 % on the other 250).
    min_severity_accuracy: float = 0.88
    min_severity_balanced_accuracy: float = 0.88
    min_top1_accuracy: float = 0.86
    min_top3_accuracy: float = 0.91
    min_action_recall: float = 0.76
    max_forbidden_actions: int = 16
    max_failures: int = 0
    # Engine only (in-process, per case); not applied to runs with an LLM agent.
    max_p95_latency_ms: float | None = 250.0

    def with_overrides(self, **values: Any) -> Thresholds:
        """A copy with every given non-None value replaced."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def violations(self, agg: Aggregate, only: Collection[str] | None = None) -> list[str]:
        """One sentence per threshold that ``agg`` does not meet (empty: all met);
        ``only`` names the fields to check (default: every one)."""
        out: list[str] = []
        checked = set(only) if only is not None else set(asdict(self))

        def low(name: str, value: float | None, minimum: float) -> None:
            if _FIELDS[name] not in checked:
                return
            if value is None or value < minimum:
                shown = "n/a" if value is None else f"{value:.3f}"
                out.append(f"{name} {shown} is below the minimum {minimum:.3f}")

        low("severity accuracy", agg.severity_accuracy, self.min_severity_accuracy)
        low("severity balanced accuracy", agg.severity_balanced_accuracy,
            self.min_severity_balanced_accuracy)
        low("top-1 accuracy", agg.top1_accuracy, self.min_top1_accuracy)
        low("top-3 accuracy", agg.top3_accuracy, self.min_top3_accuracy)
        if agg.action_recall is not None:  # None: no case lists expected actions
            low("action recall", agg.action_recall, self.min_action_recall)
        if "max_forbidden_actions" in checked \
                and agg.forbidden_actions > self.max_forbidden_actions:
            out.append(f"{agg.forbidden_actions} forbidden action(s) recommended; "
                       f"at most {self.max_forbidden_actions} allowed")
        if "max_failures" in checked and agg.failures > self.max_failures:
            out.append(f"{agg.failures} case(s) failed; at most {self.max_failures} allowed")
        if ("max_p95_latency_ms" in checked and self.max_p95_latency_ms is not None
                and agg.latency_p95_ms is not None
                and agg.latency_p95_ms > self.max_p95_latency_ms):
            out.append(f"p95 latency {agg.latency_p95_ms:.1f} ms is above the maximum "
                       f"{self.max_p95_latency_ms:.1f} ms")
        return out


_FIELDS = {
    "severity accuracy": "min_severity_accuracy",
    "severity balanced accuracy": "min_severity_balanced_accuracy",
    "top-1 accuracy": "min_top1_accuracy",
    "top-3 accuracy": "min_top3_accuracy",
    "action recall": "min_action_recall",
}

DEFAULT_THRESHOLDS = Thresholds()

# What the engine should reach on incidents it was never tuned on (the blind split). The
# blind split is a measurement: these are printed beside its figures, never a gate.
GENERALIZATION_TARGETS = Thresholds(
    min_severity_accuracy=0.90,
    min_severity_balanced_accuracy=0.90,
    min_top1_accuracy=0.80,
    min_top3_accuracy=0.92,
    min_action_recall=0.90,
    max_forbidden_actions=0,
    max_failures=0,
    max_p95_latency_ms=None,
)

