"""The service's Prometheus metrics (a registry per process, text exposition format)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from ..store import Store


class Metrics:
    def __init__(self) -> None:
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

    def render(self, store: Store, *, now: float) -> bytes:
        stats = store.stats(now=now)
        self.queue_depth.set(stats.queue_depth)
        self.queue_lag.set(stats.oldest_job_age_s)
        self.open_incidents.set(stats.open_incidents)
        for (source, status), count in stats.deliveries.items():
            self.stored.labels(source, status).set(count)
        return generate_latest(self.registry)
