"""Assessment: each signal against its baseline, objective or a sensible default (the
canonical metrics here, the other families in :mod:`.judges`), and every piece of free
text against the failure vocabulary (:mod:`.vocabulary`)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from ..models import Signal
from ..values import clip
from .context import Context, Impact
from .features import FAILURE_TEXT
from .judges import MetricJudges, Verdict, name_words
from .kinds import ALERT, CHANGE, CRITICAL, ERROR, LOG, METRIC, RESOLVED, STATUS, SYMPTOM
from .observed import ObservedText
from .strength import ratio_strength
from .textfacts import affected_shares, extract, stated_drop
from .vocabulary import CompiledTerm, TermSet

# the terms that match a text; whether one is a crash; whether it reports a failure
_Matched = tuple[tuple[CompiledTerm, ...], bool, bool]

_CRITICAL_WORK = re.compile(r"^(authori[sz]ations?|payments?|transactions?|orders?|checkouts?|"
                            r"log-?ins?|sign-?ins?|purchases?|charges?)$")
_STATED_KINDS = (ALERT, SYMPTOM, STATUS)
_CRASH_FEATURES = frozenset({"text.crash", "text.oom"})

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _pct(value: float) -> str:
    pct = value * 100
    if pct >= 10 or pct == int(pct):
        return f"{pct:.0f}%"
    if pct >= 1:
        return f"{pct:.1f}%"
    return f"{pct:.2f}%"


def _ms(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.0f} s"
    if value >= 1000:
        return f"{value:,.0f} ms"
    return f"{value:.0f} ms"


def _where(signal: Signal) -> str:
    parts = []
    subject = signal.dependency or signal.service
    if subject:
        parts.append(f"on {subject}")
    if signal.zone:
        parts.append(f"in {signal.zone}")
    elif signal.region:
        parts.append(f"in {signal.region}")
    if signal.labels.get("instance") or signal.labels.get("pod"):
        parts.append(f"({signal.labels.get('pod') or signal.labels.get('instance')})")
    return (" " + " ".join(parts)) if parts else ""


class Assessor:
    def __init__(self, ctx: Context, terms: TermSet,
                 observed: ObservedText | None = None,
                 judges: MetricJudges | None = None) -> None:
        self.ctx = ctx
        self.termset = terms
        self.features = ctx.features
        self.cfg = ctx.config
        self._seen: dict[tuple[str, bool], _Matched] = {}  # text -> matching terms
        self._volumes: dict[str, tuple[float, str]] | None = None  # stated request volumes
        self._observed = observed.naming(_names(ctx)) if observed is not None else None
        self._judges = judges

    def run(self) -> None:
        for signal in self.ctx.incident.signals:
            if signal.kind == METRIC:
                self._metric(signal)
            elif signal.kind == ALERT:
                self._alert(signal)
            elif signal.kind == STATUS:
                self._status(signal)
            if signal.kind != CHANGE:
                self._texts(signal)
        self._extras(self.ctx.incident.extras)
        self._service_traits()
        self.termset.count(len(self._seen))

    # metrics ------------------------------------------------------------------
    def _metric(self, s: Signal) -> None:
        if s.scope is not None and s.scope.affected and s.scope.total \
                and s.status != RESOLVED:
            self.ctx.instances.append((s.scope.affected, s.scope.total,
                                       s.scope.text or f"{s.scope.affected} of "
                                                        f"{s.scope.total}"))
        if s.value is None:
            if s.baseline_multiple is not None and s.baseline_multiple >= 0:
                self._relative(s)
            return
        if s.limit and s.value > 1.0 and s.name in _SATURATION:
            # "210/800": a used/limit reading of a pool, memory or disk
            s = s.model_copy(update={"value": min(1.0, s.value / s.limit)})
        if s.value is None:  # for the type checker: a copy keeps its value
            return
        resolved = s.status == RESOLVED
        damp = 0.35 if resolved else 1.0
        name = s.name
        entry = self.ctx.entry(s.service)
        where = _where(s)
        suffix = " (since recovered)" if resolved else ""
        dep = s.dependency
        if name in ("error_rate", "http_5xx_rate"):
            objective = s.objective or entry.slo.error_rate or self.cfg.default_error_objective
            limit = objective
            if s.baseline is not None:
                limit = max(limit, s.baseline * 2)
            strength = ratio_strength(s.value, limit, scale=15)
            if strength <= 0:
                return
            label = "5xx rate" if name == "http_5xx_rate" else "error rate"
            ref = f"objective {_pct(objective)}"
            if s.baseline is not None:
                ref = f"baseline {_pct(s.baseline)}"
            share = _pct(s.value)
            text = f"{label} {share}{where} ({ref}){suffix}"
            stated = s.labels.get("stated")
            if stated:  # a share written in words: quote it
                work = s.labels.get("work", "requests")
                text = f'{share} of {work} failing{where}: "{stated}"'
                if _CRITICAL_WORK.match(work) and s.value >= self.cfg.critical_error_rate \
                        and not resolved and not dep:
                    self.features.add("impact.critical_flow", 1.0, text)
            if dep:
                self.features.add(_trouble(dep), strength * damp, f"dependency {text}")
                self._hint_dependency(dep, first=True)
                return
            self.features.add("errors.elevated", strength * damp, text)
            if name == "http_5xx_rate":
                self.features.add("errors.5xx", strength * damp, text)
            if not resolved:
                self._error_impact(s, entry, text)
            else:
                self.ctx.headline.append(f"a brief error spike ({share})")
                self.ctx.impacts.append(Impact(0, 0.3, text))
        elif name == "http_4xx_rate":
            limit = max(s.objective or 0.05, (s.baseline or 0) * 2)
            strength = ratio_strength(s.value, limit)
            if strength > 0:
                self.features.add("errors.4xx", strength * damp,
                                  f"4xx rate {_pct(s.value)}{where}{suffix}")
                if not resolved and s.value >= 0.2:
                    self.ctx.impacts.append(Impact(1, 0.5, f"{_pct(s.value)} of requests"
                                                   f"{where} are rejected with 4xx"))
        elif name == "latency_ms":
            latency_objective = s.objective or entry.slo.latency_ms
            limit = latency_objective or self.cfg.default_latency_objective_ms
            if s.baseline is not None:
                limit = max(limit if latency_objective else 0.0, s.baseline * 2)
            strength = ratio_strength(s.value, limit, scale=8)
            if strength <= 0:
                return
            stat = s.labels.get("stat", "p95")
            has_baseline = s.baseline is not None and not latency_objective
            shown, limit_shown = _ms(s.value), _ms(limit)
            ref = (f"baseline {_ms(s.baseline or 0)}" if has_baseline
                   else f"objective {limit_shown}" if latency_objective
                   else f"default objective {limit_shown}")
            text = f"{stat} latency {shown}{where} ({ref}){suffix}"
            if dep:
                self.features.add(_trouble(dep), strength * damp, f"dependency {text}")
                self._hint_dependency(dep, first=True)
                return
            self.features.add("latency.elevated", strength * damp, text)
            if not resolved:
                factor = s.value / limit
                critical = entry.critical
                if s.service:
                    self.ctx.impacted_services.add(s.service)
                if entry.customer_facing or critical:
                    self.ctx.worst_latency_factor = max(self.ctx.worst_latency_factor, factor)
                if factor >= self.cfg.latency_high_factor and critical:
                    self.ctx.impacts.append(Impact(
                        2, min(1.0, 0.75 + factor / 40),
                        f"{stat} latency {shown} is {factor:.1f}× its objective on "
                        f"critical service {s.service}"))
                else:
                    self.ctx.impacts.append(Impact(
                        1, min(0.69, 0.45 + factor / 40),
                        f"{stat} latency {shown}{where} is above its objective "
                        f"({limit_shown})"))
                self.ctx.headline.append(f"high latency ({stat} {shown})")
        elif name == "availability":
            objective = s.objective or entry.slo.availability \
                or self.cfg.default_availability_objective
            if s.value >= objective:
                return
            shortfall = 1 - s.value
            strength = ratio_strength(shortfall, 1 - objective, scale=50)
            text = f"availability {_pct(s.value)}{where} (objective {_pct(objective)}){suffix}"
            self.features.add("availability.low", strength * damp, text)
            self.features.add("errors.elevated", strength * damp, text)
            if not resolved:
                self._error_impact(s.model_copy(update={"value": shortfall}), entry, text)
        elif name == "rps":
            if s.baseline and s.baseline > 0:
                ratio = s.value / s.baseline
                if ratio >= 1.8:
                    self.features.add("traffic.surge", min(1.0, 0.4 + (ratio - 1.8) / 3) * damp,
                                      f"request rate {s.value:,.0f}/s{where} is {ratio:.1f}× "
                                      f"its baseline {s.baseline:,.0f}/s{suffix}")
                elif 0.7 <= ratio <= 1.3:
                    self.features.add("traffic.normal", 1.0,
                                      f"request rate {s.value:,.0f}/s{where} is normal "
                                      f"(baseline {s.baseline:,.0f}/s)")
                elif ratio <= 0.5:
                    self.features.add("traffic.drop", min(1.0, 0.4 + (0.5 - ratio)) * damp,
                                      f"request rate {s.value:,.0f}/s{where} fell to "
                                      f"{ratio:.0%} of its baseline{suffix}")
                    if not resolved and ratio <= 0.3 and (entry.customer_facing
                                                          or entry.critical):
                        # traffic off a cliff with flat errors: users cannot reach it
                        self.ctx.impacts.append(Impact(
                            2 if entry.critical else 1, 0.75 if entry.critical else 0.6,
                            f"traffic{where} dropped to {ratio:.0%} of normal"
                            + (f" on critical service {s.service}" if entry.critical
                               else "")))
        elif name in _SATURATION:
            feature, attr, label = _SATURATION[name]
            limit = getattr(self.cfg, attr)
            if s.objective is not None:
                limit = s.objective
            if s.value < limit:
                if s.status != RESOLVED:
                    self.ctx.within_bounds.append(f"{label} {_pct(s.value)}{where}")
                    self.ctx.bounded_topics.add("cpu" if name == "saturation" else name)
                    if name == "disk" and s.value >= limit - 0.1:
                        # filling, with headroom: the problem to plan for, not an outage
                        self.features.add("disk.high", 0.3,
                                          f"disk {_pct(s.value)} used{where}, below its "
                                          f"limit {_pct(limit)}")
                return
            strength = min(1.0, 0.55 + (s.value - limit) / max(1e-9, 1 - limit) * 0.45)
            if name != "disk" and _DATASTORE.search(f"{s.dependency or ''} {s.service or ''} "
                                 f"{s.labels.get('namespace', '')} {s.labels.get('raw_name', '')}"):
                feature = "db.saturated"  # the database's own resources, not the service's
                label = f"database {label.replace(' at', '')}"
            raw_name = s.labels.get("raw_name")
            if raw_name:  # "db_cpu": say so, and let its words ("db") count as evidence
                label = raw_name
            text = f"{label} {_pct(s.value)}{where}{suffix}"
            self.features.add(feature, strength * damp, text)
            if raw_name:
                self._match(raw_name.replace("_", " ").replace(".", " "), text,
                            0.75 * strength * damp, s)
            if not resolved:
                self.ctx.headline.append(f"{label.replace(' at', '')} at {_pct(s.value)}")
            if dep:
                self._hint_dependency(dep)
            if not resolved and name == "disk" and s.value >= 0.9:
                self.ctx.impacts.append(Impact(1, 0.55 + (s.value - 0.9) * 2,
                                               f"disk {_pct(s.value)} full{where}; writes will "
                                               "fail when it fills"))
        else:
            self._other_metric(s, where, damp, suffix)

    def _relative(self, s: Signal) -> None:
        """A reading stated only against its baseline ("10x baseline", "-70%")."""
        multiple = s.baseline_multiple
        assert multiple is not None
        if s.name in ("error_rate", "http_5xx_rate", "latency_ms"):
            high = 3.0 if s.name != "latency_ms" else 2.0
            if multiple < high:
                return
            feature = "latency.elevated" if s.name == "latency_ms" else "errors.elevated"
            label = "latency" if s.name == "latency_ms" else "error rate"
            where = _where(s)
            text = f"{label}{where} {multiple:g}× its baseline" + (
                f' ("{clip(s.text, 60)}")' if s.text else "")
            damp = 0.35 if s.status == RESOLVED else 1.0
            self.features.add(feature, min(1.0, 0.4 + multiple / 20) * damp, text)
            if s.status != RESOLVED:
                if s.service:
                    self.ctx.impacted_services.add(s.service)
                entry = self.ctx.entry(s.service)
                if entry.customer_facing or entry.critical:
                    self.ctx.impacts.append(Impact(1, min(0.69, 0.45 + multiple / 40), text))
                self.ctx.headline.append(f"{label} {multiple:g}× its baseline")
            return
        # any other reading: judged as the multiple against a baseline of 1
        self._metric(s.model_copy(update={"value": multiple, "baseline": 1.0,
                                          "baseline_multiple": None, "scope": None}))

    def _other_metric(self, s: Signal, where: str, damp: float, suffix: str) -> None:
        assert s.value is not None
        name = s.name
        value = s.value
        if name == "queue_depth":
            if (s.baseline and value >= s.baseline * 3) or (not s.baseline and value >= 1000):
                ratio = value / s.baseline if s.baseline else 3.0
                self.features.add("queue.backlog", min(1.0, 0.4 + ratio / 20) * damp,
                                  f"queue depth {value:,.0f}{where}"
                                  + (f" ({ratio:.0f}× baseline)" if s.baseline else "") + suffix)
        elif name == "restarts":
            if value >= 2:
                self.features.add("restarts", min(1.0, 0.4 + value / 20) * damp,
                                  f"{value:.0f} restarts{where}{suffix}")
        elif name == "replication_lag_s":
            if value >= 30:
                self.features.add("replication.lag", min(1.0, 0.5 + value / 600) * damp,
                                  f"replication lag {value:,.0f} s{where}{suffix}")
        elif name == "cache_hit_rate":
            low = value < 0.5 or (s.baseline is not None and value < s.baseline * 0.7)
            if low:
                ref = f" (baseline {_pct(s.baseline)})" if s.baseline is not None else ""
                self.features.add("cache.hit_rate_drop", 0.8 * damp,
                                  f"cache hit rate {_pct(value)}{where}{ref}{suffix}")
        elif name == "packet_loss":
            if value >= 0.005:
                self.features.add("packet_loss", min(1.0, 0.5 + value * 10) * damp,
                                  f"packet loss {_pct(value)}{where}{suffix}")
        elif name == "throttled_rate":
            if value >= 0.01:
                self.features.add("throttling", min(1.0, 0.5 + value * 3) * damp,
                                  f"{_pct(value)} of calls throttled{where}{suffix}")
        elif name == "clock_skew_ms":
            if abs(value) >= 500:
                self.features.add("clock.skew", min(1.0, 0.6 + abs(value) / 60_000) * damp,
                                  f"clock offset {_ms(abs(value))}{where}{suffix}")
        elif name == "cert_expiry_days":
            if value <= 0:
                self.features.add("cert.expired", 1.0 * damp,
                                  f"certificate{where} expired {abs(value):.0f} day(s) ago")
            elif value <= 14:
                self.features.add("cert.expiring", (0.9 - value / 30) * damp,
                                  f"certificate{where} expires in {value:.0f} day(s)")
            else:  # a renewal to plan, weeks ahead: within bounds
                self.ctx.within_bounds.append(f"certificate{where} expires in {value:.0f} days")
                self.ctx.bounded_topics.add("certificate")
                if value <= 30:
                    self.features.add("cert.expiring", 0.3 * damp,
                                      f"certificate{where} expires in {value:.0f} days")
        else:
            self._unknown_metric(s, where, damp, suffix)

    def _unknown_metric(self, s: Signal, where: str, damp: float, suffix: str) -> None:
        assert s.value is not None
        label = s.labels.get("raw_name", s.name)
        if self._judges is not None:
            verdict = self._judges.judge(s, label)
            if verdict is not None:
                self._judged(s, label, verdict, where, damp, suffix)
                return
        abnormal = 0.0
        if s.baseline is not None and s.baseline != 0:
            ratio = s.value / s.baseline
            if ratio >= 2 or ratio <= 0.5:
                abnormal = min(1.0, 0.4 + abs(math.log(abs(ratio) or 1e-9)) / 5)
                self.features.add("metric.anomaly", abnormal * damp,
                                  f"{label} {s.value:g}{where} vs baseline {s.baseline:g}{suffix}")
                if ratio >= 5 and _MONEY.search(label) and s.status != RESOLVED:
                    self.features.add("impact.financial", 0.9,
                                      f"{label} is {ratio:,.0f}× its baseline{where}")
        elif s.objective is not None and s.value > s.objective:
            abnormal = 0.7
            self.features.add("metric.anomaly", abnormal * damp,
                              f"{label} {s.value:g}{where} above threshold {s.objective:g}{suffix}")
        elif s.baseline is None and s.objective is None:
            abnormal = 0.5  # a metric someone chose to report: treat its name as a hint
        if abnormal > 0:
            words = label.replace("_", " ").replace(".", " ")
            self._match(words, f"metric {label}={s.value:g}{where}", 0.75 * abnormal * damp,
                        s)

    def _judged(self, s: Signal, label: str, verdict: Verdict, where: str, damp: float,
                suffix: str) -> None:
        """A reading of a known metric family, past its bound or not."""
        family = verdict.family
        if verdict.strength <= 0 and family.counts_requests and s.value is not None \
                and s.status != RESOLVED:
            # a bare count of failures: beside the request volume it is a share
            volume = self._request_volume(s.service)
            if volume is not None and 0 < s.value <= volume[0]:
                share = s.value / volume[0]
                objective = self.cfg.default_error_objective
                if share >= objective:
                    verdict = Verdict(family, ratio_strength(share, objective, scale=15),
                                      f"of {volume[1]}")
        if verdict.strength <= 0:
            return
        value = f"{s.value:,.6g}"
        text = f"{label} {value}{where} ({verdict.reference}){suffix}"
        for feature in (family.feature, *family.also):
            self.features.add(feature, verdict.strength * damp, text)
        # its name's words say what fails ("dns_lookup_failures")
        self._match(name_words(label), text, 0.75 * verdict.strength * damp, s)
        if s.status == RESOLVED:
            return
        if s.service:
            self.ctx.impacted_services.add(s.service)
        entry = self.ctx.entry(s.service)
        if family.counts_requests and s.value is not None:
            volume = self._request_volume(s.service)
            if volume is not None and 0 < s.value <= volume[0]:
                # "3,412 5xx a minute" beside "about 15k requests per minute": a share
                share = s.value / volume[0]
                self._error_impact(s.model_copy(update={"value": share}), entry,
                                   f"{label} {value}{where} of {volume[1]} ({_pct(share)} "
                                   "failing)")
                return
        impact = family.impact
        if impact is None:
            return
        if impact.customer_facing_only and not (entry.customer_facing or entry.critical):
            return
        level = impact.level
        if impact.escalate is not None and verdict.multiple is not None and (
                verdict.multiple <= impact.escalate if family.direction == "below"
                else verdict.multiple >= impact.escalate):
            level = min(2, level + 1)
        reason = impact.reason.format(metric=label, value=value, where=where,
                                      reference=verdict.reference)
        self.ctx.impacts.append(Impact(level, 0.4 + 0.15 * verdict.strength + 0.3 * (level == 2),
                                       reason))

    def _request_volume(self, service: str | None) -> tuple[float, str] | None:
        """The request volume the incident states for ``service`` ("normal traffic is
        about 15k requests per minute"), per minute, with the words quoted; counts of
        failed requests are taken per minute, as the alarms that send them count them."""
        if self._volumes is None:
            self._volumes = {}
            for signal in self.ctx.incident.signals:
                if signal.kind == METRIC and signal.value is not None \
                        and _REQUESTS_METRIC.search(signal.labels.get("raw_name", signal.name)):
                    # "requests": "about 4,500 a minute", or a rate per second
                    per_minute = "minute" in signal.text or "/min" in signal.text
                    if per_minute or signal.name == "rps" or "second" in signal.text:
                        minute = signal.value if per_minute else signal.value * 60
                        self._volumes.setdefault(signal.service or "", (
                            minute, f"{minute:,.0f} requests a minute"))
                    continue
                if signal.kind == METRIC or not signal.text or "request" not in signal.text:
                    continue
                match = _VOLUME.search(signal.text)
                if match is None:
                    continue
                number = float(match.group("n").replace(",", ""))
                number *= {"k": 1e3, "m": 1e6}.get((match.group("k") or "").lower(), 1.0)
                per = match.group("per").lower()
                minute = number * 60 if per.startswith("s") else \
                    number / 60 if per.startswith("h") else number
                self._volumes.setdefault(signal.service or "",
                                         (minute, clip(match.group(0).strip(), 60)))
        return self._volumes.get(service or "")

    def _error_impact(self, s: Signal, entry: Any, text: str) -> None:
        assert s.value is not None
        value = s.value
        cfg = self.cfg
        self.ctx.headline.append(f"elevated errors ({_pct(value)})")
        if s.service:
            self.ctx.impacted_services.add(s.service)
        if entry.customer_facing or entry.critical:
            self.ctx.worst_error = max(self.ctx.worst_error, value)
        if entry.critical and value >= cfg.critical_error_rate:
            self.ctx.impacts.append(Impact(
                2, min(1.0, 0.78 + value), f"{text}: at or above {_pct(cfg.critical_error_rate)} "
                f"on critical service {s.service}", hard=True))
        elif entry.customer_facing and value >= cfg.customer_error_rate:
            self.ctx.impacts.append(Impact(
                2, min(1.0, 0.72 + value / 2), f"{text}: at least "
                f"{_pct(cfg.customer_error_rate)} of requests fail on a customer-facing service",
                hard=True))
        elif entry.customer_facing or entry.critical:
            self.ctx.impacts.append(Impact(1, min(0.69, 0.45 + value * 3), text))
        else:
            self.ctx.impacts.append(Impact(
                1 if value >= 0.1 else 0, min(0.6, 0.3 + value * 2),
                f"{text} on an internal service"))

    # alerts and statuses ------------------------------------------------------
    def _alert(self, s: Signal) -> None:
        resolved = s.status == RESOLVED
        if not resolved:
            self._users_hit(s)
        if s.dependency and not resolved:
            self.features.add(_trouble(s.dependency), 0.6,
                              f"alert {s.name}{_where(s)}: {clip(s.text, 110)}".rstrip(": "))
            self._hint_dependency(s.dependency, first=True)
        if s.severity == CRITICAL and not resolved:
            self.features.add("source.critical", 1.0,
                              f"{s.source} rates {s.name or 'the alert'} critical")
        if s.severity == CRITICAL and not resolved \
                and s.service and not s.dependency:
            self.ctx.impacted_services.add(s.service)
        entry = self.ctx.entry(s.service) if s.service else None
        if s.severity in (CRITICAL, ERROR) and not resolved and entry is not None \
                and s.service != s.dependency and entry.critical:
            # a firing error on a critical service is not "no impact", numbers or not,
            # and no less so when it blames a dependency the service calls
            self.ctx.impacts.append(Impact(
                1, 0.5, f"{s.source} alert {s.name or ''} is firing on critical service "
                        f"{s.service} (rated {s.severity.value} by its source)", label=True))
        elif s.severity in (CRITICAL, ERROR) and not resolved and entry is not None \
                and entry.customer_facing and s.service != s.dependency and _urgent(s):
            # a customer-facing service's alert its sender pages for (P1/P2, high urgency)
            self.ctx.impacts.append(Impact(
                1, 0.48, f"{s.source} alert {s.name or ''} is firing on customer-facing "
                         f"service {s.service}, {_urgent(s)}", label=True))

    def _users_hit(self, s: Signal) -> None:
        """How many distinct users the vendor counted hitting the alert's error (Sentry's
        ``userCount``): thousands on a critical flow is customers failing, numbers or not."""
        raw = next((s.labels[k] for k in _USER_COUNT_LABELS if s.labels.get(k)), None)
        if raw is None:
            return
        try:
            users = int(float(str(raw).replace(",", "")))
        except ValueError:
            return
        entry = self.ctx.entry(s.service)
        if users < 100 or not (entry.customer_facing or entry.critical):
            return
        text = f"{users:,} users hit {s.source} alert {s.name}"
        if s.service:
            self.ctx.impacted_services.add(s.service)
        if users >= 1000 and entry.critical:
            self.ctx.impacts.append(Impact(2, 0.74, f"{text} on critical service {s.service}"))
        else:
            self.ctx.impacts.append(Impact(1, 0.55 if users >= 1000 else 0.48, text))

    def _status(self, s: Signal) -> None:
        status = (s.labels.get("status") or s.text).lower()
        resolved = s.status == RESOLVED
        if s.dependency:
            if _DOWN_WORDS.search(status) and not resolved:
                self.features.add(_trouble(s.dependency), 1.0, f"{s.text}{_where_region(s)}")
                self._hint_dependency(s.dependency, first=True)
            elif _DEGRADED_WORDS.search(status) and not resolved:
                self.features.add(_trouble(s.dependency), 0.75, f"{s.text}{_where_region(s)}")
                self._hint_dependency(s.dependency, first=True)
            elif _THROTTLED_WORDS.search(status) and not resolved:
                self.features.add("throttling", 0.9, f"{s.text}{_where_region(s)}")
                self.features.add("dependency.degraded", 0.6, f"{s.text}{_where_region(s)}")
                self._hint_dependency(s.dependency, first=True)
            elif _HEALTHY_WORDS.search(status):
                self.features.add("dependency.healthy", 1.0, f"{s.text}{_where_region(s)}")
            else:
                self._hint_dependency(s.dependency)

    def _hint_dependency(self, name: str, *, first: bool = False) -> None:
        self.features.add("dependency.named", 0.5, None)
        hints = self.ctx.dependency_hints
        if name in hints:
            if first:
                hints.remove(name)
                hints.insert(0, name)
            return
        if first:
            hints.insert(0, name)
        else:
            hints.append(name)

    # free text ----------------------------------------------------------------
    def _stated_numbers(self, s: Signal, text: str) -> None:
        """Readings written in words become metrics (see :mod:`.textfacts`)."""
        expiry = _CERT_EXPIRY_IN.search(text)
        if expiry is not None:
            self._metric(Signal(kind=METRIC, source=s.source, service=s.service,
                                region=s.region, zone=s.zone, environment=s.environment,
                                status=s.status, at=s.at, name="cert_expiry_days",
                                value=float(expiry.group("days")), unit="count"))
        shares, latencies, instances = extract(text)
        if not (shares or latencies or instances):
            affected = affected_shares(text) if _DIGIT_OR_OF.search(text) else []
            if affected and s.status != RESOLVED:
                # a share of the work is late, wrong or missing: real, partial impact
                share = max(affected, key=lambda a: a.value)
                self.ctx.impacts.append(Impact(
                    1, min(0.62, 0.48 + share.value / 2),
                    f'{share.value:.0%} of {share.what} affected ("{clip(share.quote, 90)}")'))
            return
        base = {"kind": METRIC, "source": s.source, "service": s.service,
                "dependency": s.dependency, "region": s.region, "zone": s.zone,
                "environment": s.environment, "status": s.status, "at": s.at}
        for share in shares[:3]:
            self._metric(Signal(**base, name="error_rate", value=share.value, unit="ratio",
                                objective=0.001,
                                labels={"stated": clip(share.quote, 90),
                                        "work": share.what}))
        for latency in latencies[:2]:
            self._metric(Signal(
                **base, name="latency_ms", value=latency.value_ms, unit="ms",
                objective=latency.reference_ms if latency.is_objective else None,
                baseline=None if latency.is_objective else latency.reference_ms,
                labels={"stat": latency.stat}))
        for item in instances[:3]:
            self.ctx.instances.append((item.affected, item.total, item.quote))

    def _texts(self, s: Signal) -> None:
        resolved = s.status == RESOLVED
        if s.kind in _STATED_KINDS and not resolved and s.text:
            self._stated_numbers(s, s.text)
        factor = _KIND_FACTOR.get(s.kind, 0.8) * (0.4 if resolved else 1.0)
        if s.kind == ALERT and s.name:
            name_words = _CAMEL.sub(" ", s.name).replace("_", " ")
            text = f"{name_words}. {s.text}" if s.text and s.text != s.name else name_words
            label = f"{s.source} alert {s.name}"
            if s.text and s.text != s.name:
                label += f': "{clip(s.text, 110)}"'
            self._match(text, label + (" (resolved)" if resolved else ""), factor, s)
        elif s.kind == STATUS and s.dependency:
            return  # already assessed from its status words
        elif s.text and s.kind != METRIC:
            kind = _KIND_NAME.get(s.kind, s.kind.value)
            count = f" (×{s.count})" if s.count > 1 else ""
            self._match(s.text, f'{kind}: "{clip(s.text, 110)}"{count}'
                        + (" (resolved)" if resolved else ""), factor, s)

    def _matching(self, text: str, reported: bool = False) -> _Matched:
        """The terms the observed words of ``text`` match (``reported``: what people say
        they see, never read as instructions)."""
        key = (text, reported)
        found = self._seen.get(key)  # alert storms repeat the same words many times
        if found is None:
            lowered = text.lower()
            if self._observed is not None:
                lowered = self._observed(lowered, instructions=not reported)
                terms = self.termset.match(lowered, lowered)
            else:
                terms = self.termset.match(text, lowered)
            features = {t.feature for t in terms}
            found = self._seen[key] = (
                terms, not _CRASH_FEATURES.isdisjoint(features),
                not FAILURE_TEXT.isdisjoint(features) and "text.no_impact" not in features)
        return found

    def _match(self, text: str, evidence: str, factor: float, s: Signal | None) -> None:
        matched, crash, failure = self._matching(text, s is not None and s.kind == SYMPTOM)
        if not matched:
            return
        firing = s is not None and s.status != RESOLVED
        if crash and firing and s is not None and s.kind != METRIC:
            who = (s.labels.get("pod") or s.labels.get("instance") or s.labels.get("host")
                   or s.labels.get("object"))
            if who:
                self.ctx.crashing.add(who)
        if failure and firing and s is not None and s.kind == SYMPTOM:
            self.ctx.failing_symptoms.append(text)
        # machine log lines and metric names are not statements of user impact (a metric
        # called checkout_error_rate says nothing until its value does)
        from_log = s is not None and s.kind in (LOG, METRIC)
        own_dependency = s is not None and s.dependency
        add = self.features.add
        partial = len(matched) > 1 and any(t.feature == "text.partial" for t in matched)
        # a datastore's words said of a cache ("the Redis primary failed over to its
        # replica") are the cache's trouble, not a database's
        of_cache: bool | None = None
        for term in matched:
            if term.feature.startswith("text.db"):
                if of_cache is None:
                    of_cache = _CACHE_STORE.search(text) is not None \
                        and _DATASTORE.search(text) is None
                if of_cache:
                    add("text.cache_failure", term.strength * factor, evidence)
                    continue
            if from_log and term.feature.startswith("impact."):
                continue
            if partial and term.feature == "impact.critical_flow":
                # a critical flow failing for part of the customers: real, not total
                add("impact.critical_flow_partial", term.strength * factor, evidence)
                continue
            if term.feature == "text.recovered":
                self.ctx.recovery_said.append((s.at if s is not None else None, evidence))
            elif term.feature == "impact.business_drop":
                # how far the flow fell, read off the whole text (the evidence is clipped)
                drop = stated_drop(text)
                if drop is not None:
                    self.ctx.flow_drops.append((drop, evidence))
            add(term.feature, term.strength * factor, evidence)
            implied = term.dependency
            if implied and not own_dependency and implied not in self.ctx.dependency_hints:
                self.ctx.dependency_hints.append(implied)

    def _extras(self, extras: Mapping[str, Any]) -> None:
        for key, value in extras.items():
            words = " ".join(_flatten(value))[:2000]
            name = str(key).replace("_", " ")
            # a field whose value says "nothing" negates its name
            # ("checkout_errors: none above normal" is no checkout errors)
            text = f"no {name}" if _ABSENT.match(words) else \
                f"{name}: {words}" if words else name
            self._match(text.replace("_", " "), f'field {key}: "{clip(words or key, 110)}"',
                        0.7, None)

    def _service_traits(self) -> None:
        for service in self.ctx.incident.services:
            entry = self.ctx.entry(service)
            if entry.critical:
                how = "inferred from its name" if entry.inferred else "service catalog"
                self.features.add("critical_service", 1.0,
                                  f"{service} is on a critical path ({how})")
            if entry.customer_facing:
                self.features.add("customer_facing", 1.0, None)


def _urgent(s: Signal) -> str:
    """What says the sender pages for ``s`` ("priority P1", "urgency high"), or ""."""
    priority = (s.labels.get("priority") or "").upper()
    if priority in ("P1", "P2", "SEV1", "SEV2", "SEV-1", "SEV-2"):
        return f"priority {priority}"
    if (s.labels.get("urgency") or "").lower() in ("high", "critical"):
        return "urgency high"
    return ""


_SATURATION = {
    "cpu": ("cpu.saturated", "cpu_saturated", "CPU"),
    "memory": ("memory.high", "memory_high", "memory"),
    "disk": ("disk.high", "disk_high", "disk usage"),
    "connections": ("connections.saturated", "connections_saturated", "connection pool at"),
    "saturation": ("cpu.saturated", "cpu_saturated", "saturation"),
}
_DATASTORE = re.compile(
    r"(?i)(\b|_|-)(db|database|postgres\w*|pg|mysql|mariadb|aurora|rds|mongo\w*|cassandra|"
    r"dynamo\w*|cockroach\w*|sql|redshift|aws/rds|aws/dynamodb|docdb)(\b|_|-)")
_CACHE_STORE = re.compile(r"(?i)(\b|_|-)(redis|memcached?|elasticache|valkey|cache|"
                          r"varnish|aws/elasticache)(\b|_|-)")


def _trouble(dependency: str) -> str:
    """The feature of a degraded dependency: the service's own database or cache is a
    database or cache problem, anything else a dependency failure."""
    if _DATASTORE.search(dependency):
        return "db.degraded"
    if _CACHE_STORE.search(dependency):
        return "cache.degraded"
    if _CLOUD.search(dependency):
        return "text.cloud"  # the cloud we run on, in part: a provider's outage
    return "dependency.degraded"


# a cloud provider (or one of its regions or services) named as the thing degraded
_CLOUD = re.compile(r"(?i)(?:^|\b|_|-)(?:aws|amazon web services|amazon-web-services|gcp|"
                    r"google[- ]cloud|azure|microsoft[- ]azure|oci|oracle[- ]cloud|"
                    r"digitalocean|hetzner|ovh\w*|linode|akamai[- ]cloud|alibaba[- ]cloud|"
                    r"ibm[- ]cloud)(?:\b|_|-|$)")


_KIND_NAME = {SYMPTOM: "symptom", LOG: "log", STATUS: "status"}
_KIND_FACTOR = {
    SYMPTOM: 1.0,
    ALERT: 0.95,
    LOG: 0.9,
    STATUS: 0.9,
}
_DOWN_WORDS = re.compile(r"\b(down|outage|major|unavailable|unreachable|failing|failed|dead|"
                         r"critical|offline|error)\b")
_DEGRADED_WORDS = re.compile(r"\b(degraded|partial|elevated|slow|errors?|timeouts?|"
                             r"impaired|unstable|flapping|warning|intermittent|high)\b")
_THROTTLED_WORDS = re.compile(r"\b(throttl\w*|rate[- ]?limit\w*|quota\w*|429)\b")
_MONEY = re.compile(r"(?i)(usd|eur|gbp|jpy|dollars?|euros?|revenue|position|exposure|spend|"
                    r"cost|loss|pnl|refunds?|payouts?)")
_HEALTHY_WORDS = re.compile(r"\b(operational|healthy|ok|up|normal|green|fine|good)\b")


_NAME_LABELS = ("host", "hostname", "instance", "pod", "pod_name", "namespace", "node",
                "cluster", "container", "deployment", "job", "object", "org", "account")
_NAME_KEYS = frozenset(_NAME_LABELS)


def _names(ctx: Context) -> list[str]:
    """The names an incident's signals carry: services, dependencies, hosts, pods."""
    names: set[str] = set(ctx.incident.services)
    for s in ctx.incident.signals:
        for name in (s.service, s.dependency):
            if name:
                names.add(name)
        labels = s.labels
        # the few labels that name something, found in C (most labels name nothing)
        present = _NAME_KEYS.intersection(labels) if labels else None
        if present:
            names.update(v for k in _NAME_LABELS if k in present and (v := labels[k]))
        if len(names) > 400:
            break
    return list(names)


def _where_region(s: Signal) -> str:
    return f" in {s.region}" if s.region else ""




# the vendors' counts of distinct users an error reached
_USER_COUNT_LABELS = ("userCount", "user_count", "users_affected", "affected_users",
                      "impacted_users", "users_impacted")
# a certificate's expiry stated in words ("TLS expiry: api.example.com in 25 days")
_CERT_EXPIRY_IN = re.compile(r"(?i)\b(?:cert\w*|tls|ssl|x509)\b(?:[^.;]|\.(?=\w)){0,60}?"
                             r"\b(?:expir\w*|valid)(?:[^.;]|\.(?=\w)){0,40}?"
                             r"\bin (?P<days>\d{1,3}) days?\b")
_REQUESTS_METRIC = re.compile(r"(?i)^(?:requests?|request_?count|rps|rpm|traffic|throughput)$|"
                              r"(?:^|[._])requests?(?:_per_(?:minute|second))?$")
_DIGIT_OR_OF = re.compile(r"%| of ")
_VOLUME = re.compile(r"(?i)(?:about|around|roughly|~|approximately|some)?\s*"
                     r"(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<k>[km])?\s+(?:requests?|reqs?|calls?)\s+(?:a|per|/|each)\s*"
                     r"(?P<per>minute|min|second|sec|s|hour|h)\b")
# a field value that says there is nothing of what the field names
_ABSENT = re.compile(r"(?i)\s*(?:none|no|nil|zero|0(?![\d.,])|n/a|normal|ok|fine|healthy)"
                     r"(?:\s+(?:above|over|beyond|outside)\s+(?:normal|baseline|usual)"
                     r"|\s+(?:so far|yet|seen|observed|found|reported))?\s*[.!]?\s*$")


def _flatten(value: Any, depth: int = 0) -> list[str]:
    if depth > 4:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, Mapping):
        out: list[str] = []
        for key, item in value.items():
            out.append(str(key))
            out.extend(_flatten(item, depth + 1))
        return out
    if isinstance(value, list):
        out = []
        for item in value[:50]:
            out.extend(_flatten(item, depth + 1))
        return out
    return []
