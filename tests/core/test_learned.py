"""Learned pairs: normalising questions, finding near-identical ones, applying the lesson."""

from __future__ import annotations

import pytest

from bot.core import learned, levels
from bot.core.library import Library

IKEA_Q = "what is the ikea effect"
IKEA = "the-ikea-effect"


@pytest.fixture
def library(knowledge_dir):
    return Library(knowledge_dir)


def row(norm: str, tip_id: str, verdict: str, at: str = "2026-01-01") -> dict:
    return {"norm": learned.normalise(norm), "tip_id": tip_id, "verdict": verdict, "last_at": at}


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("What's  the IKEA effect?", "what s the ikea effect"),
        ("  ＩＫＥＡ effect!!", "ikea effect"),
        ("", ""),
        ("?!", ""),
    ],
)
def test_normalise(raw, norm):
    assert learned.normalise(raw) == norm


def test_a_near_identical_question_finds_the_lesson_and_another_does_not():
    lessons = learned.Lessons([row(IKEA_Q, IKEA, "mismatch")])
    assert lessons.lookup("What is the IKEA effect?").avoid == {IKEA}
    assert lessons.lookup("what is the ikea efect").avoid == {IKEA}
    assert not lessons.lookup("what is the ikea effect for agents in b2b sales")
    assert not lessons.lookup("")


def test_the_nearest_then_latest_verdict_holds():
    lessons = learned.Lessons(
        [
            row(IKEA_Q, IKEA, "match", at="2026-01-01"),
            row("what is the ikea effects", "hackathons", "match", at="2026-01-02"),
            row("what is the ikea effekt", IKEA, "mismatch", at="2026-01-03"),
        ]
    )
    # The exact question taught IKEA as a match; near ones' later verdicts do not undo it.
    assert lessons.lookup(IKEA_Q) == learned.Lesson(prefer=IKEA)
    # Asked the near way, the nearest taught question wins, then the latest.
    assert lessons.lookup("what is the ikea effekts").prefer == "hackathons"
    same = learned.Lessons(
        [row(IKEA_Q, "hackathons", "match", "2026-01-01"), row(IKEA_Q, IKEA, "match", "2026-01-02")]
    )
    assert same.lookup(IKEA_Q).prefer == IKEA


def test_apply_puts_a_confirmed_tip_first_and_sure(library):
    answer = library.matcher.answer("what should I read")
    lesson = learned.Lesson(prefer="hackathons")
    out = learned.apply(answer, lesson, library.base)
    assert out.matches[0][0].id == "hackathons"
    assert levels.level(out) == levels.SURE and out.answered


def test_apply_leaves_out_a_mismatched_tip_and_is_no_longer_sure(library):
    answer = library.matcher.answer(IKEA_Q)
    assert answer.matches[0][0].id == IKEA
    out = learned.apply(answer, learned.Lesson(avoid=frozenset({IKEA})), library.base)
    assert IKEA not in [t.id for t, _ in out.matches]
    assert levels.level(out) == (levels.UNSURE if out.matches else levels.NONE)


def test_apply_ignores_a_preferred_tip_no_longer_in_the_base(library):
    answer = library.matcher.answer(IKEA_Q)
    out = learned.apply(answer, learned.Lesson(prefer="no-such-tip"), library.base)
    assert out.matches[0][0].id == IKEA


def test_record_refuses_an_empty_question(store):
    with pytest.raises(ValueError, match="at least one word"):
        learned.record(store, "  ?! ", IKEA, "mismatch")
    assert store.learned() == []


def test_for_curators_names_gone_tips(store, library):
    learned.record(store, IKEA_Q, "no-such-tip", "match")
    [row_] = learned.for_curators(store, library.base)
    assert row_["title"] is None and "candidate question for no-such-tip" in row_["advice"]


@pytest.mark.parametrize("status", ["draft", "gone"])
def test_apply_never_puts_a_draft_or_retired_tip_first(library, status):
    import dataclasses

    from bot.core.knowledge import KnowledgeBase

    base = KnowledgeBase(
        [dataclasses.replace(t, status=status) if t.id == "hackathons" else t for t in library.base]
    )
    answer = library.matcher.answer(IKEA_Q)
    out = learned.apply(answer, learned.Lesson(prefer="hackathons"), base)
    assert out.matches[0][0].id == IKEA
