"""Reading human values: ratios, durations, sizes, times, scopes.

Shared by ingest, the engine and the catalog, so it lives above none of them (it imports
only the models and the errors). The strict readers (``parse_*``) return one number in
canonical units or raise :class:`~opsagent.errors.UnreadableValue` naming the field;
:func:`read_value` reads the fuller forms people write (``"500/500"``, ``"10x
baseline"``, ``"-70% on 4 of 24 nodes"``, ``"96% (app-2), 93% (app-4)"``) into a
:class:`Reading`. The rule for bare numbers as ratios is in :mod:`.numbers`.
"""

from .forms import EXPECTED, Kind, Reading, read_value
from .numbers import (
    DURATION_EXPECTED,
    NUMBER_EXPECTED,
    RATIO_EXPECTED,
    SIZE_EXPECTED,
    bare_ratio,
    on_percent_scale,
    parse_duration_ms,
    parse_number,
    parse_ratio,
    parse_size,
    percent_scale,
)
from .text import as_text, clip
from .times import TIME_EXPECTED, format_time, humanize_age, parse_time

__all__ = [
    "DURATION_EXPECTED",
    "EXPECTED",
    "NUMBER_EXPECTED",
    "RATIO_EXPECTED",
    "SIZE_EXPECTED",
    "TIME_EXPECTED",
    "Kind",
    "Reading",
    "as_text",
    "bare_ratio",
    "clip",
    "format_time",
    "humanize_age",
    "on_percent_scale",
    "parse_duration_ms",
    "parse_number",
    "parse_ratio",
    "parse_size",
    "parse_time",
    "percent_scale",
    "read_value",
]
