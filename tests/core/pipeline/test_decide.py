"""Stage 3: one level per answer, from the fitted models, and the subjects the base lacks."""

from __future__ import annotations

import dataclasses
import json

import pytest

from bot.core.pipeline import fitted, normalise
from bot.core.pipeline.decide import Decider, Topics, features, shape
from bot.core.pipeline.fitted import FEATURES, Logistic, ShapeModel

N = normalise.shipped()
SCORE = FEATURES.index("score")


def model(*, sure: float, unsure: float, suggest: float = 0.0) -> dict[str, ShapeModel]:
    """Models that read only the first tip's rank score (P rises with it), for both shapes."""
    weights = tuple(8.0 if name == "score" else 0.0 for name in FEATURES)
    n = len(FEATURES)
    mean, scale = (0.0,) * n, (1.0,) * n
    part = ShapeModel(
        mean,
        scale,
        Logistic(weights, -8.0, sure),
        Logistic(weights, -8.0, unsure),
        suggest,
    )
    return {"short": part, "long": part}


def decide(engine, text: str, models, surface: str = "slash"):
    decider = Decider(engine.index, engine.decider.topics, engine.config, models)
    found = engine.index.retrieve(N.message(text, surface), limit=6)
    return decider.decide(found, limit=3)


def test_the_level_follows_the_cut_offs(small_engine):
    question = "is a hackathon worth it"
    first = small_engine.index.retrieve(N.message(question, "slash")).candidates[0].score
    p = 1 / (1 + pow(2.718281828, -(8 * first - 8)))
    assert decide(small_engine, question, model(sure=p - 0.01, unsure=0.0)).level == "sure"
    unsure = decide(small_engine, question, model(sure=p + 0.01, unsure=p - 0.01))
    assert unsure.level == "unsure" and unsure.answered and unsure.tip.id == "host-a-hackathon"
    declined = decide(small_engine, question, model(sure=1.0, unsure=1.0, suggest=1.0))
    assert declined.level == "none" and not declined.answered and declined.matches == []
    offered = decide(small_engine, question, model(sure=1.0, unsure=1.0, suggest=0.0))
    assert offered.level == "none" and offered.matches, "closest topics offered on a decline"


@pytest.mark.parametrize("text", ["", "   ", ":wave: <@U123>"])
def test_a_message_without_words_is_an_empty_decline(small_engine, text):
    answer = decide(small_engine, text, model(sure=0, unsure=0))
    assert (answer.level, answer.reason, answer.matches) == ("none", "empty", [])


def test_a_shortcut_or_a_long_message_has_the_long_shape(small_engine):
    config = small_engine.config
    assert shape(N.message("hackathon?", "slash"), config) == "short"
    assert shape(N.message("hackathon?", "shortcut"), config) == "long"
    assert shape(N.message("hackathon?", "mention"), config) == "short", "a short mention"
    assert shape(N.message("word " * config.long_words, "mention"), config) == "short"
    assert shape(N.message("word " * (config.long_words + 1), "dm"), config) == "long"


def test_features_come_in_their_documented_order(small_engine):
    found = small_engine.index.retrieve(N.message("is a hackathon worth it", "slash"))
    topic = small_engine.decider.topics.match(found)
    values = features(found, small_engine.index, topic)
    assert len(values) == len(FEATURES)
    assert values[SCORE] == found.candidates[0].score
    assert values[FEATURES.index("margin")] == found.candidates[0].score - found.candidates[1].score
    assert values[FEATURES.index("topic_hit")] == 1.0


def test_a_decline_names_the_subject_when_the_message_is_clearly_about_it(small_engine):
    answer = decide(small_engine, "how should we price our AI add-on", model(sure=1, unsure=1))
    assert (answer.level, answer.topic) == ("none", "pricing")
    assert answer.matches == [], "nothing unrelated offered beside a named subject"


def test_a_tip_on_the_subject_makes_it_answerable_again(small_tips):
    from bot.core.pipeline.engine import Engine

    pricing = dataclasses.replace(
        small_tips[0],
        id="price-on-outcomes",
        title="Price AI features on outcomes",
        text="Set your pricing on the result the customer gets, not on tokens or seats.",
        tags=("pricing",),
        questions=("how do we price AI", "what pricing model for AI", "how to charge for AI"),
    )
    engine = Engine.build([*small_tips, pricing])
    answer = engine.answer("how should we price our AI add-on")
    assert answer.answered and answer.tip.id == "price-on-outcomes" and answer.topic is None


def test_topics_match_paraphrases_through_the_encoder(small_engine):
    topics: Topics = small_engine.decider.topics
    found = small_engine.index.retrieve(N.message("how much should we charge for it", "slash"))
    assert topics.match(found).name == "pricing"
    found = small_engine.index.retrieve(N.message("the bot keeps making things up", "slash"))
    assert topics.match(found).name == "hallucinations"


def test_the_shipped_model_file_has_every_part(tmp_path, monkeypatch):
    shipped = fitted.load()
    assert shipped.signals == fitted.SIGNALS and shipped.features == FEATURES
    for part in shipped.shapes.values():
        assert 0.0 <= part.suggest <= part.any.threshold <= part.sure.threshold <= 1.0
    data = json.loads((fitted.DATA / "answer_model.json").read_text())
    assert all(set(data["fitted_on"]).isdisjoint({"blind.yaml", "holdout.yaml"}) for _ in [0])


@pytest.mark.parametrize(
    "broken", ["not json", "{}", '{"features": ["x"], "signals": [], "rank_weights": []}']
)
def test_a_broken_model_file_names_the_file_and_the_fix(tmp_path, monkeypatch, broken):
    (tmp_path / "answer_model.json").write_text(broken)
    monkeypatch.setattr(fitted, "DATA", tmp_path)
    fitted.load.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"answer_model.json: unreadable.*fit_answers"):
            fitted.load()
    finally:
        monkeypatch.undo()
        fitted.load.cache_clear()
