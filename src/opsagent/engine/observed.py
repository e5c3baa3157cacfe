"""What a text observes: the words left once everything that is not an observation is
blanked, so that failure vocabulary fires on what was seen and on nothing else.

Blanked, in this order:

* names: URLs, host names, paths, ``key:value`` tags, instance names ("ssl-proxy-2")
  and the compound names of the incident's own services, hosts, pods and namespaces
  (a host ``cert-store-2`` is not a certificate problem, a path ``/dns/zones`` not a
  DNS one);
* instructions and runbook text carried in alerts ("If this fires, check the pool and
  restart the pods"), sentence by sentence (not in what people report as symptoms);
* alert-rule language ("breached the upper threshold");
* negations: a cue before a failure word ("no DNS errors") and a failure word with a
  healthy predicate ("DNS resolution is fine") become the word ``unaffected``.

The phrases are knowledge data (``observations.yaml``); the evidence shown in reports
keeps the original words. Pure and cached per text by the caller.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..knowledge.schema import Observations

_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+|\bwww\.\S+")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_HOST = re.compile(r"\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\."
                   r"(?:com|net|org|io|dev|app|cloud|internal|local|lan|corp|svc|cluster"
                   r"|eu|us|uk|de|fr|co|ai|sh|tech|shop|store)\b(?![-\w])")
_PATH = re.compile(r"(?<![\w.:/-])/(?:[\w.{}%@~+-]+/)*[\w.{}%@~+-]+/?")
# an instance name: words joined by hyphens ending in a number ("ssl-proxy-2", "web-03")
_INSTANCE = re.compile(r"(?<![\w.-])(?!(?:https?|error|status|code|tls|ssl|sha|utf|iso|rfc|"
                       r"ipv|tcp|udp|p|v)-\d)[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d{1,4}[a-z]?"
                       r"(?![\w.-])")
_TAG = re.compile(r"(?<![\w.:/-])[a-z_][\w.-]*:(?=[^\s:])[^\s,;)]+")
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+|\s+(?=(?:[-*•]|\d+[.)])\s)")
_COMPOUND = re.compile(r"[-_./\d]")
_BLANK = " "
_NEGATED = "unaffected"
_CONJUNCTION = r"(?:but|while|whereas|although|though|however|yet|and then)"


class ObservedText:
    """Blanks what is not an observation from texts; one instance per incident."""

    def __init__(self, rules: Observations, names: Iterable[str] = ()) -> None:
        self._rule = _alternation(rules.rule_language.patterns)
        self._instructions = _alternation(rules.instructions.patterns)
        negation = rules.negation
        heads = "|".join(f"(?:{h})" for h in negation.heads)
        cues = "|".join(f"(?:{c})" for c in negation.cues)
        # the cue, up to three words, a failure word, and what it was about ("in the logs")
        self._negated = re.compile(
            rf"(?:{cues})(?:\s+(?:any|new|more|further|real|obvious))?"
            rf"(?:\s+[\w/.%-]+){{0,3}}?\s+(?:{heads})\b"
            r"(?:\s+(?:in|on|from|to|for|at|of|with|across)\s+(?:the\s+)?[\w./-]+)?")
        predicates = "|".join(f"(?:{p})" for p in negation.predicates)
        self._healthy = re.compile(
            rf"(?<!back to )(?<!back to the )(?<![\w-])"
            rf"(?:(?!{_CONJUNCTION}\b)[\w/.%-]+\s+){{1,4}}(?:{predicates})"
            # a predicate ends its clause: "no healthy upstream" is not "X is healthy"
            r"(?=\s*(?:$|[.,;:!?)]|(?:and|but|while|since|so|now|again|too)\b))")
        self._names = _names_pattern(names)

    def __call__(self, lowered: str, *, instructions: bool = True) -> str:
        """``lowered`` (a lower-cased text) with what is not an observation blanked."""
        text = _URL.sub(_BLANK, lowered)
        text = _EMAIL.sub(_BLANK, text)
        if self._names is not None:
            text = self._names.sub(_BLANK, text)
        text = _HOST.sub(_BLANK, text)
        text = _PATH.sub(_BLANK, text)
        text = _INSTANCE.sub(_BLANK, text)
        text = _TAG.sub(_BLANK, text)
        if instructions and self._instructions is not None:
            text = " ".join(part for part in _SENTENCES.split(text)
                            if not self._instructions.search(part.strip(" -*•\t")))
        if self._rule is not None:
            text = self._rule.sub(_BLANK, text)
        text = self._negated.sub(_NEGATED, text)
        return self._healthy.sub(_NEGATED, text)


def _alternation(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def _names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """The compound names (with a hyphen, dot, underscore, slash or digit: "cert-store-2",
    "pg-orders-1") as whole tokens; plain words ("payments") may be what a text is about."""
    found = sorted({n.lower() for n in names if n and len(n) >= 4 and _COMPOUND.search(n)},
                   key=len, reverse=True)[:300]
    if not found:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in found) + r")(?![\w-])")
