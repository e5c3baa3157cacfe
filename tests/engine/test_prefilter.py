"""The vocabulary prefilter never changes what matches; it only skips hopeless regexes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from opsagent.api import default_knowledge
from opsagent.engine.prefilter import required_literals, word_triggers
from opsagent.engine.vocabulary import TermSet, compile_terms

from ..conftest import ROOT

TERMS = compile_terms(default_knowledge().terms)
TERMSET = TermSet(default_knowledge().terms)
TERMSET.enable_prefilter()


def _unfiltered(text: str) -> list[str]:
    low = text.lower()
    return [t.feature for t in TERMS
            if (t.regex.search(low) if t.lowered else t.regex.search(text))]


def _filtered(text: str) -> list[str]:
    return [t.feature for t in TERMSET.match(text, text.lower())]


def _texts() -> list[str]:
    out: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in sorted(Path(ROOT, "benchmarks", "scenarios").glob("*/*.json")):
        walk(json.loads(path.read_text()))
    for path in sorted(Path(ROOT, "tests", "ingest", "samples").glob("*/*.json")):
        walk(json.loads(path.read_text()))
    return out


def test_prefilter_is_sound_on_every_real_text() -> None:
    texts = _texts()
    assert len(texts) > 1000
    matched = 0
    for text in texts:
        expected = _unfiltered(text)
        assert _filtered(text) == expected, text
        matched += bool(expected)
    assert matched > 300  # the texts do exercise the vocabulary


def test_few_patterns_run_on_every_text() -> None:
    patterns = sum(len(t.patterns) for t in default_knowledge().terms)
    assert patterns > 300
    assert len(TERMSET.always) <= 8  # patterns with no trigger word: every text tries them


_WORDS = ["time", "out", "timed", "error", "db", "dns", "x509", "no", "space", "left", "on",
          "device", "429", "too", "many", "connections", "oom", "killed", "5", "0", "ms",
          "lookup", "expired", "certificate", "not", "yet", "valid", "leap", "Timeout",
          "OOMKilled", "payment", "payments", "failing", "checkout", "cannot", "log", "in",
          "rolled", "back", "vacuum", "api", "returning", "503", "%", "of", "fleet", "down",
          "İstanbul", "café", "upstream", "deadline", "exceeded", "SERVFAIL", "nxdomain"]
_GLUE = [" ", "  ", "-", "_", ".", ": ", "/", "(", ")", "\"", "\n", ""]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_GLUE)), max_size=14))
def test_prefilter_is_sound_on_word_salad(words: list[tuple[str, str]]) -> None:
    text = "".join(word + glue for word, glue in words)
    assert _filtered(text) == _unfiltered(text)


def test_required_literals() -> None:
    assert required_literals([r"\bdeadline[ _]exceeded\b"]) == ("deadline",)
    assert required_literals([r"\b(foo|barbaz)\b"]) == ("foo", "barbaz")
    assert required_literals([r"\d+ ms"]) == (" ms",)
    assert required_literals([r"[a-z]+"]) is None


def test_word_triggers() -> None:
    assert word_triggers([r"\btim(e|ed|ing)[ -]?outs?\b"]) == ("time", "timed", "timing")
    # the parser factors the shared "d" out of both words; the triggers are still whole
    assert word_triggers([r"\bdatabase\b|\bdb\b"]) == ("database", "db")
    assert word_triggers([r"\bdb(s|-\w+)?\b"]) == ("db",)  # a choice with no word after it
    assert word_triggers([r"\b(foo|bar)baz"]) == ("foobaz", "barbaz")
    assert word_triggers([r"\bdeadline[ _]exceeded\b", r"\bx509\b"]) == ("deadline", "x509")
    assert word_triggers([r"timeout"]) is None  # not anchored at a word start
    assert word_triggers([r"\b\w+ api"]) is None
