"""Markdown report, for tickets, chat and incident documents."""

from __future__ import annotations

from ..models import TriageReport
from .inert import inert
from .similar import similar_markdown
from .text import agent_footer


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: TriageReport) -> str:
    inc = report.incident
    scope = []
    if inc.services:
        scope.append("**Services:** " + ", ".join(f"`{s}`" for s in inc.services))
    if inc.regions:
        scope.append("**Regions:** " + ", ".join(f"`{r}`" for r in inc.regions))
    if inc.started_at:
        scope.append(f"**Started:** {inc.started_at}")
    out = [
        f"# Incident triage: {report.severity.level.value}",
        "",
        f"`{inc.id}` · {inc.signal_count} signal(s)" + (" · " + " · ".join(scope) if scope
                                                          else ""),
        "",
        "## Summary",
        "",
        report.summary,
        "",
        f"## Severity: {report.severity.level.value} (score {report.severity.score:.2f})",
        "",
    ]
    out.extend(f"- {reason}" for reason in report.severity.reasons)
    out.extend(["", "## Possible root causes", ""])
    conclusion = report.conclusion
    if conclusion is not None and conclusion.outcome == "insufficient_evidence" \
            and report.root_causes:
        out.extend([f"> **Insufficient evidence:** {conclusion.reason}. These are "
                    "possibilities, not a diagnosis; the first actions are the checks "
                    "that would decide.", ""])
    if not report.root_causes:
        out.append("No specific cause stands out from the signals given.")
    for rank, cause in enumerate(report.root_causes, start=1):
        out.append(f"### {rank}. {cause.title} — {round(cause.confidence * 100)}%")
        out.append("")
        out.append(f"Category: `{cause.category}`")
        out.append("")
        out.extend(f"- ✅ {item}" for item in cause.evidence)
        out.extend(f"- ❌ {item}" for item in cause.counter_evidence)
        out.append("")
    out.extend(["## Recommended actions", "", "| # | Action | Kind | Risk | Why |",
                "|---|---|---|---|---|"])
    for number, action in enumerate(report.actions, start=1):
        out.append(
            f"| {number} | {_cell(action.title)} | {action.kind} | {action.risk} | "
            f"{_cell(action.rationale)} |"
        )
    out.append("")
    out.extend(similar_markdown(report))
    footer = f"_{report.analysis.engine}_"
    agent = agent_footer(report, code="`")
    if agent:
        footer += f" · {agent}"
    out.append(footer)
    return inert("\n".join(out) + "\n")
