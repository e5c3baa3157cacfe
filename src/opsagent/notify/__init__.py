"""Notifications: the triage decision, where people are (Slack, Teams, e-mail, any
webhook).

* :mod:`.targets`: the ``notify:`` config section (``Target``, routing in ``When``);
* :mod:`.events`: the pure decision of what to send (``decide``);
* :mod:`.base`: the ``Notifier`` plug-in kind and the digest every channel shows;
* :mod:`.slack`, :mod:`.teams`, :mod:`.mail`, :mod:`.webhook`: the built-in notifiers;
* :mod:`.request`: the exact request (masked for dry runs and logs);
* :mod:`.outbox`, :mod:`.delivery`: record before sending, retries, the outcome;
* :mod:`.testing`: the test double. :mod:`.cli`: ``opsagent notify``.

Importing this package loads no HTTP or Slack client; they load when a message is sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import KIND, Notifier, NotifierFactory
from .delivery import Delivery, RetryPolicy, notify, resend, send_with_retries
from .events import Event, Notified, decide
from .outbox import Entry, MemoryOutbox, Outbox
from .request import Request, Result
from .targets import Target, When

if TYPE_CHECKING:
    from ..registry import Registry

__all__ = [
    "KIND",
    "Delivery",
    "Entry",
    "Event",
    "MemoryOutbox",
    "Notified",
    "Notifier",
    "NotifierFactory",
    "Outbox",
    "Request",
    "Result",
    "RetryPolicy",
    "Target",
    "When",
    "decide",
    "notifier_for",
    "notify",
    "register",
    "resend",
    "send_with_retries",
]


def register(registry: Registry) -> None:
    """Register the built-in notifier types (as a plug-in would). Each is a factory that
    imports its sender when a notification is first made, so a triage that sends none
    never loads them (smtplib, the Slack SDK)."""
    registry.add(KIND, "slack", _slack)
    registry.add(KIND, "teams", _teams)
    registry.add(KIND, "email", _email)
    registry.add(KIND, "webhook", _webhook)


def _slack(target: Target) -> Notifier:
    from .slack import SlackNotifier

    return SlackNotifier(target)


def _teams(target: Target) -> Notifier:
    from .teams import TeamsNotifier

    return TeamsNotifier(target)


def _email(target: Target) -> Notifier:
    from .mail import EmailNotifier

    return EmailNotifier(target)


def _webhook(target: Target) -> Notifier:
    from .webhook import WebhookNotifier

    return WebhookNotifier(target)


def notifier_for(registry: Registry, target: Target) -> Notifier:
    """The notifier of a resolved target's type."""
    factory: NotifierFactory = registry.get(KIND, target.type)
    return factory(target)
