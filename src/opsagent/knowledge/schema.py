"""The schema of knowledge files: failure modes and the failure vocabulary.

A **failure mode** (one YAML file each) names a taxonomy category, the evidence that
supports it and argues against it (as *features*: facts the engine derives from the
signals, such as ``change.deploy.recent`` or ``text.timeout``), the runbook actions an
experienced SRE would take, and cases that must and must not match it.

The **vocabulary** maps the common words of failures (``OOMKilled``, ``SERVFAIL``,
``no space left on device`` ...) to ``text.*`` features, so that free text is evidence
without an LLM.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..models.report import ActionKind, Category, Risk


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EvidenceRule(_Strict):
    """One piece of evidence for or against a failure mode.

    ``feature`` weighs in when the engine found it; ``absent`` weighs in when the engine
    did *not* find that feature (its ``note`` is then the evidence sentence).
    """

    feature: str | None = None
    absent: str | None = None
    weight: float = Field(ge=0.0, le=1.0)
    note: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> EvidenceRule:
        if (self.feature is None) == (self.absent is None):
            raise ValueError("give exactly one of 'feature' or 'absent'")
        if self.absent is not None and not self.note:
            raise ValueError("an 'absent' rule needs a 'note' explaining what is missing")
        return self


class RunbookAction(_Strict):
    """A recommended action; the title may use {service}, {region}, {zone}, {dependency},
    {version}, {previous_version}, {environment} and {change}."""

    title: str = Field(min_length=5)
    kind: ActionKind
    risk: Risk = "low"
    rationale: str = ""
    when: list[str] = Field(default_factory=list)  # any of these features must be present
    unless: list[str] = Field(default_factory=list)  # none of these may be present
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)


class Case(_Strict):
    """An example incident: ``payload`` is any supported document (or a list of them)."""

    name: str
    payload: dict[str, Any] | list[Any]
    now: str = "2026-01-15T12:00:00Z"
    top3: bool = False  # match: must also rank in the top three


class Cases(_Strict):
    match: list[Case] = Field(default_factory=list)
    no_match: list[Case] = Field(default_factory=list)


_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")


class FailureMode(_Strict):
    id: str
    category: Category
    title: str = Field(min_length=5)
    summary: str = Field(min_length=5)  # a phrase for the summary: "a regression in {change}"
    description: str = ""
    prior: float = Field(default=0.05, ge=0.0, le=0.5)
    requires_any: list[str] = Field(default_factory=list)
    supports: list[EvidenceRule] = Field(min_length=1)
    opposes: list[EvidenceRule] = Field(default_factory=list)
    actions: list[RunbookAction] = Field(min_length=1)
    references: list[str] = Field(default_factory=list)
    cases: Cases = Field(default_factory=Cases)

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("expected a lower-case id such as 'deploy_regression'")
        return value

    def features(self) -> set[str]:
        names = set(self.requires_any)
        for rule in (*self.supports, *self.opposes):
            names.add(rule.feature or rule.absent or "")
        for action in self.actions:
            names.update(action.when)
            names.update(action.unless)
        names.discard("")
        return names


def _compiles(value: list[str]) -> list[str]:
    """``value`` when every pattern in it compiles."""
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    return value


class TermExamples(_Strict):
    """Texts a term must match and texts it must not (tested)."""

    match: list[str] = Field(default_factory=list)
    no_match: list[str] = Field(default_factory=list)


class Term(_Strict):
    """Words that mean one thing: a ``text.*`` feature with regex patterns."""

    feature: str
    description: str = ""
    patterns: list[str] = Field(min_length=1)
    strength: float = Field(default=0.8, ge=0.0, le=1.0)
    dependency: str | None = None  # a dependency these words imply ("payment gateway")
    examples: TermExamples = Field(default_factory=TermExamples)

    @field_validator("feature")
    @classmethod
    def _check_feature(cls, value: str) -> str:
        if not value.startswith(("text.", "impact.")) or not _ID.match(value):
            raise ValueError("vocabulary features are named 'text.<word>' or 'impact.<word>'")
        return value

    @field_validator("patterns")
    @classmethod
    def _check_patterns(cls, value: list[str]) -> list[str]:
        return _compiles(value)


class Vocabulary(_Strict):
    terms: list[Term] = Field(min_length=1)


class GeneralActions(_Strict):
    """Actions that apply to any incident (escalation, communication, follow-up).

    ``when`` may name ``severity.high`` / ``severity.medium`` / ``severity.low`` and
    ``customer_facing`` besides engine features.
    """

    actions: list[RunbookAction] = Field(min_length=1)


class PhraseRule(_Strict):
    """Phrases that are not observations, with examples that must be blanked (``drops``)
    and examples that must be left alone (``keeps``)."""

    description: str = ""
    patterns: list[str] = Field(min_length=1)
    drops: list[str] = Field(default_factory=list)
    keeps: list[str] = Field(default_factory=list)

    @field_validator("patterns")
    @classmethod
    def _check_patterns(cls, value: list[str]) -> list[str]:
        return _compiles(value)


class Negation(_Strict):
    """What someone says is *not* happening: a cue ("no", "without") before a failure
    word (``heads``), or a failure word followed by a healthy predicate ("DNS resolution is
    fine"). Failure messages that contain a cue ("no healthy upstream", "no space left")
    are not negations: their word after the cue is not a head."""

    cues: list[str] = Field(min_length=1)
    heads: list[str] = Field(min_length=1)
    predicates: list[str] = Field(min_length=1)
    drops: list[str] = Field(default_factory=list)
    keeps: list[str] = Field(default_factory=list)

    @field_validator("cues", "heads", "predicates")
    @classmethod
    def _check_patterns(cls, value: list[str]) -> list[str]:
        return _compiles(value)


class Observations(_Strict):
    """What text carried in payloads says that is not an observation: alert-rule
    language, instructions and runbook text, negations, questions; names, hosts and URLs are never
    read for vocabulary (the engine blanks them itself)."""

    rule_language: PhraseRule
    instructions: PhraseRule
    negation: Negation
    # what people ask or wonder ("customers ask whether they were charged twice") is a
    # question to answer, not a fact seen
    questions: PhraseRule | None = None


class ObservationsFile(_Strict):
    observations: Observations



class MetricImpact(_Strict):
    """What an abnormal reading of the family means for users, when it does."""

    level: int = Field(ge=0, le=2)  # 0 LOW, 1 MEDIUM, 2 HIGH
    reason: str = Field(min_length=5)  # "{metric} ... {where}": the severity reason
    customer_facing_only: bool = True  # only on a customer-facing or critical service
    # one level higher at this multiple of the baseline or beyond (0.6: down by 40 %)
    escalate: float | None = Field(default=None, gt=0.0)


class MetricFamily(_Strict):
    """Metrics as integrations name them (``HTTPCode_Target_5XX_Count``,
    ``postgresql.percent_usage_connections``) read as the family they are, with the
    judge that tells an abnormal reading: a row of the metric judges' table."""

    id: str
    description: str = ""
    names: list[str] = Field(min_length=1)  # regexes over the name's words
    feature: str  # the engine feature an abnormal reading adds
    also: list[str] = Field(default_factory=list)  # further features it adds
    direction: Literal["above", "below"] = "above"
    limit: float | None = None  # the default limit when the source gives none
    baseline_factor: float = Field(default=3.0, gt=1.0)  # abnormal at this multiple
    percent: bool = False  # a percentage metric: values above 1 are percent
    # judged against its own baseline only: a threshold that comes with the reading
    # belongs to what the alert computes from it (a 5xx ratio over a request count)
    baseline_only: bool = False
    # a count of failed requests: beside a stated request volume it reads as an error share
    counts_requests: bool = False
    impact: MetricImpact | None = None
    examples: TermExamples = Field(default_factory=TermExamples)

    @field_validator("names")
    @classmethod
    def _check_names(cls, value: list[str]) -> list[str]:
        return _compiles(value)


class MetricFamilies(_Strict):
    metric_families: list[MetricFamily] = Field(min_length=1)
