"""Every number the answer pipeline uses, in one frozen object with a documented default."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AnswerConfig:
    """The answer pipeline's parameters. `AnswerConfig()` is what the bot ships with.

    Retrieval, lexical (BM25F over a tip's fields, `retrieve.Lexical`):
        field_weights: how much a term in each field counts (title, tags, curated questions,
            text); a curated question is the strongest evidence after the title.
        field_b: BM25 length normalisation per field (0 = none, 1 = full).
        saturation: a term's credit is wtf / (wtf + saturation): one plain text mention earns
            about two thirds, repeats add little.
        plain_word_weight: a word no title, tag or synonym uses ("meeting", "day") is weak
            proof: it earns this share, more if it is rare in English.
        coverage_share: lexical score = share * coverage + (1 - share) * nearest curated
            question cosine, or the coverage alone when higher.
        evidence_idf: matched IDF mass needed for full lexical confidence (one fairly rare
            word).
        fuzzy_ratio: rapidfuzz ratio from which an unknown word is read as a typo of a word
            the base knows (words of 5+ letters; 4-letter words need 5 points more); 100 or
            more turns typo correction off.
        max_query_terms: terms of a message looked at (a message is cut, never refused).
        common_share, common_min_tips: at scale, a term in more than this share of tips (and
            in at least `common_min_tips`) only adds to the candidates rarer terms found, so a
            message never walks the whole base; below that every term finds candidates.

    Retrieval, semantic (`semantic.Encoder`, `retrieve.Index`):
        semantic: use the sentence encoder at all (False: lexical only).
        semantic_candidates: tips whose every curated question is compared with the message
            (the best by lexical and whole-tip similarity); all of them in a small base.

    Fitted (`fitted`, written by `python -m benchmarks.fit_answers` from the tuning sets):
        model_file: the rank weights (a tip's score is the weighted sum of its signals) and
            the decision models, one per message shape, under bot/core/data/.

    Decision (`decide`):
        long_words: a message of more words than this (or a shortcut) has the long shape.
        suggestion_floor: on a decline, tips scoring under this (0..1) are not offered as
            "closest topics".
        topic_margin: a decline topic wins when its similarity to the message beats the best
            tip's by this much.
        topic_floor: ... and is at least this (cosine).

    Adjustment (`adjust`):
        boost_points: how far a team rating (-1..1) may move a tip's score, as a share of the
            first tip's: only enough to reorder near-ties.
        agree_users: distinct people who must teach the same verdict on a question and tip,
            with nobody disagreeing, before everyone's answers change.
        teach_per_hour: lessons one person may teach in an hour; later clicks are thanked but
            not learned.
        offer_days: days a button under an answer stays valid for teaching and sharing.
    """

    field_weights: dict[str, float] = field(
        default_factory=lambda: {"title": 3.0, "tags": 2.0, "questions": 2.5, "text": 1.0}
    )
    field_b: float = 0.5
    saturation: float = 0.5
    plain_word_weight: float = 0.6
    coverage_share: float = 0.5
    evidence_idf: float = 1.6
    fuzzy_ratio: float = 80.0
    max_query_terms: int = 40
    common_share: float = 0.05
    common_min_tips: int = 200

    semantic: bool = True
    semantic_candidates: int = 50

    model_file: str = "answer_model.json"

    long_words: int = 15
    suggestion_floor: float = 0.12
    topic_margin: float = 0.0
    topic_floor: float = 0.5

    boost_points: float = 0.02
    agree_users: int = 2
    teach_per_hour: int = 30
    offer_days: int = 30

    def replace(self, **changes) -> AnswerConfig:
        """A copy with some parameters changed (for tests, benchmarks and ablations)."""
        return dataclasses.replace(self, **changes)


DEFAULT = AnswerConfig()
