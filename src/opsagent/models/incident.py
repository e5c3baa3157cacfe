"""An incident: every signal of one ``opsagent analyze`` call, grouped and placed in time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .note import InputNote
from .signal import Signal, SignalKind


class Incident(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    services: list[str] = Field(default_factory=list)  # affected services, most signals first
    regions: list[str] = Field(default_factory=list)
    zones: list[str] = Field(default_factory=list)
    environments: list[str] = Field(default_factory=list)
    started_at: datetime | None = None  # onset: earliest sign of trouble
    now: datetime  # the reference time of the analysis
    signals: list[Signal] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)  # adapters that contributed
    extras: dict[str, Any] = Field(default_factory=dict)  # unknown fields, kept for the analysis
    input_notes: list[InputNote] = Field(default_factory=list)  # values that could not be read

    def of_kind(self, *kinds: SignalKind) -> list[Signal]:
        return [s for s in self.signals if s.kind in kinds]

    @property
    def changes(self) -> list[Signal]:
        return self.of_kind(SignalKind.CHANGE)
