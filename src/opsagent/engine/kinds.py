"""The enum members the engine tests on every signal, as plain module constants.

Reading ``SignalKind.METRIC`` goes through the enum metaclass's attribute hook, several
times slower than reading a module global, and the engine does it in loops over every
signal. These are the very same member objects.
"""

from __future__ import annotations

from ..models import ChangeType, SignalKind, SignalStatus, SourceSeverity

METRIC = SignalKind.METRIC
ALERT = SignalKind.ALERT
SYMPTOM = SignalKind.SYMPTOM
LOG = SignalKind.LOG
STATUS = SignalKind.STATUS
CHANGE = SignalKind.CHANGE
FIRING = SignalStatus.FIRING
RESOLVED = SignalStatus.RESOLVED
CRITICAL = SourceSeverity.CRITICAL
INFO = SourceSeverity.INFO
ERROR = SourceSeverity.ERROR
DEPLOY = ChangeType.DEPLOY
ROLLBACK = ChangeType.ROLLBACK
