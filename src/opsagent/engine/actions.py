"""Action planning: runbook actions of the leading hypotheses, filled in with the
incident's names, ordered by urgency and safety.

When only changes were reported and nothing is failing, no mitigation is offered: a
healthy change is watched, not reverted.

On HIGH, paging the owner (the catalog's on-call and owners, by name) comes first.

Order otherwise: confident low-risk mitigations first (reversible, e.g. a rollback), then
diagnosis by hypothesis rank, then escalation, then riskier mitigations, communication
and follow-up. Every action names the cause it serves. Actions are recommendations: no
command is run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..knowledge.schema import RunbookAction
from ..models import Level, Severity
from .context import Context
from .hypotheses import Hypothesis

_KIND_RANK = {"mitigate": 0, "diagnose": 1, "escalate": 2, "communicate": 3, "follow_up": 4}
_RISK_RANK = {"low": 0, "medium": 1, "high": 2}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")


class _Defaults(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return _FALLBACK.get(key, key)


_FALLBACK = {
    "service": "the affected service",
    "region": "the affected region",
    "zone": "the affected zone",
    "dependency": "the downstream dependency",
    "version": "the new version",
    "previous_version": "the previous version",
    "environment": "the affected environment",
    "change": "the most recent change",
    "writer": "the job, batch, feed or integration",
    "other_change": "the most recent configuration change",
    "database": "the database",
    "db_sessions": "its active sessions, lock waits and slow query log",
}


@dataclass(frozen=True, slots=True)
class CompiledAction:
    """A runbook action with its conditions and ordering keys unpacked once."""

    item: RunbookAction
    index: int  # position in its failure mode (or in the general actions)
    when: frozenset[str]
    unless: frozenset[str]
    min_confidence: float
    risk_rank: int
    band: int  # its place in the order: mitigations a confident cause suggests first ...
    band_unsure: int  # ... and when the cause is not confident
    title: Template
    rationale: Template

    def applies(self, present: set[str], confidence: float) -> bool:
        if confidence < self.min_confidence:
            return False
        if self.when and self.when.isdisjoint(present):
            return False
        return not self.unless or self.unless.isdisjoint(present)


def compile_actions(actions: Iterable[RunbookAction]) -> tuple[CompiledAction, ...]:
    return tuple(
        CompiledAction(item, index, frozenset(item.when), frozenset(item.unless),
                       item.min_confidence, _RISK_RANK[item.risk],
                       _band(item, confident=True), _band(item, confident=False),
                       compile_template(item.title), compile_template(item.rationale))
        for index, item in enumerate(actions))


def _band(item: RunbookAction, *, confident: bool) -> int:
    """Low-risk mitigations of a confident cause, then diagnosis, escalation, riskier
    mitigations, communication and follow-up."""
    if item.kind == "mitigate":
        return 0 if item.risk == "low" and confident else 3
    if item.kind == "diagnose":
        return 1
    return 2 + _KIND_RANK[item.kind]


def plan(ctx: Context, hypotheses: list[Hypothesis], severity: Severity,
         general: tuple[CompiledAction, ...], values: _Defaults,
         compiled: Mapping[str, tuple[CompiledAction, ...]], *,
         unsure: bool = False) -> list[dict[str, Any]]:
    """The ordered actions; ``compiled`` holds each failure mode's actions by mode id.
    ``unsure``: the evidence does not single out a cause, so the checks that would
    decide between the candidates come first and only low-risk mitigations remain."""
    present = set(ctx.features.keys())
    present.add(_SEVERITY_FEATURE[severity.level])
    if unsure:
        present.add("evidence.insufficient")
    candidates: list[tuple[tuple[int, int, int, int], CompiledAction, str | None]] = []
    threshold = max(0.25, ctx.config.min_confidence)
    leading = [h for h in hypotheses if h.confidence >= threshold][:3]
    if not leading and hypotheses:
        leading = hypotheses[:1]
    # nothing is failing: nothing to mitigate (no rollback of a healthy change, no revert
    # of planned work whose alert is all there is)
    calm = "change.only" in present or (
        "change.planned" in present and severity.level == Level.LOW)
    for rank, hypothesis in enumerate(leading):
        mode = hypothesis.mode
        confidence = hypothesis.confidence
        confident = not unsure and (confidence >= 0.5 or rank == 0)
        category = mode.category
        for action in compiled[mode.id]:
            if not action.applies(present, confidence):
                continue
            # a mitigation changes something: only for the leading cause or a confident
            # one, never while nothing is failing; weaker causes get their diagnosis
            if action.item.kind == "mitigate" and (
                    calm or (rank > 0 and confidence < _MITIGATE_BELOW_TOP)
                    or (unsure and action.item.risk != "low")):
                continue
            candidates.append(((action.band if confident else action.band_unsure, rank,
                                action.risk_rank, action.index), action, category))
    top_category = leading[0].mode.category if leading else None
    high = severity.level == Level.HIGH
    for action in general:
        if not action.applies(present, 1.0):
            continue
        # on HIGH, getting the owner in comes before anything else
        band = -1 if high and action.item.kind == "escalate" else \
            _GENERAL_BAND.get(action.item.kind, 1 if action.item.kind == "diagnose" else 3)
        if calm and not action.when.isdisjoint(_CALM_FEATURES):
            band = -1  # what to do about a healthy change or planned work comes first
        candidates.append(((band, 9, action.risk_rank, action.index), action, top_category))
    candidates.sort()  # the keys are unique: (band, rank, risk, position in its list)
    limit = ctx.config.max_actions
    if severity.level == Level.LOW:
        limit = min(limit, 5)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for _, action, cause in candidates:
        if len(out) >= limit:
            break
        title = fill(action.title, values)
        key = title.lower()
        if key in seen:
            continue
        seen.add(key)
        item = action.item
        out.append({"title": title, "kind": item.kind, "risk": item.risk,
                    "rationale": fill(action.rationale, values), "cause": cause})
    return out


_MITIGATE_BELOW_TOP = 0.55  # a cause below the first one proposes mitigations from here

_SEVERITY_FEATURE = {level: f"severity.{level.value.lower()}" for level in Level}
_CALM_FEATURES = frozenset({"change.only", "change.planned"})
# a general mitigation contains harm that goes on whatever the cause (wrong charges)
_GENERAL_BAND = {"mitigate": 0, "escalate": 2, "communicate": 4, "follow_up": 5}


Segment = tuple[bool, tuple[str, ...], str]  # (optional, names needed, format string)


class OptionalSegments:
    """A template with optional (``[...]``) segments. Which segments are kept depends
    only on which of their names are known, so each such combination is joined into one
    format string the first time it is needed."""

    __slots__ = ("_variants", "names", "segments")

    def __init__(self, segments: tuple[Segment, ...]) -> None:
        self.segments = segments
        self.names = tuple(dict.fromkeys(n for optional, names, _ in segments if optional
                                         for n in names))
        self._variants: dict[tuple[bool, ...], str] = {}

    def fill(self, values: _Defaults) -> str:
        known = tuple([name in values for name in self.names])
        variant = self._variants.get(known)
        if variant is None:
            variant = self._variants[known] = "".join(
                text for optional, names, text in self.segments
                if not optional or all(name in values for name in names))
        return variant.format_map(values)


Template = str | OptionalSegments  # one ``str.format`` string, or one with optional segments


@lru_cache(maxsize=4096)
def compile_template(template: str) -> Template:
    """A template split once into plain and optional (``[...]``) segments, each a
    ``str.format`` string with its placeholder names; the usual template (no ``[...]``)
    becomes one format string. Text without placeholders is kept as written."""
    if "{" not in template:
        return template.replace("}", "}}")
    out: list[Segment] = []
    position = 0
    for match in _OPTIONAL.finditer(template):
        if match.start() > position:
            out.append(_segment(False, template[position:match.start()]))
        out.append(_segment(True, match.group(1)))
        position = match.end()
    if position < len(template):
        out.append(_segment(False, template[position:]))
    if len(out) == 1 and not out[0][0]:
        return out[0][2]
    return OptionalSegments(tuple(out))


def _segment(optional: bool, text: str) -> Segment:
    names = tuple(_PLACEHOLDER.findall(text))
    # only {name} placeholders are fields: double every other brace
    escaped = _PLACEHOLDER.sub(lambda m: "\0" + m.group(1) + "\1", text)
    escaped = escaped.replace("{", "{{").replace("}", "}}")
    return (optional, names, escaped.replace("\0", "{").replace("\1", "}"))


def fill(template: Template, values: _Defaults) -> str:
    """A compiled template with ``values`` (unknown names read as their generic phrase)."""
    if isinstance(template, str):
        return template.format_map(values)
    return template.fill(values)


def render_template(template: str, values: dict[str, str]) -> str:
    """Fill ``{name}`` placeholders; a ``[...]`` segment is kept only when every
    placeholder inside it is known (``Check {dependency}[ in {region}]``)."""
    if "{" not in template:
        return template
    return fill(compile_template(template),
                values if isinstance(values, _Defaults) else _Defaults(values))


def _values(ctx: Context, categories: Iterable[str] = ()) -> _Defaults:
    """The names templates fill in; datastore commands only when a database cause is
    among ``categories`` (the causes shown)."""
    incident = ctx.incident
    values = _Defaults()
    if incident.services:
        values["service"] = incident.services[0] if len(incident.services) == 1 \
            else ", ".join(incident.services[:3])
    if incident.regions:
        values["region"] = ", ".join(incident.regions[:3])
    if incident.zones:
        values["zone"] = ", ".join(incident.zones[:3])
    if incident.environments:
        values["environment"] = ", ".join(incident.environments)
    if ctx.dependency:
        values["dependency"] = ctx.dependency
    if ctx.service:
        entry = ctx.catalog.lookup(ctx.service)
        if entry is not None and entry.oncall:
            values["oncall"] = entry.oncall
        if entry is not None and entry.owners:
            values["owners"] = ", ".join(entry.owners[:3])
    if "impact.wrong_data" in ctx.features or "impact.financial" in ctx.features:
        writer = _writer(ctx)
        if writer:
            values["writer"] = writer
    if "database" not in categories:
        values.update(ctx.change_refs)
        return values
    for s in incident.signals:  # the pool's own numbers ("192 of 200")
        if s.name == "connections" and s.limit and s.value is not None:
            used = s.value if s.value > 1 else s.value * s.limit
            values["pool_use"] = f"{used:,.0f} of {s.limit:,.0f}"
            break
    engine = _datastore(ctx)
    if engine is not None:
        values["db_sessions"] = _DB_SESSIONS[engine]
        values["database"] = ctx.dependency if ctx.dependency and ctx.dependency != \
            values.get("service") else f"the {engine} database"
    values.update(ctx.change_refs)
    return values


# a component named like what writes data in bulk (rates-loader, payout-batch-01,
# repricer-sync): when data is wrong, the thing to stop is named by its name
_WRITER = re.compile(
    r"\b(?:[a-z][a-z0-9]*[-_])+(?:loader|sync|syncer|batch|import(?:er)?|feed|etl|job|cron|"
    r"consumer|connector|scheduler|publisher|poster|writer|repricer|backfill)(?:[-_]\d+)?\b"
    r"|\b(?:loader|sync|batch|import|etl|repricer|backfill|cron)[-_][a-z0-9]+(?:[-_][a-z0-9]+)*\b")


def _writer(ctx: Context) -> str | None:
    for s in ctx.incident.signals:
        for text in (s.service, s.dependency, s.text):
            if text:
                found = _WRITER.search(text.lower())
                if found:
                    return found.group(0)
    return None


# one datastore's commands for the datastore in use
_DB_SESSIONS = {
    "PostgreSQL": "pg_stat_activity, pg_locks and pg_stat_statements",
    "MySQL": "SHOW FULL PROCESSLIST, performance_schema and the slow query log",
    "MongoDB": "db.currentOp() and the profiler",
    "SQL Server": "sys.dm_exec_requests and sys.dm_tran_locks",
    "Oracle": "V$SESSION and V$LOCK",
}
_DB_ENGINES = (
    ("PostgreSQL", re.compile(r"postgres|\bpg_|\bpsql\b|\bpgbouncer\b|aurora-postgres|"
                              r"\bsqlstate\b|\bvacuum\b|remaining connection slots")),
    ("MySQL", re.compile(r"mysql|mariadb|aurora-mysql|\binnodb\b|\bprocesslist\b")),
    ("MongoDB", re.compile(r"mongo")),
    ("SQL Server", re.compile(r"sql ?server|mssql")),
    ("Oracle", re.compile(r"\boracle\b|\bora-\d{5}")),
)


def _datastore(ctx: Context) -> str | None:
    """The database engine the incident's names and words point at, if one does."""
    parts = [ctx.dependency or ""]
    for s in ctx.incident.signals[:200]:
        parts.append(f"{s.service or ''} {s.dependency or ''} {s.name} {s.text[:300]}")
    words = " ".join(parts).lower()
    for engine, pattern in _DB_ENGINES:
        if pattern.search(words):
            return engine
    return None
