"""When to notify: a pure decision from what a target was last told about an incident
and the incident's newest report revision.

* ``new``: the first revision routed to the target (or a resolved incident reopened);
* ``raised``: the severity went up since the last notification;
* ``resolved``: the incident resolved;
* ``updated``: anything else in a new revision. Only a target that updates in place (a
  Slack bot: ``chat.update`` of the same message) acts on it; a target that posts new
  messages (a Slack incoming webhook, Teams, email, a webhook) stays quiet, so people
  get a new message only when the severity changes or the incident resolves. A lowered
  severity is an ``updated`` too.
* ``test``: a sample sent on purpose (``opsagent notify test``).

At most one notification per revision and target: a revision not newer than the last
one notified decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from ..models.report import Level

EventKind = Literal["new", "raised", "resolved", "updated", "test"]


@dataclass(frozen=True)
class Notified:
    """What a target was last told about an incident (kept by the outbox)."""

    revision: int
    level: Level
    resolved: bool = False
    ref: dict[str, str] = field(default_factory=dict)  # the Slack message: channel, ts


@dataclass(frozen=True)
class Event:
    """Why a notification is sent, handed to ``Notifier.render``. ``ref`` is the message
    to update (a Slack bot's ``channel`` and ``ts``); ``previous`` the level last told."""

    kind: EventKind
    at: datetime
    revision: int = 0
    resolved: bool = False
    previous: Level | None = None
    ref: dict[str, str] = field(default_factory=dict)

    @property
    def follow_up(self) -> bool:
        """An update in place also says what changed in the message's thread."""
        return bool(self.ref) and self.kind in ("raised", "resolved")


def decide(previous: Notified | None, *, revision: int, level: Level, resolved: bool,
           routed: bool, updates_in_place: bool, at: datetime) -> Event | None:
    """The event to send for ``revision`` to one target, or None.

    ``routed`` says whether the revision matches the target's ``when``; it decides the
    first notification only: once a target was told about an incident it also hears
    how it ends (raised, resolved), so nobody is left with an open incident.
    """
    if previous is not None and revision <= previous.revision:
        return None  # at most once per revision and target
    if previous is None or (previous.resolved and not resolved):
        if not routed or resolved:  # never announce an incident that is already over
            return None
        return Event("new", at, revision, resolved=False)
    ref = dict(previous.ref) if updates_in_place else {}
    if resolved and not previous.resolved:
        kind: EventKind = "resolved"
    elif resolved:
        return None  # still resolved: nothing new to say
    elif level.rank > previous.level.rank:
        kind = "raised"
    elif updates_in_place and ref:
        kind = "updated"
    else:
        return None
    return Event(kind, at, revision, resolved=resolved, previous=previous.level, ref=ref)
