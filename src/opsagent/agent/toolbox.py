"""What the agent's read-only tools return (plain functions; CrewAI wrappers live in
:mod:`opsagent.agent.crew`). Every result is redacted; payload-derived text is wrapped in
the run's data markers.

Tools: ``incident_evidence`` (the numbered evidence, filtered by a word), ``runbooks``
(the knowledge base's failure modes and actions for a category) and ``service_context``
(the service catalog's entry). A ``past_incidents`` tool will join them when the
incident history exists: add a :class:`ToolSpec` to :func:`tool_specs`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..models import CATEGORIES, Action
from .evidence import EvidenceCatalog
from .prompt import evidence_lines
from .redact import redact

MAX_RESULT = 4000


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    argument: str  # the one string argument's name
    argument_help: str
    run: Callable[[str], str]


@dataclass
class Toolbox:
    catalog: EvidenceCatalog
    nonce: str
    knowledge: object | None = None
    service_catalog: object | None = None
    services: list[str] = field(default_factory=list)
    used: list[str] = field(default_factory=list)

    def _record(self, name: str) -> None:
        if name not in self.used:
            self.used.append(name)

    def _wrap(self, text: str) -> str:
        return f"<<<DATA {self.nonce}>>>\n{text}\n<<<END DATA {self.nonce}>>>"

    # the tools -----------------------------------------------------------------------------
    def incident_evidence(self, query: str = "") -> str:
        self._record("incident_evidence")
        wanted = (query or "").strip().lower()
        subset = EvidenceCatalog([i for i in self.catalog.items
                                  if not wanted or wanted in f"{i.label} {i.text}".lower()])
        body = evidence_lines(subset) if subset.items else f"(no evidence matches {query!r})"
        return _limit(self._wrap(redact(body.replace("<<<", "‹‹‹").replace(">>>", "›››"))))

    def runbooks(self, category: str = "") -> str:
        self._record("runbooks")
        category = (category or "").strip().lower()
        if category not in CATEGORIES:
            return f"unknown category {category!r}; expected one of: {', '.join(CATEGORIES)}"
        modes = _failure_modes(self.knowledge, category)
        if not modes:
            return f"the knowledge base has no runbook for {category}"
        lines: list[str] = []
        for mode in modes:
            lines.append(f"failure mode {_attr(mode, 'id')}: {_attr(mode, 'title')}")
            description = " ".join(str(_attr(mode, "description")).split())
            if description:
                lines.append(f"  {description[:300]}")
            for action in list(getattr(mode, "actions", None) or [])[:8]:
                rationale = _attr(action, "rationale")
                lines.append(f"  - [{_attr(action, 'kind')}, risk {_attr(action, 'risk')}] "
                             f"{_attr(action, 'title')}" + (f" ({rationale})" if rationale
                                                           else ""))
        return _limit(redact("\n".join(lines)))

    def service_context(self, service: str = "") -> str:
        self._record("service_context")
        name = (service or "").strip() or (self.services[0] if self.services else "")
        if not name:
            return "no service named in the incident"
        entry = _catalog_entry(self.service_catalog, name)
        if entry is None:
            return f"no catalog entry for {name!r}"
        slo = getattr(entry, "slo", None)
        objectives = []
        for label in ("error_rate", "latency_ms", "availability"):
            value = getattr(slo, label, None) if slo is not None else None
            if value is not None:
                objectives.append(f"{label} {value:g}")
        lines = [
            f"service {getattr(entry, 'name', '') or name}",
            f"tier {_attr(entry, 'tier')}; customer-facing "
            f"{'yes' if getattr(entry, 'customer_facing', True) else 'no'}",
            f"dependencies: {', '.join(getattr(entry, 'dependencies', []) or []) or 'none listed'}",
            f"regions: {', '.join(getattr(entry, 'regions', []) or []) or 'not listed'}",
            f"objectives: {'; '.join(objectives) or 'none listed'}",
        ]
        if getattr(entry, "inferred", False):
            lines.append("(no catalog entry: inferred from the service name)")
        return _limit(redact("\n".join(lines)))


def tool_specs(box: Toolbox) -> list[ToolSpec]:
    return [
        ToolSpec("incident_evidence",
                 "The incident's numbered evidence (ids E1, E2 ...), optionally only the "
                 "items containing a word. Read-only.",
                 "query", "a word to filter by, or empty for everything",
                 box.incident_evidence),
        ToolSpec("runbooks",
                 "The knowledge base's failure modes and runbook actions for one root-cause "
                 "category. Read-only.",
                 "category", f"one of: {', '.join(CATEGORIES)}", box.runbooks),
        ToolSpec("service_context",
                 "The service catalog's entry for a service: tier, dependencies, regions, "
                 "objectives. Read-only.",
                 "service", "a service name, or empty for the incident's main service",
                 box.service_context),
    ]


def runbook_actions(knowledge: object | None, categories: list[str]) -> list[Action]:
    """The knowledge base's actions for ``categories``: the only mitigations the agent
    may put in a report (besides the engine's own)."""
    out: list[Action] = []
    for category in categories:
        for mode in _failure_modes(knowledge, category):
            for action in list(getattr(mode, "actions", None) or []):
                try:
                    out.append(Action(title=str(_attr(action, "title")),
                                      kind=_attr(action, "kind"), risk=_attr(action, "risk"),
                                      rationale=str(_attr(action, "rationale") or ""),
                                      cause=category))
                except ValueError:  # not an action of the report's shape
                    continue
    return out


def _failure_modes(knowledge: object | None, category: str) -> list[Any]:
    if knowledge is None:
        return []
    by_category = getattr(knowledge, "by_category", None)
    if callable(by_category):
        return list(by_category(category))
    return [m for m in getattr(knowledge, "failure_modes", ()) or ()
            if getattr(m, "category", None) == category]


def _catalog_entry(catalog: object | None, service: str) -> object | None:
    if catalog is None:  # no catalog: the engine's inference from the service name
        from ..catalog import EMPTY_CATALOG

        catalog = EMPTY_CATALOG
    for method in ("entry", "lookup"):
        found = getattr(catalog, method, None)
        if callable(found):
            entry: object | None = found(service)
            return entry
    return None


def _attr(obj: object, name: str) -> str:
    value = getattr(obj, name, "")
    return "" if value is None else str(value)


def _limit(text: str) -> str:
    return text if len(text) <= MAX_RESULT else text[:MAX_RESULT] + "\n(truncated)"
