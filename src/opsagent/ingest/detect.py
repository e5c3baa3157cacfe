"""Format detection: the first registered adapter whose ``detect`` accepts the document."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InputError, UnrecognizedInput
from ..registry import Registry
from .base import Adapter
from .fields import kind_of


def detect(doc: Any, registry: Registry, source: str) -> Adapter:
    if not isinstance(doc, Mapping):
        raise InputError(
            f"expected a JSON object (an event or an alert payload), got {kind_of(doc)}",
            source=source,
        )
    for adapter in registry.adapters():
        if adapter.detect(doc):
            return adapter
    expected = ", ".join(a.title for a in registry.adapters())
    keys = ", ".join(sorted(str(k) for k in doc)[:8]) or "no fields"
    raise UnrecognizedInput(
        f"not a recognised payload (fields: {keys}); expected one of: {expected}",
        source=source,
    )
