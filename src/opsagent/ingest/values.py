"""Kept for existing callers: value reading lives in :mod:`opsagent.values`."""

from ..values import (
           as_text,
           clip,
           format_time,
           humanize_age,
           parse_duration_ms,
           parse_number,
           parse_ratio,
           parse_time,
)

__all__ = ["as_text", "clip", "format_time", "humanize_age", "parse_duration_ms",
           "parse_number", "parse_ratio", "parse_time"]
