"""The vendor's own id of a delivery, when it sends one: a retry of the same delivery
carries the same id, so it is acknowledged as a duplicate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Headers carrying a delivery id, and the name the id is kept under (SNS also sends it in
#: the body: both spell the same key).
_HEADERS = {"x-github-delivery": "github", "x-amz-sns-message-id": "sns",
            "request-id": "sentry", "x-webhook-id": "pagerduty-webhook"}


def vendor_delivery_id(headers: Mapping[str, str], data: Any) -> str | None:
    for name, vendor in _HEADERS.items():
        value = headers.get(name, "").strip()
        if value:
            return f"{vendor}:{value}"[:200]
    if isinstance(data, dict):
        event = data.get("event")
        if isinstance(event, dict) and isinstance(event.get("id"), str) and \
                "event_type" in event:  # PagerDuty V3 webhook
            return f"pagerduty-event:{event['id']}"[:200]
        if data.get("Type") == "Notification" and isinstance(data.get("MessageId"), str):
            return f"sns:{data['MessageId']}"[:200]  # SNS, when the header was stripped
    return None
