"""Whatever text a payload carries, the Slack message stays within the documented limits
and no text forms a mention or link (hypothesis)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsagent.models.report import Action, RootCause
from opsagent.notify import Event
from opsagent.notify.slack import SlackNotifier

from . import shapes
from .messages import AT, example_report, target

REPORT = example_report()
NASTY = st.text(alphabet=st.sampled_from(list("<>&!@#|*_~`\\ \n\tabcxyz:/.é😀")) |
                st.characters(), max_size=5000)
HUGE = st.builds(lambda s, n: s * n, NASTY, st.integers(1, 20))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summary=HUGE, titles=st.lists(NASTY, min_size=0, max_size=8), service=NASTY)
def test_any_text_gives_a_valid_inert_message(summary: str, titles: list[str],
                                              service: str) -> None:
    causes = [RootCause(category="network", title=t or "x", confidence=0.5) for t in titles]
    actions = [Action(title=t or "x", kind="diagnose") for t in titles]
    incident = REPORT.incident.model_copy(update={"services": [service or "svc"]})
    report = REPORT.model_copy(update={"summary": summary or "s", "root_causes": causes,
                                       "actions": actions, "incident": incident})
    payload = json.loads(SlackNotifier(target("slack")).render(report, Event("new", AT)).body)
    assert shapes.slack_message(payload) == []
    for block in payload["blocks"]:
        if block["type"] == "section":
            assert block["text"]["text"].strip()
            assert "<" not in block["text"]["text"] and ">" not in block["text"]["text"]
    # the fallback text's only angle brackets are the report link's
    assert payload["text"].count("<") == payload["text"].count("<https://ops.example.com/") == 1
    assert payload["text"].endswith("|report>")
