"""Values written the way people and tools write them, read into what they mean.

``"500/500"`` and ``"210/800"`` (used of a limit: a saturation reading), ``"10x baseline"``
and ``"-70%"`` (a multiple of the baseline: the reading is relative), ``"on 4 of 24
nodes"``, ``"on every host"``, ``"about 60% of nodes"`` and ``"one pod"`` (a scope),
``"96% (app-2), 93% (app-4)"`` (the worst value, with its instances), ``"4.1GB"`` and
``"512MiB"`` (sizes, in bytes), ``"p99 4.1s (baseline 300ms)"`` (a statistic and a
reference), ``"~98% and rising"`` (the number; the words stay in the text), ``"flat"`` or
``"normal"`` (its baseline: a multiple of 1).

:func:`read_value` returns a :class:`Reading` with whatever the value states, ``None``
for a value that states nothing (``null``, ``""``, ``"n/a"``, ``"unknown"``), and raises
:class:`~opsagent.errors.UnreadableValue` when it states nothing it can read. A reading
that had to guess (a bare ``1`` as a ratio, see :mod:`.numbers`) says so in
``ambiguous``. A number and its unit are read here; fuller phrases by :mod:`.phrases`,
whose grammar is compiled only when a payload needs it.
"""

from __future__ import annotations

import math
import re
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import UnreadableValue
from ..models import Scope
from .numbers import (
    AMBIGUOUS_ONE,
    DURATION_EXPECTED,
    NUMBER_EXPECTED,
    PERCENT_UNITS,
    RATIO_EXPECTED,
    SIZE_UNITS,
    bare_ratio,
    duration_factor,
    parse_duration_ms,
)

Kind = Literal["ratio", "duration", "quantity"]
EXPECTED: dict[Kind, str] = {
    "ratio": RATIO_EXPECTED,
    "duration": DURATION_EXPECTED,
    "quantity": NUMBER_EXPECTED,
}
_ABSENT = frozenset({"n/a", "na", "none", "null", "unknown", "-", "--", "nan"})
# words that say a value is what it usually is: its baseline, times one
_UNCHANGED = frozenset({"normal", "flat", "unchanged", "stable", "steady", "as usual", "usual",
                        "nominal", "baseline", "at baseline", "as normal"})


@dataclass(frozen=True)
class Reading:
    """What one value states. ``value`` is in canonical units: a fraction (``unit``
    ``"ratio"``), milliseconds (``"ms"``), bytes (``"bytes"``) or a plain number (``None``).
    ``text`` is the value as written when it says more than a number."""

    value: float | None = None
    unit: str | None = None
    baseline: float | None = None
    objective: float | None = None
    baseline_multiple: float | None = None
    limit: float | None = None
    scope: Scope | None = None
    stat: str | None = None
    text: str = ""
    ambiguous: str | None = None  # what to write instead, when the reading had to guess


_LARGEST_INT = 10 ** 300  # a float holds up to about 1.8e308


def read_value(value: Any, field: str, kind: Kind, *, default_unit: str = "ms",
               lower_is_worse: bool = False) -> Reading | None:
    """The reading of one JSON value as a ``kind`` of metric (see the module docstring)."""
    if value is None:
        return None
    expected = EXPECTED[kind]
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise UnreadableValue(expected, value, field=field)
    if isinstance(value, (int, float)):
        if isinstance(value, int) and abs(value) > _LARGEST_INT:  # beyond any float
            raise UnreadableValue(expected, f"an integer of {len(str(abs(value)))} digits",
                                  field=field)
        if not math.isfinite(value):
            raise UnreadableValue(expected, value, field=field)
        number = convert(kind, float(value), "", isinstance(value, int), default_unit)
        if number is None:
            raise UnreadableValue(expected, value, field=field)
        return Reading(value=number[0], unit=number[1], ambiguous=number[2])
    text = " ".join(value.split())
    if not text or text.lower() in _ABSENT:
        return None
    if text.lower() in _UNCHANGED:
        return Reading(baseline_multiple=1.0, text=text)
    plain = _PLAIN.match(text)
    signed_share = plain is not None and text[0] in "+-−" and \
        (plain.group("u") or "").lower() in PERCENT_UNITS  # "-70%": a change
    if plain and not signed_share:
        number = convert(kind, number_of(plain.group("n")), plain.group("u"),
                         written_whole(plain.group("n")), default_unit)
        if number is None:
            raise UnreadableValue(expected, value, field=field)
        return Reading(value=number[0], unit=number[1], ambiguous=number[2])
    if kind == "duration":
        with suppress(UnreadableValue):  # "1m30s", "1h 5m"
            return Reading(value=parse_duration_ms(text, field, default_unit), unit="ms")
    from .phrases import read_phrase  # the grammar of phrases compiles on first use

    reading = read_phrase(text, kind, default_unit, lower_is_worse)
    if reading is None:
        raise UnreadableValue(expected, value, field=field)
    return reading


# a number as people write it ("48,210", "2.4", ".5") and the unit that may follow it
NUMBER_PATTERN = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
UNIT_PATTERN = r"%|percent\b|pct\b|[a-zµ]+(?:/[a-z]+)?"
_PLAIN = re.compile(rf"^(?P<n>[-+]?(?:{NUMBER_PATTERN}))\s*(?P<u>{UNIT_PATTERN})?$",
                    re.IGNORECASE)


def number_of(text: str) -> float:
    """A number as written in a phrase (``\"48,210\"``, ``\"−3\"``)."""
    return float(text.replace(",", "").replace("−", "-"))


def written_whole(text: str) -> bool:
    return "." not in text


def bytes_per(unit: str, kind: Kind) -> float | None:
    """Bytes per size unit: ``GB``, ``MiB``, ``Gi``, ``bytes`` (and, for a ratio metric,
    Kubernetes' ``G``/``M``/``T``); None for anything else."""
    lowered = unit.lower()
    if lowered in SIZE_UNITS and (lowered.endswith(("b", "i", "bytes", "byte"))):
        return SIZE_UNITS[lowered]
    if kind == "ratio" and unit in {"G", "M", "T"}:
        return SIZE_UNITS.get(lowered, 1e6)
    return None


_COUNT_UNITS = {"k": 1e3, "K": 1e3, "M": 1e6}
_QUANTITY_DURATIONS = frozenset({"ms", "msec", "sec", "secs", "seconds", "min", "mins",
                                 "minutes", "h", "hr", "hrs", "hours"})


def known_unit(unit: str, kind: Kind) -> bool:
    """True when ``unit`` is a unit the ``kind`` of value can be written in."""
    lowered = unit.lower()
    if lowered in PERCENT_UNITS or bytes_per(unit, kind) is not None:
        return True
    if kind == "duration":
        return duration_factor(unit) is not None
    return kind == "quantity" and (unit in _COUNT_UNITS or lowered in _QUANTITY_DURATIONS)


def convert(kind: Kind, number: float, unit: str | None, whole: bool,
             default_unit: str) -> tuple[float, str | None, str | None] | None:
    """``(value, canonical unit, ambiguity)`` of a number and its unit as written, or None
    when the unit does not fit ``kind`` or the value is out of range."""
    unit = unit or ""
    lowered = unit.lower()
    if lowered in PERCENT_UNITS:
        share = number / 100.0
        return (share, "ratio", None) if 0.0 <= share <= 1.0 else None
    size = bytes_per(unit, kind) if kind != "duration" else None
    if size is not None:
        return (round(number * size), "bytes", None) if number >= 0 else None
    if kind == "ratio":
        if unit:
            return None
        share, ambiguous = bare_ratio(number, whole)
        if not 0.0 <= share <= 1.0:
            return None
        return share, "ratio", AMBIGUOUS_ONE if ambiguous else None
    if kind == "duration":
        factor = duration_factor(unit, default_unit)
        return (number * factor, "ms", None) if factor is not None and number >= 0 else None
    if unit in _COUNT_UNITS:
        return number * _COUNT_UNITS[unit], None, None
    if lowered in _QUANTITY_DURATIONS:
        return number * (duration_factor(lowered) or 1.0), "ms", None
    return number, None, None  # "1,200 rps", "12 messages": the counted thing stays in text
