"""Ingest: read payloads, detect their format, parse them into signals, assemble one incident.

Reading is lenient: a value that cannot be read, one bad item of a list and one bad
document among good ones become notes on the incident (``Incident.input_notes``) and the
rest is triaged. Only input with nothing to triage is refused; ``strict`` refuses every
note instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..errors import InputError, UserError
from ..models import Incident, InputNote, Signal
from ..registry import Registry, default_registry
from .assemble import assemble
from .base import Adapter, ParseContext, field_path
from .detect import detect
from .documents import Document, parse_text, read_documents
from .generic_fields import KNOWN_FIELDS
from .notes import error_of, notes_of, raise_all

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
    "read_documents",
]

# Relative phrases ("2 hours ago") are first resolved against this far-past reference; any
# timestamp before _RELATIVE_LIMIT then shows that the payloads used one.
_PROVISIONAL_NOW = datetime(1970, 1, 2, tzinfo=timezone.utc)
_RELATIVE_LIMIT = datetime(1980, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class _Parsed:
    doc: Document
    adapter: Adapter
    signals: list[Signal]
    ctx: ParseContext


def parse_document(
    doc: Document, registry: Registry, now: datetime | None
) -> tuple[Adapter, list[Signal]]:
    """Detect and parse one document; errors are located in ``doc.source``. Values that
    cannot be read are raised too (see :func:`build_incident` for the lenient reading)."""
    parsed = _parse(doc, registry, now)
    raise_all(error_of(note) for note in parsed.ctx.notes)
    return parsed.adapter, parsed.signals


def _parse(doc: Document, registry: Registry, now: datetime | None) -> _Parsed:
    adapter = detect(doc.data, registry, doc.source)
    ctx = ParseContext(now=now, source=doc.source)
    try:
        signals = adapter.parse(doc.data, ctx)
    except UserError as exc:
        raise exc.with_source(doc.source) from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise InputError(
            f"malformed {adapter.title} payload ({type(exc).__name__}: {exc})",
            source=doc.source,
        ) from None
    if not signals:
        # nothing left to triage: what could not be read is the reason, if anything was
        raise_all(error_of(note) for note in ctx.notes)
        raise InputError(f"the {adapter.title} payload holds no signal to analyse",
                         source=doc.source)
    return _Parsed(doc, adapter, signals, ctx)


def build_incident(
    documents: Iterable[Document],
    *,
    now: datetime | None = None,
    registry: Registry | None = None,
    strict: bool = False,
    problems: Iterable[UserError] = (),
) -> Incident:
    """Parse every document and assemble them into one incident.

    ``now`` pins the reference time. Without it, now is the latest timestamp found in
    the payloads, else the wall clock. ``problems`` are those found while reading the
    payloads (a line of NDJSON that is not JSON). Every problem, and every value that
    cannot be read, is a note on the incident; the rest is assembled. Raises the
    problems (one ``UserError``, or ``InputErrors``) when nothing is left to triage, and
    with ``strict`` whenever there is one.
    """
    registry = registry or default_registry()
    docs = list(documents)
    earlier = list(problems)
    if not docs:
        raise_all(earlier)
        raise InputError("no payload given")
    if now is not None and now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    parsed, errors = _parse_all(docs, registry, now or _PROVISIONAL_NOW)
    if now is None:
        now = _reference_time(parsed)
        if _used_relative(parsed):
            parsed, errors = _parse_all(docs, registry, now)
    errors = earlier + errors
    notes = [note for p in parsed for note in p.ctx.notes]
    if strict:
        raise_all([*errors, *(error_of(note) for note in notes)])
    if not parsed:
        raise_all(errors)
    signals = [s for p in parsed for s in p.signals]
    incident = assemble(signals, now, sources=[p.adapter.name for p in parsed],
                        extras=_extras(parsed))
    located = [n for e in errors for n in notes_of(e, e.source or "<payload>")]
    incident.input_notes = _unique([*located, *notes])
    return incident


def _parse_all(
    docs: list[Document], registry: Registry, now: datetime
) -> tuple[list[_Parsed], list[UserError]]:
    parsed: list[_Parsed] = []
    errors: list[UserError] = []
    for doc in docs:
        try:
            parsed.append(_parse(doc, registry, now))
        except UserError as exc:
            errors.append(exc)
    return parsed, errors


def _times(parsed: list[_Parsed]) -> Iterable[datetime]:
    for p in parsed:
        for signal in p.signals:
            for stamp in (signal.at, signal.ended_at):
                if stamp is not None:
                    yield stamp


def _reference_time(parsed: list[_Parsed]) -> datetime:
    stamps = [t for t in _times(parsed) if t >= _RELATIVE_LIMIT]
    return max(stamps) if stamps else datetime.now(timezone.utc).replace(microsecond=0)


def _used_relative(parsed: list[_Parsed]) -> bool:
    return any(t < _RELATIVE_LIMIT for t in _times(parsed))


def _extras(parsed: list[_Parsed]) -> dict[str, Any]:
    """Unknown fields of generic events and unreadable values written as text: words the
    analysis reads as evidence."""
    extras: dict[str, Any] = {}
    for p in parsed:
        if p.adapter.name == "generic" and isinstance(p.doc.data, Mapping):
            for key, value in p.doc.data.items():
                if key not in KNOWN_FIELDS:
                    extras[str(key)] = value
        for field, text in p.ctx.kept.items():
            extras[field] = f"{extras[field]}; {text}" if field in extras else text
    return extras


def _unique(notes: list[InputNote]) -> list[InputNote]:
    return list(dict.fromkeys(notes))
