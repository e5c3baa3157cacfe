"""What a text observes: the words left once everything that is not an observation is
blanked, so that failure vocabulary fires on what was seen and on nothing else.

Blanked, in this order:

* names: URLs, host names, paths, ``key:value`` tags, instance names ("ssl-proxy-2")
  and the compound names of the incident's own services, hosts, pods and namespaces
  (a host ``cert-store-2`` is not a certificate problem, a path ``/dns/zones`` not a
  DNS one);
* instructions and runbook text carried in alerts ("If this fires, check the pool and
  restart the pods"), sentence by sentence (not in what people report as symptoms);
* alert-rule language ("breached the upper threshold") and questions ("customers ask
  whether they were charged twice": a question to answer, not a fact seen);
* negations: a cue before a failure word ("no DNS errors") and a failure word with a
  healthy predicate ("DNS resolution is fine") become the word ``unaffected``.

The phrases are knowledge data (``observations.yaml``); the evidence shown in reports
keeps the original words. Pure and cached per text by the caller.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from functools import lru_cache

from ..knowledge.schema import Observations
from .prefilter import literal_gate, required_literals

# the kinds of name a token can be (tested on whole tokens, punctuation around stripped)
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\."
                   r"(?:com|net|org|io|dev|app|cloud|internal|local|lan|corp|svc|cluster"
                   r"|eu|us|uk|de|fr|co|ai|sh|tech|shop|store)")
# an instance name: words joined by hyphens ending in a number ("ssl-proxy-2", "web-03")
_INSTANCE = re.compile(r"(?!(?:https?|error|status|code|tls|ssl|sha|utf|iso|rfc|ipv|tcp|udp"
                       r"|p|v)-\d)[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d{1,4}[a-z]?")
_TAG = re.compile(r"[a-z_][\w.-]*:[^\s:]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_EDGES = "()[]{}<>,;\"'`"
# a whitespace-separated token holding a character only names hold ("/:@.-")
_CANDIDATE = re.compile(r"(?<!\S)\S*[/:@.\-]\S*")
# what any kind of name holds somewhere (one search, before any token is looked at)
_NAMEISH = re.compile(r"://|@|/|:(?=[^\s:])|\.(?=[a-z])|-\d")
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+|\s+(?=(?:[-*•]|\d+[.)])\s)")
_COMPOUND = re.compile(r"[-_./\d]")
_BLANK = " "
_NEGATED = "unaffected"
# a word of a clause: a dot only inside it ("1.4x"), never the one that ends a sentence.
# Possessive where Python has it (3.11): every use has white space or nothing after a
# word, so a shorter match of one never succeeds, and giving characters back one by one
# (a group per character) made the negation and health patterns slow on long texts
_WORD = r"(?:[\w/%-]++|\.(?=\w))++" if sys.version_info >= (3, 11) \
    else r"(?:[\w/%-]|\.(?=\w))+"
_CONJUNCTION = r"(?:but|while|whereas|although|though|however|yet|and then)"


class ObservedText:
    """Blanks what is not an observation from texts. The phrases compile once (an
    engine holds one); :meth:`naming` adds one incident's names."""

    def __init__(self, rules: Observations, names: Iterable[str] = ()) -> None:
        rule_patterns = list(rules.rule_language.patterns)
        if rules.questions is not None:  # blanked alike: neither is something seen
            rule_patterns += rules.questions.patterns
        self._rule = _alternation(rule_patterns)
        self._rule_gate = _gate(rule_patterns)
        # instructions open a sentence ("^...": tried at its start only) or name a
        # runbook anywhere in it
        patterns = rules.instructions.patterns
        opens = [p[1:] for p in patterns if p.startswith("^")]
        self._opens = _alternation(opens)
        anywhere = [p for p in patterns if not p.startswith("^")]
        self._anywhere = _alternation(anywhere)
        self._anywhere_gate = _gate(anywhere) if anywhere else None
        # one search says whether any sentence opens with an instruction at all
        self._opens_gate = re.compile(
            r"(?:^|[.!?]\s+|\n)\s*(?:[-*•]\s*|\d+[.)]\s*)?(?:"
            + "|".join(f"(?:{p})" for p in opens) + ")") if opens else None
        negation = rules.negation
        # one cheap search tells whether a costly pattern can match at all
        self._cue_gate = _gate(negation.cues)
        # the healthy pattern puts its predicate after white space: whole words suffice
        literals = required_literals(negation.predicates) or ()
        self._predicate_gate = _Literals((n.strip() for n in literals), words=True) \
            if literals else None
        heads = "|".join(f"(?:{h})" for h in negation.heads)
        cues = "|".join(f"(?:{c})" for c in negation.cues)
        # the cue, up to three words, a failure word, and what it was about ("in the logs")
        self._negated = re.compile(
            rf"(?:{cues})(?:\s+(?:any|new|more|further|real|obvious))?"
            rf"(?:\s+{_WORD}){{0,3}}?\s+(?:{heads})\b(?!\s+since\b)"
            rf"(?:\s+(?:in|on|from|to|for|at|of|with|across)\s+(?:the\s+)?{_WORD})?")
        predicates = "|".join(f"(?:{p})" for p in negation.predicates)
        self._healthy = re.compile(
            rf"(?<!back to )(?<!back to the )(?<![\w-])"
            rf"(?:(?!{_CONJUNCTION}\b){_WORD}\s+){{1,4}}"
            # a comparison with normal is a measurement: "1% of normal", "240x normal"
            r"(?<!\bof )(?<!\bthan )(?<!\dx )(?<!× )(?<!\bvs )(?<!\bversus )"
            rf"(?:{predicates})"
            # a predicate ends its clause: "no healthy upstream" is not "X is healthy"
            r"(?=\s*(?:$|[.,;:!?)]|(?:and|but|while|since|so|now|again|too)\b))")
        found = _compound(names)
        self._names = _names_pattern(found) if found else None
        self._name_needles = _needles(found)

    def _without_instructions(self, text: str) -> str:
        if (self._opens_gate is None or self._opens_gate.search(text) is None) and (
                self._anywhere is None or not _passes(self._anywhere_gate, text)
                or self._anywhere.search(text) is None):
            return text
        parts = _SENTENCES.split(text)
        kept = [part for part in parts if not self._instruction(part)]
        return text if len(kept) == len(parts) else " ".join(kept)

    def _instruction(self, sentence: str) -> bool:
        opens, anywhere = self._opens, self._anywhere
        return (opens is not None and opens.match(sentence.lstrip(" -*•\t")) is not None) \
            or (anywhere is not None and anywhere.search(sentence) is not None)

    def naming(self, names: Iterable[str]) -> ObservedText:
        """The same rules with an incident's own names blanked too (cheap: only the
        names are compiled)."""
        copy = object.__new__(ObservedText)
        copy.__dict__.update(self.__dict__)
        found = _compound(names)
        copy._names = _names_pattern(found) if found else None  # once per incident
        copy._name_needles = _needles(found)
        return copy

    def __call__(self, lowered: str, *, instructions: bool = True) -> str:
        """``lowered`` (a lower-cased text) with what is not an observation blanked."""
        text = lowered
        if self._names is not None and _holds(self._name_needles, text):
            text = self._names.sub(_BLANK, text)
        if _NAMEISH.search(text) is not None:
            text = _blank_names(text)
        if instructions and (self._opens is not None or self._anywhere is not None):
            text = self._without_instructions(text)
        if self._rule is not None and _passes(self._rule_gate, text):
            text = self._rule.sub(_BLANK, text)
        # a failure word with a healthy predicate first: the word a negation leaves
        # ("unaffected") is itself a healthy predicate and must not eat the words before it
        if _passes(self._predicate_gate, text):
            text = self._healthy.sub(_NEGATED, text)
        if _passes(self._cue_gate, text):
            text = self._negated.sub(_NEGATED, text)
        return text


def _is_name(token: str) -> bool:
    """A URL, an e-mail address, a path, a ``key:value`` tag, a host or an instance name."""
    if "://" in token or token.startswith("www."):
        return True
    if "/" in token and (token.startswith("/") or token.count("/") >= 2):
        return True
    if "@" in token:
        return _EMAIL.fullmatch(token) is not None
    if ":" in token[:-1] and _TAG.fullmatch(token):
        return True
    if "." in token and _HOST.fullmatch(token):
        return True
    return "-" in token and _INSTANCE.fullmatch(token) is not None


def _blank_names(text: str) -> str:
    """Each whitespace-separated token that is a name becomes one blank; only the tokens
    that hold a character a name needs are looked at."""
    out: list[str] = []
    position = 0
    for found in _CANDIDATE.finditer(text):
        token = found.group().strip(_EDGES)
        if len(token) >= 3 and _is_name(token.rstrip(".:")):
            out.append(text[position:found.start()])
            out.append(_BLANK)
            position = found.end()
    if not out:
        return text
    out.append(text[position:])
    return "".join(out)


class _Literals:
    """Whether a text holds one of some literals (as whole words with ``words``). A few
    substring tests cost far less than one regex search for the same literals; a
    whole-word gate runs its regex only on a text that holds one of them somewhere."""

    __slots__ = ("needles", "words")

    def __init__(self, literals: Iterable[str], *, words: bool = False) -> None:
        unique = sorted(set(literals), key=len)
        kept: list[str] = []
        for literal in unique:  # one that holds a shorter one is found wherever it is
            if not any(shorter in literal for shorter in kept):
                kept.append(literal)
        self.needles = tuple(kept)
        self.words = literal_gate(unique, words=True) if words else None

    def passes(self, text: str) -> bool:
        for needle in self.needles:
            if needle in text:
                return self.words is None or self.words.search(text) is not None
        return False


def _gate(patterns: list[str]) -> _Literals | None:
    """A search for the literals one of which every match of ``patterns`` holds (None:
    no such literals, the patterns always run)."""
    literals = required_literals(patterns)
    return _Literals(literals) if literals else None


def _passes(gate: _Literals | None, text: str) -> bool:
    return gate is None or gate.passes(text)


def _alternation(patterns: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


def _compound(names: Iterable[str]) -> tuple[str, ...]:
    """The compound names (with a hyphen, dot, underscore, slash or digit: "cert-store-2",
    "pg-orders-1"), lower-cased, longest first; plain words ("payments") may be what a
    text is about."""
    return tuple(sorted({n.lower() for n in names
                         if n and len(n) >= 4 and _COMPOUND.search(n)},
                        key=len, reverse=True)[:300])


def _needles(names: tuple[str, ...]) -> tuple[str, ...] | None:
    """The names to look for as substrings before their pattern runs (None: too many,
    the pattern itself is cheaper)."""
    return names if len(names) <= 16 else None


def _holds(needles: tuple[str, ...] | None, text: str) -> bool:
    return needles is None or any(needle in text for needle in needles)


@lru_cache(maxsize=1024)
def _names_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """``names`` as whole tokens, one pattern per incident (cached: re-triaging the same
    incident compiles nothing)."""
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])")
