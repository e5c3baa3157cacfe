"""The built-in stores, registered under the registry kind ``store`` by URL scheme.
Nothing here imports SQLAlchemy: a store's module loads when one is opened."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..registry import Registry
    from .base import Store


def open_sql(url: str) -> Store:
    from .sql import SqlStore

    return SqlStore(url)


def register(registry: Registry) -> None:
    registry.add("store", "sqlite", open_sql)
    registry.add("store", "postgresql", open_sql)


def open_store(url: str, registry: Registry, *, migrate: bool = True) -> Store:
    """The store for ``url`` (by its scheme), its schema brought up to date."""
    scheme = url.split(":", 1)[0].split("+", 1)[0]
    if scheme == "postgres":
        scheme = "postgresql"
    if scheme not in registry.names("store"):
        from ..errors import ConfigError

        known = ", ".join(f"{name}://…" for name in registry.names("store"))
        raise ConfigError(f"unsupported database {scheme!r}; expected one of: {known}",
                          field="database")
    store: Store = registry.get("store", scheme)(url)
    if migrate:
        store.migrate()
    return store
