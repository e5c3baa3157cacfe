"""The vocabulary prefilter never changes what matches; it only skips hopeless regexes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from opsagent.api import default_knowledge
from opsagent.engine.assess import CompiledTerm, compile_terms
from opsagent.engine.prefilter import required_literals

from ..conftest import ROOT

TERMS = compile_terms(default_knowledge().terms)


def _unfiltered(text: str) -> list[str]:
    low = text.lower()
    return [t.feature for t in TERMS
            if (t.regex.search(low) if t.lowered else t.regex.search(text))]


def _filtered(text: str) -> list[str]:
    low = text.lower()
    return [t.feature for t in TERMS if _passes(t, low)
            and (t.regex.search(low) if t.lowered else t.regex.search(text))]


def _passes(term: CompiledTerm, low: str) -> bool:
    return term.needles is None or term.needles.search(low) is not None


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


def test_most_terms_have_a_prefilter() -> None:
    assert sum(t.needles is not None for t in TERMS) >= len(TERMS) - 2


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["time", "out", "timed", " ", "-", "error", "db", "dns", "x509",
                                 "no", "space", "left", "on", "device", "429", "too", "many",
                                 "connections", "oom", "killed", "5", "0", "ms", "lookup",
                                 "expired", "certificate", "not", "yet", "valid", "leap"]),
                max_size=12))
def test_prefilter_is_sound_on_word_salad(words: list[str]) -> None:
    text = " ".join(words)
    assert _filtered(text) == _unfiltered(text)


def test_required_literals() -> None:
    assert required_literals([r"\bdeadline[ _]exceeded\b"]) == ("deadline",)
    assert required_literals([r"\b(foo|barbaz)\b"]) == ("foo", "barbaz")
    assert required_literals([r"\d+ ms"]) == (" ms",)
    assert required_literals([r"[a-z]+"]) is None
