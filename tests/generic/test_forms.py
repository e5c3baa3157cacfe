"""Values in the human forms people and tools write, read into what they mean."""

from __future__ import annotations

import pytest

from opsagent.errors import UnreadableValue
from opsagent.models import Scope
from opsagent.values import read_value


def test_used_of_a_limit_is_a_saturation_reading() -> None:
    full = read_value("500/500", "metrics.connections", "ratio")
    assert full is not None and full.value == 1.0 and full.limit == 500
    part = read_value("210/800", "metrics.connections", "ratio")
    assert part is not None and part.value == pytest.approx(0.2625) and part.limit == 800
    sizes = read_value("3.9GiB/4GiB", "metrics.memory", "ratio")
    assert sizes is not None and sizes.value == pytest.approx(0.975)
    stated = read_value("210 (limit 800)", "metrics.connections", "ratio")
    assert stated is not None and stated.value == pytest.approx(0.2625)


@pytest.mark.parametrize(("raw", "multiple"), [
    ("10x baseline", 10.0), ("1.6x baseline", 1.6), ("3 times normal", 3.0), ("-70%", 0.3),
    ("+40%", 1.4), ("down 40%", 0.6), ("30% of normal", 0.3), ("25% above baseline", 1.25),
    ("flat", 1.0), ("normal", 1.0),
])
def test_a_value_relative_to_its_baseline_keeps_the_relation(raw: str, multiple: float) -> None:
    reading = read_value(raw, "rps", "quantity")
    assert reading is not None
    assert reading.value is None  # no absolute value was stated
    assert reading.baseline_multiple == pytest.approx(multiple)
    assert reading.text == raw


def test_a_change_and_its_scope() -> None:
    reading = read_value("-70% on 4 of 24 nodes", "metrics.rps", "quantity")
    assert reading is not None
    assert reading.baseline_multiple == pytest.approx(0.3)
    assert reading.scope == Scope(text="on 4 of 24 nodes", affected=4, total=24,
                                  fraction=4 / 24, unit="node")


@pytest.mark.parametrize(("raw", "value", "scope"), [
    ("100% on every host", 1.0, Scope(text="on every host", fraction=1.0, unit="host")),
    ("about 60% of nodes", None, Scope(text="about 60% of nodes", fraction=0.6, unit="node")),
    ("12% on one pod", 0.12, Scope(text="on one pod", affected=1, unit="pod")),
    ("all 12 pods", None, Scope(text="all 12 pods", affected=12, total=12, fraction=1.0,
                                unit="pod")),
])
def test_scopes(raw: str, value: float | None, scope: Scope) -> None:
    reading = read_value(raw, "metrics.cpu", "ratio")
    assert reading is not None
    assert reading.value == value
    assert reading.scope == scope


def test_the_worst_value_with_its_instances() -> None:
    reading = read_value("96% (app-2), 93% (app-4)", "metrics.cpu", "ratio")
    assert reading is not None and reading.value == 0.96
    assert reading.scope is not None and reading.scope.instances == ("app-2", "app-4")
    named = read_value("app-1: 91%, app-2: 97%", "metrics.memory", "ratio")
    assert named is not None and named.value == 0.97
    # lower is worse for availability: the worst is the lowest
    lowest = read_value("99.9% (eu-1), 97% (us-1)", "availability", "ratio",
                        lower_is_worse=True)
    assert lowest is not None and lowest.value == pytest.approx(0.97)


def test_sizes_numbers_statistics_and_references() -> None:
    memory = read_value("4.1GB", "metrics.memory", "ratio")
    assert memory is not None and (memory.value, memory.unit) == (4_100_000_000, "bytes")
    latency = read_value("p99 4.1s (baseline 300ms)", "latency", "duration")
    assert latency is not None
    assert (latency.value, latency.stat, latency.baseline) == (4100.0, "p99", 300.0)
    errors = read_value("12% (SLO 1%)", "error_rate", "ratio")
    assert errors is not None and (errors.value, errors.objective) == (0.12, 0.01)
    queue = read_value("12k", "metrics.queue_depth", "quantity")
    assert queue is not None and queue.value == 12_000


@pytest.mark.parametrize(("raw", "value"), [
    ("98% and rising", 0.98), ("~98%", 0.98), ("95-99%", 0.99), (">95%", 0.95),
    ("0.98 and rising", 0.98),
])
def test_the_number_is_read_and_the_words_stay_in_the_text(raw: str, value: float) -> None:
    reading = read_value(raw, "metrics.cpu", "ratio")
    assert reading is not None and reading.value == pytest.approx(value)
    assert reading.text == raw


def test_a_bare_one_as_a_ratio_is_read_as_one_percent_and_flagged() -> None:
    for raw in (1, "1"):
        reading = read_value(raw, "error_rate", "ratio")
        assert reading is not None and reading.value == 0.01
        assert reading.ambiguous is not None and "1%" in reading.ambiguous
    decimal = read_value(1.0, "error_rate", "ratio")
    assert decimal is not None and decimal.value == 1.0 and decimal.ambiguous is None


@pytest.mark.parametrize("raw", [None, "", "n/a", "unknown", "-"])
def test_values_that_state_nothing(raw: object) -> None:
    assert read_value(raw, "metrics.cpu", "ratio") is None


@pytest.mark.parametrize(("raw", "kind"), [
    ("lots", "ratio"), ("150%", "ratio"), ("3 parsecs", "duration"), (True, "quantity"),
    ({"v": 1}, "ratio"), ("-0.5", "ratio"),
])
def test_a_value_that_states_nothing_readable_is_an_error_naming_the_field(
        raw: object, kind: str) -> None:
    with pytest.raises(UnreadableValue) as info:
        read_value(raw, "metrics.x", kind)  # type: ignore[arg-type]
    assert info.value.field == "metrics.x"


@pytest.mark.parametrize(("text", "baseline"), [
    ("9.2k labels (normally <200)", 200.0),
    ("9.2k (normally under 200)", 200.0),
    ("45 (normal < 10)", 10.0),
    ("$41 (baseline $118)", 118.0),
])
def test_a_reference_written_as_a_bound_or_in_money_is_the_baseline(text: str,
                                                                     baseline: float) -> None:
    assert read_value(text, "queue_depth", "quantity").baseline == baseline
