"""The engine's shortcuts give the same answers as the plain way: substring gates
before regexes, possessive words in the negation and health patterns."""

from __future__ import annotations

import random
import re

import pytest

from opsagent.engine import observed
from opsagent.knowledge import load_knowledge
from opsagent.names import ENVIRONMENT_WORDS, environment_in_name

PLAIN_WORD = r"(?:[\w/%-]|\.(?=\w))+"

TEXTS = [
    "dns resolution is fine",
    "no errors in the logs since the deploy",
    "the primary db-1.internal is healthy, but replicas lag",
    "p99 was 1.4x. fine now",
    "error rate back to normal and stable",
    "latency stayed flat at 300ms",
    "certificate valid until 2026-04-01",
    "not seeing any new timeouts on checkout",
    "payments look ok / refunds within the slo",
    "no healthy upstream",
    "cpu is within its limits; memory remains steady",
    "haven't seen failures. errors are gone -- all green",
]


def _fuzzed(count: int) -> list[str]:
    words = ["is", "are", "was", "fine", "normal", "ok", "healthy", "no", "errors", "error",
             "timeouts", "in", "the", "logs", "db-1", "a.b", "5%", "x/y", ".", ",", ";",
             "back", "to", "and", "but", "since", "not", "seeing", "within", "objective",
             "stable", "flat", "at", "3", "valid", "until", "2026-01-01", "-", "--", "...",
             ":", "(", ")", "\n"]
    rnd = random.Random(7)
    return [" ".join(rnd.choice(words) for _ in range(rnd.randint(1, 25)))
            for _ in range(count)]


@pytest.mark.skipif(observed._WORD == PLAIN_WORD, reason="Python without possessive repeats")
def test_possessive_words_change_no_blanking() -> None:
    rules = observed.ObservedText(load_knowledge().observations)
    for pattern in (rules._healthy, rules._negated):
        assert observed._WORD in pattern.pattern
        plain = re.compile(pattern.pattern.replace(observed._WORD, PLAIN_WORD))
        for text in TEXTS + _fuzzed(3000):
            assert pattern.sub("#", text) == plain.sub("#", text), text


def test_literal_gates_agree_with_their_regex() -> None:
    literals = ["fine", "ok", "as usual", "within ", "no"]
    words = observed._Literals(literals, words=True)
    anywhere = observed._Literals(literals)
    word_regex = observed.literal_gate(literals, words=True)
    for text in TEXTS + _fuzzed(2000) + ["looking good", "token", "nothing", "okay"]:
        assert words.passes(text) == (word_regex.search(text) is not None), text
        assert anywhere.passes(text) == any(x in text for x in literals), text


def test_environment_words_all_pass_the_substring_check() -> None:
    for word, environment in ENVIRONMENT_WORDS.items():
        assert environment_in_name(f"shop-{word}-1") == environment
    assert environment_in_name("products-api") is None
    assert environment_in_name("pre-prod-eu") == "preprod"
