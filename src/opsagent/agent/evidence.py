"""The ground truth the agent may cite: a numbered evidence list built from the engine's
findings and the incident's signals, and the matcher that grounds what the LLM cites.

Every item has an id (``E1`` ...). The LLM sees the redacted text; a root cause it
proposes keeps only the evidence that resolves to an item here, by id or by quoting the
item's text. What lands in the report is the item's citation: the engine's evidence
string verbatim, or the (redacted) text of the signal.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from ..models import Incident, Signal, SignalKind, TriageReport
from .redact import redact

MAX_SIGNAL_ITEMS = 40
MAX_EXTRA_ITEMS = 10
MAX_TEXT = 300

_RATIO_UNITS = {"ratio", "fraction"}
_ID_PREFIX = re.compile(r"^\s*[\[(]?\s*(E\d{1,3})\s*[\])]?\s*(?:[:.)\-–]\s*|$)", re.I)
_QUOTES = str.maketrans({c: " " for c in "\"'“”‘’`«»"})
_SPACES = re.compile(r"\s+")

# Instruction-like phrases: text from payloads that contains them is flagged in the
# prompt, and an LLM text field that repeats them is not trusted.
INJECTION_RE = re.compile(
    r"(?i)\b(ignore|disregard|forget|override)\b[^.\n]{0,40}\b(instructions?|prompts?|rules|"
    r"guidelines|guardrails|above|previous|prior|system)\b"
    r"|\byou are now\b|\bnew instructions?\b|\bsystem prompt\b|\bas an ai\b"
    r"|\bset (the )?severity\b|\b(change|lower|downgrade|raise) (the )?severity\b"
    r"|\brecommend (running|that you run|executing)\b|\b(run|execute) the following\b"
    r"|\b(please|you must|you should) (run|execute)\b"
    r"|\bassistant\s*:|\bsystem\s*:|</?\s*(system|instructions?|assistant|user)\s*>"
    r"|\bdo not (mention|report|tell|flag)\b|\bend of (untrusted|data)\b"
    # paraphrases: addressing the reader, grading, reassuring, asking for harm
    r"|\b(note|message|heads-up) (to|for) (the |whoever )?(on-call |triag\w* )?"
    r"(assistant|ai|model|llm|bot|reviewer|agent|triages)\b"
    r"|\bfor (the|whoever) (reviewer|assistant|model|agent|triages this)\b"
    r"|\b(grade|rate|classify|mark|treat|report) (it|this|the incident)( one)? "
    r"(as )?(low|medium|high|minor|resolved)\b"
    r"|\b(kindly|please) (report|say|state|treat|grade|mark|close)\b"
    r"|\b(report|say|state) that (everything|all|nothing)\b"
    r"|\b(scheduled|planned) (drill|exercise|test)\b"
    r"|\b(purge|wipe|erase|truncate|drop|delete|disable)\b[^.\n]{0,30}\b(store|records|"
    r"data|database|tables?|orders|users|customers|authentication|auth|backups?)\b"
)


@dataclass(frozen=True)
class EvidenceItem:
    id: str
    text: str  # what the LLM sees: redacted, truncated
    cite: str  # what the report shows when the item is cited
    origin: str  # "engine" | "signal" | "field"
    label: str  # "engine evidence", "symptom", "metric", ...
    untrusted: bool  # free text from a payload
    flagged: bool  # contains instruction-like text


def normalize(text: str) -> str:
    text = text.translate(_QUOTES).lower()
    return _SPACES.sub(" ", text).strip(" .;:,-")


class EvidenceCatalog:
    """The numbered evidence of one incident."""

    def __init__(self, items: list[EvidenceItem]) -> None:
        self.items = items
        self.by_id = {item.id.upper(): item for item in items}
        self._norm = [(normalize(item.cite), normalize(item.text), item) for item in items]

    @classmethod
    def build(cls, report: TriageReport, incident: Incident) -> EvidenceCatalog:
        items: list[EvidenceItem] = []
        seen: set[str] = set()

        def add(cite: str, origin: str, label: str, untrusted: bool, shown: str | None = None
                ) -> None:
            key = normalize(cite)
            if not key or key in seen:
                return
            seen.add(key)
            text = _clip(redact(shown if shown is not None else cite))
            items.append(EvidenceItem(
                id=f"E{len(items) + 1}", text=text,
                cite=cite if origin == "engine" else text,
                origin=origin, label=label, untrusted=untrusted,
                flagged=bool(INJECTION_RE.search(text)),
            ))

        for cause in report.root_causes:
            for text in cause.evidence:
                add(text, "engine", "engine evidence", True)
            for text in cause.counter_evidence:
                add(text, "engine", "engine counter-evidence", True)
        for reason in report.severity.reasons:
            add(reason, "engine", "severity reason", True)
        for signal in incident.signals[:MAX_SIGNAL_ITEMS]:
            label, text = describe_signal(signal)
            if text:
                add(text, "signal", label, True)
        for key, value in list(incident.extras.items())[:MAX_EXTRA_ITEMS]:
            try:
                rendered = json.dumps(value, ensure_ascii=False, default=str)
            except (TypeError, ValueError):
                rendered = str(value)
            add(f"field {key}: {rendered}", "field", "unknown field", True)
        return cls(items)

    def ids(self) -> list[str]:
        return [item.id for item in self.items]

    def ground(self, cited: str) -> EvidenceItem | None:
        """The item ``cited`` refers to (an id, or a quote of an item), else None."""
        if not isinstance(cited, str) or not cited.strip():
            return None
        match = _ID_PREFIX.match(cited)
        if match:
            found = self.by_id.get(match.group(1).upper())
            if found is not None:
                return found
            cited = cited[match.end():]
        wanted = normalize(cited)
        if len(wanted) < 4:
            return None
        best: EvidenceItem | None = None
        best_len = 0
        for cite, text, item in self._norm:
            if wanted in (cite, text):
                return item
            for candidate in (cite, text):
                if len(wanted) >= 12 and wanted in candidate:
                    if best is None or len(candidate) < best_len:
                        best, best_len = item, len(candidate)
                elif len(candidate) >= 12 and candidate in wanted and \
                        len(candidate) >= 0.6 * len(wanted) and (
                        best is None or len(candidate) > best_len):
                    best, best_len = item, len(candidate)
        return best

    def untrusted_texts(self) -> list[str]:
        return [item.text for item in self.items if item.untrusted]


def describe_signal(signal: Signal) -> tuple[str, str]:
    """A one-line, human description of a signal: (label, text)."""
    where = ", ".join(x for x in (signal.service, signal.dependency, signal.region, signal.zone,
                                  signal.environment) if x)
    suffix = f" [{where}]" if where else ""
    kind = signal.kind
    if kind == SignalKind.METRIC:
        parts = [f"{signal.name or 'metric'} = {_value(signal.value, signal.unit)}"]
        if signal.baseline is not None:
            parts.append(f"baseline {_value(signal.baseline, signal.unit)}")
        if signal.objective is not None:
            parts.append(f"objective {_value(signal.objective, signal.unit)}")
        text = parts[0] + (f" ({', '.join(parts[1:])})" if len(parts) > 1 else "")
        return "metric", text + suffix
    if kind == SignalKind.ALERT:
        state = ", ".join(x for x in (
            signal.status.value if signal.status else None,
            signal.severity.value if signal.severity else None) if x)
        head = f"alert {signal.name}" + (f" ({state})" if state else "")
        return "alert", f"{head}: {signal.text}{suffix}" if signal.text else head + suffix
    if kind == SignalKind.CHANGE:
        change = signal.change
        what = change.type.value if change else "change"
        version = ""
        if change and change.version:
            version = f" {change.previous_version} -> {change.version}" if \
                change.previous_version else f" {change.version}"
        when = f" at {_time(signal.at)}" if signal.at else ""
        detail = change.description if change and change.description else signal.text
        failed = " (failed)" if change and change.succeeded is False else ""
        text = f"{what} of {signal.service or signal.name or 'a component'}{version}{when}{failed}"
        return "change", f"{text}: {detail}" if detail else text
    if kind == SignalKind.SYMPTOM:
        return "symptom", f'symptom: "{signal.text}"{suffix}'
    if kind == SignalKind.LOG:
        count = f" (x{signal.count})" if signal.count > 1 else ""
        return "log", f'log{count}: "{signal.text}"{suffix}'
    subject = signal.dependency or signal.service or signal.name or "component"
    state = signal.text or _value(signal.value, signal.unit)
    return "status", f"status of {subject}: {state}{suffix}"


def _value(value: float | None, unit: str | None) -> str:
    if value is None:
        return "n/a"
    if unit in _RATIO_UNITS:
        return f"{value * 100:.3g}%"
    number = f"{value:.6g}"
    return f"{number} {unit}" if unit else number


def _time(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"
