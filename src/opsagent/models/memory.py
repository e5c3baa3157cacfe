"""Incident memory as data: past incidents handed to the engine, and the report's
``similar_incidents``.

A :class:`PastIncident` is what a store (or a replay) knows about an earlier incident:
its structure (services, alert names, the engine's features and ranked causes), a short
summary, the feedback people gave on its causes and how it was resolved. The engine
reads these as input data; it never looks anything up itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Verdict = Literal["correct", "wrong"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _utc(value: datetime | None) -> datetime | None:
    """A time without a zone is read as UTC, so every time compares with every other."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


class Feedback(_Model):
    """One person's word on one cause of a past incident: ``cause`` is a taxonomy
    category or a failure-mode id. A later feedback on the same cause supersedes an
    earlier one (by ``at``, then by order in the list)."""

    cause: str = Field(min_length=1)
    verdict: Verdict
    by: str | None = None
    at: datetime | None = None
    note: str = ""

    @field_validator("at")
    @classmethod
    def _at_in_utc(cls, value: datetime | None) -> datetime | None:
        return _utc(value)


class PastIncident(_Model):
    """An earlier incident, as the engine compares and learns from it."""

    id: str = Field(min_length=1)
    started_at: datetime | None = None
    services: list[str] = Field(default_factory=list)
    alerts: list[str] = Field(default_factory=list)  # alert names, as the sources named them
    summary: str = ""
    features: list[str] = Field(default_factory=list)  # engine feature ids (its signature)
    categories: list[str] = Field(default_factory=list)  # ranked causes, best first
    failure_modes: list[str] = Field(default_factory=list)  # ranked failure-mode ids
    feedback: list[Feedback] = Field(default_factory=list)
    resolution: str | None = None  # what fixed it, in people's words

    @field_validator("started_at")
    @classmethod
    def _started_in_utc(cls, value: datetime | None) -> datetime | None:
        return _utc(value)

    def verdicts(self) -> dict[str, Feedback]:
        """The standing feedback per cause: the latest one said about it."""
        return current_verdicts(self.feedback)

    @property
    def confirmed_cause(self) -> str | None:
        """The cause confirmed correct most recently (and not withdrawn since)."""
        standing = [f for f in self.verdicts().values() if f.verdict == "correct"]
        return standing[-1].cause if standing else None


def current_verdicts(feedback: Sequence[Feedback]) -> dict[str, Feedback]:
    """Per cause, the feedback that stands (the last word on it), oldest first.

    Feedback is ordered by ``at`` (feedback without a time counts as older than any
    timed one), then by its place in the list."""
    order = sorted(range(len(feedback)), key=lambda i: _when(feedback[i], i))
    out: dict[str, Feedback] = {}
    for index in order:
        item = feedback[index]
        out.pop(item.cause, None)  # re-insert: the dict keeps the order of the last word
        out[item.cause] = item
    return out


def _when(item: Feedback, index: int) -> tuple[bool, float, int]:
    return (item.at is not None, item.at.timestamp() if item.at else 0.0, index)


class SimilarIncident(_Model):
    """A past incident that looks like this one, with the reasons (``why``, each
    starting with its kind: ``shared service``, ``same failure signature``, ``same
    alert``, ``same confirmed cause``, ``recency``)."""

    incident: str
    started_at: str | None = None
    services: list[str] = Field(default_factory=list)
    summary: str = ""
    similarity: float = Field(ge=0.0, le=1.0)
    why: list[str] = Field(default_factory=list)
    confirmed_cause: str | None = None
    resolution: str | None = None
