"""Every error opsagent raises derives from :class:`OpsagentError`.

::

    OpsagentError
    ├── UserError                 bad input or configuration: the CLI exits 2
    │   ├── InputError            a payload that cannot be read or understood
    │   │   ├── UnreadableValue   one value in a form that cannot be read
    │   │   ├── UnrecognizedInput a JSON document that no adapter recognises
    │   │   │   └── UnsupportedInput  a known vendor's document in a shape not supported
    │   │   └── InputErrors       several of the above, one per problem
    │   ├── KnowledgeError        an invalid failure-mode / vocabulary file
    │   ├── CatalogError          an invalid service catalog
    │   └── ConfigError           an invalid option, LLM spec or config file
    └── RuntimeFailure            something failed while running: the CLI exits 1
        └── AgentError            the LLM agent failed (the engine's report is used instead)

User errors always carry context: which file (``source``), which field (``field``)
and what was expected. ``str(err)`` is the one line the CLI prints.

Outside ``--strict``, an ``UnreadableValue`` (and a bad item among good ones) does not stop
the analysis: it becomes a note on the report (``TriageReport.input_notes``).
"""

from __future__ import annotations

from typing import Any


class OpsagentError(Exception):
    """Base class of every error raised by opsagent."""


class UserError(OpsagentError):
    """A problem with what the user gave us; fixable by the user."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.field = field
        self.line = line
        super().__init__(self.format())

    def format(self) -> str:
        """One line: ``source:line: field 'x': message`` (unprintable characters escaped)."""
        return _one_line(self._format())

    def _format(self) -> str:
        where = ""
        if self.source:
            where = self.source
            if self.line is not None:
                where += f":{self.line}"
        parts = []
        if where:
            parts.append(where)
        if self.field:
            parts.append(f"field '{self.field}'")
        prefix = ": ".join(parts)
        text = " ".join(self.message.split())
        return f"{prefix}: {text}" if prefix else text

    def with_source(self, source: str, line: int | None = None) -> UserError:
        """Return the same error, located in ``source`` (keeps an existing location)."""
        if self.source is None:
            self.source = source
            if line is not None and self.line is None:
                self.line = line
            self.args = (self.format(),)
        return self


def _one_line(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" if ord(ch) < 256
                   else f"\\u{ord(ch):04x}" for ch in text)


class InputError(UserError):
    """A payload that cannot be parsed or is not a usable signal."""


class UnreadableValue(InputError):
    """A value that cannot be read: ``value`` is how it was written (quoted, shortened)
    and ``expected`` what would have been understood (``a ratio such as 0.18``)."""

    def __init__(self, expected: str, value: Any, *, field: str | None = None,
                 source: str | None = None) -> None:
        self.expected = expected
        self.raw = value
        self.value = describe(value)
        super().__init__(f"expected {expected}, got {self.value}", field=field, source=source)


def describe(value: Any) -> str:
    """A value quoted for a message, at most 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class UnrecognizedInput(InputError):
    """A JSON document that none of the registered adapters recognises."""


class UnsupportedInput(UnrecognizedInput):
    """A document of a known vendor in a shape or version no adapter reads (an
    Alertmanager webhook of version 3, a PagerDuty v2 webhook); the message names it and
    the supported shapes."""


class InputErrors(InputError):
    """Several input problems found in one run; ``errors`` holds each one."""

    def __init__(self, errors: list[UserError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(e.format() for e in self.errors))

    def format(self) -> str:
        return "\n".join(e.format() for e in getattr(self, "errors", []))


class KnowledgeError(UserError):
    """An invalid knowledge-base file (failure mode, vocabulary)."""


class CatalogError(UserError):
    """An invalid service catalog."""


class ConfigError(UserError):
    """An invalid option, LLM specification or configuration file."""


class RuntimeFailure(OpsagentError):
    """An unexpected failure while running."""


class AgentError(RuntimeFailure):
    """The LLM agent could not produce a valid answer."""

    def __init__(self, message: str, *, reason: str = "error") -> None:
        self.reason = reason
        super().__init__(message)
