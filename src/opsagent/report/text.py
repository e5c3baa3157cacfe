"""The classic text layout.

::

    Issue Summary:
    <summary>

    Severity:
    HIGH

    Possible Root Causes:
    - <title> (confidence 72%)
      evidence: ...

    Recommended Actions:
    - <title>
"""

from __future__ import annotations

from ..models import TriageReport
from .inert import inert
from .similar import similar_text


def render_text(report: TriageReport, *, detail: bool = True) -> str:
    lines = ["Issue Summary:", report.summary, "", "Severity:", report.severity.level.value]
    if detail and report.severity.reasons:
        lines.extend(f"  - {reason}" for reason in report.severity.reasons)
    lines.extend(["", "Possible Root Causes:"])
    conclusion = report.conclusion
    if conclusion is not None and conclusion.outcome == "insufficient_evidence" \
            and report.root_causes:
        lines.append(f"  (insufficient evidence: {conclusion.reason}; these are "
                     "possibilities, not a diagnosis)")
    if not report.root_causes:
        lines.append("- No specific cause stands out from the signals given")
    for cause in report.root_causes:
        lines.append(f"- {cause.title} (confidence {round(cause.confidence * 100)}%)")
        if detail:
            lines.extend(f"    evidence: {item}" for item in cause.evidence)
            lines.extend(f"    against:  {item}" for item in cause.counter_evidence)
    lines.extend(["", "Recommended Actions:"])
    for number, action in enumerate(report.actions, start=1):
        lines.append(f"- {action.title}")
        if detail and action.rationale:
            lines.append(f"    why: {action.rationale} [{action.kind}, risk {action.risk}]")
        del number
    lines.extend(similar_text(report, detail=detail))
    footer = agent_footer(report)
    if footer:
        lines.extend(["", footer])
    return inert("\n".join(lines) + "\n")


def agent_footer(report: TriageReport, *, code: str = "") -> str:
    """What the agent did, in one sentence that never contradicts itself: either it
    reviewed the report, or it was not used (and why); ``code`` quotes the model name
    (a backtick for Markdown)."""
    agent = report.analysis.agent
    model = f"{code}{agent.provider}:{agent.model}{code}" if agent is not None else ""
    if report.analysis.fallback:
        tried = f" ({model})" if model else ""
        return (f"Note: the LLM agent{tried} was not used: {report.analysis.fallback}; "
                "this is the engine's report.")
    if model:
        return f"Reviewed by the LLM agent ({model})."
    return ""
