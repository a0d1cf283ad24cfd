"""Tests for bot.core.text: words, stemming, synonyms, stop words."""

from __future__ import annotations

import pytest

from bot.core import text


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("prototyping", "prototypes"),
        ("prototype", "prototyped"),
        ("hackathons", "hackathon"),
        ("managers", "management"),
        ("flavours", "flavors"),
        ("magical", "magic"),
        ("companies", "company"),
        ("iterating", "iteration"),
    ],
)
def test_stem_folds_word_forms_together(a, b):
    assert text.stem(a) == text.stem(b)


def test_derived_forms_the_stemmer_keeps_apart_meet_through_synonyms():
    # Snowball stems "experimentation" to "experiment" but "experiments" to "experi".
    assert text.term_list("experimentation") == text.term_list("experiments")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("user", "use"),
        ("ikea", "idea"),
        ("agent", "urgent"),
        ("business", "busy"),
        ("generic", "general"),
        ("news", "new"),
        ("data", "date"),
    ],
)
def test_stem_keeps_different_words_apart(a, b):
    assert text.stem(a) != text.stem(b)


@pytest.mark.parametrize("word", ["ai", "v0", "日本語", "привет", "gpt4"])
def test_stem_leaves_short_and_non_latin_words_alone(word):
    assert text.stem(word) == word


def test_words_lowercases_cuts_possessives_and_drops_slack_mentions():
    assert text.words("Karpathy's <!channel> LLMs <@U123> Ikea’s") == ["karpathy", "llms", "ikea"]


@pytest.mark.parametrize(
    ("phrase", "same_as"),
    [
        ("large language models", "LLM"),
        ("ChatGPT", "chat gpt"),
        ("mockups", "prototype"),
        ("wireframe", "prototypes"),
        ("hack day", "hackathon"),
        ("KPIs", "metrics"),
        ("AI product manager", "AI PM"),
        ("AI PMs", "ai pm"),
        ("machine learning", "ML"),
    ],
)
def test_synonyms_fold_to_one_term(phrase, same_as):
    assert text.term_list(phrase) == text.term_list(same_as)
    assert len(text.term_list(phrase)) == 1


def test_foundation_model_phrase_wins_over_single_word():
    assert text.term_list("foundation model") == text.term_list("LLM")
    assert text.term_list("foundations") != text.term_list("LLM")


def test_stop_words_are_dropped():
    assert text.term_list("how do I do it with the") == []
    assert text.term_list("what is the ikea effect") == text.term_list("ikea")
    assert text.term_list("what about the cursor") == [text.stem("cursor")]


def test_terms_remember_the_words_they_came_from():
    got = text.terms("building large language models")
    assert [t.word for t in got] == ["building", "large language models"]


@pytest.mark.parametrize(
    "value", ["", "   ", "😀🎉", "!!!???", "<!channel>", "x" * 10_000, "日本語のテキスト", "مرحبا"]
)
def test_odd_input_never_crashes(value):
    assert isinstance(text.terms(value), list)


def test_the_word_caches_stay_small_whatever_words_come():
    import random

    from bot.core import text

    rng = random.Random(7)
    for _ in range(3 * text.WORD_CACHE):
        text.terms("how do we " + "".join(rng.choice("bcdfghjklmnpqrstvwxz") for _ in range(9)))
    assert text.stem.cache_info().currsize <= 8192
    assert text._single.cache_info().currsize <= 8192
