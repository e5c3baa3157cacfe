"""One long-lived object that triages: the knowledge, the service catalog, the engine
configuration and the LLM settings are loaded once, the engine is compiled once, and any
number of incidents are triaged with it. ``opsagent.analyze()``, the CLI and the service
all use a :class:`Triager`; the registry is passed in by the composition root.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalog import ServiceCatalog, load_catalog
from .engine import Engine, EngineConfig
from .errors import ConfigError, UserError
from .ingest import Document, build_incident
from .knowledge.loader import KnowledgeBase, load_knowledge
from .models import Incident, PastIncident, TriageReport
from .registry import Registry

if TYPE_CHECKING:
    from .agent import LLMSettings
    from .config import Settings


def as_documents(payloads: Sequence[Any], source: str = "payload") -> list[Document]:
    """Parsed payloads (each a document or a list of documents) as located documents."""
    docs: list[Document] = []
    for index, payload in enumerate(payloads):
        if isinstance(payload, Document):
            docs.append(payload)
            continue
        name = f"{source}[{index}]" if len(payloads) > 1 else source
        if isinstance(payload, list):
            docs.extend(Document(item, f"{name}[{i}]") for i, item in enumerate(payload))
        else:
            docs.append(Document(payload, name))
    return docs


class Triager:
    """Knowledge, catalog, engine configuration and LLM settings, loaded once.

    ``llm`` is the resolved agent configuration (None: the engine alone). The agent's
    failures never raise: the engine's report comes back with ``analysis.fallback`` set.
    """

    def __init__(self, registry: Registry, *, knowledge: KnowledgeBase | None = None,
                 catalog: ServiceCatalog | None = None, config: EngineConfig | None = None,
                 llm: LLMSettings | None = None) -> None:
        self.registry = registry
        self.knowledge = knowledge if knowledge is not None else load_knowledge()
        self.catalog = catalog
        self.config = config
        self.llm = llm
        self.engine = Engine(self.knowledge, catalog, config)

    @classmethod
    def from_settings(cls, settings: Settings, registry: Registry, *,
                      env: Mapping[str, str], catalog: str | Path | None = None,
                      knowledge: Sequence[str | Path] = (), llm: str | None = None,
                      no_llm: bool = False) -> Triager:
        """A triager from the config file's settings plus command-line overrides; the LLM
        spec comes from ``llm``, the environment or the config file (unless ``no_llm``)."""
        dirs = [Path(d) for d in (*settings.knowledge, *knowledge)]
        kb = load_knowledge(dirs)
        path = catalog if catalog is not None else settings.catalog
        cat = load_catalog(Path(path)) if path is not None else None
        # the flag's spec, else the environment's, else the config file's (which the agent
        # reads itself, so that a bad value there is blamed on the file and its key)
        agent = None if no_llm else resolve_agent(llm, env, settings.path, use_env=True)
        return cls(registry, knowledge=kb, catalog=cat, config=settings.engine, llm=agent)

    def with_llm(self, llm: LLMSettings | None) -> Triager:
        """The same compiled triager with other LLM settings."""
        other = object.__new__(Triager)
        other.__dict__.update(self.__dict__)
        other.llm = llm
        return other

    def incident(self, docs: Iterable[Document], *, now: datetime | None = None,
                 strict: bool = False, problems: Iterable[UserError] = ()) -> Incident:
        """Detect, parse and assemble the documents into one incident."""
        return build_incident(docs, now=now, registry=self.registry, strict=strict,
                              problems=problems)

    def triage(self, payloads: Sequence[Any], *, now: datetime | None = None,
               strict: bool = False, problems: Iterable[UserError] = (),
               past: Sequence[PastIncident] | None = None) -> TriageReport:
        """Triage the incident the payloads (parsed JSON documents, or Documents) describe."""
        incident = self.incident(as_documents(payloads), now=now, strict=strict,
                                 problems=problems)
        return self.triage_incident(incident, past=past)

    def triage_incident(self, incident: Incident, *,
                        past: Sequence[PastIncident] | None = None,
                        text_rank: Mapping[str, float] | None = None) -> TriageReport:
        """The engine's report, refined by the agent when one is configured. ``past``
        (earlier incidents with their feedback) turns memory on; ``text_rank`` is a
        full-text score per past incident id, when a database ranked them.
        ``analysis.duration_ms`` is the triage itself, not the loading of the triager."""
        started = time.perf_counter()
        report = self.engine.analyze(incident, past=past, text_rank=text_rank)
        report.analysis.duration_ms = round((time.perf_counter() - started) * 1000, 3)
        if self.llm is not None:
            from .agent import refine

            report = refine(report, incident, self.llm, knowledge=self.knowledge,
                            catalog=self.catalog)
            report.analysis.duration_ms = round((time.perf_counter() - started) * 1000, 3)
        report.input_notes = list(incident.input_notes)
        return report

    def remember(self, incident: Incident, report: TriageReport | None = None
                 ) -> PastIncident:
        """``incident`` as incident memory keeps it (after a triage, from its report), or
        the probe that selects candidates before one (without a report)."""
        return self.engine.remember(incident, report)


def resolve_agent(spec: str | None, env: Mapping[str, str], config_file: Path | None, *,
                  use_env: bool) -> LLMSettings | None:
    """The agent's settings, or None; the agent package loads only when one is asked for."""
    wants = spec is not None or (use_env and (config_file is not None or any(
        env.get(name) for name in ("OPSAGENT_LLM", "OPENAI_API_KEY"))))
    if not wants:
        return None
    from .agent import resolve_llm

    return resolve_llm(spec, env, config_file)


def engine_config(config: EngineConfig | Mapping[str, Any] | None) -> EngineConfig | None:
    """Engine thresholds from a mapping (the library's ``config=``), checked."""
    if config is None or isinstance(config, EngineConfig):
        return config
    try:
        return EngineConfig.model_validate(dict(config))
    except Exception as exc:  # pydantic.ValidationError
        raise ConfigError(f"invalid engine setting: {exc}".splitlines()[0]) from None


__all__ = ["Triager", "as_documents", "engine_config", "resolve_agent"]
