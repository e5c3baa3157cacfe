"""The generic event: the format people write by hand.

Every field is optional, but there must be something to analyse. Example::

    {"service": "checkout-service", "error_rate": "18%", "latency_ms": 2400,
     "region": "ap-south-1", "last_deploy": "2 hours ago",
     "symptoms": ["payment failures", "timeout errors"]}

Recognised fields (units are lenient: ``"18%"``, ``0.18`` or ``18``; ``2400``,
``"2400ms"`` or ``"2.4s"``; ISO times, epoch seconds or ``"2 hours ago"``):

``service``/``services``, ``region``/``regions``, ``zone``, ``environment``/``env``,
``timestamp``/``time``/``observed_at``, ``started_at``, ``status`` (``resolved`` for a
recovered blip), ``ended_at``/``resolved_at``, ``title``/``summary``/``description``,
``severity``/``priority``, ``error_rate``, ``latency_ms``/``latency``/``p95_latency_ms``/
``p99_latency_ms``, ``availability``, ``rps``, ``baseline_*``, ``slo`` (``error_rate``,
``latency_ms``, ``availability``), ``last_deploy`` (+ ``version``/``previous_version``),
``last_config_change``, ``changes``, ``dependencies``, ``metrics``, ``logs``,
``symptoms``, ``alerts``. Unknown fields are kept in the incident's extras and their
words are offered to the analysis.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..errors import InputError
from ..models import (
    ChangeDetails,
    ChangeType,
    Signal,
    SignalKind,
    SignalStatus,
    SourceSeverity,
)
from ..names import canonical_region, service_name
from ..values import as_text, parse_duration_ms, parse_number, parse_ratio, parse_time
from .base import ParseContext

# Fields of the generic format; any of them makes a document a generic event.
KNOWN_FIELDS = frozenset(
    {
        "service",
        "services",
        "region",
        "regions",
        "zone",
        "environment",
        "env",
        "timestamp",
        "time",
        "observed_at",
        "started_at",
        "status",
        "ended_at",
        "resolved_at",
        "duration",
        "title",
        "summary",
        "description",
        "message",
        "severity",
        "priority",
        "error_rate",
        "errors",
        "latency_ms",
        "latency",
        "p50_latency_ms",
        "p95_latency_ms",
        "p99_latency_ms",
        "availability",
        "rps",
        "requests_per_second",
        "baseline_error_rate",
        "baseline_latency_ms",
        "baseline_latency",
        "baseline_rps",
        "baseline_availability",
        "slo",
        "last_deploy",
        "deploy_version",
        "version",
        "previous_version",
        "last_config_change",
        "changes",
        "dependencies",
        "metrics",
        "logs",
        "symptoms",
        "alerts",
        "incident",
    }
)
# At least one of these must carry something for the event to be analysable.
SUBSTANCE_FIELDS = (
    "error_rate",
    "latency_ms",
    "latency",
    "availability",
    "symptoms",
    "logs",
    "metrics",
    "alerts",
    "dependencies",
    "changes",
    "last_deploy",
    "title",
    "summary",
    "description",
)

_SEVERITY = {
    "critical": SourceSeverity.CRITICAL,
    "crit": SourceSeverity.CRITICAL,
    "fatal": SourceSeverity.CRITICAL,
    "emergency": SourceSeverity.CRITICAL,
    "sev1": SourceSeverity.CRITICAL,
    "sev-1": SourceSeverity.CRITICAL,
    "p1": SourceSeverity.CRITICAL,
    "high": SourceSeverity.ERROR,
    "major": SourceSeverity.ERROR,
    "error": SourceSeverity.ERROR,
    "sev2": SourceSeverity.ERROR,
    "sev-2": SourceSeverity.ERROR,
    "p2": SourceSeverity.ERROR,
    "medium": SourceSeverity.WARNING,
    "moderate": SourceSeverity.WARNING,
    "warning": SourceSeverity.WARNING,
    "warn": SourceSeverity.WARNING,
    "minor": SourceSeverity.WARNING,
    "sev3": SourceSeverity.WARNING,
    "sev-3": SourceSeverity.WARNING,
    "p3": SourceSeverity.WARNING,
    "low": SourceSeverity.INFO,
    "info": SourceSeverity.INFO,
    "informational": SourceSeverity.INFO,
    "sev4": SourceSeverity.INFO,
    "sev5": SourceSeverity.INFO,
    "p4": SourceSeverity.INFO,
    "p5": SourceSeverity.INFO,
}
_RESOLVED_WORDS = {"resolved", "recovered", "ok", "closed", "normal", "healthy", "mitigated"}
_FIRING_WORDS = {"firing", "open", "triggered", "active", "ongoing", "alerting", "problem"}

_CHANGE_TYPES = {
    "deploy": ChangeType.DEPLOY,
    "deployment": ChangeType.DEPLOY,
    "release": ChangeType.DEPLOY,
    "rollout": ChangeType.DEPLOY,
    "rollback": ChangeType.ROLLBACK,
    "revert": ChangeType.ROLLBACK,
    "config": ChangeType.CONFIG,
    "configuration": ChangeType.CONFIG,
    "config_change": ChangeType.CONFIG,
    "flag": ChangeType.FLAG,
    "feature_flag": ChangeType.FLAG,
    "feature-flag": ChangeType.FLAG,
    "secret": ChangeType.SECRET,
    "credential": ChangeType.SECRET,
    "migration": ChangeType.MIGRATION,
    "schema_migration": ChangeType.MIGRATION,
    "infra": ChangeType.INFRA,
    "infrastructure": ChangeType.INFRA,
    "terraform": ChangeType.INFRA,
    "network": ChangeType.INFRA,
    "scale": ChangeType.SCALE,
    "scaling": ChangeType.SCALE,
    "certificate": ChangeType.CERTIFICATE,
    "cert": ChangeType.CERTIFICATE,
    "dns": ChangeType.DNS,
    "other": ChangeType.OTHER,
}

# Metric-name aliases → canonical names, and how each canonical value is parsed.
_METRIC_ALIASES = {
    "cpu_percent": "cpu",
    "cpu_usage": "cpu",
    "cpu_utilization": "cpu",
    "cpu_util": "cpu",
    "mem": "memory",
    "memory_usage": "memory",
    "memory_percent": "memory",
    "memory_utilization": "memory",
    "mem_usage": "memory",
    "disk_usage": "disk",
    "disk_used": "disk",
    "disk_percent": "disk",
    "disk_utilization": "disk",
    "errors": "error_rate",
    "error_percent": "error_rate",
    "5xx_rate": "http_5xx_rate",
    "http_5xx": "http_5xx_rate",
    "4xx_rate": "http_4xx_rate",
    "http_4xx": "http_4xx_rate",
    "latency": "latency_ms",
    "p95_latency_ms": "latency_ms",
    "p95_latency": "latency_ms",
    "requests_per_second": "rps",
    "throughput": "rps",
    "db_connections": "connections",
    "connection_pool": "connections",
    "connection_pool_usage": "connections",
    "pool_usage": "connections",
    "replication_lag": "replication_lag_s",
    "cache_hit_ratio": "cache_hit_rate",
    "hit_rate": "cache_hit_rate",
    "throttled": "throttled_rate",
    "throttle_rate": "throttled_rate",
    "clock_skew": "clock_skew_ms",
    "clock_offset_ms": "clock_skew_ms",
}
_RATIO_METRICS = {
    "error_rate",
    "http_5xx_rate",
    "http_4xx_rate",
    "availability",
    "cpu",
    "memory",
    "disk",
    "connections",
    "cache_hit_rate",
    "packet_loss",
    "throttled_rate",
    "saturation",
}
_DURATION_METRICS = {"latency_ms", "clock_skew_ms", "p50_latency_ms", "p99_latency_ms"}


class GenericEventAdapter:
    name = "generic"
    title = "Generic event (hand-written JSON)"

    def detect(self, doc: Mapping[str, Any]) -> bool:
        return any(key in KNOWN_FIELDS for key in doc)

    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        return _EventParser(doc, ctx).parse()


class _EventParser:
    def __init__(self, doc: Mapping[str, Any], ctx: ParseContext) -> None:
        self.doc = doc
        self.ctx = ctx
        self.signals: list[Signal] = []

    # helpers --------------------------------------------------------------------
    def _time(self, value: Any, field: str) -> datetime | None:
        return parse_time(value, field, self.ctx.now)

    def _str(self, value: Any, field: str) -> str:
        return as_text(value, field)

    # main -----------------------------------------------------------------------
    def parse(self) -> list[Signal]:
        doc = self.doc
        if not any(_present(doc.get(f)) for f in SUBSTANCE_FIELDS):
            raise InputError(
                "the event holds nothing to analyse: expected at least one of "
                "error_rate, latency_ms, symptoms, logs, metrics, alerts, dependencies, "
                "changes, last_deploy or a title/description"
            )
        services = self._services()
        self.service = services[0] if services else None
        self.extra_services = services[1:]
        regions = self._regions()
        self.region, self.zone = regions[0] if regions else (None, None)
        self.extra_regions = regions[1:]
        env = doc.get("environment", doc.get("env"))
        self.environment = self._str(env, "environment").lower() or None if env else None
        self.at = self._time(doc.get("timestamp", doc.get("time", doc.get("observed_at"))),
                             "timestamp")
        self.started_at = self._time(doc.get("started_at"), "started_at")
        self.ended_at = self._time(
            doc.get("ended_at", doc.get("resolved_at")),
            "ended_at" if "ended_at" in doc else "resolved_at",
        )
        self.status = self._status(doc.get("status"), "status")
        if self.ended_at is not None and self.status is None:
            self.status = SignalStatus.RESOLVED
        self.severity = self._severity(doc.get("severity", doc.get("priority")),
                                       "severity" if "severity" in doc else "priority")
        self._headline()
        self._core_metrics()
        self._changes()
        self._dependencies()
        self._metrics()
        self._texts("symptoms", SignalKind.SYMPTOM)
        self._texts("logs", SignalKind.LOG)
        self._alerts()
        return self.signals

    def _base(self) -> dict[str, Any]:
        return {
            "source": "generic",
            "service": self.service,
            "region": self.region,
            "zone": self.zone,
            "environment": self.environment,
            "status": self.status,
            "at": self.started_at or self.at,
            "ended_at": self.ended_at,
        }

    def _emit(self, **fields: Any) -> None:
        base = self._base()
        base.update({k: v for k, v in fields.items()})
        self.signals.append(Signal(**base))
        # An event that names several regions/services is a multi-scope observation.
        if fields.get("kind") in (SignalKind.METRIC, SignalKind.STATUS):
            for region, zone in self.extra_regions:
                self.signals.append(Signal(**{**base, "region": region, "zone": zone}))
            for service in self.extra_services:
                self.signals.append(Signal(**{**base, "service": service}))

    def _services(self) -> list[str]:
        raw = self.doc.get("services", self.doc.get("service"))
        field = "services" if "services" in self.doc else "service"
        if raw is None:
            return []
        values = raw if isinstance(raw, list) else [raw]
        names: list[str] = []
        for index, value in enumerate(values):
            if not isinstance(value, str):
                sub = f"{field}[{index}]" if isinstance(raw, list) else field
                raise InputError(f"expected a service name, got {type(value).__name__}",
                                 field=sub)
            name = service_name(value)
            if name and name not in names:
                names.append(name)
        return names

    def _regions(self) -> list[tuple[str | None, str | None]]:
        raw = self.doc.get("regions", self.doc.get("region"))
        field = "regions" if "regions" in self.doc else "region"
        out: list[tuple[str | None, str | None]] = []
        if raw is not None:
            values = raw if isinstance(raw, list) else [raw]
            for index, value in enumerate(values):
                if not isinstance(value, str):
                    sub = f"{field}[{index}]" if isinstance(raw, list) else field
                    raise InputError(f"expected a region name, got {type(value).__name__}",
                                     field=sub)
                pair = canonical_region(value)
                if pair != (None, None) and pair not in out:
                    out.append(pair)
        zone = self.doc.get("zone")
        if zone is not None:
            region, zone_name = canonical_region(self._str(zone, "zone"))
            zone_name = zone_name or self._str(zone, "zone").lower()
            if out:
                out[0] = (out[0][0] or region, zone_name)
            else:
                out.append((region, zone_name))
        return out

    def _status(self, value: Any, field: str) -> SignalStatus | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return SignalStatus.RESOLVED if value else SignalStatus.FIRING
        text = self._str(value, field).lower()
        if text in _RESOLVED_WORDS:
            return SignalStatus.RESOLVED
        if text in _FIRING_WORDS:
            return SignalStatus.FIRING
        return None  # other statuses ("degraded") are kept as words, not a lifecycle

    def _severity(self, value: Any, field: str) -> SourceSeverity | None:
        if value is None:
            return None
        text = self._str(value, field).lower().replace(" ", "")
        return _SEVERITY.get(text)

    def _headline(self) -> None:
        parts = []
        for key in ("title", "summary", "description", "message"):
            if _present(self.doc.get(key)):
                text = self._str(self.doc[key], key)
                if text and text not in parts:
                    parts.append(text)
        if parts or self.severity is not None:
            self._emit(
                kind=SignalKind.ALERT,
                name=as_text(self.doc.get("title"), "title")[:120] or "event",
                text=". ".join(parts),
                severity=self.severity,
            )
        status_word = self.doc.get("status")
        if isinstance(status_word, str) and self._status(status_word, "status") is None:
            self._emit(kind=SignalKind.STATUS, name="status", text=f"status {status_word}")

    def _core_metrics(self) -> None:
        doc = self.doc
        slo = doc.get("slo")
        if slo is not None and not isinstance(slo, Mapping):
            raise InputError("expected an object such as {\"error_rate\": 0.01}", field="slo")
        slo = slo or {}
        if _present(doc.get("error_rate", doc.get("errors"))):
            key = "error_rate" if "error_rate" in doc else "errors"
            self._emit(
                kind=SignalKind.METRIC,
                name="error_rate",
                value=parse_ratio(doc[key], key),
                unit="ratio",
                baseline=_opt(doc, "baseline_error_rate", parse_ratio),
                objective=_opt(slo, "error_rate", parse_ratio, prefix="slo."),
            )
        latency_key = next(
            (k for k in ("latency_ms", "p95_latency_ms", "latency", "p99_latency_ms",
                         "p50_latency_ms") if _present(doc.get(k))),
            None,
        )
        if latency_key is not None:
            baseline = _opt(doc, "baseline_latency_ms", parse_duration_ms)
            if baseline is None:
                baseline = _opt(doc, "baseline_latency", parse_duration_ms)
            objective = _opt(slo, "latency_ms", parse_duration_ms, prefix="slo.")
            if objective is None:
                objective = _opt(slo, "latency", parse_duration_ms, prefix="slo.")
            stat = {"p99_latency_ms": "p99", "p50_latency_ms": "p50"}.get(latency_key, "p95")
            self._emit(
                kind=SignalKind.METRIC,
                name="latency_ms",
                value=parse_duration_ms(doc[latency_key], latency_key),
                unit="ms",
                baseline=baseline,
                objective=objective,
                labels={"stat": stat},
            )
        if _present(doc.get("availability")):
            self._emit(
                kind=SignalKind.METRIC,
                name="availability",
                value=parse_ratio(doc["availability"], "availability"),
                unit="ratio",
                baseline=_opt(doc, "baseline_availability", parse_ratio),
                objective=_opt(slo, "availability", parse_ratio, prefix="slo."),
            )
        rps_key = "rps" if _present(doc.get("rps")) else "requests_per_second"
        if _present(doc.get(rps_key)):
            self._emit(
                kind=SignalKind.METRIC,
                name="rps",
                value=parse_number(doc[rps_key], rps_key),
                unit="rps",
                baseline=_opt(doc, "baseline_rps", parse_number),
            )

    def _changes(self) -> None:
        doc = self.doc
        if _present(doc.get("last_deploy")):
            version = doc.get("version", doc.get("deploy_version"))
            previous = doc.get("previous_version")
            self.signals.append(
                Signal(
                    kind=SignalKind.CHANGE,
                    source="generic",
                    name="deploy",
                    text=f"deploy of {self.service or 'the service'}"
                    + (f" version {as_text(version, 'version')}" if version else ""),
                    service=self.service,
                    region=self.region,
                    environment=self.environment,
                    at=self._time(doc["last_deploy"], "last_deploy"),
                    change=ChangeDetails(
                        type=ChangeType.DEPLOY,
                        version=as_text(version, "version") or None,
                        previous_version=as_text(previous, "previous_version") or None,
                    ),
                )
            )
        if _present(doc.get("last_config_change")):
            self.signals.append(
                Signal(
                    kind=SignalKind.CHANGE,
                    source="generic",
                    name="config",
                    text=f"configuration change of {self.service or 'the service'}",
                    service=self.service,
                    region=self.region,
                    environment=self.environment,
                    at=self._time(doc["last_config_change"], "last_config_change"),
                    change=ChangeDetails(type=ChangeType.CONFIG),
                )
            )
        changes = doc.get("changes")
        if changes is None:
            return
        if isinstance(changes, Mapping):
            changes = [changes]
        if not isinstance(changes, list):
            raise InputError("expected a list of changes", field="changes")
        for index, item in enumerate(changes):
            field = f"changes[{index}]"
            if isinstance(item, str):
                item = {"description": item}
            if not isinstance(item, Mapping):
                raise InputError("expected an object such as {\"type\": \"deploy\", "
                                 "\"at\": \"2 hours ago\"}", field=field)
            raw_type = as_text(item.get("type", item.get("kind", "deploy")), f"{field}.type")
            change_type = _CHANGE_TYPES.get(raw_type.lower().replace(" ", "_"))
            if change_type is None:
                raise InputError(
                    f"unknown change type {raw_type!r}; expected one of "
                    + ", ".join(sorted(set(_CHANGE_TYPES))),
                    field=f"{field}.type",
                )
            when_key = next((k for k in ("at", "time", "timestamp", "when") if k in item), None)
            at = self._time(item[when_key], f"{field}.{when_key}") if when_key else None
            service = service_name(as_text(item["service"], f"{field}.service")) \
                if item.get("service") is not None else self.service
            region_raw = item.get("region")
            region, zone = canonical_region(as_text(region_raw, f"{field}.region")) \
                if region_raw is not None else (self.region, self.zone)
            description = as_text(
                item.get("description", item.get("summary", item.get("title", ""))),
                f"{field}.description",
            )
            succeeded = item.get("succeeded")
            state = item.get("status", item.get("state"))
            if succeeded is None and isinstance(state, str):
                lowered = state.lower()
                if lowered in {"failed", "failure", "error"}:
                    succeeded = False
                elif lowered in {"success", "succeeded", "completed", "done"}:
                    succeeded = True
            self.signals.append(
                Signal(
                    kind=SignalKind.CHANGE,
                    source="generic",
                    name=change_type.value,
                    text=description or f"{change_type.value} change",
                    service=service,
                    dependency=service_name(as_text(item.get("dependency"),
                                                    f"{field}.dependency")) or None,
                    region=region,
                    zone=zone,
                    environment=as_text(item.get("environment"), f"{field}.environment").lower()
                    or self.environment,
                    at=at,
                    change=ChangeDetails(
                        type=change_type,
                        version=as_text(item.get("version"), f"{field}.version") or None,
                        previous_version=as_text(item.get("previous_version"),
                                                 f"{field}.previous_version") or None,
                        description=description,
                        author=as_text(item.get("author"), f"{field}.author") or None,
                        succeeded=succeeded if isinstance(succeeded, bool) else None,
                    ),
                )
            )

    def _dependencies(self) -> None:
        deps = self.doc.get("dependencies")
        if deps is None:
            return
        items: list[tuple[str, Any, str]] = []
        if isinstance(deps, Mapping):
            for name, value in deps.items():
                items.append((str(name), value, f"dependencies.{name}"))
        elif isinstance(deps, list):
            for index, value in enumerate(deps):
                field = f"dependencies[{index}]"
                if isinstance(value, str):
                    items.append((value, {}, field))
                elif isinstance(value, Mapping):
                    name = value.get("name", value.get("service"))
                    if not isinstance(name, str) or not name.strip():
                        raise InputError("expected a dependency name", field=f"{field}.name")
                    items.append((name, value, field))
                else:
                    raise InputError("expected a dependency name or object", field=field)
        else:
            raise InputError("expected a list or an object of dependencies", field="dependencies")
        for name, value, field in items:
            dep = service_name(name) or name
            if isinstance(value, str):
                value = {"status": value}
            if not isinstance(value, Mapping):
                raise InputError("expected an object such as {\"status\": \"degraded\"}",
                                 field=field)
            status = value.get("status", value.get("state", value.get("health")))
            dep_region = value.get("region")
            region, zone = canonical_region(as_text(dep_region, f"{field}.region")) \
                if dep_region is not None else (self.region, self.zone)
            base = {"dependency": dep, "region": region, "zone": zone}
            if status is not None:
                status_text = as_text(status, f"{field}.status")
                self._emit(kind=SignalKind.STATUS, name="dependency_status",
                           text=f"dependency {dep} is {status_text}".strip(),
                           labels={"status": status_text.lower()}, **base)
            if _present(value.get("error_rate")):
                self._emit(kind=SignalKind.METRIC, name="error_rate", unit="ratio",
                           value=parse_ratio(value["error_rate"], f"{field}.error_rate"),
                           baseline=_opt(value, "baseline_error_rate", parse_ratio,
                                         prefix=f"{field}."),
                           **base)
            latency_key = "latency_ms" if _present(value.get("latency_ms")) else "latency"
            if _present(value.get(latency_key)):
                self._emit(kind=SignalKind.METRIC, name="latency_ms", unit="ms",
                           value=parse_duration_ms(value[latency_key],
                                                   f"{field}.{latency_key}"),
                           baseline=_opt(value, "baseline_latency_ms", parse_duration_ms,
                                         prefix=f"{field}."),
                           labels={"stat": "p95"},
                           **base)
            for key in ("message", "error", "notes"):
                if _present(value.get(key)):
                    self._emit(kind=SignalKind.LOG, name="dependency_message",
                               text=as_text(value[key], f"{field}.{key}"), **base)

    def _metrics(self) -> None:
        metrics = self.doc.get("metrics")
        if metrics is None:
            return
        if not isinstance(metrics, Mapping):
            raise InputError("expected an object of metric name to value", field="metrics")
        for raw_name, raw_value in metrics.items():
            field = f"metrics.{raw_name}"
            key = str(raw_name).strip().lower().replace(" ", "_").replace("-", "_")
            name = _METRIC_ALIASES.get(key, key)
            spec: Mapping[str, Any]
            if isinstance(raw_value, Mapping):
                spec = raw_value
                if "value" not in spec:
                    raise InputError("expected an object with a \"value\"", field=field)
                value_raw = spec["value"]
            else:
                spec = {}
                value_raw = raw_value
            if value_raw is None:
                continue
            if name not in _CANONICAL:
                name = _canonical_suffix(key) or name
            parser = _parser_for(name, key, value_raw)
            value = parser(value_raw, field if not spec else f"{field}.value")
            labels = {"stat": "p99"} if "p99" in key else {}
            self._emit(
                kind=SignalKind.METRIC,
                name=name,
                value=value,
                unit=_unit_for(name, key, value_raw) if not spec.get("unit") else
                as_text(spec.get("unit"), f"{field}.unit"),
                baseline=_opt(spec, "baseline", parser, prefix=f"{field}."),
                objective=_opt(spec, "threshold", parser, prefix=f"{field}.")
                if "threshold" in spec
                else _opt(spec, "objective", parser, prefix=f"{field}."),
                dependency=service_name(as_text(spec.get("dependency"), f"{field}.dependency"))
                or None,
                labels={**labels, "raw_name": str(raw_name)} if name != key else labels,
            )

    def _texts(self, key: str, kind: SignalKind) -> None:
        raw = self.doc.get(key)
        if raw is None:
            return
        values = raw if isinstance(raw, list) else [raw]
        for index, value in enumerate(values):
            field = f"{key}[{index}]" if isinstance(raw, list) else key
            if isinstance(value, Mapping):
                text = as_text(value.get("message", value.get("text", value.get("msg"))),
                               f"{field}.message")
                at = self._time(value.get("at", value.get("timestamp", value.get("time"))),
                                f"{field}.timestamp")
                level = as_text(value.get("level"), f"{field}.level").lower()
                count = value.get("count", 1)
                if not isinstance(count, int) or isinstance(count, bool) or count < 1:
                    raise InputError("expected a positive whole number", field=f"{field}.count")
                if text:
                    self._emit(kind=kind, name=key.rstrip("s"), text=text,
                               at=at or self.started_at or self.at, count=count,
                               severity=_SEVERITY.get(level) if level else None)
                continue
            text = as_text(value, field)
            if text:
                self._emit(kind=kind, name=key.rstrip("s"), text=text)

    def _alerts(self) -> None:
        raw = self.doc.get("alerts")
        if raw is None:
            return
        if not isinstance(raw, list):
            raise InputError("expected a list of alerts", field="alerts")
        for index, alert in enumerate(raw):
            field = f"alerts[{index}]"
            if isinstance(alert, str):
                self._emit(kind=SignalKind.ALERT, name=alert[:120], text=alert)
                continue
            if not isinstance(alert, Mapping):
                raise InputError("expected an alert object or text", field=field)
            name = as_text(alert.get("name", alert.get("alertname", alert.get("title"))),
                           f"{field}.name")
            text = as_text(alert.get("summary", alert.get("description",
                                                         alert.get("message"))),
                           f"{field}.summary")
            if not name and not text:
                raise InputError("expected a name or a summary", field=field)
            status = self._status(alert.get("status"), f"{field}.status")
            service = service_name(as_text(alert.get("service"), f"{field}.service")) \
                or self.service
            region_raw = alert.get("region")
            region, zone = canonical_region(as_text(region_raw, f"{field}.region")) \
                if region_raw is not None else (self.region, self.zone)
            self.signals.append(
                Signal(
                    kind=SignalKind.ALERT,
                    source="generic",
                    name=name or text[:120],
                    text=text or name,
                    service=service,
                    region=region,
                    zone=zone,
                    environment=self.environment,
                    severity=self._severity(alert.get("severity", alert.get("priority")),
                                            f"{field}.severity"),
                    status=status or self.status,
                    at=self._time(alert.get("at", alert.get("started_at",
                                                            alert.get("startsAt"))),
                                  f"{field}.started_at") or self.started_at or self.at,
                    ended_at=self._time(alert.get("ended_at"), f"{field}.ended_at"),
                    dependency=service_name(as_text(alert.get("dependency"),
                                                    f"{field}.dependency")) or None,
                )
            )


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _opt(doc: Mapping[str, Any], key: str, parser: Any, *, prefix: str = "") -> float | None:
    value = doc.get(key)
    if not _present(value):
        return None
    result: float = parser(value, prefix + key)
    return result


_CANONICAL = {"error_rate", "http_5xx_rate", "http_4xx_rate", "latency_ms", "availability",
              "rps", "cpu", "memory", "disk", "connections", "queue_depth", "restarts",
              "replication_lag_s", "cache_hit_rate", "packet_loss", "throttled_rate",
              "saturation", "clock_skew_ms", "cert_expiry_days"}
_SUFFIXES = (("cpu", "cpu"), ("cpu_percent", "cpu"), ("cpu_utilization", "cpu"),
             ("cpu_usage", "cpu"), ("memory", "memory"), ("mem", "memory"),
             ("memory_usage", "memory"), ("memory_percent", "memory"), ("disk", "disk"),
             ("disk_usage", "disk"), ("disk_used", "disk"), ("connections_used", "connections"),
             ("connection_pool", "connections"), ("pool_usage", "connections"))


def _canonical_suffix(key: str) -> str | None:
    """``db_cpu`` → ``cpu``, ``redis_memory_usage`` → ``memory`` (the prefix stays in the
    ``raw_name`` label and its words are read by the analysis)."""
    for suffix, name in _SUFFIXES:
        if key.endswith("_" + suffix):
            return name
    return None


def _signed_duration(value: Any, field: str) -> float:
    """A duration that may be negative (a clock offset)."""
    if isinstance(value, str) and value.strip().startswith("-"):
        return -parse_duration_ms(value.strip()[1:], field)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return -parse_duration_ms(-value, field)
    return parse_duration_ms(value, field)


def _parser_for(name: str, raw_key: str, raw_value: Any = None) -> Any:
    if name in _RATIO_METRICS or raw_key.endswith(("_percent", "_pct", "_ratio", "_rate")):
        return parse_ratio
    if name == "clock_skew_ms":
        return _signed_duration
    if name in _DURATION_METRICS or raw_key.endswith(("_ms", "latency", "_duration")):
        return parse_duration_ms
    if isinstance(raw_value, str):  # an unknown metric written with a unit
        text = raw_value.strip().lower()
        if text.endswith("%"):
            return parse_ratio
        if text[-2:] in ("ms", "us") or (text.endswith("s") and text[:-1].strip()
                                         .replace(".", "", 1).isdigit()):
            return parse_duration_ms
    return parse_number


def _unit_for(name: str, raw_key: str, raw_value: Any = None) -> str | None:
    parser = _parser_for(name, raw_key, raw_value)
    if parser is parse_ratio:
        return "ratio"
    if parser in (parse_duration_ms, _signed_duration):
        return "ms"
    if name == "replication_lag_s":
        return "s"
    return None
