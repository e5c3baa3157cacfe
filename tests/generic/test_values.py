"""Lenient units and times, as people write them by hand (``opsagent.values``)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from opsagent.errors import InputError, UnreadableValue
from opsagent.values import parse_duration_ms, parse_ratio, parse_size, parse_time

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("raw", "expected"), [
    ("18%", 0.18), (0.18, 0.18), (18, 0.18), ("18", 0.18), ("0.5%", 0.005),
    ("100%", 1.0), (0, 0.0), ("  7 % ", 0.07), ("18 percent", 0.18),
    # the bare-number rule: below 1 a fraction, above 1 a percent, a whole 1 is 1 %
    (0.5, 0.5), (1.5, 0.015), (1, 0.01), ("1", 0.01), (1.0, 1.0), ("1.0", 1.0),
])
def test_ratios(raw: object, expected: float) -> None:
    assert parse_ratio(raw, "error_rate") == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["lots", -1, 250, "150%", True, None, [0.1], "NaN"])
def test_bad_ratios_name_the_field(raw: object) -> None:
    with pytest.raises(InputError) as info:
        parse_ratio(raw, "error_rate")
    assert "field 'error_rate'" in str(info.value)


@pytest.mark.parametrize(("raw", "expected"), [
    (2400, 2400), ("2400ms", 2400), ("2.4s", 2400), ("2.4 s", 2400), ("1.5min", 90000),
    ("250 ms", 250), ("1,200", 1200), ("800us", 0.8), ("1m30s", 90000), ("1h 5m", 3900000),
])
def test_durations(raw: object, expected: float) -> None:
    assert parse_duration_ms(raw, "latency") == pytest.approx(expected)


@pytest.mark.parametrize(("raw", "expected"), [
    ("2 hours ago", datetime(2026, 1, 15, 10, 0, tzinfo=timezone.utc)),
    ("an hour ago", datetime(2026, 1, 15, 11, 0, tzinfo=timezone.utc)),
    ("27 days ago", datetime(2025, 12, 19, 12, 0, tzinfo=timezone.utc)),
    ("10m ago", datetime(2026, 1, 15, 11, 50, tzinfo=timezone.utc)),
    ("2 months ago", datetime(2025, 11, 15, 12, 0, tzinfo=timezone.utc)),
    ("6 months ago", datetime(2025, 7, 15, 12, 0, tzinfo=timezone.utc)),
    ("a year ago", datetime(2025, 1, 15, 12, 0, tzinfo=timezone.utc)),
    ("3 mo ago", datetime(2025, 10, 15, 12, 0, tzinfo=timezone.utc)),
    ("2026-01-15T09:30:00Z", datetime(2026, 1, 15, 9, 30, tzinfo=timezone.utc)),
    ("2026-01-15T15:00:00+05:30", datetime(2026, 1, 15, 9, 30, tzinfo=timezone.utc)),
    ("2015-07-17T08:42:58.315+0000",
     datetime(2015, 7, 17, 8, 42, 58, 315000, tzinfo=timezone.utc)),
    ("2026-01-15T09:30:00.123456789Z",
     datetime(2026, 1, 15, 9, 30, 0, 123456, tzinfo=timezone.utc)),
    (1768469400, datetime(2026, 1, 15, 9, 30, tzinfo=timezone.utc)),
    ("1768469400000", datetime(2026, 1, 15, 9, 30, tzinfo=timezone.utc)),
    (1768469400.5, datetime(2026, 1, 15, 9, 30, 0, 500000, tzinfo=timezone.utc)),
])
def test_times(raw: object, expected: datetime) -> None:
    assert parse_time(raw, "at", NOW) == expected


def test_zero_time_means_not_ended() -> None:
    assert parse_time("0001-01-01T00:00:00Z", "endsAt", NOW) is None


def test_relative_time_without_a_reference_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="needs a reference time"):
        parse_time("2 hours ago", "last_deploy", None)


@pytest.mark.parametrize("raw", ["soon", "2026-13-45T00:00:00Z", "2026-01-15T25:00:00Z",
                                 {"at": 1}, -5])
def test_bad_times_name_the_field(raw: object) -> None:
    with pytest.raises(InputError, match="field 'last_deploy'"):
        parse_time(raw, "last_deploy", NOW)


def test_months_ago_keeps_to_the_last_day_of_a_shorter_month() -> None:
    may_31 = datetime(2026, 5, 31, 8, 0, tzinfo=timezone.utc)
    assert parse_time("3 months ago", "at", may_31) == datetime(2026, 2, 28, 8, 0,
                                                                 tzinfo=timezone.utc)


@pytest.mark.parametrize(("raw", "expected"), [
    ("4.1GB", 4_100_000_000), ("512MiB", 536_870_912), ("512Mi", 536_870_912),
    ("2G", 2_000_000_000), (1024, 1024), ("1.5 TB", 1.5e12),
])
def test_sizes_are_bytes(raw: object, expected: float) -> None:
    assert parse_size(raw, "memory") == pytest.approx(expected)


def test_an_unreadable_value_says_what_was_expected_and_quotes_the_value() -> None:
    with pytest.raises(UnreadableValue) as info:
        parse_ratio("lots", "metrics.cpu")
    assert info.value.field == "metrics.cpu"
    assert info.value.value == "'lots'"
    assert info.value.expected.startswith("a ratio")
    assert str(info.value) == "field 'metrics.cpu': expected a ratio such as 0.18, 18 or " \
        "\"18%\", got 'lots'"
