"""``opsagent history export-cases``: a confirmed incident as a labeled eval case.

The case directory holds the incident's payloads (the stored deliveries, or the payloads
``opsagent analyze --history`` recorded) as ``payload-NN.json`` and an ``expected.yaml``
in the corpus format: ``top1`` the confirmed category (a confirmed failure mode counts
as its category), ``severity`` the report's, ``now`` the report's reference time.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import InputError

if TYPE_CHECKING:
    from ..config import Settings
    from ..store import Store
    from ..store.memory import MemoryStore


def export_case(store: Store, memory: MemoryStore, incident_id: str, directory: Path,
                settings: Settings) -> bool:
    """Write one case; False when the incident has no payloads or no report left."""
    from ..knowledge.loader import load_knowledge
    from ..store.memory import confirmed_cause

    given = memory.feedback(incident_id)
    cause = confirmed_cause(given)
    revisions = store.revisions(incident_id)
    bodies = [d.body for d in store.incident_deliveries(incident_id)]
    if cause is None or not revisions or not bodies:
        return False
    report: dict[str, Any] = revisions[-1].report
    modes = {fm.id: fm.category for fm in load_knowledge(settings.knowledge).failure_modes}
    category = modes.get(cause, cause)
    latest = given[-1]
    notes = "; ".join(part for part in (
        f"confirmed {cause} by {latest.by or 'someone'}",
        latest.note, f"resolution: {latest.resolution}" if latest.resolution else "")
        if part)
    expected = {
        "summary": str(report.get("summary") or incident_id)[:300],
        "source": f"opsagent history {incident_id}",
        "difficulty": "medium",
        "now": (report.get("incident") or {}).get("now"),
        "severity": [report["severity"]["level"]],
        "top1": [category],
        "top3": [category],
        "tags": ["history"],
        "notes": notes,
    }
    case = directory / _safe(incident_id)
    try:
        case.mkdir(parents=True, exist_ok=True)
        for index, body in enumerate(bodies, 1):
            data = json.loads(body)
            (case / f"payload-{index:02d}.json").write_text(
                json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (case / "expected.yaml").write_text(
            yaml.safe_dump(expected, sort_keys=False, allow_unicode=True), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", source=str(case)) from None
    return True


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "incident"
