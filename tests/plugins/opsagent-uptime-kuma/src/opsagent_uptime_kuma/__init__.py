"""Uptime Kuma webhook notifications as an opsagent input format.

Uptime Kuma posts ``{"heartbeat": {...}, "monitor": {...}, "msg": "..."}`` when a
monitor changes state: ``heartbeat.status`` 0 is down, 1 up, 2 pending, 3 maintenance;
``heartbeat.msg`` says what the check saw; ``heartbeat.time`` is the server's local
time with ``heartbeat.timezoneOffset``; ``monitor.name`` names what is watched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from opsagent.ingest import Adapter, ParseContext
from opsagent.ingest.fields import number, obj, req_obj, text, time
from opsagent.ingest.labels import plain_service
from opsagent.models import Signal, SignalKind, SignalStatus, SourceSeverity
from opsagent.registry import Registry

# heartbeat.status → (status, severity): an explicit table, like every adapter's
STATUS: dict[int, tuple[SignalStatus, SourceSeverity | None]] = {
    0: (SignalStatus.FIRING, SourceSeverity.CRITICAL),  # down
    1: (SignalStatus.RESOLVED, None),  # up again
    2: (SignalStatus.FIRING, SourceSeverity.WARNING),  # pending: failing, not yet down
    3: (SignalStatus.RESOLVED, SourceSeverity.INFO),  # maintenance
}


class UptimeKumaAdapter:
    name = "uptime_kuma"
    title = "Uptime Kuma webhook"
    detects = "heartbeat.monitorID + heartbeat.status + monitor.name"

    def detect(self, doc: Mapping[str, Any]) -> bool:
        heartbeat, monitor = doc.get("heartbeat"), doc.get("monitor")
        return (isinstance(heartbeat, Mapping) and "monitorID" in heartbeat
                and "status" in heartbeat and isinstance(monitor, Mapping)
                and "name" in monitor)

    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        heartbeat = req_obj(doc, "heartbeat")
        monitor = obj(doc, "monitor")
        code = number(heartbeat, "status", ("heartbeat",), ctx)
        status, severity = STATUS.get(int(code) if code is not None else 0, STATUS[0])
        offset = text(heartbeat, "timezoneOffset", ("heartbeat",)) or "+00:00"
        stamp = text(heartbeat, "time", ("heartbeat",))
        at = time({"time": f"{stamp.replace(' ', 'T')}{offset}"}, "time", ("heartbeat",),
                  ctx) if stamp else None
        name = text(monitor, "name", ("monitor",)) or "Uptime Kuma monitor"
        return [Signal(
            kind=SignalKind.ALERT,
            source=self.name,
            name=name,
            text=text(heartbeat, "msg", ("heartbeat",)) or text(doc, "msg") or name,
            service=plain_service(name),
            severity=severity,
            status=status,
            at=at if status is SignalStatus.FIRING else None,
            ended_at=at if status is SignalStatus.RESOLVED else None,
            labels={"url": text(monitor, "url", ("monitor",)),
                    "monitor_type": text(monitor, "type", ("monitor",))},
            fingerprint=f"uptime-kuma:{text(heartbeat, 'monitorID', ('heartbeat',))}",
            raw=dict(doc),
        )]


def register(registry: Registry) -> None:
    """The plug-in hook: the ``opsagent.plugins`` entry point names this function."""
    adapter: Adapter = UptimeKumaAdapter()
    registry.add_adapter(adapter)
