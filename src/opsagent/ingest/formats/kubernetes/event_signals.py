"""The signals of one event, once its list has been read."""

from __future__ import annotations

from ....models import ChangeDetails, ChangeType, Signal, SignalKind, SignalStatus
from .events import Event
from .meaning import event_meaning
from .rollouts import Rollout, rollout_role
from .tables import LIFECYCLE_REASONS, REASON_SEVERITY, SCALE_REASONS, TYPE_SEVERITY
from .together import Together


def event_signals(ev: Event, together: Together) -> list[Signal]:
    rollout = together.heads.get(id(ev))
    if rollout is not None:
        return [rollout.change(together.images)]
    if id(ev) in together.folded:
        return []
    signals: list[Signal] = []
    derived = together.derived.get(id(ev))
    if derived is not None:  # an AnalysisRun that failed its rollout: the abort it causes
        signals.append(derived.change(together.images))
    role = rollout_role(ev)
    if role is not None:
        change = ChangeType.ROLLBACK if role == "rollback" else ChangeType.DEPLOY
        return [*signals, Rollout(ev.workload, change, [ev]).change(together.images)]
    meaning = event_meaning(ev, together)
    words = f"{ev.words}; {meaning}" if meaning else ev.words
    if ev.type.lower() == "warning":
        return [*signals, Signal(
            kind=SignalKind.ALERT,
            name=ev.reason[:200],
            text=words,
            severity=REASON_SEVERITY.get(ev.reason) or TYPE_SEVERITY["warning"],
            status=SignalStatus.FIRING,
            count=ev.count,
            **ev.common,
        )]
    if ev.reason in LIFECYCLE_REASONS:
        return signals
    if ev.reason in SCALE_REASONS:
        return [*signals, Signal(
            kind=SignalKind.CHANGE,
            name="scale",
            text=words,
            change=ChangeDetails(type=ChangeType.SCALE, description=ev.message or ev.reason),
            **ev.common,
        )]
    return [*signals, Signal(
        kind=SignalKind.LOG,
        name=ev.reason[:200],
        text=words,
        severity=REASON_SEVERITY.get(ev.reason) or TYPE_SEVERITY.get(ev.type.lower()),
        count=ev.count,
        **ev.common,
    )]
