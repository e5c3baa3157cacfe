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

Values may be written in human forms (``"500/500"``, ``"10x baseline"``, ``"-70% on 4 of
24 nodes"``, ``"96% (app-2), 93% (app-4)"``, ``"4.1GB"``: see :mod:`opsagent.values`).
A value that cannot be read is a note on the context and the rest of the event is read;
so is one bad item of a list (a change, an alert, a dependency, a log line). A change of
a type outside :class:`~opsagent.models.ChangeType` (``script``, ``maintenance``) is of
type ``other``, with its own type kept in its text and labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from ...errors import InputError, UnreadableValue
from ...models import (
    ChangeDetails,
    ChangeType,
    Signal,
    SignalKind,
    SignalStatus,
    SourceSeverity,
)
from ...names import canonical_region, service_name
from ...values import (
    Kind,
    Reading,
    as_text,
    on_percent_scale,
    parse_time,
    percent_scale,
    read_value,
)
from ..base import ParseContext
from ..generic_fields import (
    CHANGE_TYPES,
    FIRING_WORDS,
    KNOWN_FIELDS,
    RESOLVED_WORDS,
    SEVERITY,
    SUBSTANCE_FIELDS,
)
from ..generic_metrics import (
    LOWER_IS_WORSE,
    MetricKind,
    canonical_name,
    kind_of,
    signal_fields,
    unit_of,
    value_kind,
)


class GenericEventAdapter:
    name = "generic"
    title = "Generic event (hand-written JSON)"
    detects = ("any field of the generic event (service, error_rate, latency_ms, last_deploy, "
               "symptoms ...); tried last, as the fallback")

    def detect(self, doc: Mapping[str, Any]) -> bool:
        return any(key in KNOWN_FIELDS for key in doc)

    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        return _EventParser(doc, ctx).parse()


class _EventParser:
    def __init__(self, doc: Mapping[str, Any], ctx: ParseContext) -> None:
        self.doc = doc
        self.ctx = ctx
        self.signals: list[Signal] = []
        self.service: str | None = None
        self.extra_services: list[str] = []
        self.region: str | None = None
        self.zone: str | None = None
        self.extra_regions: list[tuple[str | None, str | None]] = []
        self.environment: str | None = None
        self.status: SignalStatus | None = None
        self.severity: SourceSeverity | None = None
        self.at: datetime | None = None
        self.started_at: datetime | None = None
        self.ended_at: datetime | None = None

    # helpers --------------------------------------------------------------------
    def _time(self, value: Any, field: str) -> datetime | None:
        """A time, or None (noted) when it cannot be read."""
        try:
            return parse_time(value, field, self.ctx.now)
        except UnreadableValue as exc:
            self.ctx.note(exc)
            return None

    def _str(self, value: Any, field: str) -> str:
        return as_text(value, field)

    def _read(self, value: Any, field: str, kind: Kind, *, default_unit: str = "ms",
              lower_is_worse: bool = False) -> Reading | None:
        """What ``value`` states, or None; a value that cannot be read is noted, and so is
        one that had to be guessed (a bare 1 as a ratio)."""
        try:
            reading = read_value(value, field, kind, default_unit=default_unit,
                                 lower_is_worse=lower_is_worse)
        except UnreadableValue as exc:
            self.ctx.note(exc)
            return None
        if reading is not None and reading.ambiguous:
            self.ctx.note(UnreadableValue(reading.ambiguous, value, field=field), keep=False)
        return reading

    def _reference(self, container: Mapping[str, Any], key: str, kind: Kind,
                   field: str) -> float | None:
        """A baseline or objective: the value a reading states, if any."""
        reading = self._read(container.get(key), field, kind) \
            if _present(container.get(key)) else None
        return reading.value if reading is not None else None

    # main -----------------------------------------------------------------------
    def parse(self) -> list[Signal]:
        doc = self.doc
        if not any(_present(doc.get(f)) for f in SUBSTANCE_FIELDS):
            raise InputError(
                "the event holds nothing to analyse: expected at least one of "
                "error_rate, latency_ms, symptoms, logs, metrics, alerts, dependencies, "
                "changes, last_deploy or a title/description"
            )
        recover = self.ctx.recover
        with recover("services" if "services" in doc else "service"):
            services = self._services()
            self.service = services[0] if services else None
            self.extra_services = services[1:]
        with recover("regions" if "regions" in doc else "region"):
            regions = self._regions()
            self.region, self.zone = regions[0] if regions else (None, None)
            self.extra_regions = regions[1:]
        with recover("environment"):
            env = doc.get("environment", doc.get("env"))
            self.environment = (self._str(env, "environment").lower() or None) if env else None
        self.at = self._time(doc.get("timestamp", doc.get("time", doc.get("observed_at"))),
                             "timestamp")
        self.started_at = self._time(doc.get("started_at"), "started_at")
        self.ended_at = self._time(
            doc.get("ended_at", doc.get("resolved_at")),
            "ended_at" if "ended_at" in doc else "resolved_at",
        )
        with recover("status"):
            self.status = self._status(doc.get("status"), "status")
        if self.ended_at is not None and self.status is None:
            self.status = SignalStatus.RESOLVED
        with recover("severity" if "severity" in doc else "priority"):
            self.severity = self._severity(doc.get("severity", doc.get("priority")),
                                           "severity" if "severity" in doc else "priority")
        with recover():
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
        base.update(fields)
        self.signals.append(Signal(**base))
        # An event that names several regions/services is a multi-scope observation.
        if fields.get("kind") in (SignalKind.METRIC, SignalKind.STATUS):
            for region, zone in self.extra_regions:
                self.signals.append(Signal(**{**base, "region": region, "zone": zone}))
            for service in self.extra_services:
                self.signals.append(Signal(**{**base, "service": service}))

    def _emit_reading(self, name: str, reading: Reading, kind: MetricKind, *,
                      raw_name: str | None = None, **fields: Any) -> None:
        """A metric signal from what a value states (nothing when it states nothing)."""
        if reading.value is None and reading.baseline_multiple is None \
                and reading.scope is None:
            return
        read = signal_fields(reading, kind)
        labels: dict[str, str] = dict(fields.pop("labels", {}))
        if reading.stat:
            labels["stat"] = reading.stat
        if reading.unit == "bytes" and kind == "ratio":  # "memory": "4.1GB": a size
            raw_name, name = raw_name or name, f"{name}_bytes"
        if raw_name and raw_name != name:
            labels["raw_name"] = raw_name
        for key in ("baseline", "objective"):
            if fields.get(key) is None:
                fields.pop(key, None)
        unit = fields.pop("unit", None) or unit_of(reading, kind)
        self._emit(kind=SignalKind.METRIC, name=name, unit=unit, labels=labels,
                   **{**read, **fields})

    def _emit_ratio(self, name: str, reading: Reading, raw: Any,
                    references: tuple[tuple[Mapping[str, Any], str, str], ...],
                    kind: MetricKind = "ratio", **fields: Any) -> None:
        """A ratio metric with its baseline and objective (``references``: where each is
        written), the bare numbers of all of them read on one scale (``1.5`` beside a
        baseline of ``0.1`` is 1.5 % against 0.1 %)."""
        written = [container.get(key) if _present(container.get(key)) else None
                   for container, key, _ in references]
        read = [self._reference(container, key, "ratio", field)
                for container, key, field in references]
        if percent_scale(raw, *written):
            reading = replace(reading, value=on_percent_scale(raw, reading.value))
            read = [on_percent_scale(w, r) for w, r in zip(written, read, strict=True)]
        baseline, objective = [*read, None][:2]
        self._emit_reading(name, reading, kind, **fields, baseline=baseline,
                           objective=objective)

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
        if text in RESOLVED_WORDS:
            return SignalStatus.RESOLVED
        if text in FIRING_WORDS:
            return SignalStatus.FIRING
        return None  # other statuses ("degraded") are kept as words, not a lifecycle

    def _severity(self, value: Any, field: str) -> SourceSeverity | None:
        if value is None:
            return None
        text = self._str(value, field).lower().replace(" ", "")
        return SEVERITY.get(text)

    def _headline(self) -> None:
        parts = []
        for key in ("title", "summary", "description", "message"):
            if _present(self.doc.get(key)):
                with self.ctx.recover(key):
                    text = self._str(self.doc[key], key)
                    if text and text not in parts:
                        parts.append(text)
        if parts or self.severity is not None:
            title = self.doc.get("title")
            self._emit(
                kind=SignalKind.ALERT,
                name=(title.strip()[:120] if isinstance(title, str) else "") or "event",
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
            self.ctx.note(UnreadableValue('an object such as {"error_rate": 0.01}', slo,
                                          field="slo"))
            slo = None
        slo = slo or {}
        key = "error_rate" if "error_rate" in doc else "errors"
        if _present(doc.get(key)):
            reading = self._read(doc[key], key, "ratio")
            if reading is not None:
                self._emit_ratio("error_rate", reading, doc[key], (
                    (doc, "baseline_error_rate", "baseline_error_rate"),
                    (slo, "error_rate", "slo.error_rate")))
        latency_key = next(
            (k for k in ("latency_ms", "p95_latency_ms", "latency", "p99_latency_ms",
                         "p50_latency_ms") if _present(doc.get(k))),
            None,
        )
        if latency_key is not None:
            reading = self._read(doc[latency_key], latency_key, "duration")
            if reading is not None:
                baseline_key = "baseline_latency_ms" if _present(doc.get(
                    "baseline_latency_ms")) else "baseline_latency"
                slo_key = "latency_ms" if _present(slo.get("latency_ms")) else "latency"
                stat = {"p99_latency_ms": "p99", "p50_latency_ms": "p50"}.get(latency_key,
                                                                              "p95")
                self._emit_reading(
                    "latency_ms", reading, "duration", labels={"stat": stat},
                    baseline=self._reference(doc, baseline_key, "duration", baseline_key),
                    objective=self._reference(slo, slo_key, "duration", f"slo.{slo_key}"))
        if _present(doc.get("availability")):
            reading = self._read(doc["availability"], "availability", "ratio",
                                 lower_is_worse=True)
            if reading is not None:
                self._emit_ratio("availability", reading, doc["availability"], (
                    (doc, "baseline_availability", "baseline_availability"),
                    (slo, "availability", "slo.availability")))
        rps_key = "rps" if _present(doc.get("rps")) else "requests_per_second"
        if _present(doc.get(rps_key)):
            reading = self._read(doc[rps_key], rps_key, "quantity")
            if reading is not None:
                self._emit_reading(
                    "rps", reading, "quantity", unit="rps",
                    baseline=self._reference(doc, "baseline_rps", "quantity", "baseline_rps"))

    def _changes(self) -> None:
        doc = self.doc
        if _present(doc.get("last_deploy")):
            with self.ctx.recover("last_deploy"):
                version = doc.get("version", doc.get("deploy_version"))
                previous = doc.get("previous_version")
                self.signals.append(Signal(
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
                ))
        if _present(doc.get("last_config_change")):
            self.signals.append(Signal(
                kind=SignalKind.CHANGE,
                source="generic",
                name="config",
                text=f"configuration change of {self.service or 'the service'}",
                service=self.service,
                region=self.region,
                environment=self.environment,
                at=self._time(doc["last_config_change"], "last_config_change"),
                change=ChangeDetails(type=ChangeType.CONFIG),
            ))
        changes = doc.get("changes")
        if changes is None:
            return
        if isinstance(changes, Mapping):
            changes = [changes]
        if not isinstance(changes, list):
            self.ctx.note(InputError("expected a list of changes", field="changes"))
            return
        for index, item in enumerate(changes):
            with self.ctx.recover(f"changes[{index}]"):
                self._change(item, f"changes[{index}]")

    def _change(self, item: Any, field: str) -> None:
        if isinstance(item, str):
            item = {"description": item}
        if not isinstance(item, Mapping):
            raise InputError("expected an object such as {\"type\": \"deploy\", "
                             "\"at\": \"2 hours ago\"}", field=field)
        raw_type = as_text(item.get("type", item.get("kind", "deploy")), f"{field}.type")
        change_type = CHANGE_TYPES.get(raw_type.lower().replace(" ", "_").replace("-", "_"),
                                        ChangeType.OTHER)
        labels = {"type": raw_type} if change_type is ChangeType.OTHER and raw_type \
            and raw_type.lower() != "other" else {}
        when_key = next((k for k in ("at", "time", "timestamp", "when") if k in item), None)
        at = self._time(item[when_key], f"{field}.{when_key}") if when_key else None
        service = service_name(as_text(item["service"], f"{field}.service")) \
            if item.get("service") is not None else self.service
        region_raw = item.get("region")
        region, zone = canonical_region(as_text(region_raw, f"{field}.region")) \
            if region_raw is not None else (self.region, self.zone)
        # what the change did, under whichever key the writer chose
        text_key = next((k for k in ("description", "summary", "title", "name", "details",
                                     "message", "what") if item.get(k) is not None), None)
        description = as_text(item[text_key], f"{field}.{text_key}") if text_key else ""
        succeeded = item.get("succeeded")
        state = item.get("status", item.get("state"))
        if succeeded is None and isinstance(state, str):
            lowered = state.lower()
            if lowered in {"failed", "failure", "error"}:
                succeeded = False
            elif lowered in {"success", "succeeded", "completed", "done"}:
                succeeded = True
        kind_words = labels.get("type", change_type.value)
        self.signals.append(Signal(
            kind=SignalKind.CHANGE,
            source="generic",
            name=change_type.value,
            text=(f"{kind_words}: {description}" if labels and description
                  else description or f"{kind_words} change"),
            service=service,
            dependency=service_name(as_text(item.get("dependency"),
                                            f"{field}.dependency")) or None,
            region=region,
            zone=zone,
            environment=as_text(item.get("environment"), f"{field}.environment").lower()
            or self.environment,
            at=at,
            labels=labels,
            change=ChangeDetails(
                type=change_type,
                version=as_text(item.get("version"), f"{field}.version") or None,
                previous_version=as_text(item.get("previous_version"),
                                         f"{field}.previous_version") or None,
                description=description,
                author=as_text(item.get("author"), f"{field}.author") or None,
                succeeded=succeeded if isinstance(succeeded, bool) else None,
            ),
        ))

    def _dependencies(self) -> None:
        deps = self.doc.get("dependencies")
        if deps is None:
            return
        items: list[tuple[Any, Any, str]] = []
        if isinstance(deps, Mapping):
            items = [(name, value, f"dependencies.{name}") for name, value in deps.items()]
        elif isinstance(deps, list):
            items = [(None, value, f"dependencies[{index}]") for index, value in enumerate(deps)]
        else:
            self.ctx.note(InputError("expected a list or an object of dependencies",
                                     field="dependencies"))
        for name, value, field in items:
            with self.ctx.recover(field):
                self._dependency(name, value, field)

    def _dependency(self, name: Any, value: Any, field: str) -> None:
        if name is None:  # an item of a list: a name, or an object with its name
            if isinstance(value, str):
                name, value = value, {}
            elif isinstance(value, Mapping):
                name = value.get("name", value.get("service"))
                if not isinstance(name, str) or not name.strip():
                    raise InputError("expected a dependency name", field=f"{field}.name")
            else:
                raise InputError("expected a dependency name or object", field=field)
        dep = service_name(str(name)) or str(name)
        if isinstance(value, str):
            value = {"status": value}
        if not isinstance(value, Mapping):
            raise InputError("expected an object such as {\"status\": \"degraded\"}",
                             field=field)
        status = value.get("status", value.get("state", value.get("health")))
        dep_region = value.get("region")
        region, zone = canonical_region(as_text(dep_region, f"{field}.region")) \
            if dep_region is not None else (self.region, self.zone)
        base: dict[str, Any] = {"dependency": dep, "region": region, "zone": zone}
        if status is not None:
            status_text = as_text(status, f"{field}.status")
            self._emit(kind=SignalKind.STATUS, name="dependency_status",
                       text=f"dependency {dep} is {status_text}".strip(),
                       labels={"status": status_text.lower()}, **base)
        if _present(value.get("error_rate")):
            reading = self._read(value["error_rate"], f"{field}.error_rate", "ratio")
            if reading is not None:
                self._emit_ratio("error_rate", reading, value["error_rate"], (
                    (value, "baseline_error_rate", f"{field}.baseline_error_rate"),),
                    "ratio", **base)
        latency_key = "latency_ms" if _present(value.get("latency_ms")) else "latency"
        if _present(value.get(latency_key)):
            reading = self._read(value[latency_key], f"{field}.{latency_key}", "duration")
            if reading is not None:
                self._emit_reading("latency_ms", reading, "duration", labels={"stat": "p95"},
                                   **base, baseline=self._reference(
                                       value, "baseline_latency_ms", "duration",
                                       f"{field}.baseline_latency_ms"))
        for key in ("message", "error", "notes"):
            if _present(value.get(key)):
                self._emit(kind=SignalKind.LOG, name="dependency_message",
                           text=as_text(value[key], f"{field}.{key}"), **base)

    def _metrics(self) -> None:
        metrics = self.doc.get("metrics")
        if metrics is None:
            return
        if not isinstance(metrics, Mapping):
            self.ctx.note(InputError("expected an object of metric name to value",
                                     field="metrics"))
            return
        for raw_name, raw_value in metrics.items():
            with self.ctx.recover(f"metrics.{raw_name}"):
                self._metric(str(raw_name), raw_value, f"metrics.{raw_name}")

    def _metric(self, raw_name: str, raw_value: Any, field: str) -> None:
        name, key = canonical_name(raw_name)
        spec: Mapping[str, Any] = raw_value if isinstance(raw_value, Mapping) else {}
        value_field = f"{field}.value" if spec else field
        if spec and "value" not in spec:
            raise InputError("expected an object with a \"value\"", field=field)
        value = spec["value"] if spec else raw_value
        if value is None:
            return
        kind = kind_of(name, key)
        reading_kind, default_unit = value_kind(kind)
        negative = kind == "signed_duration" and _negative(value)
        reading = self._read(_unsigned(value) if negative else value, value_field,
                             reading_kind, default_unit=default_unit,
                             lower_is_worse=name in LOWER_IS_WORSE)
        if reading is None:
            return
        if negative and reading.value is not None:
            reading = _negated(reading)
        labels = {"stat": "p99"} if "p99" in key else {}
        threshold = "threshold" if "threshold" in spec else "objective"
        fields: dict[str, Any] = {
            "raw_name": raw_name if name != key else None, "labels": labels,
            "unit": as_text(spec.get("unit"), f"{field}.unit") if spec.get("unit") else None,
            "dependency": service_name(as_text(spec.get("dependency"),
                                               f"{field}.dependency")) or None}
        if reading_kind == "ratio":
            self._emit_ratio(name, reading, value, (
                (spec, "baseline", f"{field}.baseline"),
                (spec, threshold, f"{field}.{threshold}")), kind, **fields)
            return
        self._emit_reading(
            name, reading, kind, **fields,
            baseline=self._reference(spec, "baseline", reading_kind, f"{field}.baseline"),
            objective=self._reference(spec, threshold, reading_kind, f"{field}.{threshold}"))

    def _texts(self, key: str, kind: SignalKind) -> None:
        raw = self.doc.get(key)
        if raw is None:
            return
        values = raw if isinstance(raw, list) else [raw]
        for index, value in enumerate(values):
            field = f"{key}[{index}]" if isinstance(raw, list) else key
            with self.ctx.recover(field):
                self._text(key, kind, value, field)

    def _text(self, key: str, kind: SignalKind, value: Any, field: str) -> None:
        if not isinstance(value, Mapping):
            text = as_text(value, field)
            if text:
                self._emit(kind=kind, name=key.rstrip("s"), text=text)
            return
        text = as_text(value.get("message", value.get("text", value.get("msg"))),
                       f"{field}.message")
        at = self._time(value.get("at", value.get("timestamp", value.get("time"))),
                        f"{field}.timestamp")
        level = as_text(value.get("level"), f"{field}.level").lower()
        count = value.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            self.ctx.note(UnreadableValue("a positive whole number", count,
                                          field=f"{field}.count"))
            count = 1
        if text:
            self._emit(kind=kind, name=key.rstrip("s"), text=text,
                       at=at or self.started_at or self.at, count=count,
                       severity=SEVERITY.get(level) if level else None)

    def _alerts(self) -> None:
        raw = self.doc.get("alerts")
        if raw is None:
            return
        if not isinstance(raw, list):
            self.ctx.note(InputError("expected a list of alerts", field="alerts"))
            return
        for index, alert in enumerate(raw):
            with self.ctx.recover(f"alerts[{index}]"):
                self._alert(alert, f"alerts[{index}]")

    def _alert(self, alert: Any, field: str) -> None:
        if isinstance(alert, str):
            self._emit(kind=SignalKind.ALERT, name=alert[:120], text=alert)
            return
        if not isinstance(alert, Mapping):
            raise InputError("expected an alert object or text", field=field)
        name = as_text(alert.get("name", alert.get("alertname", alert.get("title"))),
                       f"{field}.name")
        text = as_text(alert.get("summary", alert.get("description", alert.get("message"))),
                       f"{field}.summary")
        if not name and not text:
            raise InputError("expected a name or a summary", field=field)
        status = self._status(alert.get("status"), f"{field}.status")
        service = service_name(as_text(alert.get("service"), f"{field}.service")) \
            or self.service
        region_raw = alert.get("region")
        region, zone = canonical_region(as_text(region_raw, f"{field}.region")) \
            if region_raw is not None else (self.region, self.zone)
        self.signals.append(Signal(
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
            at=self._time(alert.get("at", alert.get("started_at", alert.get("startsAt"))),
                          f"{field}.started_at") or self.started_at or self.at,
            ended_at=self._time(alert.get("ended_at"), f"{field}.ended_at"),
            dependency=service_name(as_text(alert.get("dependency"),
                                            f"{field}.dependency")) or None,
        ))


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _negative(value: Any) -> bool:
    """A clock offset written below zero (``-250``, ``"-250ms"``)."""
    if isinstance(value, str):
        return value.strip().startswith(("-", "−"))
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0


def _unsigned(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()[1:]
    return -value


def _negated(reading: Reading) -> Reading:
    assert reading.value is not None
    return replace(reading, value=-reading.value)
