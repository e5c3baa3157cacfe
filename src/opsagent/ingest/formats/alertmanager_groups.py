"""Prometheus Alertmanager's alert groups, as ``GET /api/v2/alerts/groups`` lists them
(``curl .../api/v2/alerts/groups``, ``amtool alert query --output json`` of a grouped
view): a JSON array of groups, one group per document.

A group is ``labels`` (the group's labels, by the route's ``group_by``), ``receiver``
(``{"name": ...}``) and ``alerts[]``, each alert as ``GET /api/v2/alerts`` lists it
(``labels``, ``annotations``, ``startsAt``, ``endsAt``, ``fingerprint``,
``status.state`` active/suppressed/unprocessed, ``receivers``). Each alert becomes one
ALERT signal read as in :mod:`.alertmanager` (the API lists active alerts only, so each
fires; a suppressed one is labelled ``suppressed``); the group's labels are the alert's
too (the alert's own win), and the receiver is kept as a label.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...models import Signal
from ..base import ParseContext
from ..fields import arr, item_obj, obj, str_map, text, user_errors_only
from .alertmanager import parse_api_alert


class AlertmanagerGroupsAdapter:
    name = "alertmanager_groups"
    title = "Prometheus Alertmanager API alert groups (/api/v2/alerts/groups)"
    detects = ("a group of GET /api/v2/alerts/groups: labels + receiver.name + alerts[] with "
               "startsAt")

    def detect(self, doc: Mapping[str, Any]) -> bool:
        receiver = doc.get("receiver")
        alerts = doc.get("alerts")
        return (
            isinstance(receiver, Mapping)
            and "name" in receiver
            and isinstance(doc.get("labels"), Mapping)
            and isinstance(alerts, list)
            and all(isinstance(a, Mapping) and "startsAt" in a for a in alerts[:5])
        )

    @user_errors_only(title)
    def parse(self, doc: Mapping[str, Any], ctx: ParseContext) -> list[Signal]:
        group_labels = str_map(doc, "labels")
        receiver = text(obj(doc, "receiver"), "name", ("receiver",))
        signals: list[Signal] = []
        for index, raw in enumerate(arr(doc, "alerts")):
            with ctx.recover("alerts", index):  # one broken alert costs that alert only
                alert = item_obj(raw, ("alerts", index))
                for signal in parse_api_alert(alert, ctx, ("alerts", index), group_labels,
                                              source=self.name):
                    if receiver and "receiver" not in signal.labels:
                        signal = signal.model_copy(
                            update={"labels": {**signal.labels, "receiver": receiver}})
                    signals.append(signal)
        return signals
