"""Ingest: read payloads, detect their format, parse them into signals, assemble one incident."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from ..errors import InputError, InputErrors, UserError
from ..models import Incident, Signal
from ..registry import Registry, default_registry
from .assemble import assemble
from .base import Adapter, ParseContext, field_path
from .detect import detect
from .documents import Document, parse_text
from .generic import KNOWN_FIELDS

__all__ = [
    "Adapter",
    "Document",
    "ParseContext",
    "assemble",
    "build_incident",
    "detect",
    "field_path",
    "parse_document",
    "parse_text",
]

# Relative phrases ("2 hours ago") are first resolved against this far-past reference; any
# timestamp before _RELATIVE_LIMIT then shows that the payloads used one.
_PROVISIONAL_NOW = datetime(1970, 1, 2, tzinfo=timezone.utc)
_RELATIVE_LIMIT = datetime(1980, 1, 1, tzinfo=timezone.utc)


def parse_document(
    doc: Document, registry: Registry, now: datetime | None
) -> tuple[Adapter, list[Signal]]:
    """Detect and parse one document; errors are located in ``doc.source``."""
    adapter = detect(doc.data, registry, doc.source)
    try:
        signals = adapter.parse(doc.data, ParseContext(now=now, source=doc.source))
    except UserError as exc:
        raise exc.with_source(doc.source) from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise InputError(
            f"malformed {adapter.title} payload ({type(exc).__name__}: {exc})",
            source=doc.source,
        ) from None
    if not signals:
        raise InputError(f"the {adapter.title} payload holds no signal to analyse",
                         source=doc.source)
    return adapter, signals


def build_incident(
    documents: Iterable[Document],
    *,
    now: datetime | None = None,
    registry: Registry | None = None,
    skip_invalid: bool = False,
    problems: list[UserError] | None = None,
) -> Incident:
    """Parse every document and assemble them into one incident.

    ``now`` pins the reference time. Without it, now is the latest timestamp found in
    the payloads, else the wall clock. Every bad document is reported (``InputErrors``);
    with ``skip_invalid`` they are appended to ``problems`` and the rest are analysed.
    """
    registry = registry or default_registry()
    docs = list(documents)
    if not docs:
        raise InputError("no payload given")
    if now is not None and now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    reference = now or _PROVISIONAL_NOW
    parsed, errors = _parse_all(docs, registry, reference)
    if now is None:
        stamps = [t for _, sigs in parsed for s in sigs for t in (s.at, s.ended_at)
                  if t is not None and t >= _RELATIVE_LIMIT]
        now = max(stamps) if stamps else datetime.now(timezone.utc).replace(microsecond=0)
        used_relative = any(
            t is not None and t < _RELATIVE_LIMIT
            for _, sigs in parsed for s in sigs for t in (s.at, s.ended_at)
        )
        if used_relative:
            parsed, errors = _parse_all(docs, registry, now)
    if errors:
        if not skip_invalid or len(errors) == len(docs):
            raise errors[0] if len(errors) == 1 else InputErrors(list(errors))
        if problems is not None:
            problems.extend(errors)
    signals = [s for _, sigs in parsed for s in sigs]
    sources = [adapter.name for adapter, _ in parsed]
    extras: dict[str, Any] = {}
    for doc, (adapter, _) in zip(_ok_docs(docs, errors), parsed, strict=False):
        if adapter.name == "generic" and isinstance(doc.data, Mapping):
            for key, value in doc.data.items():
                if key not in KNOWN_FIELDS:
                    extras[str(key)] = value
    return assemble(signals, now, sources=sources, extras=extras)


def _parse_all(
    docs: list[Document], registry: Registry, now: datetime
) -> tuple[list[tuple[Adapter, list[Signal]]], list[UserError]]:
    parsed: list[tuple[Adapter, list[Signal]]] = []
    errors: list[UserError] = []
    for doc in docs:
        try:
            parsed.append(parse_document(doc, registry, now))
        except UserError as exc:
            errors.append(exc)
    return parsed, errors


def _ok_docs(docs: list[Document], errors: list[UserError]) -> list[Document]:
    bad = {e.source for e in errors}
    return [d for d in docs if d.source not in bad]
