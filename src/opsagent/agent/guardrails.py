"""Guardrails: what an LLM answer may change in the engine's report, and what it may not.

The rules, applied to every answer (the agent only ever *refines* the engine's report):

* **Categories** come from the taxonomy; anything else is rejected.
* **Grounding**: a root cause keeps only the evidence that resolves to the incident's
  evidence list (by id or by quoting it). A root cause left with none is replaced by the
  engine's root cause of the same category, or dropped. The engine anchors confidence:
  the agent may move a cause the engine ranked by at most :data:`MAX_CONFIDENCE_SHIFT`,
  and a cause the engine did not rank enters with at most
  :data:`NEW_CAUSE_MAX_CONFIDENCE` (:data:`MAX_NEW_CAUSES` of them at most). No root
  cause and no action of the engine is ever lost.
* **Severity** stays at the engine's grade unless the answer states a reason. It may go
  up freely, down by one level at most, and never below the floor: the engine's HIGH is
  a floor when its reasons name a hard fact (a critical flow is broken, the error rate is
  at or above the critical threshold, a security breach or data loss is suspected). It
  may not go down at all when a payload holds instruction-like text.
* **Actions**: mitigations come only from the runbooks (the engine's actions and the
  knowledge base's for the causes). An LLM action that matches one takes its wording,
  kind and risk; the answer may choose, order and explain them. Any other action is kept
  only as a read-only diagnosis (low risk, set here, never the model's), after every
  runbook action, and only without a destructive command, instruction-like text or a run
  of words copied from payload text.
* **Summary**: one that contradicts the final severity or the top cause, plays a MEDIUM
  or HIGH incident down, or repeats (even paraphrases) instructed text is rejected
  (:mod:`opsagent.agent.contradiction`).
* **Text** (summary, titles, reasons) that repeats instruction-like payload text, a
  destructive command or the answer template, or that is degenerate (a weak model
  looping on a phrase), is replaced by the engine's.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..models import CATEGORIES, Action, Level, RootCause, Severity, TriageReport
from .answer import Answer, AnswerAction, AnswerCause
from .contradiction import contradiction, plays_down
from .evidence import INJECTION_RE, EvidenceCatalog, normalize

NEW_CAUSE_MAX_CONFIDENCE = 0.6
MAX_CONFIDENCE_SHIFT = 0.25
MAX_NEW_CAUSES = 2
MAX_NEW_ACTIONS = 3
COPY_RUN_WORDS = 6

_BANDS = {Level.LOW: (0.05, 0.39), Level.MEDIUM: (0.4, 0.69), Level.HIGH: (0.7, 1.0)}
_LEVELS = (Level.LOW, Level.MEDIUM, Level.HIGH)

HARD_FACTS = re.compile(
    r"(?i)critical flow|cannot complete|at or above \S+ on critical service"
    r"|of requests fail on a customer-facing service|security breach|data loss"
)

DESTRUCTIVE_RE = re.compile(
    r"(?ix)"
    r"\bkubectl\b[^\n]{0,60}\b(delete|drain|replace\s+--force)\b"
    r"|\bkubectl\b[^\n]{0,60}--replicas[=\s]+0\b"
    r"|\bhelm\s+(uninstall|delete)\b"
    r"|\brm\s+-(r|f|rf|fr|-recursive)\b|\brm\s+-\w*[rf]\w*\s+/"
    r"|\b(drop|truncate)\s+(table|database|schema|index|user|keyspace|collection)\b"
    r"|\bdelete\s+from\b|\balter\s+table\b[^\n]{0,60}\bdrop\b"
    r"|\b(terraform|tofu|pulumi)\s+(destroy|apply\s+-destroy)\b|\bcdk\s+destroy\b"
    r"|\bdocker\s+(rm|rmi|system\s+prune|volume\s+(rm|prune))\b"
    r"|\b(aws|gcloud|az)\b[^\n]{0,80}\b(delete|terminate|rb|destroy|purge)\b"
    r"|\bs3\s+rm\b|\bmkfs\b|\bdd\s+if=|\bshred\b|\bformat\s+[a-z]:"
    r"|\bflush(all|db)\b|\bdropdb\b|\bredis-cli\b[^\n]{0,40}\bflush"
    r"|\b(shutdown|poweroff|halt)\b\s+(-|now)|\binit\s+0\b"
    r"|\bchmod\s+-R\s+777\b|\bgit\s+push\s+(-f|--force)\b|\bgit\s+reset\s+--hard\b"
    r"|\biptables\s+-F\b|\b(curl|wget)\b[^\n|]{0,200}\|\s*(sudo\s+)?(ba|z)?sh\b"
    r"|\bkill\s+-9\s+-1\b|:\(\)\s*\{"
    r"|\b(delete|destroy|drop|wipe|purge|erase|nuke)\b[^\n.]{0,40}"
    r"\b(namespace|database|db|cluster|bucket|volumes?|tables?|prod|production|backups?|"
    r"all\s+data|the\s+data)\b"
)


@dataclass
class Decision:
    """The merged report and what the guardrails changed (for ``analysis.agent``)."""

    report: TriageReport
    notes: list[str] = field(default_factory=list)


def severity_floor(report: TriageReport) -> tuple[Level, str | None]:
    """The lowest level the agent may grade, and the hard fact that forces it.

    The engine marks it (``severity.floor``); reports without that field (older engines,
    hand-built reports) fall back to recognising the hard facts in the reasons."""
    floor = report.severity.floor
    if floor is not None:
        return floor, (report.severity.reasons[0] if report.severity.reasons else None)
    if report.severity.level == Level.HIGH:
        for reason in report.severity.reasons:
            if HARD_FACTS.search(reason):
                return Level.HIGH, reason
    return Level.LOW, None


def is_destructive(text: str) -> bool:
    return bool(DESTRUCTIVE_RE.search(text))


def is_injected(text: str) -> bool:
    return bool(INJECTION_RE.search(text))


_TEMPLATE_PHRASES = ("one paragraph: what is wrong", "a taxonomy id", "short title",
                     "what to do", "low or medium or high", "why, when it differs",
                     "mitigate or diagnose")


def is_degenerate(text: str) -> bool:
    """A weak model looping: a phrase repeated over and over, or very few distinct words."""
    words = _words(text)
    if len(words) < 12:
        return False
    trigrams = Counter(tuple(words[i:i + 3]) for i in range(len(words) - 2))
    return trigrams.most_common(1)[0][1] >= 4 or len(set(words)) < 0.35 * len(words)


def unsafe_text(text: str) -> str | None:
    """Why ``text`` (written by the LLM) cannot be shown, or None."""
    if is_destructive(text):
        return "it contains a destructive command"
    if is_injected(text):
        return "it repeats instruction-like text"
    lowered = normalize(text)
    if any(phrase in lowered for phrase in _TEMPLATE_PHRASES):
        return "it repeats the answer template"
    if is_degenerate(text):
        return "it is degenerate (repeated phrases)"
    if plays_down(text):
        return "it plays the incident down"
    return None


def merge(answer: Answer, report: TriageReport, catalog: EvidenceCatalog,
          runbook: Iterable[Action] = ()) -> Decision:
    """Apply the guardrails: the engine's ``report`` refined by ``answer``.

    ``runbook`` holds the knowledge base's actions for the report's categories (the
    engine's actions always count as runbook actions)."""
    notes: list[str] = []
    causes = _merge_causes(answer.root_causes, report, catalog, notes)
    suspicious = any(item.flagged for item in catalog.items)
    severity = _merge_severity(answer, report, notes, suspicious=suspicious)
    actions = _merge_actions(answer.actions, report, catalog, {c.category for c in causes},
                             notes, list(runbook))
    summary = report.summary
    candidate = " ".join(answer.summary.split())
    final = report.model_copy(update={"severity": severity, "root_causes": causes})
    problem = unsafe_text(candidate) or contradiction(candidate, final, catalog)
    if problem:
        notes.append(f"kept the engine's summary: {problem}")
    elif len(candidate) < 20:
        notes.append("kept the engine's summary: the answer's was too short")
    else:
        summary = candidate[:1500]
    refined = report.model_copy(deep=True, update={
        "summary": summary,
        "severity": severity,
        "root_causes": causes,
        "actions": actions,
    })
    # the report contract is checked once more, field by field
    return Decision(TriageReport.model_validate(refined.model_dump()), notes)


# root causes ------------------------------------------------------------------------------

def _merge_causes(proposed: Iterable[AnswerCause], report: TriageReport,
                  catalog: EvidenceCatalog, notes: list[str]) -> list[RootCause]:
    engine: dict[str, RootCause] = {c.category: c for c in report.root_causes}
    out: dict[str, RootCause] = {}
    for cause in proposed:
        if cause.category not in CATEGORIES:
            notes.append(f"rejected root cause category {cause.category!r}: not in the taxonomy")
            continue
        if cause.category in out:
            continue
        evidence = _ground_all(cause.evidence, catalog)
        counter = _ground_all(cause.counter_evidence, catalog)
        known = engine.get(cause.category)
        if not evidence:
            if known is not None:
                notes.append(f"{cause.category}: no grounded evidence; kept the engine's cause")
                out[cause.category] = known.model_copy(deep=True)
            else:
                notes.append(f"dropped root cause {cause.category!r}: no grounded evidence")
            continue
        title = " ".join(cause.title.split())[:160]
        problem = unsafe_text(title)
        vague = len(_words(title)) < 2 or normalize(title).replace(" ", "_") == cause.category
        if problem or vague:
            title = known.title if known is not None else _default_title(cause.category)
            if problem:
                notes.append(f"{cause.category}: replaced the title ({problem})")
        confidence = cause.confidence
        if known is None and confidence > NEW_CAUSE_MAX_CONFIDENCE:
            confidence = NEW_CAUSE_MAX_CONFIDENCE
            notes.append(f"{cause.category}: a cause the engine did not rank, confidence "
                         f"capped at {NEW_CAUSE_MAX_CONFIDENCE}")
        elif known is not None and abs(confidence - known.confidence) > MAX_CONFIDENCE_SHIFT:
            shift = MAX_CONFIDENCE_SHIFT if confidence > known.confidence \
                else -MAX_CONFIDENCE_SHIFT
            confidence = min(1.0, max(0.0, known.confidence + shift))
            notes.append(f"{cause.category}: confidence moved by at most "
                         f"{MAX_CONFIDENCE_SHIFT} from the engine's {known.confidence:.2f}")
        out[cause.category] = RootCause(
            category=cause.category,  # checked against the taxonomy above
            title=title,
            confidence=round(confidence, 2),
            evidence=evidence,
            counter_evidence=[c for c in counter if c not in evidence],
            failure_mode=known.failure_mode if known is not None else None,
        )
    new = sorted((c for c in out.values() if c.category not in engine),
                 key=lambda c: -c.confidence)
    for dropped in new[MAX_NEW_CAUSES:]:
        notes.append(f"dropped root cause {dropped.category!r}: at most {MAX_NEW_CAUSES} "
                     "causes the engine did not rank")
        del out[dropped.category]
    for category, kept in engine.items():
        if category not in out:
            out[category] = kept.model_copy(deep=True)
    return sorted(out.values(), key=lambda c: -c.confidence)  # stable: the LLM's order


def _ground_all(cited: Iterable[str], catalog: EvidenceCatalog) -> list[str]:
    out: list[str] = []
    for item in cited:
        found = catalog.ground(item)
        if found is not None and found.cite not in out:
            out.append(found.cite)
    return out


def _default_title(category: str) -> str:
    return category.replace("_", " ").capitalize()


# severity ---------------------------------------------------------------------------------

def _merge_severity(answer: Answer, report: TriageReport, notes: list[str], *,
                    suspicious: bool) -> Severity:
    engine = report.severity
    wanted = answer.severity.level
    if wanted is None or wanted == engine.level:
        return engine.model_copy(deep=True)
    reason = " ".join(answer.severity.reason.split())[:300]
    if len(reason) < 10:
        notes.append(f"kept severity {engine.level.value}: the answer asked for "
                     f"{wanted.value} without stating a reason")
        return engine.model_copy(deep=True)
    problem = unsafe_text(reason)
    if problem:
        notes.append(f"kept severity {engine.level.value}: the reason given is not "
                     f"acceptable ({problem})")
        return engine.model_copy(deep=True)
    floor, fact = severity_floor(report)
    target = wanted
    if target.rank < engine.level.rank and suspicious:
        notes.append(f"kept severity {engine.level.value}: the payloads contain "
                     "instruction-like text, so a lower grade is not trusted")
        return engine.model_copy(deep=True)
    if target.rank < engine.level.rank:
        target = _LEVELS[max(target.rank, engine.level.rank - 1, floor.rank)]
        if target == engine.level:
            notes.append(f"kept severity {engine.level.value}: it is the floor set by a hard "
                         f"fact ({fact})")
            return engine.model_copy(deep=True)
        if target != wanted:
            notes.append(f"severity lowered by one level only ({wanted.value} was asked)")
    low, high = _BANDS[target]
    direction = "raised" if target.rank > engine.level.rank else "lowered"
    notes.append(f"severity {direction} from {engine.level.value} to {target.value}")
    return Severity(
        level=target,
        score=round(min(high, max(low, engine.score)), 2),
        reasons=[f"agent: {reason}", *engine.reasons],
    )


# actions ----------------------------------------------------------------------------------

def _merge_actions(proposed: Iterable[AnswerAction], report: TriageReport,
                   catalog: EvidenceCatalog, categories: set[str], notes: list[str],
                   runbook: list[Action]) -> list[Action]:
    """Mitigations come only from the runbooks: an answer's action that matches an engine
    or runbook action takes that action's wording, kind and risk (the answer may choose,
    order and explain them). Anything else the model invents is kept only as a diagnosis
    (a read-only check, low risk by construction, whatever risk the model gave), after
    every runbook action."""
    engine = list(report.actions)
    known = [*engine, *(a for a in runbook if a.title not in {e.title for e in engine})]
    used: set[int] = set()
    chosen: list[Action] = []
    invented: list[Action] = []
    copied = _ngrams_of(item.text for item in catalog.items if item.origin != "engine")
    for action in proposed:
        title = " ".join(action.title.split())
        if not title:
            continue
        rationale = " ".join(action.rationale.split())[:400]
        index = _match_engine_action(title, known, used)
        if index is not None:
            used.add(index)
            picked = known[index].model_copy(deep=True)
            if rationale and not picked.rationale and unsafe_text(rationale) is None \
                    and not _ngrams_of([rationale]) & copied:
                picked.rationale = rationale
            chosen.append(picked)
            continue
        text = f"{title}\n{rationale}"
        problem = unsafe_text(text)
        if problem is None and _ngrams_of([text]) & copied:
            problem = "it copies text from the payloads"
        problem = problem or _not_diagnosis(title)
        if problem:
            notes.append(f"dropped action {title[:80]!r}: {problem}")
            continue
        if len(_words(title)) < 3:
            notes.append(f"dropped action {title[:80]!r}: too vague")
            continue
        if len(invented) >= MAX_NEW_ACTIONS:
            continue
        if action.kind != "diagnose" or action.risk != "low":
            notes.append(f"action {title[:80]!r}: kept as a low-risk diagnosis, after the "
                         "runbook's actions (not a runbook action)")
        invented.append(Action(
            title=title[:200],
            kind="diagnose",
            risk="low",
            rationale=rationale,
            cause=action.cause if action.cause in categories else None,
        ))
    rest = [a.model_copy(deep=True) for i, a in enumerate(engine) if i not in used]
    return [*chosen, *rest, *invented]


_READ_ONLY_START = re.compile(
    r"(?i)^(check|inspect|look|review|compare|confirm|verify|examine|investigate|monitor|"
    r"watch|correlate|read|list|describe|trace|measure|search|identify|determine|find|"
    r"view|audit|gather|collect|query|track|"
    r"graph|plot|chart|analy[sz]e|profile|observe|validate|test|diagnose)\b")
_MUTATING = re.compile(
    r"(?i)\b(delete|drop|truncate|purge|wipe|erase|remove|destroy|disable|kill|stop|"
    r"restart|reboot|shutdown|scale|roll\s*back|rollback|revert|redeploy|apply|alter|"
    r"grant|revoke|rotate|reset|flush|drain|cordon|terminate|uninstall|rm|chmod|chown|"
    r"overwrite|insert|migrate|fail\s*over|promote|modify|replace|upgrade|downgrade|"
    r"force|execute|null)\b|\bset\s+\w+\s*=|\(\s*\)|;|\||\bthen\b")


def _not_diagnosis(title: str) -> str | None:
    """Why an action the runbooks do not hold cannot stand as a read-only diagnosis."""
    if not _READ_ONLY_START.search(title) or _MUTATING.search(title):
        return "not a runbook action, and not a read-only check"
    return None


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _ngrams_of(texts: Iterable[str]) -> set[tuple[str, ...]]:
    grams: set[tuple[str, ...]] = set()
    for text in texts:
        words = _words(text)
        grams.update(tuple(words[i:i + COPY_RUN_WORDS])
                     for i in range(len(words) - COPY_RUN_WORDS + 1))
    return grams


def _match_engine_action(title: str, engine: list[Action], used: set[int]) -> int | None:
    wanted = set(_words(title))
    if not wanted:
        return None
    key = normalize(title)
    best, best_score = None, 0.0
    for index, action in enumerate(engine):
        if index in used:
            continue
        if normalize(action.title) == key:
            return index
        words = set(_words(action.title))
        score = len(wanted & words) / len(wanted | words) if words else 0.0
        if score > best_score:
            best, best_score = index, score
    return best if best_score >= 0.6 else None
