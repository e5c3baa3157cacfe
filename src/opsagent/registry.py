"""One registry for everything pluggable: input adapters and report renderers (and, when
the agent extra is installed, LLM providers). Built-ins register exactly like plug-ins.

A plug-in is a distribution that declares an entry point in the ``opsagent.plugins``
group pointing at a callable ``register(registry)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    from .ingest.base import Adapter
    from .models import TriageReport

Renderer = Callable[["TriageReport"], str]
ProviderFactory = Callable[..., Any]


class Registry:
    def __init__(self) -> None:
        self._adapters: dict[str, Adapter] = {}
        self._fallback_adapters: dict[str, Adapter] = {}
        self._renderers: dict[str, Renderer] = {}
        self._providers: dict[str, ProviderFactory] = {}
        self._kinds: dict[str, dict[str, Any]] = {}  # kind -> name -> object

    # any other kind (notifiers, ...) ------------------------------------------
    def add(self, kind: str, name: str, obj: Any) -> None:
        """Register ``obj`` as ``name`` of ``kind``; a name is registered once."""
        table = self._kinds.setdefault(kind, {})
        if name in table:
            raise ConfigError(f"{kind} {name!r} is registered twice")
        table[name] = obj

    def get(self, kind: str, name: str) -> Any:
        table = self._kinds.get(kind, {})
        try:
            return table[name]
        except KeyError:
            known = ", ".join(sorted(table)) or "none"
            raise ConfigError(f"unknown {kind} {name!r}; expected one of: {known}") from None

    def names(self, kind: str) -> list[str]:
        return list(self._kinds.get(kind, {}))

    # adapters -----------------------------------------------------------------
    def add_adapter(self, adapter: Adapter, *, fallback: bool = False) -> None:
        """Register an input adapter; ``fallback`` adapters are tried after all others."""
        target = self._fallback_adapters if fallback else self._adapters
        if adapter.name in self._adapters or adapter.name in self._fallback_adapters:
            raise ConfigError(f"adapter {adapter.name!r} is registered twice")
        target[adapter.name] = adapter

    def adapters(self) -> Iterator[Adapter]:
        """Adapters in detection order."""
        yield from self._adapters.values()
        yield from self._fallback_adapters.values()

    def adapter(self, name: str) -> Adapter:
        for adapter in self.adapters():
            if adapter.name == name:
                return adapter
        known = ", ".join(a.name for a in self.adapters())
        raise ConfigError(f"unknown input format {name!r}; known: {known}")

    # renderers ----------------------------------------------------------------
    def add_renderer(self, name: str, renderer: Renderer) -> None:
        self._renderers[name] = renderer

    def renderer(self, name: str) -> Renderer:
        try:
            return self._renderers[name]
        except KeyError:
            known = ", ".join(sorted(self._renderers))
            raise ConfigError(f"unknown format {name!r}; expected one of: {known}") from None

    def renderer_names(self) -> list[str]:
        return list(self._renderers)

    # LLM providers ------------------------------------------------------------
    def add_provider(self, name: str, factory: ProviderFactory) -> None:
        self._providers[name] = factory

    def provider(self, name: str) -> ProviderFactory:
        try:
            return self._providers[name]
        except KeyError:
            known = ", ".join(sorted(self._providers))
            raise ConfigError(f"unknown LLM provider {name!r}; expected one of: {known}") from None

    def provider_names(self) -> list[str]:
        return list(self._providers)


_DEFAULT: Registry | None = None


def default_registry() -> Registry:
    """The process-wide registry with every built-in and installed plug-in."""
    global _DEFAULT
    if _DEFAULT is None:
        registry = Registry()
        from .ingest.builtin import register as register_adapters
        from .report import register as register_renderers

        register_adapters(registry)
        register_renderers(registry)
        from .notify import register as register_notifiers

        register_notifiers(registry)
        # The LLM providers join this registry when the agent first runs
        # (opsagent.agent.providers.register), so engine-only runs never import the agent.
        _load_plugins(registry)
        _DEFAULT = registry
    return _DEFAULT


def _load_plugins(registry: Registry) -> None:
    from importlib.metadata import entry_points

    for entry in entry_points(group="opsagent.plugins"):
        hook = entry.load()
        hook(registry)
