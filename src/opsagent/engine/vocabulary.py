"""The vocabulary matcher: the terms of the failure vocabulary compiled once per engine,
and the prefilter that keeps matching cheap on alert storms (see :mod:`.prefilter`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..knowledge.schema import Term
from .prefilter import required_literals, trie_pattern, word_triggers


@dataclass(frozen=True, slots=True)
class CompiledTerm:
    feature: str
    regex: re.Pattern[str]
    strength: float
    dependency: str | None
    lowered: bool  # True: match against the lower-cased text, without IGNORECASE

    def search(self, text: str, lowered: str) -> bool:
        return (self.regex.search(lowered) if self.lowered else self.regex.search(text)) \
            is not None


@dataclass(frozen=True, slots=True)
class _Piece:
    """One pattern of a term, run only when the prefilter lets it through."""

    term: int  # position of its term
    compiled: CompiledTerm  # the pattern alone
    needles: tuple[str, ...] | None  # one of them is in every match (None: no check)


_ESCAPE = re.compile(r"\\.")


def _compile(term: Term, pattern: str) -> CompiledTerm:
    """A pattern written in lower case (the usual) runs case-sensitively against the
    lower-cased text, about twice as fast as IGNORECASE; a pattern with upper-case
    letters keeps IGNORECASE semantics."""
    lower_only = not any(c.isupper() for c in _ESCAPE.sub("", pattern))
    return CompiledTerm(term.feature, re.compile(pattern, 0 if lower_only else re.IGNORECASE),
                        term.strength, term.dependency, lower_only)


def compile_terms(terms: Iterable[Term]) -> tuple[CompiledTerm, ...]:
    """Each term's patterns as one regex."""
    return tuple(_compile(term, "|".join(f"(?:{p})" for p in term.patterns)) for term in terms)


class TermSet:
    """The compiled vocabulary of one engine.

    Without the prefilter, every term's regex searches every text. With it (see
    :mod:`.prefilter`), each pattern runs alone. Most patterns only match starting at a
    word that begins with one of their trigger words (``\\btime(d|s)? ?out`` at a word
    starting ``time``): one scan of the text finds those words, and the pattern is tried
    only at their positions. The few patterns without a trigger word search the text
    when it holds one of their required literals. A term already matched skips its other
    patterns. The prefilter costs about as much to build as the regexes themselves, so
    it is built only once the engine has read enough text to profit from it (batch runs,
    alert storms); a one-shot CLI run skips it. Results are the same with and without
    it."""

    PREFILTER_AFTER = 300  # texts

    def __init__(self, terms: Iterable[Term]) -> None:
        self._source = tuple(terms)
        self.terms = compile_terms(self._source)
        self._seen = 0
        self._pieces: tuple[_Piece, ...] = ()
        self._scanner: re.Pattern[str] | None = None  # finds trigger words
        # trigger word -> (term, the regex's match method) of each pattern it may start
        self._by_trigger: dict[str, tuple[tuple[int, Callable[[str, int], Any]], ...]] = {}
        self.always: tuple[int, ...] = ()  # pieces without a trigger word
        self._always_gate: tuple[str, ...] | None = None  # any of their literals

    def count(self, texts: int) -> None:
        if self._seen < self.PREFILTER_AFTER <= self._seen + texts:
            self.enable_prefilter()
        self._seen += texts

    def enable_prefilter(self) -> None:
        pieces: list[_Piece] = []
        by_trigger: dict[str, list[int]] = {}
        always: list[int] = []
        gate_literals: list[str] | None = []
        for position, term in enumerate(self._source):
            for pattern in term.patterns:
                compiled = _compile(term, pattern)
                triggers = word_triggers([pattern]) if compiled.lowered else None
                literals = required_literals([pattern]) if compiled.lowered and not triggers \
                    else None
                needles = tuple(literals) if literals else None
                index = len(pieces)
                pieces.append(_Piece(position, compiled, needles))
                if not triggers:
                    always.append(index)
                    if literals and gate_literals is not None:
                        gate_literals.extend(literals)
                    else:
                        gate_literals = None
                for trigger in triggers or ():
                    by_trigger.setdefault(trigger, []).append(index)
        # a word that starts with a longer trigger also starts with every shorter one
        # that is its prefix: the scanner reports the longest, which stands for them all
        self._by_trigger = {}
        for trigger in by_trigger:
            started = {i for end in range(1, len(trigger) + 1)
                       for i in by_trigger.get(trigger[:end], ())}
            self._by_trigger[trigger] = tuple((pieces[i].term, pieces[i].compiled.regex.match)
                                              for i in sorted(started))
        self._scanner = re.compile(r"\b" + trie_pattern(by_trigger)) if by_trigger else None
        self._pieces = tuple(pieces)
        self.always = tuple(always)
        # one search tells whether any of them can match (when each has its literals)
        self._always_gate = tuple(gate_literals) \
            if gate_literals is not None and gate_literals else None

    def match(self, text: str, lowered: str) -> tuple[CompiledTerm, ...]:
        """The terms that match ``text`` (``lowered`` is its lower-case form), in
        vocabulary order."""
        terms = self.terms
        if not self._pieces:
            return tuple(t for t in terms if t.search(text, lowered))
        pieces = self._pieces
        hit: set[int] = set()
        gate = self._always_gate
        # literals are looked for as substrings: far cheaper than a regex of them
        for index in self.always if gate is None or _holds(gate, lowered) else ():
            piece = pieces[index]
            if piece.term in hit:
                continue
            if piece.needles is not None and not _holds(piece.needles, lowered):
                continue
            if piece.compiled.search(text, lowered):
                hit.add(piece.term)
        if self._scanner is not None:
            by_trigger = self._by_trigger
            for found in self._scanner.finditer(lowered):
                where = found.start()
                for term, attempt in by_trigger[found.group()]:
                    # every match of the pattern starts at one of its trigger words
                    if term not in hit and attempt(lowered, where) is not None:
                        hit.add(term)
        return tuple([terms[i] for i in sorted(hit)]) if hit else ()


def _holds(needles: tuple[str, ...], text: str) -> bool:
    return any(needle in text for needle in needles)
