"""The library entry point: ``opsagent.analyze(*payloads, now=None, **options)``.

The CLI is a thin layer over this function. Payloads are parsed JSON documents (a dict,
or a list of documents) of any supported format; all of them are signals of one
incident. Both run a :class:`~opsagent.triager.Triager`; for repeated calls with the
same options, one triager is kept per distinct set of option values.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from .catalog import ServiceCatalog, load_catalog
from .engine import EngineConfig
from .errors import ConfigError, UserError
from .knowledge.loader import KnowledgeBase, load_knowledge
from .models import Incident, PastIncident, TriageReport
from .registry import Registry
from .triager import Triager, as_documents, engine_config, resolve_agent
from .values import parse_time


@lru_cache(maxsize=8)
def _knowledge(dirs: tuple[str, ...]) -> KnowledgeBase:
    return load_knowledge([Path(d) for d in dirs])


@lru_cache(maxsize=8)
def _triager(dirs: tuple[str, ...], catalog: str | None, config: str | None) -> Triager:
    """One compiled triager per distinct (knowledge dirs, catalog file, config values)."""
    from .plugins import default_registry

    cfg = EngineConfig.model_validate_json(config) if config is not None else None
    cat = load_catalog(Path(catalog)) if catalog is not None else None
    return Triager(default_registry(), knowledge=_knowledge(dirs), catalog=cat, config=cfg)


def default_knowledge(extra_dirs: Sequence[str | Path] = ()) -> KnowledgeBase:
    """The built-in knowledge base plus ``extra_dirs`` (loaded once per process)."""
    return _knowledge(tuple(str(d) for d in extra_dirs))


def _coerce_now(now: datetime | str | None) -> datetime | None:
    if now is None or isinstance(now, datetime):
        return now
    parsed = parse_time(now, "now")
    if parsed is None:
        raise ConfigError("expected an ISO 8601 time", field="now")
    return parsed


def _triager_for(
    catalog: ServiceCatalog | str | Path | None,
    knowledge: KnowledgeBase | Sequence[str | Path] | None,
    config: EngineConfig | Mapping[str, Any] | None,
    registry: Registry | None,
) -> Triager:
    cfg = engine_config(config)
    if isinstance(knowledge, KnowledgeBase) or isinstance(catalog, ServiceCatalog) \
            or registry is not None:
        from .plugins import default_registry

        kb = knowledge if isinstance(knowledge, KnowledgeBase) else \
            default_knowledge(tuple(knowledge or ()))
        cat = load_catalog(Path(catalog)) if isinstance(catalog, (str, Path)) else catalog
        return Triager(registry or default_registry(), knowledge=kb, catalog=cat, config=cfg)
    dirs = tuple(str(d) for d in (knowledge or ()))
    return _triager(dirs, str(catalog) if catalog is not None else None,
                    cfg.model_dump_json(exclude_unset=True) if cfg is not None else None)


def analyze(
    *payloads: Any,
    now: datetime | str | None = None,
    catalog: ServiceCatalog | str | Path | None = None,
    knowledge: KnowledgeBase | Sequence[str | Path] | None = None,
    config: EngineConfig | Mapping[str, Any] | None = None,
    llm: str | None = None,
    use_env: bool = False,
    registry: Registry | None = None,
    strict: bool = False,
    past: Sequence[PastIncident] | None = None,
) -> TriageReport:
    """Triage the incident described by ``payloads``.

    ``now`` pins the reference time (a datetime or an ISO string); without it, now is
    the latest timestamp in the payloads, else the wall clock. A value that cannot be
    read, or one bad document among good ones, is a note in ``report.input_notes`` and
    the rest is triaged; with ``strict`` it is an error instead. ``catalog`` is a
    :class:`ServiceCatalog` or the path of a catalog file; ``knowledge`` a loaded
    knowledge base or extra directories to add to the built-in one; ``config`` the
    engine thresholds. ``llm`` (an LLM spec such as ``openai:gpt-4o-mini``) turns the
    agent on; with ``use_env`` the environment (``OPSAGENT_LLM``, ``OPENAI_API_KEY``) may
    too. ``past`` (earlier incidents, :class:`~opsagent.models.PastIncident`, with their
    feedback) turns memory on: the report lists the similar ones, and a cause confirmed
    for a similar incident of the same service is evidence. Raises
    :class:`~opsagent.errors.UserError` subclasses for input with nothing to triage (and,
    with ``strict``, for any input note).
    """
    triager = _triager_for(catalog, knowledge, config, registry)
    agent = resolve_agent(llm, os.environ, None, use_env=use_env)
    if agent is not None:
        triager = triager.with_llm(agent)
    return triager.triage(list(payloads), now=_coerce_now(now), strict=strict, past=past)


def triage(
    incident: Incident,
    *,
    catalog: ServiceCatalog | str | Path | None = None,
    knowledge: KnowledgeBase | Sequence[str | Path] | None = None,
    config: EngineConfig | Mapping[str, Any] | None = None,
    llm: str | None = None,
    use_env: bool = False,
    env: Mapping[str, str] | None = None,
    config_file: Path | None = None,
    past: Sequence[PastIncident] | None = None,
    text_rank: Mapping[str, float] | None = None,
) -> TriageReport:
    """Triage an already assembled incident (the engine, then the agent if configured)."""
    triager = _triager_for(catalog, knowledge, config, None)
    agent = resolve_agent(llm, env if env is not None else os.environ, config_file,
                          use_env=use_env)
    if agent is not None:
        triager = triager.with_llm(agent)
    return triager.triage_incident(incident, past=past, text_rank=text_rank)


def remember(
    incident: Incident,
    report: TriageReport | None = None,
    *,
    catalog: ServiceCatalog | str | Path | None = None,
    knowledge: KnowledgeBase | Sequence[str | Path] | None = None,
    config: EngineConfig | Mapping[str, Any] | None = None,
) -> PastIncident:
    """``incident`` as incident memory keeps it (:meth:`Engine.remember`), by the same
    engine :func:`triage` uses: after a triage, from its ``report``, to store; before
    one, without a report, to select the candidates to pass as ``past``."""
    return _triager_for(catalog, knowledge, config, None).remember(incident, report)


__all__ = ["Triager", "UserError", "analyze", "as_documents", "default_knowledge", "remember",
           "triage"]
