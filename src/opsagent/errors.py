"""Every error opsagent raises derives from :class:`OpsagentError`.

::

    OpsagentError
    ├── UserError                 bad input or configuration: the CLI exits 2
    │   ├── InputError            a payload that cannot be read or understood
    │   │   ├── UnrecognizedInput a JSON document that no adapter recognises
    │   │   └── InputErrors       several of the above, one per bad document
    │   ├── KnowledgeError        an invalid failure-mode / vocabulary file
    │   ├── CatalogError          an invalid service catalog
    │   └── ConfigError           an invalid option, LLM spec or config file
    └── RuntimeFailure            something failed while running: the CLI exits 1
        └── AgentError            the LLM agent failed (the engine's report is used instead)

User errors always carry context: which file (``source``), which field (``field``)
and what was expected. ``str(err)`` is the one line the CLI prints.
"""

from __future__ import annotations


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


class UnrecognizedInput(InputError):
    """A JSON document that none of the registered adapters recognises."""


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
