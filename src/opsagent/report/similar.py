"""The similar past incidents of a report, in a few lines (text and Markdown); nothing
at all when the report has none."""

from __future__ import annotations

from ..models import SimilarIncident, TriageReport


def _head(item: SimilarIncident) -> str:
    when = f"{item.started_at[:10]}, " if item.started_at else ""
    return f"{when}{round(item.similarity * 100)}% similar"


def _outcome(item: SimilarIncident) -> list[str]:
    out = []
    if item.confirmed_cause:
        out.append(f"confirmed: {item.confirmed_cause}")
    if item.resolution:
        out.append(f"resolved by: {' '.join(item.resolution.split())}")
    return out


def similar_text(report: TriageReport, *, detail: bool = True) -> list[str]:
    """``Similar Past Incidents:`` and one line per incident (plus why and outcome)."""
    if not report.similar_incidents:
        return []
    lines = ["", "Similar Past Incidents:"]
    for item in report.similar_incidents:
        summary = f": {item.summary}" if item.summary else ""
        lines.append(f"- {item.incident} ({_head(item)}){summary}")
        if detail:
            if item.why:
                lines.append("    why: " + "; ".join(item.why))
            outcome = _outcome(item)
            if outcome:
                lines.append("    " + "; ".join(outcome))
    return lines


def _md(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def similar_markdown(report: TriageReport) -> list[str]:
    """A ``## Similar past incidents`` section, one bullet per incident."""
    if not report.similar_incidents:
        return []
    lines = ["## Similar past incidents", ""]
    for item in report.similar_incidents:
        line = f"- `{item.incident}` ({_head(item)})"
        if item.summary:
            line += f" — {_md(item.summary)}"
        if item.why:
            line += f" _Why: {_md('; '.join(item.why))}._"
        outcome = _outcome(item)
        if outcome:
            line += " **" + _md("; ".join(outcome)) + "**"
        lines.append(line)
    lines.append("")
    return lines
