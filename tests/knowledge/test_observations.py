"""What is not an observation (observations.yaml): every example it gives is tested.

``drops`` examples would fire failure vocabulary as written, and fire none once the
engine has blanked what is not an observation; ``keeps`` examples fire the same
vocabulary either way."""

from __future__ import annotations

import pytest

from opsagent.engine.observed import ObservedText
from opsagent.engine.vocabulary import TermSet
from opsagent.knowledge.loader import load_knowledge

KB = load_knowledge()
assert KB.observations is not None
RULES = KB.observations
TERMS = TermSet(KB.terms)
OBSERVED = ObservedText(RULES, names=["ssl-gateway", "pg-orders-1"])
NOT_FAILURE = {"text.no_impact"}


def features(text: str) -> set[str]:
    lowered = text.lower()
    return {t.feature for t in TERMS.match(lowered, lowered)}


def observed_features(text: str) -> set[str]:
    cleaned = OBSERVED(text.lower())
    return {t.feature for t in TERMS.match(cleaned, cleaned)}


DROPS = [(part, text) for part in ("rule_language", "instructions", "negation")
         for text in getattr(RULES, part).drops]
KEEPS = [(part, text) for part in ("rule_language", "instructions", "negation")
         for text in getattr(RULES, part).keeps]
NAMES = ["latency on host:redis-cache-3 is up",  # a key:value tag
         "GET https://panel.example.com/dns/zones/edit took 9.8s",  # a URL
         "GET /v2/dns/zones/edit took 9.8s",  # a path
         "ssl-proxy-2 restarted",  # an instance name
         "ssl-gateway restarted"]  # a name of the incident's own


@pytest.mark.parametrize(("part", "text"), DROPS)
def test_what_is_not_an_observation_fires_no_failure_word(part: str, text: str) -> None:
    assert features(text) - NOT_FAILURE, f"{part}: {text!r} fires nothing even as written"
    assert observed_features(text) <= NOT_FAILURE, f"{part}: {OBSERVED(text.lower())!r}"


@pytest.mark.parametrize(("part", "text"), KEEPS)
def test_observations_keep_their_failure_words(part: str, text: str) -> None:
    assert features(text) - NOT_FAILURE, f"{part}: {text!r} fires nothing even as written"
    assert features(text) <= observed_features(text), f"{part}: {OBSERVED(text.lower())!r}"


@pytest.mark.parametrize("text", NAMES)
def test_names_hosts_urls_and_tags_are_not_read_for_vocabulary(text: str) -> None:
    assert features(text) - NOT_FAILURE, f"{text!r} fires nothing even as written"
    assert observed_features(text) <= NOT_FAILURE, OBSERVED(text.lower())


def test_a_plain_word_name_is_still_read() -> None:
    observed = ObservedText(RULES, names=["payments", "checkout-service"])
    assert "payments" in observed("payments are failing")
    assert "checkout-service" not in observed("checkout-service returns 503")


TERM_EXAMPLES = [(term.feature, text, True) for term in KB.terms
                 for text in term.examples.match] + \
                [(term.feature, text, False) for term in KB.terms
                 for text in term.examples.no_match]


@pytest.mark.parametrize(("feature", "text", "matches"), TERM_EXAMPLES)
def test_every_vocabulary_example_matches_or_not_as_the_engine_reads_it(
        feature: str, text: str, matches: bool) -> None:
    assert (feature in observed_features(text)) is matches, OBSERVED(text.lower())


def test_new_judgement_words_carry_examples_both_ways() -> None:
    for feature in ("text.recovered", "text.ongoing"):
        term = next(t for t in KB.terms if t.feature == feature)
        assert term.examples.match and term.examples.no_match, feature
