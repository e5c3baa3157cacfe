"""The composition root: every hook of the ``opsagent.plugins`` entry-point group.

opsagent declares its own hooks there (the built-in adapters, renderers, stores and
notifiers: ``[project.entry-points."opsagent.plugins"]`` in its pyproject), exactly as a
plug-in declares its hook, and both load the same way: ``entry.load()(registry)``.
``default_registry()`` is the one place that builds the registry; everything below it
receives the registry it is given.

Order: opsagent's own hooks first, in the order of :data:`BUILTINS` (adapter order is
detection order; the generic event is registered as the fallback, tried last), then the
plug-ins, sorted by distribution name and entry-point name.
"""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

from .errors import ConfigError
from .registry import DuplicateName, Registry

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

GROUP = "opsagent.plugins"
DISTRIBUTION = "opsagent"

#: opsagent's own hooks in registration order, as its pyproject declares them (a test
#: holds the two equal). An installed opsagent's metadata declares them; a source tree run
#: without that metadata (``PYTHONPATH=src``), or with the metadata of an older install
#: that predates a hook, gets the missing ones from here, so each loads exactly once. The
#: LLM providers join a registry when the agent first runs (``opsagent.agent.providers``),
#: so engine-only runs never import the agent. The stores' and notifiers' hooks are light:
#: SQLAlchemy and the senders load only when a store is opened or a notification sent.
BUILTINS: tuple[tuple[str, str], ...] = (
    ("adapters", "opsagent.ingest.builtin:register"),
    ("renderers", "opsagent.report:register"),
    ("stores", "opsagent.store.registration:register"),
    ("notifiers", "opsagent.notify:register"),
)

_DEFAULT: Registry | None = None


class PluginError(ConfigError):
    """An installed plug-in that could not be loaded (reported, then left out)."""


def build_registry(*, plugins: bool = True) -> Registry:
    """A new registry with every built-in and, with ``plugins``, every installed plug-in.

    A plug-in whose hook cannot be loaded or raises is left out (whatever it registered
    is taken back) with one warning line on stderr naming its distribution and entry
    point; a name it registers that is already taken is a :class:`ConfigError`.
    """
    own, others = _hooks(plugins)
    registry = Registry()
    for entry in own:  # a built-in that fails to load is a bug: it propagates
        with registry.registering(DISTRIBUTION):
            entry.load()(registry)
    for entry in others:
        problem = _load_plugin(registry, entry)
        if problem is not None:
            sys.stderr.write(f"opsagent: warning: {problem}\n")
    return registry


def default_registry() -> Registry:
    """The process-wide registry with every built-in and installed plug-in (built once)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = build_registry()
    return _DEFAULT


def _hooks(plugins: bool) -> tuple[list[EntryPoint], list[EntryPoint]]:
    """opsagent's own entry points in :data:`BUILTINS` order, and the plug-ins' sorted.

    The group is read once (``entry_points()`` reads every installed distribution's
    metadata; without ``plugins``, only opsagent's own is read).
    """
    from importlib.metadata import EntryPoint, PackageNotFoundError, distribution, entry_points

    if plugins:
        found = list(entry_points(group=GROUP))
    else:
        try:
            found = [e for e in distribution(DISTRIBUTION).entry_points if e.group == GROUP]
        except PackageNotFoundError:
            found = []
    declared = {(e.name, e.value): e for e in found if _distribution(e) == DISTRIBUTION}
    # an own entry point that this source does not list comes from the metadata of
    # another version of opsagent (a reinstall pending): the source's list decides
    own = [declared.get((name, value)) or EntryPoint(name, value, GROUP)
           for name, value in BUILTINS]
    others = sorted((e for e in found if _distribution(e) != DISTRIBUTION),
                    key=lambda e: (_distribution(e), e.name))
    return own, others


def _load_plugin(registry: Registry, entry: EntryPoint) -> PluginError | None:
    """Load one plug-in's hook into ``registry``; what went wrong, if anything."""
    name = entry.dist.name if entry.dist is not None else "an unknown distribution"
    where = f"plug-in {name}, entry point {entry.name!r} ({entry.value})"
    try:
        with registry.registering(name):
            entry.load()(registry)
    except DuplicateName as exc:  # two adapters for one name: which to use is not ours
        raise ConfigError(exc.message, source=where) from None
    except Exception as exc:
        return PluginError(f"not loaded: {type(exc).__name__}: {exc}", source=where)
    return None


def _distribution(entry: EntryPoint) -> str:
    """The normalised name (PEP 503) of the distribution that declares ``entry``."""
    return re.sub(r"[-_.]+", "-", entry.dist.name).lower() if entry.dist is not None else ""
