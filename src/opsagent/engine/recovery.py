"""A recovery stated in words ("back to baseline since the rollback", "mitigated") is
recovery, unless the problem is said to go on or a problem began after the statement:
an alert's own status lags the words (it stays firing until its rule evaluates again)."""

from __future__ import annotations

from .context import Context
from .kinds import CHANGE, RESOLVED, SYMPTOM


def recovery_in_words(ctx: Context) -> str | None:
    """The evidence of a recovery stated in words that holds, else None."""
    if not ctx.recovery_said or "text.ongoing" in ctx.features:
        return None
    stamped = [at for at, _ in ctx.recovery_said if at is not None]
    said_at = max(stamped) if stamped else None
    if said_at is not None:
        for s in ctx.incident.signals:
            if s.kind not in (CHANGE, SYMPTOM) and s.status != RESOLVED \
                    and s.at is not None and s.at > said_at:
                return None
    return ctx.recovery_said[-1][1]
