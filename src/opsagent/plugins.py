"""The composition root: the built-in adapters, renderers, notifiers and (when the service
extra is installed) stores, registered exactly like third-party plug-ins, plus installed
plug-ins.

``default_registry()`` is the one place that knows every built-in; everything below it
receives the registry it is given.
"""

from __future__ import annotations

from collections.abc import Callable

from .registry import Registry

Register = Callable[[Registry], None]


def _adapters(registry: Registry) -> None:
    from .ingest.builtin import register

    register(registry)


def _renderers(registry: Registry) -> None:
    from .report import register

    register(registry)


def _notifiers(registry: Registry) -> None:
    # the senders' modules (and the Slack SDK) load only when a notification is sent
    from .notify import register

    register(registry)


def _stores(registry: Registry) -> None:
    # a store's module (and SQLAlchemy) loads only when a store is opened
    from .store.registration import register

    register(registry)


#: The built-ins, in registration order (adapter order is detection order). The LLM
#: providers join a registry when the agent first runs (``opsagent.agent.providers``), so
#: engine-only runs never import the agent.
BUILTINS: tuple[Register, ...] = (_adapters, _renderers, _stores, _notifiers)

_DEFAULT: Registry | None = None


def build_registry(*, plugins: bool = True) -> Registry:
    """A new registry with every built-in and, with ``plugins``, every installed plug-in."""
    registry = Registry()
    for register in BUILTINS:
        register(registry)
    if plugins:
        _load_plugins(registry)
    return registry


def default_registry() -> Registry:
    """The process-wide registry with every built-in and installed plug-in (built once)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = build_registry()
    return _DEFAULT


def _load_plugins(registry: Registry) -> None:
    from importlib.metadata import entry_points

    for entry in entry_points(group="opsagent.plugins"):
        hook = entry.load()
        hook(registry)
