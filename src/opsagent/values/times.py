"""Times as payloads write them: ISO 8601 of any precision and offset, epoch seconds or
milliseconds, and relative phrases (``"2 hours ago"``, ``"6 months ago"``, ``"yesterday"``);
and the two forms the report writes them in."""

from __future__ import annotations

import calendar
import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from ..errors import InputError, UnreadableValue
from .numbers import NUMBER

TIME_EXPECTED = 'an ISO 8601 timestamp, epoch seconds or a phrase such as "2 hours ago"'

_RELATIVE = re.compile(
    r"^\s*(?:about\s+|around\s+|roughly\s+|~)?(an?|one|\d+(?:\.\d+)?)\s*"
    r"(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|"
    r"mo|mos|months?|y|yrs?|years?)\s+ago\s*$",
    re.IGNORECASE,
)
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_BARE_NUMBER = re.compile(rf"^\s*{NUMBER}\s*$")
# ISO 8601 with optional fraction of any length and offsets "Z", "+05:30", "+0530", "+05".
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$"
)
_ZERO_TIME_YEAR = 1


def parse_time(value: Any, field: str, now: datetime | None = None) -> datetime | None:
    """An aware UTC datetime from ISO 8601 (any precision and offset), epoch seconds,
    milliseconds, microseconds or nanoseconds (number or string) or a relative phrase
    (``"2 hours ago"``, ``"2 months ago"``, ``"a year ago"``: months and years are
    calendar months before ``now``).

    Returns ``None`` for the zero time ``0001-01-01T00:00:00Z`` that Alertmanager sends as
    ``endsAt`` while an alert fires, and for empty strings.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise UnreadableValue("a timestamp", value, field=field)
    if isinstance(value, (int, float)):
        if isinstance(value, int) and abs(value) > 10 ** 20:  # beyond any epoch in ns
            raise UnreadableValue("a timestamp", value, field=field)
        return _from_epoch(float(value), field)
    text = value.strip()
    if not text:
        return None
    if _BARE_NUMBER.match(text):
        return _from_epoch(float(text), field)
    lowered = text.lower()
    if lowered in {"now", "just now", "right now"}:
        return _need_now(now, field, value)
    if lowered == "yesterday":
        return _need_now(now, field, value) - timedelta(days=1)
    match = _RELATIVE.match(text)
    if match:
        return _ago(match.group(1).lower(), match.group(2).lower(),
                    _need_now(now, field, value), field, value)
    iso = _ISO.match(text)
    if not iso:
        raise UnreadableValue(TIME_EXPECTED, value, field=field)
    return _from_iso(iso, field, value)


def _ago(amount_text: str, unit: str, now: datetime, field: str, value: Any) -> datetime:
    amount = 1.0 if amount_text in {"a", "an", "one"} else float(amount_text)
    if not unit.startswith(("mo", "y")):
        try:
            return now - timedelta(seconds=amount * _SECONDS[unit[0]])
        except OverflowError:  # "9999999 days ago": before year 1
            raise UnreadableValue("a time after year 1", value, field=field) from None
    months = amount * (12 if unit.startswith("y") else 1)
    if not math.isfinite(months) or months > 12 * 10_000:
        raise UnreadableValue("a time after year 1", value, field=field)
    whole = int(months)
    year, month0 = divmod(now.month - 1 - whole, 12)
    year += now.year
    if year < 1:
        raise UnreadableValue("a time after year 1", value, field=field)
    day = min(now.day, calendar.monthrange(year, month0 + 1)[1])
    before = now.replace(year=year, month=month0 + 1, day=day)
    try:
        return before - timedelta(days=(months - whole) * 30.44)
    except OverflowError:
        raise UnreadableValue("a time after year 1", value, field=field) from None


def _from_iso(iso: re.Match[str], field: str, value: Any) -> datetime | None:
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
            raise UnreadableValue("a valid UTC offset", value, field=field)
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    if year == _ZERO_TIME_YEAR:
        return None
    try:
        parsed = datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError:
        raise UnreadableValue("a valid date and time", value, field=field) from None
    try:
        return parsed.astimezone(timezone.utc)
    except OverflowError:  # 9999-12-31T23:59:59-05:00 is after year 9999 in UTC
        raise UnreadableValue("a time between years 1 and 9999 in UTC", value,
                              field=field) from None


def _from_epoch(number: float, field: str) -> datetime:
    if not math.isfinite(number) or number < 0:
        raise UnreadableValue("a timestamp", number, field=field)
    if number > 1e17:  # nanoseconds
        number /= 1e9
    elif number > 1e14:  # microseconds
        number /= 1e6
    elif number > 1e11:  # milliseconds
        number /= 1e3
    try:
        return datetime.fromtimestamp(number, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise UnreadableValue("a timestamp in range", number, field=field) from None


def _need_now(now: datetime | None, field: str, value: Any) -> datetime:
    if now is None:
        raise InputError(
            f"relative time {value!r} needs a reference time (--now)", field=field
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
