"""The service's Prometheus metrics (a registry per process, text exposition format).

What the workers change (deliveries processed or failed, triage latency, leases lost,
notifications recorded) goes through :meth:`Metrics.count` and :meth:`Metrics.observe`.
A worker process that ``opsagent serve`` supervises also reports each change to serve
(``report``), which applies it to its own registry (:meth:`Metrics.apply`): scraping
serve shows what its worker process does. ``opsagent worker`` on its own keeps its
metrics to itself, per process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from ..store import Store

if TYPE_CHECKING:
    from ..store.outbox import SqlOutbox


#: the counters and histograms a worker process reports to serve
COUNTED = ("deliveries", "leases_lost", "notifications")
OBSERVED = ("triage_seconds",)

#: one change, as a worker process reports it (a JSON object)
Update = Mapping[str, Any]


class Metrics:
    def __init__(self, report: Callable[[Update], None] | None = None) -> None:
        self.report = report
        self.registry = CollectorRegistry()
        self.deliveries = Counter(
            "opsagent_deliveries", "Webhook deliveries by source and outcome (accepted, "
            "duplicate, unauthorized, too_large, not_json, unknown_source, unavailable; "
            "processed, failed by the workers).", ["source", "outcome"],
            registry=self.registry)
        self.queue_depth = Gauge("opsagent_queue_depth", "Deliveries waiting for triage.",
                                 registry=self.registry)
        self.queue_lag = Gauge("opsagent_queue_lag_seconds",
                               "Age of the oldest delivery waiting for triage.",
                               registry=self.registry)
        self.open_incidents = Gauge("opsagent_open_incidents", "Incidents still open.",
                                    registry=self.registry)
        self.stored = Gauge("opsagent_stored_deliveries",
                            "Deliveries in the store by source and status.",
                            ["source", "status"], registry=self.registry)
        self.triage_seconds = Histogram(
            "opsagent_triage_seconds", "Time to triage an incident after a delivery.",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
            registry=self.registry)
        self.leases_lost = Counter(
            "opsagent_leases_lost", "Jobs whose lease lapsed while this process triaged "
            "them (another worker claimed them meanwhile).", registry=self.registry)
        self.notifications = Counter(
            "opsagent_notifications", "Notifications by target, type (the event: new, "
            "raised, resolved, updated) and outcome (recorded, dry_run, failed when it "
            "could not be built, by the workers; sent, failed per sending round, by the "
            "senders).", ["target", "type", "outcome"], registry=self.registry)
        self.outbox_pending = Gauge(
            "opsagent_outbox_pending", "Notifications waiting to be sent (new or to be "
            "retried), by target.", ["target"], registry=self.registry)
        self.outbox_failed = Gauge(
            "opsagent_outbox_failed", "Notifications given up (failed for good), by target.",
            ["target"], registry=self.registry)

    def count(self, name: str, *labels: str, by: float = 1.0) -> None:
        """Increase the counter ``name`` (one of :data:`COUNTED`) of ``labels``."""
        counter: Counter = getattr(self, name)
        (counter.labels(*labels) if labels else counter).inc(by)
        if self.report is not None:
            self.report({"count": name, "labels": list(labels), "by": by})

    def observe(self, name: str, value: float) -> None:
        """One observation of the histogram ``name`` (one of :data:`OBSERVED`)."""
        histogram: Histogram = getattr(self, name)
        histogram.observe(value)
        if self.report is not None:
            self.report({"observe": name, "value": value})

    def apply(self, update: Update) -> bool:
        """A change a worker process reported; False (and nothing changed) for anything
        but a well-formed update of a reported metric."""
        try:
            if update.get("count") in COUNTED:
                labels = [str(v) for v in update.get("labels", [])]
                counter: Counter = getattr(self, update["count"])
                (counter.labels(*labels) if labels else counter).inc(float(update["by"]))
                return True
            if update.get("observe") in OBSERVED:
                histogram: Histogram = getattr(self, update["observe"])
                histogram.observe(float(update["value"]))
                return True
        except (KeyError, TypeError, ValueError):
            return False
        return False

    def render(self, store: Store, *, now: float, outbox: SqlOutbox | None = None) -> bytes:
        stats = store.stats(now=now)
        self.queue_depth.set(stats.queue_depth)
        self.queue_lag.set(stats.oldest_job_age_s)
        self.open_incidents.set(stats.open_incidents)
        for (source, status), count in stats.deliveries.items():
            self.stored.labels(source, status).set(count)
        if outbox is not None:
            counts = outbox.counts()
            for target in {t for t, _ in counts}:
                self.outbox_pending.labels(target).set(
                    counts.get((target, "pending"), 0) + counts.get((target, "retrying"), 0))
                self.outbox_failed.labels(target).set(counts.get((target, "failed"), 0))
        return generate_latest(self.registry)
