"""Format detection: the first registered adapter that accepts the document.

Adapters are asked in registration order (vendor formats first, the generic event last).
An adapter that does not accept a document may still know it as its vendor's, in a shape
or version it cannot read (``unsupported``): such a document is refused there, with the
shapes that adapter supports, rather than taken by a later adapter for something else.

:func:`explain` says the same in words, for ``opsagent detect``: which adapter takes a
document and on what it detects, or why none does, with the nearest format by the fields
the document shares with what each format detects on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InputError, UnrecognizedInput, UnsupportedInput
from ..registry import Registry
from .base import Adapter
from .fields import kind_of


@dataclass(frozen=True)
class Finding:
    """What detection found for one document: the adapter that takes it, or the
    vendor shape that is named as unsupported, or neither."""

    adapter: Adapter | None
    unsupported: str | None = None


def find(doc: Mapping[str, Any], registry: Registry) -> Finding:
    for adapter in registry.adapters():
        if adapter.detect(doc):
            return Finding(adapter)
        probe = getattr(adapter, "unsupported", None)
        shape = probe(doc) if probe is not None else None
        if shape and isinstance(shape, str):
            return Finding(None, shape)
    return Finding(None)


def detect(doc: Any, registry: Registry, source: str) -> Adapter:
    if not isinstance(doc, Mapping):
        raise InputError(
            f"expected a JSON object (an event or an alert payload), got {kind_of(doc)}",
            source=source,
        )
    found = find(doc, registry)
    if found.adapter is not None:
        return found.adapter
    if found.unsupported:
        raise UnsupportedInput(f"not a supported payload: {found.unsupported}", source=source)
    expected = ", ".join(a.title for a in registry.adapters())
    raise UnrecognizedInput(
        f"not a recognised payload (fields: {_keys(doc)}); expected one of: {expected}",
        source=source,
    )


def detects_on(adapter: Adapter) -> str:
    """What an adapter detects on, in words: its ``detects`` text when it has one (a
    plug-in may not), else the first line of its docstring."""
    words = getattr(adapter, "detects", None)
    if isinstance(words, str) and words.strip():
        return words.strip()
    doc = (type(adapter).__doc__ or "").strip().splitlines()
    return doc[0] if doc else "(not described)"


def explain(doc: Any, registry: Registry) -> tuple[Adapter | None, str]:
    """The adapter that takes ``doc`` (or None) and why, in one line."""
    if not isinstance(doc, Mapping):
        return None, f"not a JSON object ({kind_of(doc)}); every format is an object"
    found = find(doc, registry)
    if found.adapter is not None:
        return found.adapter, f"taken by {found.adapter.name} ({found.adapter.title}), " \
            f"which detects on: {detects_on(found.adapter)}"
    if found.unsupported:
        return None, f"not supported: {found.unsupported}"
    near = nearest(doc, registry)
    hint = f"; nearest: {near[0].title} (shares {', '.join(near[1])})" if near else ""
    return None, f"no format takes it (fields: {_keys(doc)}){hint}"


_NAME = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")


def nearest(doc: Mapping[str, Any], registry: Registry) -> tuple[Adapter, list[str]] | None:
    """The vendor format whose detection names most of the document's fields (an object
    of the document that the detection names the fields of counts more)."""
    fields = set(_paths(doc))
    objects = {str(k) for k, v in doc.items() if isinstance(v, Mapping)}
    best: tuple[float, Adapter, list[str]] | None = None
    for adapter in registry.adapters():
        if adapter.name == "generic":
            continue
        tokens = _NAME.findall(detects_on(adapter))
        named = {part for token in tokens for part in (token, *token.split("."))}
        parents = {token.split(".")[0] for token in tokens if "." in token}
        shared = sorted(fields & named)
        score = len(shared) + 0.5 * len(objects & parents)
        if shared and (best is None or score > best[0]):
            best = (score, adapter, shared)
    return (best[1], best[2]) if best else None


def _paths(doc: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    for key, value in list(doc.items())[:50]:
        out.append(str(key))
        if isinstance(value, Mapping):
            out.extend(f"{key}.{inner}" for inner in list(value)[:50])
    return out


def _keys(doc: Mapping[str, Any]) -> str:
    return ", ".join(sorted(str(k) for k in doc)[:8]) or "no fields"
