"""The JSON report (``--format json``): the contract other tools read."""

from __future__ import annotations

import json

from ..models import TriageReport


def render_json(report: TriageReport) -> str:
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
