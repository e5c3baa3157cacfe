"""Lenient value parsing shared by every adapter.

Each function takes the raw JSON value and the field path it came from; on a value
it cannot understand it raises :class:`~opsagent.errors.InputError` naming the field
and what was expected.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from ..errors import InputError

_NUMBER = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*([a-zA-Zµ%/]*)\s*$")


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def parse_number(value: Any, field: str) -> float:
    """A finite number, from a JSON number or a numeric string (``"1,200"`` too)."""
    if isinstance(value, bool):
        raise InputError(f"expected a number, got {_describe(value)}", field=field)
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        match = _NUMBER.match(value.replace(",", ""))
        if not match or match.group(2):
            raise InputError(f"expected a number, got {_describe(value)}", field=field)
        number = float(match.group(1))
    else:
        raise InputError(f"expected a number, got {_describe(value)}", field=field)
    if not math.isfinite(number):
        raise InputError(f"expected a finite number, got {_describe(value)}", field=field)
    return number


def parse_ratio(value: Any, field: str) -> float:
    """A fraction in [0, 1] from ``"18%"``, ``0.18`` or ``18`` (numbers above 1 are percent)."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            number = parse_number(text[:-1], field)
            ratio = number / 100.0
        else:
            ratio = parse_number(text, field)
            if ratio > 1.0:
                ratio /= 100.0
    else:
        ratio = parse_number(value, field)
        if ratio > 1.0:
            ratio /= 100.0
    if ratio < 0.0 or ratio > 1.0:
        raise InputError(
            f"expected a ratio such as 0.18, 18 or \"18%\", got {_describe(value)}", field=field
        )
    return ratio


_DURATION_UNITS_MS = {
    "": 1.0,
    "ms": 1.0,
    "msec": 1.0,
    "millis": 1.0,
    "milliseconds": 1.0,
    "us": 0.001,
    "µs": 0.001,
    "microseconds": 0.001,
    "ns": 0.000001,
    "s": 1000.0,
    "sec": 1000.0,
    "secs": 1000.0,
    "second": 1000.0,
    "seconds": 1000.0,
    "m": 60_000.0,
    "min": 60_000.0,
    "mins": 60_000.0,
    "minute": 60_000.0,
    "minutes": 60_000.0,
    "h": 3_600_000.0,
    "hr": 3_600_000.0,
    "hour": 3_600_000.0,
    "hours": 3_600_000.0,
}


def parse_duration_ms(value: Any, field: str, default_unit: str = "ms") -> float:
    """Milliseconds from ``2400``, ``"2400ms"``, ``"2.4s"``, ``"1.5 min"``."""
    if isinstance(value, str):
        match = _NUMBER.match(value.replace(",", ""))
        if not match:
            raise InputError(
                f"expected a duration such as 2400, \"2400ms\" or \"2.4s\", got {_describe(value)}",
                field=field,
            )
        number = float(match.group(1))
        unit = match.group(2).lower() or default_unit
    else:
        number = parse_number(value, field)
        unit = default_unit
    factor = _DURATION_UNITS_MS.get(unit)
    if factor is None:
        raise InputError(f"unknown duration unit {unit!r} in {_describe(value)}", field=field)
    result = number * factor
    if result < 0 or not math.isfinite(result):
        raise InputError(f"expected a positive duration, got {_describe(value)}", field=field)
    return result


_RELATIVE = re.compile(
    r"^\s*(?:about\s+|~)?(an?|\d+(?:\.\d+)?)\s*"
    r"(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)\s+ago\s*$",
    re.IGNORECASE,
)
_RELATIVE_UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "wk": 604800,
    "wks": 604800,
    "week": 604800,
    "weeks": 604800,
}
# ISO 8601 with optional fraction of any length and offsets "Z", "+05:30", "+0530", "+05".
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$"
)
_ZERO_TIME_YEAR = 1


def parse_time(value: Any, field: str, now: datetime | None = None) -> datetime | None:
    """An aware UTC datetime from ISO 8601 (any precision and offset), epoch seconds or
    milliseconds (number or string) or a relative phrase (``"2 hours ago"``).

    Returns ``None`` for the zero time ``0001-01-01T00:00:00Z`` that Alertmanager sends as
    ``endsAt`` while an alert fires, and for empty strings.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise InputError(f"expected a timestamp, got {_describe(value)}", field=field)
    if isinstance(value, (int, float)):
        return _from_epoch(float(value), field)
    if not isinstance(value, str):
        raise InputError(f"expected a timestamp, got {_describe(value)}", field=field)
    text = value.strip()
    if not text:
        return None
    number = _NUMBER.match(text)
    if number and not number.group(2):
        return _from_epoch(float(text), field)
    lowered = text.lower()
    if lowered in {"now", "just now", "right now"}:
        return _need_now(now, field, value)
    if lowered in {"yesterday"}:
        return _need_now(now, field, value) - timedelta(days=1)
    match = _RELATIVE.match(text)
    if match:
        amount_text, unit = match.group(1), match.group(2).lower()
        amount = 1.0 if amount_text.lower() in {"a", "an"} else float(amount_text)
        seconds = amount * _RELATIVE_UNITS[unit]
        return _need_now(now, field, value) - timedelta(seconds=seconds)
    iso = _ISO.match(text)
    if not iso:
        raise InputError(
            "expected an ISO 8601 timestamp, epoch seconds or a phrase such as "
            f"\"2 hours ago\", got {_describe(value)}",
            field=field,
        )
    year, month, day = int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
    hour = int(iso.group(4) or 0)
    minute = int(iso.group(5) or 0)
    second = int(iso.group(6) or 0)
    fraction = iso.group(7) or ""
    micro = int((fraction + "000000")[:6]) if fraction else 0
    offset_text = iso.group(8)
    tz = timezone.utc
    if offset_text and offset_text not in {"Z", "z", "UTC"}:
        sign = -1 if offset_text[0] == "-" else 1
        digits = offset_text[1:].replace(":", "")
        hours = int(digits[:2])
        minutes = int(digits[2:4]) if len(digits) >= 4 else 0
        if hours > 23 or minutes > 59:
            raise InputError(f"invalid UTC offset in {_describe(value)}", field=field)
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    if year == _ZERO_TIME_YEAR:
        return None
    try:
        parsed = datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError as exc:
        raise InputError(f"invalid date {_describe(value)}: {exc}", field=field) from None
    return parsed.astimezone(timezone.utc)


def _from_epoch(number: float, field: str) -> datetime:
    if not math.isfinite(number) or number < 0:
        raise InputError(f"expected a timestamp, got {number!r}", field=field)
    if number > 1e17:  # nanoseconds
        number /= 1e9
    elif number > 1e14:  # microseconds
        number /= 1e6
    elif number > 1e11:  # milliseconds
        number /= 1e3
    try:
        return datetime.fromtimestamp(number, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise InputError(f"timestamp out of range: {number!r}", field=field) from None


def _need_now(now: datetime | None, field: str, value: Any) -> datetime:
    if now is None:
        raise InputError(
            f"relative time {_describe(value)} needs a reference time (--now)", field=field
        )
    return now


def format_time(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z`` suffix, seconds precision (milliseconds when present)."""
    if value is None:
        return None
    value = value.astimezone(timezone.utc)
    if value.microsecond:
        return value.isoformat(timespec="milliseconds")[:23] + "Z"
    return value.isoformat(timespec="seconds")[:19] + "Z"


def as_text(value: Any, field: str, *, max_length: int = 4000) -> str:
    """A string from a JSON scalar; lists of strings are joined with '; '."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = str(value)
    elif isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        text = "; ".join(str(v) for v in value)
    else:
        raise InputError(f"expected text, got {type(value).__name__}", field=field)
    text = text.strip()
    return text[:max_length]


def clip(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def humanize_age(delta: timedelta) -> str:
    """``2h 5m``, ``27 days``, ``45s``: how long ago, for evidence sentences."""
    seconds = int(abs(delta.total_seconds()))
    if seconds < 90:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 90:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h {minutes:02d}m" if minutes else f"{hours}h"
    days = hours // 24
    return f"{days} days"
