"""One registry for everything pluggable: input adapters, report renderers, LLM providers,
history stores and notifiers. Built-ins register exactly like plug-ins (see
:mod:`opsagent.plugins`, the composition root that builds the default registry).

Each kind is one table of named entries that refuses a name registered twice, and
remembers which distribution registered each entry. A plug-in is a distribution that
declares an entry point in the ``opsagent.plugins`` group pointing at a callable
``register(registry)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    from .ingest.base import Adapter
    from .models import TriageReport

Renderer = Callable[["TriageReport"], str]
ProviderFactory = Callable[..., Any]

#: The kinds of entry a registry holds, with the word used in messages.
KINDS: dict[str, str] = {
    "adapter": "input format",
    "renderer": "format",
    "provider": "LLM provider",
    "store": "store",
    "notifier": "notifier",
}


class DuplicateName(ConfigError):
    """A name registered twice in one kind: a configuration error at start-up."""


class Registry:
    def __init__(self) -> None:
        self._tables: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}
        self._fallback_adapters: dict[str, Adapter] = {}
        self._origins: dict[tuple[str, str], str] = {}
        self._origin: str | None = None

    # the generic per-kind table --------------------------------------------------
    def add(self, kind: str, name: str, entry: Any) -> None:
        """Register ``entry`` as ``name`` of ``kind``; a name is taken once per kind."""
        table = self._table(kind)
        if name in table or (kind == "adapter" and name in self._fallback_adapters):
            raise DuplicateName(f"{kind} {name!r} is registered twice")
        table[name] = entry
        self._note_origin(kind, name)

    def get(self, kind: str, name: str) -> Any:
        try:
            return self._table(kind)[name]
        except KeyError:
            known = ", ".join(sorted(self.names(kind)))
            raise ConfigError(f"unknown {KINDS[kind]} {name!r}; expected one of: {known}"
                              ) from None

    def names(self, kind: str) -> list[str]:
        """The names of ``kind`` in registration order."""
        return list(self._table(kind))

    def origin(self, kind: str, name: str) -> str | None:
        """The distribution that registered ``name`` of ``kind`` (None when it was added
        outside :meth:`registering`, as by a test or at run time)."""
        return self._origins.get((kind, name))

    @contextmanager
    def registering(self, origin: str) -> Iterator[None]:
        """Entries added inside come from the distribution ``origin``. If the block
        raises, every entry it added is taken out again: a hook registers all or nothing."""
        before = {kind: set(table) for kind, table in self._tables.items()}
        fallbacks = set(self._fallback_adapters)
        outer, self._origin = self._origin, origin
        try:
            yield
        except BaseException:
            for kind, table in self._tables.items():
                for name in set(table) - before[kind]:
                    del table[name]
                    self._origins.pop((kind, name), None)
            for name in set(self._fallback_adapters) - fallbacks:
                del self._fallback_adapters[name]
                self._origins.pop(("adapter", name), None)
            raise
        finally:
            self._origin = outer

    def _note_origin(self, kind: str, name: str) -> None:
        if self._origin is not None:
            self._origins[(kind, name)] = self._origin

    def _table(self, kind: str) -> dict[str, Any]:
        try:
            return self._tables[kind]
        except KeyError:
            raise ConfigError(f"unknown registry kind {kind!r}; known: "
                              f"{', '.join(KINDS)}") from None

    # adapters -----------------------------------------------------------------
    def add_adapter(self, adapter: Adapter, *, fallback: bool = False) -> None:
        """Register an input adapter; ``fallback`` adapters are tried after all others."""
        if fallback:
            if adapter.name in self._tables["adapter"] or \
                    adapter.name in self._fallback_adapters:
                raise DuplicateName(f"adapter {adapter.name!r} is registered twice")
            self._fallback_adapters[adapter.name] = adapter
            self._note_origin("adapter", adapter.name)
        else:
            self.add("adapter", adapter.name, adapter)

    def adapters(self) -> Iterator[Adapter]:
        """Adapters in detection order."""
        yield from self._tables["adapter"].values()
        yield from self._fallback_adapters.values()

    def adapter(self, name: str) -> Adapter:
        for adapter in self.adapters():
            if adapter.name == name:
                return adapter
        known = ", ".join(a.name for a in self.adapters())
        raise ConfigError(f"unknown input format {name!r}; known: {known}")

    def adapter_names(self) -> list[str]:
        return [a.name for a in self.adapters()]

    # renderers ----------------------------------------------------------------
    def add_renderer(self, name: str, renderer: Renderer) -> None:
        self.add("renderer", name, renderer)

    def renderer(self, name: str) -> Renderer:
        found: Renderer = self.get("renderer", name)
        return found

    def renderer_names(self) -> list[str]:
        return self.names("renderer")

    # LLM providers ------------------------------------------------------------
    def add_provider(self, name: str, factory: ProviderFactory) -> None:
        self.add("provider", name, factory)

    def provider(self, name: str) -> ProviderFactory:
        found: ProviderFactory = self.get("provider", name)
        return found

    def provider_names(self) -> list[str]:
        return self.names("provider")


def default_registry() -> Registry:
    """The process-wide default registry; it is built by :mod:`opsagent.plugins` (kept here
    for callers that imported it from this module)."""
    from .plugins import default_registry as build

    return build()
