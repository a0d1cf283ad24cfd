"""The three answer levels (sure / unsure / none) and the fitted model behind them."""

from __future__ import annotations

import json

import pytest

from bot.core import confidence, knowledge
from bot.core.matcher import Matcher
from tests.conftest import SHIPPED_KNOWLEDGE


@pytest.fixture(scope="module")
def shipped() -> Matcher:
    return Matcher(knowledge.load(SHIPPED_KNOWLEDGE).live_tips)


def test_a_clear_question_is_answered_sure(shipped):
    got = shipped.answer("what is the ikea effect")
    assert got.confidence == "sure" and got.answered
    assert "ikea" in got.matches[0][0].title.lower()


def test_a_vague_question_is_unsure_and_still_shows_a_tip_first(shipped):
    got = shipped.answer("what does an ai pm do")
    assert got.confidence == "unsure"
    assert got.answered and got.matches
    assert len(got.matches) <= 3


def test_an_off_topic_question_is_declined_without_unrelated_suggestions(shipped):
    got = shipped.answer("write me a haiku about mondays")
    assert got.confidence == "none" and not got.answered
    assert got.matches == []  # no "haiku -> prototyping"
    assert got.topic is None


def test_levels_follow_the_model_cut_offs():
    model = confidence.Model(weights=(1.0, 0.0, 0.0, 0.0, 0.0), bias=0.0, sure=0.7, unsure=0.55)
    specific = [0.0, 0.0, 0.0, 1.0, 0.0]
    assert model.level([3.0, *specific[1:]]) == "sure"  # P = 0.95
    assert model.level([0.5, *specific[1:]]) == "unsure"  # P = 0.62
    assert model.level([-3.0, *specific[1:]]) == "none"  # P = 0.05


def test_no_specific_word_matched_means_no_answer_whatever_the_score():
    model = confidence.Model(weights=(10.0, 0.0, 0.0, 0.0, 0.0), bias=0.0, sure=0.7, unsure=0.5)
    assert model.level([1.0, 1.0, 1.0, 0.0, 0.0]) == "none"


def test_fit_learns_the_direction_of_a_separable_feature():
    rows = [[x / 10, 1.0] for x in range(10)]
    labels = [int(x >= 5) for x in range(10)]
    w, b = confidence.fit(rows, labels)
    model = confidence.Model(tuple(w), b, 0.5, 0.5)
    assert w[0] > 0
    assert model.probability([0.9, 1.0]) > 0.5 > model.probability([0.1, 1.0])


def test_shipped_model_has_a_weight_per_feature_and_ordered_cut_offs():
    data = json.loads(confidence.MODEL_FILE.read_text(encoding="utf-8"))
    assert set(data["weights"]) == set(confidence.FEATURES)
    assert 0 < data["unsure"] <= data["sure"] < 1
    assert "holdout" in data["fitted_by"]  # says it was never fitted on the held-out set


def test_a_broken_model_file_names_the_file_and_the_fix(tmp_path, monkeypatch):
    bad = tmp_path / "confidence.json"
    bad.write_text('{"weights": {"best": 1.0}}', encoding="utf-8")
    monkeypatch.setattr(confidence, "MODEL_FILE", bad)
    confidence.model.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"confidence\.json.*fit_confidence"):
            confidence.model()
    finally:
        monkeypatch.undo()
        confidence.model.cache_clear()


def test_a_phrase_is_as_specific_as_its_most_specific_word():
    from bot.core.matcher import rarity

    # "ai pm" names this whole base; it must not count as rare as "hackathon" does.
    assert rarity("ai pm") == max(rarity("ai"), rarity("pm")) < rarity("hackathon")
    assert rarity("walk and chew gum") == rarity("chew")


def test_rows_a_decline_topic_settles_are_left_out_of_the_fit():
    from benchmarks.fit_confidence import modelled

    features = [0.9, 0.5, 1.0, 1.0, 0.0]
    assert modelled({"x": features, "topic": None})
    assert not modelled({"x": features, "topic": "pricing"})
    assert not modelled({"x": [0.9, 0.5, 1.0, 0.0, 0.0], "topic": None})  # gated out


def test_bm25_agreement_features_say_whether_the_second_ranker_backs_the_first_tip():
    from bot.core.knowledge import Source, Tip

    source = Source(note="n", timestamp="00:01", url="https://example.com/v")
    tips = [
        Tip(
            id="ikea",
            title="The Ikea effect",
            text="Leave users some control, like cake mix.",
            tags=("ux",),
            questions=("what is the ikea effect",),
            source=source,
        ),
        Tip(
            id="hack",
            title="Run AI hackathons",
            text="A hackathon makes AI approachable.",
            tags=("culture",),
            questions=("should we run a hackathon",),
            source=source,
        ),
    ]
    agree = confidence.FEATURES.index("bm25_agree")
    margin = confidence.FEATURES.index("bm25_margin")
    clear = Matcher(tips).answer("tell me about the ikea effect and cake mix").features
    assert clear[agree] == 1.0 and clear[margin] > 0.5
    # Both rankers see both tips equally: BM25 has no clear leader to back either.
    split = Matcher(tips).answer("ikea hackathon").features
    assert split[margin] < clear[margin]
