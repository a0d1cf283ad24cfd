"""Coach.ask, the one path every surface asks through, and Coach.teach's rules."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from bot.core import coach as core
from bot.core.coach import Coach
from bot.core.pipeline import wordlists
from bot.settings import Settings
from tests.helpers.knowledge import SMALL, TWINS, rate, twin_base

QUESTION = "is a hackathon worth it"
HACK = "host-a-hackathon"


@pytest.fixture
def coach(db_path):
    c = Coach.open(Settings(db_path=db_path, knowledge_dir=SMALL))
    yield c
    c.close()


def offered(coach: Coach, question: str = QUESTION, user: str = "U1"):
    """Ask as `user` and keep the offer, as the Slack layer does."""
    answer = coach.ask(question, user=user)
    return answer, coach.offer(answer, user=user, channel="C1")


def test_a_question_is_cut_once_to_max_question(coach):
    padding = "lorem " * 100
    assert coach.settings.max_question == 500
    late = coach.ask(padding + "hackathon")
    assert len(late.question) == 500 and not late.question.endswith("hackathon")
    assert coach.ask("hackathon " + padding).question.startswith("hackathon")


def test_the_teams_ratings_break_a_tie_and_nothing_more(tmp_path, db_path):
    # Two tips with the same words tie exactly; ratings decide which comes first.
    folder = twin_base(tmp_path)
    c = Coach.open(Settings(db_path=db_path, knowledge_dir=folder))
    try:
        before = c.ask(QUESTION, record_gap=False)
        first, second = [t.id for t, _ in before.matches[:2]]
        assert {first, second} == set(TWINS)
        rate(c.store, second, +1)
        rate(c.store, first, -1)
        c._boosts = (float("-inf"), {})  # re-read the ratings now, not in ten seconds
        after = c.ask(QUESTION, record_gap=False)
        assert after.tip.id == second and after.level == before.level
        rate(c.store, "learn-the-basics", +1)  # far behind: a rating never brings it up
        c._boosts = (float("-inf"), {})
        assert c.ask(QUESTION, record_gap=False).tip.id != "learn-the-basics"
    finally:
        c.close()


def test_record_gap_false_keeps_a_try_out_of_the_gaps(coach):
    coach.ask("best pizza near the office", record_gap=False)
    assert coach.store.gaps(limit=5) == []
    coach.ask("best pizza near the office")
    assert len(coach.store.gaps(limit=5)) == 1


def test_teaching_counts_only_from_the_asker_and_only_for_tips_offered(coach):
    answer, offer = offered(coach, user="U1")
    tip = answer.tip.id
    assert coach.teach(offer, ["learn-the-basics"], "mismatch", user="U1") == core.NOT_OFFERED
    assert coach.teach(offer, [tip], "mismatch", user="U2") == core.NOT_YOURS
    assert coach.store.teachings() == []
    assert coach.teach(offer, [tip], "mismatch", user="U1") == core.LEARNED
    assert [t["tip_id"] for t in coach.store.teachings()] == [tip]
    with pytest.raises(ValueError):
        coach.teach(offer, [tip], "maybe", user="U1")


def test_a_persons_lesson_applies_to_them_at_once_and_to_others_after_agreement(coach):
    answer, offer = offered(coach, user="U1")
    tip = answer.tip.id
    coach.teach(offer, [tip], "mismatch", user="U1")
    mine = coach.ask(QUESTION, user="U1")
    assert (mine.level, mine.reason) == ("none", "rejected")
    assert coach.ask(QUESTION, user="U2").tip.id == tip
    _, offer2 = offered(coach, "Is a hackathon worth it?", user="U2")
    coach.teach(offer2, [tip], "mismatch", user="U2")
    assert tip not in [t.id for t, _ in coach.ask(QUESTION, user="U3").matches]


def test_a_curators_decision_is_everyones(coach):
    answer, offer = offered(coach, user="U1")
    key = coach.library.engine.normaliser.key(QUESTION)
    coach.decide_pair(
        key, answer.tip.id, verdict="mismatch", approve=True, curator="UADMIN", question=QUESTION
    )
    assert answer.tip.id not in [t.id for t, _ in coach.ask(QUESTION, user="U7").matches]
    coach.decide_pair(
        key, answer.tip.id, verdict="mismatch", approve=False, curator="UADMIN", question=QUESTION
    )
    assert coach.ask(QUESTION, user="U7").tip.id == answer.tip.id


def test_teaching_is_limited_per_person_per_hour(db_path):
    c = Coach.open(Settings(db_path=db_path, knowledge_dir=SMALL))
    try:
        c.library.current = dataclasses.replace(
            c.library.current,
            engine=dataclasses.replace(
                c.library.engine, config=c.library.engine.config.replace(teach_per_hour=3)
            ),
        )
        outcomes = []
        for team in ("alpha", "bravo", "charlie", "delta", "echo"):
            answer, offer = offered(c, f"is a hackathon worth it for team {team}", user="U1")
            assert answer.matches, "the test needs answers with a tip to reject"
            outcomes.append(c.teach(offer, [answer.matches[0][0].id], "mismatch", user="U1"))
        assert outcomes == [core.LEARNED] * 3 + [core.TOO_MANY] * 2
        answer, offer = offered(c, "is a hackathon worth it for team foxtrot", user="U2")
        assert c.teach(offer, [answer.matches[0][0].id], "mismatch", user="U2") == core.LEARNED
    finally:
        c.close()


def test_nothing_is_taught_when_questions_are_not_kept(db_path):
    c = Coach.open(Settings(db_path=db_path, knowledge_dir=SMALL, log_questions=False))
    try:
        answer, offer = offered(c)
        assert offer.question == "", "the offer keeps no question either"
        assert c.teach(offer, [answer.tip.id], "mismatch", user="U1") == core.NOT_KEPT
        assert c.store.teachings() == []
    finally:
        c.close()


def test_a_person_is_kept_as_a_pseudonym_unless_users_are_logged(db_path):
    c = Coach.open(Settings(db_path=db_path, knowledge_dir=SMALL))
    try:
        assert c.person("U1").startswith("h:") and c.person("U1") == c.person("U1")
        assert c.person("U1") != c.person("U2") and c.person(None) is None
    finally:
        c.close()
    c = Coach.open(Settings(db_path=db_path, knowledge_dir=SMALL, log_users=True))
    try:
        assert c.person("U1") == "U1"
    finally:
        c.close()


def test_another_process_coach_catches_up_with_only_what_changed(db_path):
    a = Coach.open(Settings(db_path=db_path, knowledge_dir=SMALL))
    b = Coach.open(Settings(db_path=db_path, knowledge_dir=SMALL))
    try:
        b.lessons()
        answer, offer = offered(a, user="U1")
        a.teach(offer, [answer.tip.id], "mismatch", user="U1")
        b._lessons_state = (*b._lessons_state[:2], float("-inf"))  # its TTL passed
        assert b.ask(QUESTION, user="U1").reason == "rejected"
        before = b._lessons
        b._lessons_state = (*b._lessons_state[:2], float("-inf"))
        b.lessons()
        assert b._lessons is before, "caught up in place, not reloaded"
        a.store.clear_learned()
        b._lessons_state = (*b._lessons_state[:2], float("-inf"))
        assert b.ask(QUESTION, user="U1").reason == "model", "a clear reaches it too"
    finally:
        a.close()
        b.close()


def test_keys_are_rebuilt_when_the_word_lists_change(db_path):
    c = Coach.open(Settings(db_path=db_path, knowledge_dir=SMALL))
    try:
        answer, offer = offered(c, "is a hackathon worth it", user="U1")
        c.teach(offer, [answer.tip.id], "mismatch", user="U1")
        old_key = c.store.teachings()[0]["key"]
        # A new synonym group changes the key of that question: stored keys must follow.
        groups = (*c.library.lists.synonym_groups, ("value", "worth"))
        lists = c.library.lists.replace(synonym_groups=groups)
        c.library.lists = lists
        c.library.reload()
        c._lessons_state = (-1, -1, float("-inf"))
        assert c.ask("is a hackathon worth it", user="U1").reason == "rejected"
        assert c.store.teachings()[0]["key"] != old_key
        assert wordlists.fingerprint(lists) == c.library.key_version
    finally:
        c.close()


def test_old_learned_pairs_become_one_persons_teachings(tmp_path):
    from sqlite_utils import Database

    from bot.store import Store
    from bot.store.migrations import migrations

    path = tmp_path / "old.db"
    db = Database(path)
    for m in migrations.pending(db):  # apply up to the old learned table only
        if m.name.startswith("m011"):
            break
        m.fn(db)
        db["_sqlite_migrations"].insert(
            {"migration_set": "aipm_coach", "name": m.name, "applied_at": "x"}, alter=True
        )
    db.execute(
        "INSERT INTO learned (norm, tip_id, question, verdict, matched, mismatched, user, "
        "first_at, last_at) VALUES ('x', ?, ?, 'mismatch', 0, 1, 'U5', 'a', 'b')",
        [HACK, QUESTION],
    )
    db.conn.commit()
    db.conn.close()
    Store.open(path).close()
    c = Coach.open(Settings(db_path=path, knowledge_dir=SMALL))
    try:
        c.lessons()
        rows = c.store.teachings()
        assert [(r["tip_id"], r["user"], r["verdict"]) for r in rows] == [(HACK, "U5", "mismatch")]
        assert rows[0]["key"] == c.library.engine.normaliser.key(QUESTION)
        with pytest.raises(sqlite3.OperationalError):
            c.store.db.execute("SELECT * FROM learned")
    finally:
        c.close()
