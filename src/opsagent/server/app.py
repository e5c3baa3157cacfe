"""The HTTP layer (Starlette): it authenticates, stores and answers; workers triage.

Every route but ``/healthz`` needs credentials. A webhook is acknowledged ``202`` only
after its raw body is committed; ``503`` when it cannot be stored, so the sender retries.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ..errors import UserError
from ..notify.outbox import Entry
from ..store import Delivery, IncidentRow, NewDelivery, Store, StoreUnavailable
from ..triager import Triager
from ..values import parse_time
from .auth import AuthFailure, authenticate, authenticate_api
from .delivery_ids import vendor_delivery_id
from .inbox import Inbox
from .logs import JsonLog
from .metrics import Metrics
from .settings import ServeSettings

if TYPE_CHECKING:
    from ..store.outbox import SqlOutbox
    from .supervisor import Supervisor

#: The request headers kept with a delivery (never credentials or signatures).
KEPT_HEADERS = ("content-type", "user-agent", "x-github-event", "x-github-delivery",
                "x-amz-sns-message-type", "x-amz-sns-message-id", "x-amz-sns-topic-arn",
                "sentry-hook-resource", "request-id", "x-webhook-id",
                "x-pagerduty-webhook-subscription", "x-grafana-alerting-signature-id")
ACK_TIMEOUT_S = 10.0


@dataclass
class Service:
    store: Store
    triager: Triager
    settings: ServeSettings
    inbox: Inbox
    log: JsonLog
    metrics: Metrics
    env: Mapping[str, str]
    accepting: bool = True
    sources: list[str] = field(default_factory=list)
    outbox: SqlOutbox | None = None
    supervisor: Supervisor | None = None  # the worker process, when serve has workers


def create_app(service: Service) -> Starlette:
    service.sources = ["auto", *service.triager.registry.adapter_names()]
    return Starlette(routes=[
        Route("/healthz", _healthz, methods=["GET"]),
        Route("/readyz", partial(_readyz, service=service), methods=["GET"]),
        Route("/metrics", partial(_metrics, service=service), methods=["GET"]),
        Route("/v1/webhooks/{source}", partial(_webhook, service=service),
              methods=["POST"]),
        Route("/v1/analyze", partial(_analyze, service=service), methods=["POST"]),
        Route("/v1/deliveries/{id}", partial(_delivery_route, service=service),
              methods=["GET"]),
        Route("/v1/incidents", partial(_incidents, service=service), methods=["GET"]),
        Route("/v1/incidents/{id}", partial(_incident, service=service),
              methods=["GET"]),
        Route("/v1/incidents/{id}/report", partial(_report, service=service),
              methods=["GET"]),
    ])


def _error(status: int, reason: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": reason, **extra}, status_code=status)


def _headers(request: Request) -> dict[str, str]:
    return {k.lower(): v for k, v in request.headers.items()}


def _api_auth(request: Request, service: Service) -> JSONResponse | None:
    try:
        authenticate_api(_headers(request), service.settings.auth, env=service.env)
    except AuthFailure as exc:
        return _error(exc.status, exc.reason)
    return None


async def _healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def _readyz(request: Request, service: Service) -> Response:
    denied = _api_auth(request, service)
    if denied is not None:
        return denied
    try:
        stats = await asyncio.to_thread(service.store.stats, now=time.time())
    except StoreUnavailable as exc:
        return _error(503, f"database unreachable: {exc}")
    working = service.supervisor is None or service.supervisor.ready
    status = "stopping" if not service.accepting else "ready" if working else "no_worker"
    return JSONResponse({"status": status, "queue_depth": stats.queue_depth,
                         "queue_lag_s": round(stats.oldest_job_age_s, 3)},
                        status_code=200 if status == "ready" else 503)


async def _metrics(request: Request, service: Service) -> Response:
    denied = _api_auth(request, service)
    if denied is not None:
        return denied
    try:
        body = await asyncio.to_thread(service.metrics.render, service.store, now=time.time(),
                                       outbox=service.outbox)
    except StoreUnavailable as exc:
        return _error(503, f"database unreachable: {exc}")
    return Response(body, media_type="text/plain; version=0.0.4; charset=utf-8")


async def _read_limited(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is over ``limit``. An oversized body is read on (and
    dropped) up to a bound, so that the sender sees the 413 rather than a reset."""
    declared = request.headers.get("content-length")
    drain = max(8 * 1_048_576, 2 * limit)
    if declared is not None and declared.isdigit() and int(declared) > drain:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > drain:
            return None
        if size <= limit:
            chunks.append(chunk)
    return b"".join(chunks) if size <= limit else None


async def _webhook(request: Request, service: Service) -> Response:
    source = request.path_params["source"]
    count = service.metrics.deliveries
    if source not in service.sources:
        count.labels("unknown", "unknown_source").inc()
        return _error(404, f"unknown source {source!r}", known=service.sources)
    if not service.accepting:
        count.labels(source, "unavailable").inc()
        return _error(503, "shutting down; retry")
    limit = service.settings.max_body_bytes
    body = await _read_limited(request, limit)
    if body is None:
        count.labels(source, "too_large").inc()
        return _error(413, f"body over the limit of {limit} bytes (serve.max_body_bytes)")
    headers = _headers(request)
    now = time.time()
    check = partial(authenticate, source, headers, body, service.settings.auth, now=now,
                    env=service.env)
    try:
        # an SNS message may need its signing certificate fetched: off the event loop
        who = await asyncio.to_thread(check) if "x-amz-sns-message-type" in headers \
            else check()
    except AuthFailure as exc:
        count.labels(source, "unauthorized" if exc.status == 401 else "unavailable").inc()
        service.log.event("unauthorized", "warning", source=source, reason=exc.reason)
        return _error(exc.status, exc.reason)
    try:
        data = json.loads(body)
    except ValueError as exc:
        count.labels(source, "not_json").inc()
        return _error(400, f"body is not JSON: {exc}")
    if who.sns_confirmation is not None:  # a subscription to confirm, not an alert
        return await _confirm_sns(who.sns_confirmation, source, service)
    item = NewDelivery(source=source, body=body,
                       headers={k: headers[k] for k in KEPT_HEADERS if k in headers},
                       received_at=now,
                       vendor_id=who.delivery_id or vendor_delivery_id(headers, data))
    try:
        accepted = await service.inbox.store_one(item, timeout_s=ACK_TIMEOUT_S)
    except (StoreUnavailable, TimeoutError) as exc:
        count.labels(source, "unavailable").inc()
        reason = str(exc) or "timed out storing the delivery"
        return _error(503, f"cannot store the delivery now; retry ({reason})")
    count.labels(source, "duplicate" if accepted.duplicate else "accepted").inc()
    return JSONResponse({"delivery_id": accepted.delivery_id,
                         "duplicate": accepted.duplicate}, status_code=202)


async def _confirm_sns(url: str, source: str, service: Service) -> Response:
    """Visit the SubscribeURL (the auth layer checked it is an AWS host)."""
    import urllib.request

    def visit() -> int:
        with urllib.request.urlopen(url, timeout=10) as answer:
            status: int = answer.status
            return status

    try:
        status = await asyncio.to_thread(visit)
    except OSError as exc:
        service.log.event("sns_confirmation_failed", "warning", source=source,
                          reason=str(exc))
        return _error(503, "could not confirm the SNS subscription; retry")
    service.log.event("sns_confirmed", source=source, status=status)
    return JSONResponse({"confirmed": True})


async def _analyze(request: Request, service: Service) -> Response:
    denied = _api_auth(request, service)
    if denied is not None:
        return denied
    body = await _read_limited(request, service.settings.max_body_bytes)
    if body is None:
        return _error(413, f"body over the limit of {service.settings.max_body_bytes} bytes")
    try:
        data = json.loads(body)
    except ValueError as exc:
        return _error(400, f"body is not JSON: {exc}")
    payloads = data if isinstance(data, list) else [data]
    try:
        report = await asyncio.to_thread(service.triager.triage, payloads)
    except UserError as exc:
        return _error(400, exc.format())
    return JSONResponse(report.model_dump(mode="json"))


def _iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat().replace("+00:00", "Z")


def _summary(row: IncidentRow) -> dict[str, Any]:
    return {"id": row.id, "title": row.title, "services": row.services,
            "severity": row.severity, "status": row.status,
            "started_at": _iso(row.started_at), "updated_at": _iso(row.updated_at),
            "resolved_at": _iso(row.resolved_at), "top_cause": row.top_cause,
            "revision": row.revision}


def _delivery(d: Delivery) -> dict[str, Any]:
    return {"id": d.id, "source": d.source, "received_at": _iso(d.received_at),
            "status": d.status, "adapter": d.adapter, "error": d.error,
            "vendor_id": d.vendor_id, "body_sha256": d.body_sha256}


async def _incidents(request: Request, service: Service) -> Response:
    denied = _api_auth(request, service)
    if denied is not None:
        return denied
    query = request.query_params
    status = query.get("status")
    if status not in (None, "open", "resolved"):
        return _error(400, "status: expected open or resolved")
    since = None
    if query.get("since"):
        try:
            parsed = parse_time(query["since"], "since")
        except UserError as exc:
            return _error(400, exc.format())
        if parsed is None:
            return _error(400, "since: expected an ISO 8601 time")
        since = parsed.timestamp()
    try:
        limit = int(query.get("limit", "50"))
    except ValueError:
        return _error(400, "limit: expected a whole number")
    rows = await asyncio.to_thread(service.store.incidents, status=status,
                                   service=query.get("service"), since=since,
                                   limit=max(1, min(limit, 500)))
    return JSONResponse({"incidents": [_summary(r) for r in rows]})


async def _incident(request: Request, service: Service) -> Response:
    denied = _api_auth(request, service)
    if denied is not None:
        return denied
    incident_id = request.path_params["id"]
    row = await asyncio.to_thread(service.store.incident, incident_id)
    if row is None:
        return _error(404, f"no incident {incident_id!r}")
    deliveries = await asyncio.to_thread(service.store.incident_deliveries, incident_id,
                                         bodies=False)
    revisions = await asyncio.to_thread(service.store.revisions, incident_id)
    latest = revisions[-1].report if revisions else None
    sent = await asyncio.to_thread(service.outbox.entries, incident_id) \
        if service.outbox is not None else []
    similar = (latest or {}).get("similar_incidents") or []
    return JSONResponse({**_summary(row), "deliveries": [_delivery(d) for d in deliveries],
                         "notifications": [_notification(e) for e in sent],
                         "report": latest, "similar_incidents": similar,
                         "revisions": [{"revision": r.revision, "created_at": _iso(r.created_at),
                                        "delivery_count": r.delivery_count, "report": r.report}
                                       for r in revisions[:-1]]})


def _notification(e: Entry) -> dict[str, Any]:
    """A notification of the incident: what was decided, its attempts and failures, and
    the request (masked; method and URL)."""
    def at(when: datetime | None) -> str | None:
        return _iso(when.timestamp()) if when is not None else None

    return {"target": e.target, "revision": e.revision, "event": e.event.kind,
            "status": e.status, "attempts": e.attempts, "last_error": e.last_error or None,
            "created_at": at(e.created_at), "sent_at": at(e.sent_at),
            "next_attempt_at": at(e.next_attempt_at),
            "request": {"method": e.request.method, "url": e.request.url}
            if e.request.method else None}


async def _delivery_route(request: Request, service: Service) -> Response:
    denied = _api_auth(request, service)
    if denied is not None:
        return denied
    found = await asyncio.to_thread(service.store.delivery, request.path_params["id"])
    if found is None:
        return _error(404, f"no delivery {request.path_params['id']!r}")
    return JSONResponse({**_delivery(found), "incident_id": found.incident_id})


async def _report(request: Request, service: Service) -> Response:
    denied = _api_auth(request, service)
    if denied is not None:
        return denied
    incident_id = request.path_params["id"]
    fmt = request.query_params.get("format", "json")
    registry = service.triager.registry
    if fmt not in registry.renderer_names():
        return _error(400, f"format: expected one of {', '.join(registry.renderer_names())}")
    revisions = await asyncio.to_thread(service.store.revisions, incident_id)
    if not revisions:
        return _error(404, f"no report for incident {incident_id!r}")
    from ..models import TriageReport

    report = TriageReport.model_validate(revisions[-1].report)
    text = registry.renderer(fmt)(report)
    media = {"json": "application/json", "markdown": "text/markdown; charset=utf-8"}.get(
        fmt, "text/plain; charset=utf-8")
    return PlainTextResponse(text, media_type=media)
