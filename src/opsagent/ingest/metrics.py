"""Naming the number an alert carries: which canonical metric it is, in which unit.

Alerts carry a value (Grafana ``values``, CloudWatch datapoints, a PagerDuty custom
detail) whose meaning is only in its name. :func:`canonical_metric` maps a name such as
``High CPU usage``, ``CPUUtilization``, ``http_5xx_ratio`` or ``p95 latency (seconds)``
and a raw value to a canonical metric of :data:`~opsagent.models.METRIC_NAMES` with the
value in canonical units (ratios as fractions, latency in milliseconds). It returns
``None`` when the name is not clearly one of them or the value does not fit the unit
(a "CPU" value of 430 is not a percentage), so that no wrong number reaches the engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_RATIO = "ratio"
_MS = "ms"
_SECONDS = "s"
_COUNT = "count"
_PER_SECOND = "rps"
_FREE = "free"  # a ratio of what is left: read as the share used (1 - value)

# (pattern over the lower-cased name with separators as spaces, canonical name, kind)
# First match wins, so the specific patterns come first.
_RULES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(pattern), name, kind)
    for pattern, name, kind in (
        # the space a disk has left (node_filesystem_avail_bytes / size, "almost out of
        # space"): read as the share used
        (r"\b(?:avail\w*|free|left|remaining)(?: \w+){0,2} (?:space|disk|filesystem|storage"
         r"|volume)\b|\b(?:filesystem|disk|volume)\b(?: \w+){0,3} (?:avail\w*|free|left"
         r"|remaining)\b|\bout of (?:disk )?space\b", "disk", _FREE),
        # names that look like a canonical metric but are not one (kept under their own name)
        (r"\bdisk queue\b|\bfree\w* (?:storage|memory|space)\b|\bswap\b", "", ""),
        (r"\bcache hit", "cache_hit_rate", _RATIO),
        (r"\bhit (?:rate|ratio)\b", "cache_hit_rate", _RATIO),
        (r"\bpacket loss\b|\bpacketloss\b", "packet_loss", _RATIO),
        (r"\breplica(?:tion)? ?lag\b|\breplicalag\b", "replication_lag_s", _SECONDS),
        (r"\bclock (?:skew|offset|drift)\b|\bntp offset\b", "clock_skew_ms", _MS),
        (r"\bcert(?:ificate)? (?:expir|days)|\b(?:cert(?:ificate)?s?|tls|ssl|x509)\b(?: \w+){0,3}"
         r" (?:expir\w*|validity)\b(?=.*\bdays?\b)", "cert_expiry_days", _COUNT),
        (r"\bthrottl", "throttled_rate", _RATIO),
        (r"\b5xx\b|\bhttp ?5\d\d\b|\bserver errors?\b", "http_5xx_rate", _RATIO),
        (r"\b4xx\b|\bhttp ?4\d\d\b|\bclient errors?\b", "http_4xx_rate", _RATIO),
        (r"\berrors? (?:rate|ratio|percent(?:age)?)\b|\berrorrate\b|\bfailures? (?:rate|ratio)\b"
         r"|\bfailure_rate\b", "error_rate", _RATIO),
        # the share of requests that failed, as teams name it ("failed_pct", "error_pct",
        # "failed request share", "pct_failed")
        (r"\b(?:errors?|fail(?:ed|ures?)?)(?: (?:requests?|calls?|jobs?|runs?))? (?:pct|percent"
         r"|share|ratio)\b|\b(?:pct|percent|share) (?:of )?(?:failed|errors?|failures?)\b",
         "error_rate", _RATIO),
        (r"\bavailability\b|\bsuccess (?:rate|ratio)\b|\buptime\b", "availability", _RATIO),
        (r"\blatenc(?:y|ies)\b|\bresponse ?time\b|\bduration\b|\bp9[59]\b|\bp50\b",
         "latency_ms", _MS),
        (r"\bcpu\b|\bcpuutilization\b|\bprocessor\b", "cpu", _RATIO),
        (r"\bmemory\b|\bmem\b|\bram\b|\bheap\b|\bmemoryutilization\b", "memory", _RATIO),
        (r"\bqueue (?:depth|length|size|backlog)\b|\bbacklog\b|\bmessages visible\b"
         r"|\bconsumer lag\b", "queue_depth", _COUNT),
        (r"\bdisk (?:usage|used|space|full|util\w*|percent|pct|almost|fill\w*)\b|\bdisk$"
         r"|\bfilesystem\b|\bvolume (?:usage|full|space)\b|\bstorage (?:usage|full)\b",
         "disk", _RATIO),
        (r"\bconnection pool\b|\bpool (?:usage|utili[sz]ation|saturation)\b"
         r"|\bconnections? (?:usage|utili[sz]ation|saturation|percent)\b",
         "connections", _RATIO),
        (r"\brestarts?\b|\brestart count\b", "restarts", _COUNT),
        (r"\brequests? per second\b|\brps\b|\bthroughput\b|\brequest rate\b", "rps",
         _PER_SECOND),
        (r"\bsaturation\b", "saturation", _RATIO),
    )
)
_SECONDS_HINT = re.compile(r"\bseconds?\b|\bsecs?\b|(?:^|\s)s$|\(s\)")
_MS_HINT = re.compile(r"\bms\b|\bmillis(?:econds?)?\b|\bmsec\b")
_PERCENT_HINT = re.compile(r"percent|%|\bpct\b|utili[sz]ation")
_SPLIT = re.compile(r"[\s_.:/\-\[\](){}=,]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@dataclass(frozen=True)
class Reading:
    name: str  # canonical metric name
    value: float  # in canonical units
    unit: str  # "ratio", "ms", "s", "count", "rps"
    objective: float | None = None  # the threshold, in the same units


def words(name: str) -> str:
    """``HTTPCode_Target_5XX_Count`` → ``http code target 5xx count``."""
    spaced = _CAMEL.sub(" ", name)
    return " ".join(part for part in _SPLIT.split(spaced.lower()) if part)


def canonical_metric(
    name: str,
    value: float,
    *,
    unit: str | None = None,
    threshold: float | None = None,
    latency_unit: str = "s",
) -> Reading | None:
    """The canonical reading for ``value`` named ``name``, or ``None`` when unsure.

    ``unit`` is the source's unit if it gives one (``Percent``, ``Seconds``,
    ``Milliseconds``, ``Count``); ``latency_unit`` is the adapter's convention for a
    latency with no unit in its name or payload (``"s"`` for Prometheus, ``"ms"``).
    """
    text = words(name)
    unit_text = (unit or "").strip().lower()
    for pattern, canonical, kind in _RULES:
        if not pattern.search(text):
            continue
        if not canonical:
            return None
        converted = _convert(kind, value, text, unit_text, latency_unit)
        if converted is None:
            return None
        objective = (
            _convert(kind, threshold, text, unit_text, latency_unit)
            if threshold is not None
            else None
        )
        return Reading(canonical, converted, _UNIT_NAMES[kind], objective)
    return None


_UNIT_NAMES = {_RATIO: "ratio", _MS: "ms", _SECONDS: "s", _COUNT: "count", _PER_SECOND: "rps",
               _FREE: "ratio"}


def _convert(kind: str, value: float, text: str, unit: str, latency_unit: str) -> float | None:
    if kind == _FREE:
        left = _convert(_RATIO, value, text, unit, latency_unit)
        return None if left is None else round(1.0 - left, 9)
    if kind == _RATIO:
        if unit in {"count", "bytes", "seconds", "milliseconds"} and not _PERCENT_HINT.search(
            text
        ):
            return None  # a count of errors or bytes is not a ratio
        if value < 0:
            return None
        # A "%" in an alert's name usually belongs to its threshold ("error rate above
        # 5%"), so only the unit or a value above 1 says the value is a percentage. A tool
        # writes a fraction of 1 as "1": exactly 1 is 100 % here (unlike a hand-written 1,
        # see opsagent.values.numbers).
        if unit == "percent" or value > 1.0:
            value = round(value / 100.0, 9)
        return value if value <= 1.0 else None
    if kind in {_MS, _SECONDS}:
        if value < 0:
            return None
        source = _duration_unit(text, unit) or (latency_unit if kind == _MS else "s")
        seconds = value / 1000.0 if source == "ms" else value
        if source == "us":
            seconds = value / 1_000_000.0
        return seconds * 1000.0 if kind == _MS else seconds
    if value < 0:
        return None
    return float(value)


def _duration_unit(text: str, unit: str) -> str | None:
    if unit in {"seconds", "second", "s", "sec"}:
        return "s"
    if unit in {"milliseconds", "millisecond", "ms"}:
        return "ms"
    if unit in {"microseconds", "us", "µs"}:
        return "us"
    if _MS_HINT.search(text):
        return "ms"
    if _SECONDS_HINT.search(text):
        return "s"
    return None


_ABOVE = re.compile(
    r"(?:\babove|\bover|\bexceed(?:s|ing|ed)?|\bgreater than|\bhigher than|\bmore than|>=?)"
    r"\s*(\d+(?:\.\d+)?)\s*(%|ms\b|milliseconds?\b|s\b|secs?\b|seconds?\b)?",
    re.IGNORECASE,
)
_BELOW = re.compile(
    r"(?:\bbelow|\bunder|\bless than|\blower than|<=?)"
    r"\s*(\d+(?:\.\d+)?)\s*(%|ms\b|milliseconds?\b|s\b|secs?\b|seconds?\b)?",
    re.IGNORECASE,
)
_LOWER_IS_WORSE = {"availability", "cache_hit_rate", "cert_expiry_days"}


def objective_in_words(reading: Reading, *texts: str) -> float | None:
    """The threshold an alert's own words state ("Disk usage above 70%", "p95 latency
    over 800ms", "availability below 99.9%"), in the reading's unit; ``None`` when the
    words state none or its unit cannot be told."""
    pattern = _BELOW if reading.name in _LOWER_IS_WORSE else _ABOVE
    for text in texts:
        match = pattern.search(text or "")
        if not match:
            continue
        number = float(match.group(1))
        unit = (match.group(2) or "").lower()
        if reading.unit == "ratio":
            return number / 100.0 if unit == "%" or number > 1.0 else number
        if reading.unit == "ms":
            if unit.startswith("m"):
                return number
            if unit.startswith("s"):
                return number * 1000.0
            return None
        if reading.unit == "s":
            if unit.startswith("m"):
                return number / 1000.0
            return number if unit.startswith("s") or not unit else None
        return number if not unit or unit != "%" else None
    return None


def ratio_from_percent_text(text: str) -> float | None:
    """``"12.5%"`` → 0.125 (used for descriptions such as Sentry's)."""
    match = re.search(r"(-?\d+(?:\.\d+)?)\s*%", text)
    if not match:
        return None
    value = float(match.group(1)) / 100.0
    return value if 0.0 <= value <= 1.0 else None
