"""Format detection: the first registered adapter that accepts the document.

Adapters are asked in registration order (vendor formats first, the generic event last).
An adapter that does not accept a document may still know it as its vendor's, in a shape
or version it cannot read (``unsupported``): such a document is refused there, with the
shapes that adapter supports, rather than taken by a later adapter for something else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InputError, UnrecognizedInput, UnsupportedInput
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
        probe = getattr(adapter, "unsupported", None)
        shape = probe(doc) if probe is not None else None
        if shape and isinstance(shape, str):
            raise UnsupportedInput(f"not a supported payload: {shape}", source=source)
    expected = ", ".join(a.title for a in registry.adapters())
    keys = ", ".join(sorted(str(k) for k in doc)[:8]) or "no fields"
    raise UnrecognizedInput(
        f"not a recognised payload (fields: {keys}); expected one of: {expected}",
        source=source,
    )
