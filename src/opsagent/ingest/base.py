"""The adapter interface: one adapter per input format.

An adapter recognises its documents (``detect``) and turns one document into
:class:`~opsagent.models.Signal` objects (``parse``). It raises
:class:`~opsagent.errors.InputError` with ``field=`` set for a recognised but broken
document; a value it cannot read, or one bad item of a list, it gives to
:meth:`ParseContext.note` (or reads inside :meth:`ParseContext.recover`) and goes on with
the rest. Adapters are registered in :class:`opsagent.registry.Registry`, built-ins
exactly like plug-ins; detection tries them in registration order and the generic
event format last. An adapter may also name the documents of its vendor that it cannot
read: an optional method ``unsupported(doc) -> str | None`` that says what the document
is and which shapes are supported, so that it is refused by name instead of being taken
for a generic event; and an optional text ``detects`` that says what ``detect`` checks
(``opsagent formats`` prints it; ``opsagent detect`` reads its field names to point at
the nearest format). See docs/adapters.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, runtime_checkable

from ..errors import InputError, UnreadableValue, UserError
from ..models import InputNote, Signal
from .notes import notes_of

# What a bug in an adapter raises; inside ``recover`` it costs one item, not the document.
_SLIPS = (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError,
          RecursionError)


@dataclass(frozen=True)
class ParseContext:
    """What an adapter may know besides the document itself, and where it leaves what it
    could not read."""

    now: datetime | None = None  # the reference time for relative phrases ("2 hours ago")
    source: str = "<payload>"  # file name or "<stdin>", for messages only
    notes: list[InputNote] = field(default_factory=list, compare=False)
    # unreadable values written as text, by field: kept as text evidence for the analysis
    kept: dict[str, str] = field(default_factory=dict, compare=False)

    def note(self, error: UserError, *, keep: bool = True) -> None:
        """Record a problem instead of raising it; the rest of the document is read. An
        unreadable value written as text is kept as text evidence (unless ``keep`` is
        False: a value that was read, with a note on how)."""
        self.notes.extend(notes_of(error, self.source))
        if keep and isinstance(error, UnreadableValue) and error.field \
                and isinstance(error.raw, str) and error.raw.strip():
            self.kept[error.field] = error.raw.strip()[:500]

    def recover(self, *path: str | int) -> _Recover:
        """``with ctx.recover("alerts", 3):`` reads one item of a list (an alert, a record,
        an event): a problem in it becomes a note and the next item is still read."""
        return _Recover(self, path)


class _Recover:
    """The context manager of :meth:`ParseContext.recover` (a class: it runs per item)."""

    __slots__ = ("ctx", "path")

    def __init__(self, ctx: ParseContext, path: tuple[str | int, ...]) -> None:
        self.ctx = ctx
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 trace: TracebackType | None) -> bool:
        if isinstance(exc, UserError):
            self.ctx.note(exc)
            return True
        if isinstance(exc, _SLIPS):
            self.ctx.note(InputError(f"malformed item ({type(exc).__name__}: {exc})",
                                     field=field_path(*self.path) or None))
            return True
        return False


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
