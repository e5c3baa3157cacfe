"""The adapter interface: one adapter per input format.

An adapter recognises its documents (``detect``) and turns one document into
:class:`~opsagent.models.Signal` objects (``parse``). It raises
:class:`~opsagent.errors.InputError` with ``field=`` set for a recognised but broken
document. Adapters are registered in :class:`opsagent.registry.Registry`, built-ins
exactly like plug-ins; detection tries them in registration order and the generic
event format last.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from ..models import Signal


@dataclass(frozen=True)
class ParseContext:
    """What an adapter may know besides the document itself."""

    now: datetime | None = None  # the reference time for relative phrases ("2 hours ago")
    source: str = "<payload>"  # file name or "<stdin>", for messages only


@runtime_checkable
class Adapter(Protocol):
    name: str  # short id, e.g. "alertmanager"
    title: str  # human name, e.g. "Prometheus Alertmanager webhook"

    def detect(self, doc: Mapping[str, Any]) -> bool:
        """True when ``doc`` is in this adapter's format (cheap, structural checks)."""
        ...

    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        """The signals in ``doc``; raises ``InputError`` naming the field when broken."""
        ...


def field_path(*parts: str | int) -> str:
    """``alerts[0].labels.severity`` from ``("alerts", 0, "labels", "severity")``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += "." + part
        else:
            out = part
    return out
