"""The one-paragraph summary: what is going wrong, where, since when, and the leading
hypotheses in plain words."""

from __future__ import annotations

from ..models import Severity
from ..values import clip, humanize_age
from .actions import render_template
from .context import Context
from .hypotheses import Hypothesis
from .kinds import ALERT, LOG, RESOLVED, SYMPTOM


def summarize(ctx: Context, hypotheses: list[Hypothesis], severity: Severity,
              values: dict[str, str], *, unsure: bool = False) -> str:
    incident = ctx.incident
    services = incident.services
    subject = services[0] if len(services) == 1 else (
        f"{len(services)} services ({', '.join(services[:3])}{'…' if len(services) > 3 else ''})"
        if services else "The system")
    what = _dedupe(ctx.headline)[:3]
    symptoms = [s.text for s in incident.signals if s.kind == SYMPTOM][:2]
    recovered = "recovered" in ctx.features
    if not what:
        alerts = [s.name for s in incident.signals
                  if s.kind == ALERT and s.status != RESOLVED and s.name]
        if alerts:
            names = _dedupe(alerts)
            what = [f"firing alerts ({', '.join(names[:3])}{'…' if len(names) > 3 else ''})"]
    if not what and symptoms:
        what = ["reported problems"]
    if not what:
        logs = [s.text for s in incident.signals if s.kind == LOG]
        if logs:
            what = [f"errors in its logs (\"{clip(logs[0], 90)}\")"]
    if not what:
        what = ["a possible problem"]
    plural = len(services) > 1
    verb = "experienced" if recovered else ("are experiencing" if plural else "is experiencing")
    text = f"{subject} {verb} {_join(what)}"
    if incident.regions:
        text += f" in {', '.join(incident.regions[:3])}"
    envs = incident.environments
    if envs and "env.nonprod" in ctx.features:
        text += f" ({', '.join(envs)})"
    if symptoms:
        text += ", with " + " and ".join(f'"{s}"' for s in symptoms) + " reported"
    text += "."
    if recovered:
        text += " The signals have since recovered."
    deploy = ctx.features.get("change.deploy.recent")
    if deploy is not None and deploy.strength >= 0.5 and deploy.evidence:
        text += f" It began after a change: {deploy.evidence[0]}."
    elif ctx.onset is not None and incident.started_at is not None:
        age = incident.now - incident.started_at
        if age.total_seconds() > 60:
            text += f" It started {humanize_age(age)} ago."
    if hypotheses and unsure:
        text += " The evidence does not single out a cause: possibilities are " + \
            "; ".join(render_template(h.mode.summary, values)
                      + f" ({round(h.confidence * 100)}%)" for h in hypotheses[:3]) + \
            ". The checks below would decide between them."
    elif hypotheses:
        lead = hypotheses[0]
        phrase = render_template(lead.mode.summary, values)
        text += f" The most likely cause is {phrase} ({round(lead.confidence * 100)}%)"
        others = [h for h in hypotheses[1:3] if h.confidence >= 0.2]
        if others:
            text += "; also possible: " + "; ".join(
                render_template(h.mode.summary, values)
                + f" ({round(h.confidence * 100)}%)" for h in others)
        text += "."
    if not hypotheses:
        text += " No specific cause stands out; more telemetry is needed."
    return text




def _dedupe(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        head = item.split(" (")[0]
        if all(o.split(" (")[0] != head for o in out):
            out.append(item)
    return out


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
