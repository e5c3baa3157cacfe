"""Problems as notes, and notes as problems.

Outside ``--strict``, a value that cannot be read, or one bad item among good ones, is a
note on the report (:class:`~opsagent.models.InputNote`) and the rest is triaged; with
``--strict`` (or when nothing else is left to triage) every note is an error again.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import InputError, InputErrors, UnreadableValue, UserError
from ..models import InputNote


def notes_of(error: UserError, source: str) -> list[InputNote]:
    """The notes of one problem (several for :class:`InputErrors`), located in ``source``
    unless the error already names its file."""
    if isinstance(error, InputErrors):
        return [note for inner in error.errors for note in notes_of(inner, source)]
    where = error.source or source
    if error.line is not None:
        where = f"{where}:{error.line}"
    if isinstance(error, UnreadableValue):
        return [InputNote(source=where, field=error.field, value=error.value,
                          expected=error.expected)]
    return [InputNote(source=where, field=error.field, expected=" ".join(error.message.split()))]


def error_of(note: InputNote) -> InputError:
    """The note as the error ``--strict`` reports: the same line."""
    message = note.expected if note.value is None else \
        f"expected {note.expected}, got {note.value}"
    return InputError(message, source=note.source, field=note.field)


def raise_all(errors: Iterable[UserError]) -> None:
    """Raise the problems: the one error, or every one of them (one line each)."""
    found = list(errors)
    if len(found) == 1:
        raise found[0]
    if found:
        raise InputErrors(found)
