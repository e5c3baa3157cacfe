"""``history:`` in the config file: where the command line records incidents, and how
long any history database keeps them.

``history: incidents.db`` is short for ``history: {database: sqlite:///incidents.db}``;
``retention_days`` and ``max_incidents`` bound the history (the service's too).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

RETENTION_DAYS = 365
MAX_INCIDENTS = 100_000


class HistorySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    database: str | None = None  # sqlite:///PATH, postgresql://… or a bare file name
    retention_days: float = Field(default=RETENTION_DAYS, gt=0)
    max_incidents: int = Field(default=MAX_INCIDENTS, gt=0)


def history_mapping(value: Any) -> Any:
    """The short form (a URL or file name) as the mapping it stands for."""
    return {"database": value} if isinstance(value, str) else value


def history_url(value: str) -> str:
    """A database URL; a bare file name is a SQLite database of that name."""
    return value if "://" in value else f"sqlite:///{value}"
