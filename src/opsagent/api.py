"""The library entry point: ``opsagent.analyze(*payloads, now=None, **options)``.

The CLI is a thin layer over this function. Payloads are parsed JSON documents (a dict,
or a list of documents) of any supported format; all of them are signals of one
incident.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from .catalog import ServiceCatalog, load_catalog
from .engine import Engine, EngineConfig
from .errors import ConfigError, UserError
from .ingest import Document, build_incident
from .knowledge.loader import KnowledgeBase, load_knowledge
from .models import Incident, PastIncident, TriageReport
from .registry import Registry
from .values import parse_time


@lru_cache(maxsize=8)
def _cached_knowledge(dirs: tuple[str, ...]) -> KnowledgeBase:
    return load_knowledge([Path(d) for d in dirs])


_ENGINES: dict[tuple[int, int, int], tuple[Engine, tuple[object, ...]]] = {}


def _cached_engine(knowledge: KnowledgeBase, catalog: ServiceCatalog | None,
                   config: EngineConfig | None) -> Engine:
    """One compiled engine per (knowledge, catalog, config) objects, kept while alive."""
    key = (id(knowledge), id(catalog), id(config))
    found = _ENGINES.get(key)
    if found is not None:
        return found[0]
    if len(_ENGINES) >= 16:
        _ENGINES.clear()
    engine = Engine(knowledge, catalog, config)
    _ENGINES[key] = (engine, (knowledge, catalog, config))  # keeps the ids valid
    return engine


def default_knowledge(extra_dirs: Sequence[str | Path] = ()) -> KnowledgeBase:
    """The built-in knowledge base plus ``extra_dirs`` (loaded once per process)."""
    return _cached_knowledge(tuple(str(d) for d in extra_dirs))


def as_documents(payloads: Sequence[Any], source: str = "payload") -> list[Document]:
    docs: list[Document] = []
    for index, payload in enumerate(payloads):
        name = f"{source}[{index}]" if len(payloads) > 1 else source
        if isinstance(payload, list):
            docs.extend(Document(item, f"{name}[{i}]") for i, item in enumerate(payload))
        else:
            docs.append(Document(payload, name))
    return docs


def _coerce_now(now: datetime | str | None) -> datetime | None:
    if now is None or isinstance(now, datetime):
        return now
    parsed = parse_time(now, "now")
    if parsed is None:
        raise ConfigError("expected an ISO 8601 time", field="now")
    return parsed


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
    docs = as_documents(payloads)
    incident = build_incident(docs, now=_coerce_now(now), registry=registry, strict=strict)
    return triage(incident, catalog=catalog, knowledge=knowledge, config=config, llm=llm,
                  use_env=use_env, past=past)


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
    kb = _resolve_knowledge(knowledge)
    cat = load_catalog(Path(catalog)) if isinstance(catalog, (str, Path)) else catalog
    cfg = _resolve_config(config)
    engine = _cached_engine(kb, cat, cfg)
    started = time.perf_counter()  # the triage itself: not the loading above
    report = engine.analyze(incident, past=past, text_rank=text_rank)
    elapsed = (time.perf_counter() - started) * 1000
    report.analysis.duration_ms = round(elapsed, 3)
    settings = None
    environ = env if env is not None else os.environ
    wants_agent = llm is not None or (use_env and (config_file is not None or any(
        environ.get(name) for name in ("OPSAGENT_LLM", "OPENAI_API_KEY"))))
    if wants_agent:
        from .agent import resolve_llm

        settings = resolve_llm(llm, environ, config_file)
    if settings is not None:
        from .agent import refine

        report = refine(report, incident, settings, knowledge=kb, catalog=cat)
        report.analysis.duration_ms = round((time.perf_counter() - started) * 1000, 3)
    report.input_notes = list(incident.input_notes)
    return report


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
    kb = _resolve_knowledge(knowledge)
    cat = load_catalog(Path(catalog)) if isinstance(catalog, (str, Path)) else catalog
    return _cached_engine(kb, cat, _resolve_config(config)).remember(incident, report)


def _resolve_knowledge(knowledge: KnowledgeBase | Sequence[str | Path] | None) -> KnowledgeBase:
    if isinstance(knowledge, KnowledgeBase):
        return knowledge
    if not knowledge:
        return _cached_knowledge(())
    return default_knowledge(tuple(knowledge))


def _resolve_config(config: EngineConfig | Mapping[str, Any] | None) -> EngineConfig | None:
    if config is None or isinstance(config, EngineConfig):
        return config
    try:
        return EngineConfig.model_validate(dict(config))
    except Exception as exc:  # pydantic.ValidationError
        raise ConfigError(f"invalid engine setting: {exc}".splitlines()[0]) from None


__all__ = ["UserError", "analyze", "as_documents", "default_knowledge", "remember",
           "triage"]
