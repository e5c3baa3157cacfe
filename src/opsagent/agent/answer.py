"""The agent's answer: its wire schema, and a lenient parser that says what is wrong.

The schema is what the model is asked for (and, where the provider supports it, held
to): a summary, a severity with the reason for any change, root causes citing evidence
ids, and actions. The parser accepts the usual slips (code fences, ``"70%"``
confidences, ``"severity": "HIGH"``) and reports the rest as problems. On the first
attempt any problem asks for one repair; on the repair attempt item-level problems only
drop the item (the guardrails then fill in from the engine's report).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from ..models import CATEGORIES, Level

KINDS = ("mitigate", "diagnose", "escalate", "communicate", "follow_up")
RISKS = ("low", "medium", "high")
_KIND_ALIASES = {
    "mitigation": "mitigate", "fix": "mitigate", "remediate": "mitigate",
    "rollback": "mitigate", "investigate": "diagnose", "diagnosis": "diagnose",
    "check": "diagnose", "verify": "diagnose", "escalation": "escalate", "page": "escalate",
    "notify": "communicate", "communication": "communicate", "followup": "follow_up",
    "follow-up": "follow_up", "prevent": "follow_up", "postmortem": "follow_up",
}
_CAUSE_KEYS = ("root_causes", "rootcauses", "root_cause", "causes", "hypotheses")
_CONFIDENCES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S | re.I)

# Bounds that keep a small model's answer short (used where the decoder enforces them).
LIMITS = {"summary": 320, "reason": 160, "title": 90, "rationale": 140,
          "causes": 3, "evidence": 3, "counter": 2, "actions": 3}


@dataclass
class AnswerSeverity:
    level: Level | None
    reason: str = ""


@dataclass
class AnswerCause:
    category: str
    title: str
    confidence: float
    evidence: list[str] = field(default_factory=list)
    counter_evidence: list[str] = field(default_factory=list)


@dataclass
class AnswerAction:
    title: str
    kind: str = "diagnose"
    risk: str = "low"
    rationale: str = ""
    cause: str | None = None


@dataclass
class Answer:
    summary: str
    severity: AnswerSeverity
    root_causes: list[AnswerCause] = field(default_factory=list)
    actions: list[AnswerAction] = field(default_factory=list)


@dataclass
class Parsed:
    answer: Answer | None
    problems: list[str]  # what a repair should fix
    dropped: list[str] = field(default_factory=list)  # item-level problems (lenient mode)


# --- the schema ---------------------------------------------------------------------------

class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


def response_model(evidence_ids: list[str], *, constrained: bool) -> type[BaseModel]:
    """The answer's pydantic model, for CrewAI's ``response_model``.

    Field types are loose (the parser and the guardrails judge the content); the JSON
    schema carries the enums, and with ``constrained`` also the length bounds and the
    evidence ids, for decoders that enforce them (llama.cpp grammars).
    """
    def extra(**schema: Any) -> Any:
        return schema if constrained else None

    def text(limit: int, *, min_length: int = 1, **more: Any) -> Any:
        return Field(json_schema_extra=extra(minLength=min_length, maxLength=limit, **more))

    ids = {"type": "string", "enum": evidence_ids} if evidence_ids else {"type": "string"}
    severity = create_model(
        "AgentSeverity", __base__=_Loose,
        level=(str, Field(json_schema_extra={"enum": [lv.value for lv in Level]})),
        reason=(str, text(LIMITS["reason"], min_length=0)),
    )
    cause = create_model(
        "AgentRootCause", __base__=_Loose,
        category=(str, Field(json_schema_extra={"enum": list(CATEGORIES)})),
        title=(str, text(LIMITS["title"], min_length=4)),
        confidence=(float, Field(json_schema_extra=extra(enum=_CONFIDENCES)
                                 if constrained else None)),
        evidence=(list[str], Field(json_schema_extra=extra(
            items=ids, minItems=1, maxItems=LIMITS["evidence"]))),
        counter_evidence=(list[str], Field(json_schema_extra=extra(
            items=ids, maxItems=LIMITS["counter"]))),
    )
    action = create_model(
        "AgentAction", __base__=_Loose,
        title=(str, text(LIMITS["title"], min_length=5)),
        kind=(str, Field(json_schema_extra={"enum": list(KINDS)})),
        risk=(str, Field(json_schema_extra={"enum": list(RISKS)})),
        rationale=(str, text(LIMITS["rationale"], min_length=0)),
        cause=(str, Field(json_schema_extra={"enum": list(CATEGORIES)})),
    )
    model: type[BaseModel] = create_model(
        "AgentAnswer", __base__=_Loose,
        summary=(str, text(LIMITS["summary"], min_length=20)),
        severity=(severity, ...),
        root_causes=(list[cause], Field(json_schema_extra=extra(  # type: ignore[valid-type]
            maxItems=LIMITS["causes"]))),
        actions=(list[action], Field(json_schema_extra=extra(  # type: ignore[valid-type]
            maxItems=LIMITS["actions"]))),
    )
    return model


# --- parsing ------------------------------------------------------------------------------

def extract_json(raw: object) -> Any:
    """The JSON object in a model's reply (a dict, a model, or text around JSON)."""
    if isinstance(raw, BaseModel):
        return raw.model_dump()
    if isinstance(raw, dict):
        return raw
    if not isinstance(raw, str):
        raise ValueError("the answer is empty")
    text = raw.strip()
    if "Final Answer:" in text:
        text = text.split("Final Answer:")[-1].strip()
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1).strip()
    start, end = text.find("{"), text.rfind("}")
    if start < 0:
        raise ValueError("the answer holds no JSON object")
    candidate = text[start:end + 1] if end > start else text[start:]
    try:
        return json.loads(candidate)
    except ValueError as exc:
        repaired = _repair_json(candidate)
        if repaired is None:
            raise ValueError(f"the answer is not valid JSON ({exc})") from None
        return repaired


def _repair_json(text: str) -> Any:
    try:
        from json_repair import repair_json
    except ImportError:
        return None
    try:
        value = repair_json(text, return_objects=True)
    except Exception:  # the repair library's own failures
        return None
    return value if isinstance(value, dict) and value else None


def parse_answer(raw: object, *, strict: bool) -> Parsed:
    """Parse and check an answer. ``strict``: every problem is reported for repair."""
    try:
        data = extract_json(raw)
    except ValueError as exc:
        return Parsed(None, [str(exc)])
    if not isinstance(data, dict):
        return Parsed(None, ["the answer must be one JSON object"])
    data = {str(k).lower(): v for k, v in data.items()}
    problems: list[str] = []
    dropped: list[str] = []

    summary = data.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        problems.append("'summary' must be a non-empty string")
        summary = ""

    severity = _parse_severity(data.get("severity"), problems)

    raw_causes = next((data[k] for k in _CAUSE_KEYS if k in data), None)
    causes: list[AnswerCause] = []
    if raw_causes is None:
        problems.append("'root_causes' is missing (a list, may be empty)")
    elif not isinstance(raw_causes, list):
        problems.append("'root_causes' must be a list")
    else:
        for index, item in enumerate(raw_causes):
            cause, problem = _parse_cause(item, index)
            if cause is not None:
                causes.append(cause)
            if problem:
                (problems if strict else dropped).append(problem)

    raw_actions = data.get("actions", [])
    actions: list[AnswerAction] = []
    if not isinstance(raw_actions, list):
        (problems if strict else dropped).append("'actions' must be a list")
        raw_actions = []
    for index, item in enumerate(raw_actions):
        action, problem = _parse_action(item, index)
        if action is not None:
            actions.append(action)
        if problem:
            (problems if strict else dropped).append(problem)

    structural = not summary or severity is None or not isinstance(raw_causes, list)
    if structural:
        return Parsed(None, problems, dropped)
    assert severity is not None
    answer = Answer(summary=summary.strip(), severity=severity, root_causes=causes,
                    actions=actions)
    return Parsed(answer, problems if strict else [], dropped)


def _parse_severity(value: object, problems: list[str]) -> AnswerSeverity | None:
    if isinstance(value, str):
        value = {"level": value}
    if not isinstance(value, dict):
        problems.append("'severity' must be an object with 'level' and 'reason'")
        return None
    level = _level(value.get("level"))
    if level is None:
        problems.append("'severity.level' must be LOW, MEDIUM or HIGH")
        return None
    reason = value.get("reason") or value.get("reasons") or ""
    if isinstance(reason, list):
        reason = "; ".join(str(r) for r in reason)
    return AnswerSeverity(level=level, reason=str(reason))


def _level(value: object) -> Level | None:
    if not isinstance(value, str):
        return None
    try:
        return Level(value.strip().upper())
    except ValueError:
        return None


def _parse_cause(item: object, index: int) -> tuple[AnswerCause | None, str | None]:
    where = f"root_causes[{index}]"
    if not isinstance(item, dict):
        return None, f"{where} must be an object"
    category = str(item.get("category", "")).strip().lower().replace("-", "_").replace(" ", "_")
    if category not in CATEGORIES:
        return None, (f"{where}.category {item.get('category')!r} is not a taxonomy id "
                      f"(one of: {', '.join(CATEGORIES)})")
    evidence = _strings(item.get("evidence"))
    if not evidence:
        return None, f"{where} cites no evidence (list evidence ids such as E1)"
    title = str(item.get("title") or "").strip()
    cause = AnswerCause(
        category=category,
        title=title,
        confidence=_confidence(item.get("confidence")),
        evidence=evidence,
        counter_evidence=_strings(item.get("counter_evidence")),
    )
    return cause, None


def _parse_action(item: object, index: int) -> tuple[AnswerAction | None, str | None]:
    where = f"actions[{index}]"
    if isinstance(item, str):
        item = {"title": item}
    if not isinstance(item, dict):
        return None, f"{where} must be an object"
    title = str(item.get("title") or "").strip()
    if not title:
        return None, f"{where}.title is missing"
    kind = str(item.get("kind") or "diagnose").strip().lower()
    kind = _KIND_ALIASES.get(kind, kind)
    risk = str(item.get("risk") or "medium").strip().lower()
    cause = item.get("cause")
    cause_id = str(cause).strip().lower() if cause else None
    return AnswerAction(
        title=title,
        kind=kind if kind in KINDS else "diagnose",
        risk=risk if risk in RISKS else "medium",
        rationale=str(item.get("rationale") or "").strip(),
        cause=cause_id if cause_id in CATEGORIES else None,
    ), None


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [str(v).strip() for v in value if isinstance(v, (str, int, float)) and str(v).strip()]


def _confidence(value: object) -> float:
    if isinstance(value, str):
        text = value.strip().rstrip("%")
        try:
            number = float(text)
        except ValueError:
            return 0.5
        if value.strip().endswith("%"):
            number /= 100
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        return 0.5
    if 1 < number <= 100:
        number /= 100
    return min(1.0, max(0.0, number))
