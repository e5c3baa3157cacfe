"""The worker loop: claim a delivery, read it with the registry's adapters, group it
into its incident, re-triage the whole incident and write a new report revision.

Each delivery is written in one transaction (link, incident, revision, job done), so a
worker killed at any moment leaves either nothing or everything; a re-claimed job whose
delivery is already linked is only marked done. Triage runs outside any transaction
(the agent may take seconds); the write then checks that the incident did not move on
meanwhile, else the delivery is grouped and triaged again.

Memory: before a triage, the incident's candidates are loaded from the store (never the
incident itself) and passed to the triage; its memory record is written with the
revision, and now and then a small batch of incidents past retention is deleted.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import InputError, UserError
from ..ingest import Document
from ..memory.settings import HistorySettings
from ..models import Incident, PastIncident, TriageReport
from ..store import Conflict, Delivery, IncidentRow, Job, NewNotification, Store, Triaged
from ..store.memory import MemoryStore
from ..store.sql import incident_id_for
from ..triager import Triager
from .grouping import first_key, resolved
from .logs import JsonLog
from .metrics import Metrics

MAX_ATTEMPTS = 5
MAX_CONFLICTS = 8
PRUNE_EVERY_S = 60.0  # retention runs at most this often per worker

#: what to notify about a new revision: (incident, revision, report, resolved) -> rows
Plan = Callable[[str, int, TriageReport, bool], list[NewNotification]]


@dataclass(frozen=True)
class Parsed:
    delivery: Delivery
    docs: list[Document]
    adapters: list[str]


class Worker:
    def __init__(self, store: Store, triager: Triager, *, group_window_s: float,
                 lease_s: float, poll_interval_s: float, log: JsonLog, metrics: Metrics,
                 name: str | None = None, wake: threading.Event | None = None,
                 plan: Plan | None = None,
                 history: HistorySettings | None = None) -> None:
        self.store = store
        self.memory = MemoryStore.of(store)
        self.history = history or HistorySettings()
        self._pruned_at = 0.0
        self.triager = triager
        self.group_window_s = group_window_s
        self.lease_s = lease_s
        self.poll_interval_s = poll_interval_s
        self.log = log
        self.metrics = metrics
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.wake = wake or threading.Event()
        self.plan = plan

    def run(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set; the job in hand is finished first."""
        while not stop.is_set():
            try:
                jobs = self.store.claim(self.name, limit=1, lease_s=self.lease_s,
                                        now=time.time())
            except Exception as exc:
                self.log.event("claim_failed", "error", worker=self.name, reason=str(exc))
                stop.wait(self.poll_interval_s * 4)
                continue
            if not jobs:
                self.wake.wait(self.poll_interval_s)
                self.wake.clear()
                continue
            for job in jobs:
                self.process(job)

    def process(self, job: Job) -> None:
        started = time.perf_counter()
        try:
            with Heartbeat(self, job):
                outcome = self._process(job)
        except Exception as exc:  # a runtime failure: try again later, then give up
            reason = f"{type(exc).__name__}: {exc}"
            if job.attempts >= MAX_ATTEMPTS:
                self._reject(job, f"internal error after {job.attempts} attempts: {reason}",
                             None)
                return
            self.log.event("job_retry", "warning", worker=self.name, job=job.id,
                           delivery=job.delivery_id, attempt=job.attempts, reason=reason)
            try:
                self.store.release(job, error=reason,
                                   retry_at=time.time() + min(60.0, 2.0 ** job.attempts))
            except Exception as again:
                self.log.event("release_failed", "error", job=job.id, reason=str(again))
            return
        if outcome is not None:
            self.metrics.observe("triage_seconds", time.perf_counter() - started)

    def _process(self, job: Job) -> str | None:
        now = time.time()
        if self.store.finish_linked(job, now=now):
            return None
        delivery = self.store.delivery(job.delivery_id)
        if delivery is None:  # cannot happen with the foreign key; drop the job
            raise RuntimeError(f"delivery {job.delivery_id} is missing")
        try:
            parsed = self._parse(delivery)
            own = self.triager.incident(parsed.docs)
        except UserError as exc:
            self._reject(job, exc.format(), delivery.source)
            return None
        key = first_key(zip(parsed.adapters, (d.data for d in parsed.docs), strict=True))
        for _ in range(MAX_CONFLICTS):
            found = self.store.find_open_incident(
                group_key=key, services=own.services,
                since=delivery.received_at - self.group_window_s)
            try:
                incident_id = self._triage_into(job, parsed, found, key)
            except Conflict:
                if self.store.finish_linked(job, now=time.time()):
                    return None  # another worker (its lease lapsed to it) linked it first
                continue
            self.metrics.count("deliveries", delivery.source, "processed")
            return incident_id
        raise Conflict(f"incident of delivery {delivery.id} kept changing")

    def _triage_into(self, job: Job, parsed: Parsed, found: IncidentRow | None,
                     key: str | None) -> str:
        earlier = self.store.incident_deliveries(found.id) if found is not None else []
        docs: list[Document] = []
        for old in earlier:
            try:
                docs.extend(self._parse(old).docs)
            except UserError:
                continue  # it was read once; a changed adapter must not lose the incident
        docs.extend(parsed.docs)
        incident_id = found.id if found is not None else incident_id_for(parsed.delivery.id)
        incident = self.triager.incident(docs).model_copy(update={"id": incident_id})
        past, text_rank = self._recall(incident)
        report = self.triager.triage_incident(incident, past=past, text_rank=text_rank)
        report.incident.id = incident_id
        status = "resolved" if resolved(incident) else "open"
        top = report.root_causes[0].category if report.root_causes else None
        revision = (found.revision if found is not None else 0) + 1
        planned = self.plan(incident_id, revision, report, status == "resolved") \
            if self.plan is not None else []
        self.store.complete(job, Triaged(
            delivery_id=parsed.delivery.id, incident_id=incident_id,
            new_incident=found is None,
            expected_revision=found.revision if found is not None else 0,
            group_key=found.group_key if found is not None else key,
            services=list(incident.services), status=status, title=_title(report),
            severity=report.severity.level.value, top_cause=top,
            started_at=incident.started_at.timestamp() if incident.started_at else None,
            report=report.model_dump(mode="json"), delivery_count=len(earlier) + 1,
            adapter=",".join(dict.fromkeys(parsed.adapters)), now=time.time(),
            notifications=planned, memory=self._record_of(incident, report)))
        for row in planned:  # committed with the revision
            self.metrics.count("notifications", row.target, row.event["kind"],
                               "recorded" if row.status == "pending" else row.status)
        self._retain()
        self.log.event("triaged", worker=self.name, delivery=parsed.delivery.id,
                       incident=incident_id, revision=(found.revision if found else 0) + 1,
                       status=status, severity=report.severity.level.value)
        return incident_id

    # memory ------------------------------------------------------------------------
    def _recall(self, incident: Incident
                ) -> tuple[list[PastIncident] | None, dict[str, float] | None]:
        if self.memory is None:
            return None, None
        found = self.memory.candidates(self.triager.remember(incident))
        return found.past, found.text_rank

    def _record_of(self, incident: Incident, report: TriageReport) -> PastIncident | None:
        """The incident's memory record, written in the revision's transaction."""
        return self.triager.remember(incident, report) if self.memory is not None else None

    def _retain(self) -> None:
        """Now and then, a small batch of incidents past retention is deleted."""
        if self.memory is None:
            return
        now = time.time()
        if now - self._pruned_at < PRUNE_EVERY_S:
            return
        self._pruned_at = now
        try:
            deleted = self.memory.prune(now=now, retention_days=self.history.retention_days,
                                        max_incidents=self.history.max_incidents)
        except Exception as exc:
            self.log.event("retention_failed", "warning", worker=self.name, reason=str(exc))
            return
        if deleted:
            self.log.event("retention", worker=self.name, deleted=deleted)

    def _parse(self, delivery: Delivery) -> Parsed:
        """The delivery's documents and the adapter each is read with."""
        where = f"delivery {delivery.id}"
        try:
            data = json.loads(delivery.body)
        except ValueError as exc:  # the HTTP layer refuses these; a store written by hand
            raise InputError(f"body is not JSON: {exc}", source=where) from None
        items = data if isinstance(data, list) else [data]
        docs = [Document(item, f"{where}[{i}]" if len(items) > 1 else where)
                for i, item in enumerate(items)]
        adapters: list[str] = []
        registry = self.triager.registry
        from ..ingest import detect

        for doc in docs:
            adapter = detect(doc.data, registry, doc.source)
            if delivery.source != "auto" and adapter.name != delivery.source:
                expected = registry.adapter(delivery.source)
                raise InputError(f"not a {expected.title} payload (it reads as "
                                 f"{adapter.title})", source=doc.source)
            adapters.append(adapter.name)
        return Parsed(delivery, docs, adapters)

    def _reject(self, job: Job, reason: str, source: str | None) -> None:
        self.store.reject(job, reason, adapter=None, now=time.time())
        self.metrics.count("deliveries", source or "unknown", "failed")
        self.log.event("delivery_failed", "warning", worker=self.name,
                       delivery=job.delivery_id, reason=reason)


class Heartbeat:
    """While a job runs, its lease is renewed every third of the lease, so a long triage
    (an LLM agent with a minute's budget) keeps its claim. A renewal refused means the
    lease lapsed and another worker claimed the job: that is logged (``lease_lost``) and
    counted (``opsagent_leases_lost_total``); whichever worker links the delivery first
    writes its revision, the other finds it linked and writes nothing."""

    def __init__(self, worker: Worker, job: Job) -> None:
        self.worker = worker
        self.job = job
        self.lost = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="opsagent-lease", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        w = self.worker
        while not self._done.wait(w.lease_s / 3):
            try:
                kept = w.store.renew(self.job, w.name, lease_s=w.lease_s, now=time.time())
            except Exception as exc:  # the database is away: try again next beat
                w.log.event("lease_renewal_failed", "warning", worker=w.name,
                            job=self.job.id, reason=str(exc))
                continue
            if not kept and not self.lost:
                self.lost = True
                w.metrics.count("leases_lost")
                w.log.event("lease_lost", "warning", worker=w.name, job=self.job.id,
                            delivery=self.job.delivery_id, lease_s=w.lease_s)


def _title(report: TriageReport) -> str:
    summary = " ".join(report.summary.split())
    first = summary.split(". ")[0].rstrip(".")
    return first[:160] or "incident"
