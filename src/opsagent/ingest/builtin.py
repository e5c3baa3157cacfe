"""Registration of the built-in adapters, exactly as a plug-in would register its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .generic import GenericEventAdapter

if TYPE_CHECKING:
    from ..registry import Registry


def register(registry: Registry) -> None:
    # Vendor formats first (their detection is structural and specific); the generic
    # hand-written event last, as the fallback.
    registry.add_adapter(GenericEventAdapter(), fallback=True)
