"""Assembly: every signal of one analysis becomes one :class:`Incident`.

* duplicates (the same alert delivered twice, by fingerprint or by content) are folded;
  signals of one source that share a fingerprint are one thing seen at several times
  (an alert firing then resolved, a deployment queued then successful): the latest
  state is kept, with the earliest start of an alert and the largest count;
* service names are unified across sources by :func:`service_key` and shown in their
  most common display form; regions and zones are put in their canonical form (a zone
  alone also names its region);
* affected services and regions come from the problem signals, not from changes (a
  deploy of another service does not make that service part of the incident), nor from
  informational logs and statuses (a Kubernetes "Pulled" event) when there is anything
  else;
* the onset is the earliest firing problem signal.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from ..models import Incident, Signal, SignalKind, SignalStatus, SourceSeverity
from ..names import canonical_region, service_key

_PROBLEM_KINDS = (SignalKind.METRIC, SignalKind.ALERT, SignalKind.SYMPTOM, SignalKind.LOG,
                  SignalKind.STATUS)


def assemble(
    signals: Iterable[Signal],
    now: datetime,
    *,
    sources: Iterable[str] = (),
    extras: dict[str, Any] | None = None,
) -> Incident:
    folded = _dedupe(_canonical_places(signals))
    folded = _unify_services(folded)
    problems = [s for s in folded if s.kind in _PROBLEM_KINDS]
    significant = [s for s in problems if not _informational(s)]
    problems = significant or problems
    scope = problems or folded

    service_counts = Counter(s.service for s in scope if s.service)
    services = [name for name, _ in sorted(service_counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    region_counts = Counter(s.region for s in scope if s.region)
    regions = [name for name, _ in sorted(region_counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    zones = sorted({s.zone for s in scope if s.zone})
    environments = sorted({s.environment for s in folded if s.environment})

    firing_times = [
        s.at for s in problems if s.at is not None and s.status != SignalStatus.RESOLVED
    ]
    if not firing_times:
        firing_times = [s.at for s in problems if s.at is not None]
    started_at = min(firing_times) if firing_times else None

    return Incident(
        id=_incident_id(folded, now),
        services=services,
        regions=regions,
        zones=zones,
        environments=environments,
        started_at=started_at,
        now=now,
        signals=folded,
        sources=sorted(set(sources)),
        extras=dict(extras or {}),
    )


def _informational(signal: Signal) -> bool:
    return signal.severity is SourceSeverity.INFO and signal.kind in (
        SignalKind.LOG,
        SignalKind.STATUS,
    )


def _canonical_places(signals: Iterable[Signal]) -> list[Signal]:
    out: list[Signal] = []
    for signal in signals:
        update: dict[str, Any] = {}
        if signal.region:
            region, zone = canonical_region(signal.region)
            if region and region != signal.region:
                update["region"] = region
            if zone and not signal.zone:
                update["zone"] = zone
        if signal.zone:
            zone_region, zone = canonical_region(signal.zone)
            if zone and zone != signal.zone:
                update["zone"] = zone
            if zone_region and not signal.region and zone:
                update["region"] = zone_region
        out.append(signal.model_copy(update=update) if update else signal)
    return out


def _dedupe(signals: Iterable[Signal]) -> list[Signal]:
    seen: dict[tuple[object, ...], int] = {}
    out: list[Signal] = []
    for signal in signals:
        key = (
            ("fingerprint", signal.source, signal.kind, signal.fingerprint)
            if signal.fingerprint
            else signal.key()
        )
        index = seen.get(key)
        if index is None:
            seen[key] = len(out)
            out.append(signal)
        else:
            out[index] = _merge(out[index], signal)
    return out


_NEVER = datetime.min.replace(tzinfo=timezone.utc)


def _state_time(signal: Signal) -> datetime:
    if signal.status is SignalStatus.RESOLVED and signal.ended_at is not None:
        return signal.ended_at
    return signal.at or signal.ended_at or _NEVER


def _merge(first: Signal, second: Signal) -> Signal:
    """One thing reported twice: keep the latest state (ties keep the first report)."""
    latest = first
    if _state_time(second) > _state_time(first) or (
        _state_time(second) == _state_time(first)
        and second.change is not None
        and second.change.succeeded is not None
        and (first.change is None or first.change.succeeded is None)
    ):
        latest = second
    update: dict[str, Any] = {}
    count = max(first.count, second.count)
    if count != latest.count:
        update["count"] = count
    if latest.kind is not SignalKind.CHANGE:
        starts = [s.at for s in (first, second) if s.at is not None]
        if starts and min(starts) != latest.at:
            update["at"] = min(starts)
    return latest.model_copy(update=update) if update else latest


def _unify_services(signals: list[Signal]) -> list[Signal]:
    forms: dict[str, Counter[str]] = {}
    order: dict[str, int] = {}
    for signal in signals:
        for name in (signal.service, signal.dependency):
            if not name:
                continue
            key = service_key(name) or name
            forms.setdefault(key, Counter())[name] += 1
            order.setdefault(name, len(order))
    display = {
        key: sorted(counter.items(), key=lambda kv: (-kv[1], -len(kv[0]), order[kv[0]]))[0][0]
        for key, counter in forms.items()
    }
    out = []
    for signal in signals:
        update: dict[str, Any] = {}
        if signal.service:
            best = display[service_key(signal.service) or signal.service]
            if best != signal.service:
                update["service"] = best
        if signal.dependency:
            best = display[service_key(signal.dependency) or signal.dependency]
            if best != signal.dependency:
                update["dependency"] = best
        out.append(signal.model_copy(update=update) if update else signal)
    return out


def _incident_id(signals: list[Signal], now: datetime) -> str:
    digest = hashlib.sha256()
    for key in sorted(repr(s.key()) for s in signals):
        digest.update(key.encode())
        digest.update(b"\n")
    return "inc-" + digest.hexdigest()[:12]
