"""Stage 2: retrieval over the small test base; the pruned index against its naive twin."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.pipeline import normalise
from bot.core.pipeline.config import DEFAULT
from bot.core.pipeline.fitted import SIGNALS
from bot.core.pipeline.retrieve import Index, Lexical, rarity, unknown_cost

N = normalise.shipped()


def ranked(engine, text: str, surface: str = "slash") -> list[str]:
    found = engine.index.retrieve(N.message(text, surface), limit=3)
    return [c.tip.id for c in found.candidates]


def test_a_paraphrase_of_a_curated_question_finds_its_tip(small_engine):
    assert ranked(small_engine, "where can I learn how LLMs work")[0] == "learn-the-basics"
    assert ranked(small_engine, "do hobby projects help me get a job")[0] == "build-a-portfolio"


def test_a_typo_is_tolerated(small_engine):
    assert ranked(small_engine, "hackaton for the whole compnay")[0] == "host-a-hackathon"


def test_a_question_inside_a_long_message_is_found(small_engine):
    text = (
        "Kicking off the planning cycle next week and the team is stretched thin.\n"
        "Should the assistant send the follow-up emails by itself or let people edit them?"
    )
    assert ranked(small_engine, text, "mention")[0] == "leave-users-control"


def test_every_candidate_has_every_signal_and_a_weighted_score(small_engine):
    found = small_engine.index.retrieve(N.message("hackathon", "slash"), limit=6)
    weights = small_engine.index.weights
    for c in found.candidates:
        assert len(c.signals) == len(SIGNALS) and all(0.0 <= s <= 1.0 for s in c.signals)
        assert abs(c.score - sum(w * s for w, s in zip(weights, c.signals, strict=True))) < 1e-9
    scores = [c.score for c in found.candidates]
    assert scores == sorted(scores, reverse=True)


def test_drafts_are_never_indexed(small_engine):
    assert "a-draft-tip" not in {t.id for t in small_engine.tips}


def test_ties_are_broken_by_tip_id(small_tips):
    same = [
        t.__class__(**{**t.__dict__, "id": i})
        for t, i in ((small_tips[0], "b"), (small_tips[0], "a"))
    ]
    index = Index(same, normaliser=N, config=DEFAULT, encoder=None, weights=(1, 0, 0))
    found = index.retrieve(N.message(small_tips[0].questions[0], "slash"), limit=2)
    assert [c.tip.id for c in found.candidates] == ["a", "b"]


def test_without_the_encoder_the_lexical_signals_alone_rank(small_tips):
    config = DEFAULT.replace(semantic=False)
    index = Index(small_tips, normaliser=N, config=config, encoder=None, weights=(1, 1, 1))
    found = index.retrieve(N.message("is a hackathon worth it", "slash"), limit=3)
    assert found.candidates[0].tip.id == "host-a-hackathon"
    assert all(c.signals[1:] == (0.0, 0.0) for c in found.candidates)
    assert index.retrieve(N.message("zzzz qqqq", "slash")).candidates == []


def test_unknown_words_are_weighed_by_how_rare_they_are_in_english():
    assert unknown_cost("tomorrow") < 0.2 < 0.9 < unknown_cost("soc2")
    assert rarity("the") == 0.1 and rarity("hackathon") == 1.0
    assert rarity("walk and chew gum") == rarity("chew")


WORDS = ["hackathon", "experiment", "users", "control", "ai", "learn", "models", "hire", "team"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
def test_the_pruned_index_scores_its_candidates_as_the_naive_one_does(small_tips, words):
    # At scale, common terms only add to candidates rarer terms found. Forced on here (every
    # term of 2+ tips is "common"), it must agree exactly with scanning everything on every
    # tip it keeps.
    text = " ".join(words)
    pruned = Lexical(small_tips, N, DEFAULT.replace(common_share=0.0, common_min_tips=1))
    naive = Lexical(small_tips, N, DEFAULT.replace(common_min_tips=10**9))
    a, b = pruned.query(text).scores, naive.query(text).scores
    assert set(a) <= set(b)
    for doc, score in a.items():
        assert abs(score - b[doc]) < 1e-12
