"""Numbers in the units people and tools write: ratios, durations and sizes.

The strict readers here take one JSON value and the field it came from, and either return
the number in canonical units (a fraction, milliseconds, bytes) or raise
:class:`~opsagent.errors.UnreadableValue` naming the field and what was expected. Values
written in fuller human forms (``"500/500"``, ``"10x baseline"``, ``"4 of 24 nodes"``)
are read by :mod:`.forms`.

**Bare numbers as ratios**: a number written with ``%`` is a percent; a bare number below 1
is a fraction (``0.18`` is 18 %); a bare number above 1 is a percent (``18`` and ``1.5`` are
18 % and 1.5 %). Exactly 1 is read as its writer most likely meant it: written by hand as
the whole number ``1`` it is 1 %, which :func:`bare_ratio` reports as ambiguous; written
``1.0`` (as a program computing a fraction writes it) it is 100 %. The numbers vendor
alerts carry are machine-written, and there a 1 is a fraction (see
:mod:`opsagent.ingest.metrics`). Bare numbers written together, a value beside its
baseline or objective, share one scale: when one of them is above 1 they are all percents
(``1.5`` beside a baseline of ``0.1`` is 1.5 % against 0.1 %), see :func:`percent_scale`.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..errors import UnreadableValue

NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_NUMBER = re.compile(rf"^\s*({NUMBER})\s*([a-zA-Zµ%/]*)\s*$")

RATIO_EXPECTED = 'a ratio such as 0.18, 18 or "18%"'
DURATION_EXPECTED = 'a duration such as 2400, "2400ms" or "2.4s"'
SIZE_EXPECTED = 'a size such as 512MiB or "4.1GB"'
NUMBER_EXPECTED = "a number"
PERCENT_UNITS = frozenset({"%", "percent", "pct"})
AMBIGUOUS_ONE = 'a ratio written as "1%" or "100%" (a bare 1 is read as 1%)'


def _plain(value: Any, field: str, expected: str) -> tuple[float, str, bool]:
    """``(number, unit, whole)`` of a JSON number or a string such as ``"2.4s"``;
    ``whole`` is True when the number was written without a decimal point."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise UnreadableValue(expected, value, field=field)
    if isinstance(value, (int, float)):
        number, unit, whole = float(value), "", isinstance(value, int)
    else:
        match = _NUMBER.match(value.replace(",", ""))
        if not match:
            raise UnreadableValue(expected, value, field=field)
        text = match.group(1)
        number, unit = float(text), match.group(2)
        whole = not any(c in text for c in ".eE")
    if not math.isfinite(number):
        raise UnreadableValue(f"{expected} (a finite number)", value, field=field)
    return number, unit, whole


def parse_number(value: Any, field: str) -> float:
    """A finite number, from a JSON number or a numeric string (``"1,200"`` too)."""
    number, unit, _ = _plain(value, field, NUMBER_EXPECTED)
    if unit:
        raise UnreadableValue(NUMBER_EXPECTED, value, field=field)
    return number


def bare_ratio(number: float, whole: bool) -> tuple[float, bool]:
    """The fraction a number without a unit stands for, and whether that is ambiguous
    (only a whole 1 is: it is read as 1 %). See the module docstring for the rule."""
    if number == 1.0 and whole:
        return 0.01, True
    if number > 1.0:
        return number / 100.0, False
    return number, False


def _bare(value: Any) -> float | None:
    """The number of a value written without a unit, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        match = _NUMBER.match(value.replace(",", ""))
        if match and not match.group(2):
            return float(match.group(1))
    return None


def percent_scale(*values: Any) -> bool:
    """Whether bare ratios written together (a value and its baseline or objective) are
    percents: every one present is written without a unit and one of them is above 1."""
    numbers = [_bare(v) for v in values if v is not None]
    return len(numbers) >= 2 and None not in numbers and any(
        n is not None and n > 1.0 for n in numbers)


def on_percent_scale(value: Any, read: float | None) -> float | None:
    """``read`` (the fraction ``value`` was read as alone) on the percent scale of the
    values written beside it: a bare number of 1 or less is then a percent too."""
    number = _bare(value)
    if read is None or number is None or number > 1.0:
        return read
    return number / 100.0


def parse_ratio(value: Any, field: str) -> float:
    """A fraction in [0, 1] from ``"18%"``, ``0.18`` or ``18`` (the bare-number rule)."""
    number, unit, whole = _plain(value, field, RATIO_EXPECTED)
    if unit.lower() in PERCENT_UNITS:
        ratio = number / 100.0
    elif not unit:
        ratio = bare_ratio(number, whole)[0]
    else:
        raise UnreadableValue(RATIO_EXPECTED, value, field=field)
    if not 0.0 <= ratio <= 1.0:
        raise UnreadableValue(RATIO_EXPECTED, value, field=field)
    return ratio


DURATION_UNITS_MS = {
    "ms": 1.0, "msec": 1.0, "msecs": 1.0, "millis": 1.0, "millisecond": 1.0,
    "milliseconds": 1.0, "us": 0.001, "µs": 0.001, "microsecond": 0.001,
    "microseconds": 0.001, "ns": 0.000001, "nanoseconds": 0.000001,
    "s": 1000.0, "sec": 1000.0, "secs": 1000.0, "second": 1000.0, "seconds": 1000.0,
    "m": 60_000.0, "min": 60_000.0, "mins": 60_000.0, "minute": 60_000.0,
    "minutes": 60_000.0,
    "h": 3_600_000.0, "hr": 3_600_000.0, "hrs": 3_600_000.0, "hour": 3_600_000.0,
    "hours": 3_600_000.0,
    "d": 86_400_000.0, "day": 86_400_000.0, "days": 86_400_000.0,
}
_COMPOUND = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?!s))?\s*(?:(\d+(?:\.\d+)?)\s*s)?\s*$")


def duration_factor(unit: str, default_unit: str = "ms") -> float | None:
    """Milliseconds per ``unit`` (``""`` is ``default_unit``); None for an unknown unit."""
    return DURATION_UNITS_MS.get(unit.lower() or default_unit)


def parse_duration_ms(value: Any, field: str, default_unit: str = "ms") -> float:
    """Milliseconds from ``2400``, ``"2400ms"``, ``"2.4s"``, ``"1.5 min"``, ``"1m30s"``."""
    if isinstance(value, str):
        compound = _COMPOUND.match(value)
        if compound and sum(1 for g in compound.groups() if g) >= 2:
            hours, minutes, seconds = (float(g) if g else 0.0 for g in compound.groups())
            return (hours * 3600 + minutes * 60 + seconds) * 1000.0
    number, unit, _ = _plain(value, field, DURATION_EXPECTED)
    factor = duration_factor(unit, default_unit)
    if factor is None or number < 0:
        raise UnreadableValue(DURATION_EXPECTED, value, field=field)
    return number * factor


# Decimal (kB, MB, GB: powers of 1000, and Kubernetes' k, M, G) and binary (KiB, MiB, Gi:
# powers of 1024) size units, by their lower-cased spelling.
SIZE_UNITS = {
    "b": 1.0, "byte": 1.0, "bytes": 1.0,
    "kb": 1e3, "k": 1e3, "mb": 1e6, "gb": 1e9, "g": 1e9, "tb": 1e12, "t": 1e12, "pb": 1e15,
    "kib": 2.0**10, "ki": 2.0**10, "mib": 2.0**20, "mi": 2.0**20, "gib": 2.0**30, "gi": 2.0**30,
    "tib": 2.0**40, "ti": 2.0**40, "pib": 2.0**50, "pi": 2.0**50,
}


def size_factor(unit: str) -> float | None:
    """Bytes per ``unit`` (``"GB"``, ``"MiB"``, ``"Gi"``); ``"M"`` alone is 10⁶ (as in
    Kubernetes quantities); None when ``unit`` is not a size unit."""
    if unit == "M":
        return 1e6
    return SIZE_UNITS.get(unit.lower()) if unit.lower() != "m" else None


def parse_size(value: Any, field: str) -> float:
    """Bytes from ``4100000000``, ``"4.1GB"``, ``"512MiB"``, ``"512Mi"`` or ``"2G"``."""
    number, unit, _ = _plain(value, field, SIZE_EXPECTED)
    factor = size_factor(unit) if unit else 1.0
    if factor is None or number < 0:
        raise UnreadableValue(SIZE_EXPECTED, value, field=field)
    return number * factor
