"""An input note: a value that could not be read, kept on the report instead of refusing
the incident (``TriageReport.input_notes``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class InputNote(BaseModel):
    """What could not be read, and where: ``alerts.json``, field ``metrics.cpu``, the value
    as written (``'lots'``) and what was expected (``a ratio such as 0.18, 18 or "18%"``).

    ``field`` is ``None`` for a whole document (a line of NDJSON that is not JSON, an item
    of an array that no format recognises); ``value`` is ``None`` when there is no single
    value to quote, and ``expected`` then says what was wrong.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    field: str | None = None
    value: str | None = None
    expected: str

    def format(self) -> str:
        """One line: ``source: field 'x': expected ..., got 'value'``."""
        parts = [self.source]
        if self.field:
            parts.append(f"field '{self.field}'")
        if self.value is None:
            return ": ".join([*parts, self.expected])
        return ": ".join([*parts, f"expected {self.expected}, got {self.value}"])
