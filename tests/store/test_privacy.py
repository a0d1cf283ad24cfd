"""`forget --user` deletes one person's data everywhere; `gaps --clear` one question."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.core import gaps
from bot.store import Store
from bot.store.privacy import USER_COLUMNS
from tests.helpers.data import all_rows, fill_every_table

# Columns that hold ids, but not people's: a tip id, a claim's owning process.
NOT_PEOPLE = {
    ("gaps", "answered_by"),
    ("posts", "owner"),
    ("gap_waiters", "tip_id"),
    ("gap_waiters", "claimed_by"),  # the serving process that is sending the DM
}


def _two_people(db: Path) -> Path:
    store = Store.open(db)
    fill_every_table(store, "UANA1", n=1)
    fill_every_table(store, "UBEN2", channel="C2", n=2)
    store.close()
    return db


def test_every_column_holding_a_user_id_is_covered_by_forget(store):
    found = set()
    for table in store.db.table_names():
        for column in store.db[table].columns_dict:
            if column in ("user", "curator") or column.endswith(("_by", "_user")):
                found.add((table, column))
    assert found - NOT_PEOPLE == set(USER_COLUMNS), "decide what forget does with new columns"


def test_forget_leaves_no_trace_of_the_person_and_keeps_everyone_else(cli, tmp_path):
    db = _two_people(tmp_path / "coach.db")
    before = all_rows(db)
    result = cli("forget", "--user", "UANA1")
    assert result.code == 0, result.err
    assert "Forgot UANA1" in result.out and "votes 1" in result.out
    after = all_rows(db)
    assert "'UANA1'" not in repr(after), "no cell anywhere still holds the id"
    for table, rows in before.items():
        theirs = [r for r in rows if "'UBEN2'" in repr(r)]
        assert all(r in after[table] for r in theirs), f"{table}: UBEN2's rows must stay"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM team_tips").fetchone()[0] == 2, "tips stay"
        assert conn.execute("SELECT COUNT(*) FROM subscriptions").fetchone()[0] == 2
    assert cli("forget", "--user", "UANA1").out.startswith("Nothing stored for UANA1")


def test_forget_also_deletes_what_was_kept_under_the_persons_pseudonym(tmp_path):
    from bot.store.privacy import pseudonym

    store = Store.open(tmp_path / "coach.db")
    store.teach(key="k", question="q", tip_id="t", user=pseudonym("UANA1"), verdict="match")
    store.teach(key="k", question="q", tip_id="t", user=pseudonym("UBEN2"), verdict="match")
    generation = store.learning_state()[0]
    assert store.forget_user("UANA1")["teachings"] == 1
    assert [r["user"] for r in store.teachings()] == [pseudonym("UBEN2")]
    assert store.learning_state()[0] == generation + 1, "every process reloads its lessons"
    store.close()


def test_forget_removes_the_persons_ratings_from_the_tallies(tmp_path):
    db = _two_people(tmp_path / "coach.db")
    store = Store.open(db)
    assert store.tip_tallies()["the-ikea-effect"] == (2, 0)
    store.forget_user("UBEN2")
    assert store.tip_tallies()["the-ikea-effect"] == (1, 0)
    assert store.teachings() and all(r["user"] != "UBEN2" for r in store.teachings())
    store.close()


def test_gaps_clear_forgets_the_question_its_topic_and_who_waits(cli, tmp_path):
    store = Store.open(tmp_path / "coach.db")
    question = "How should we price our AI add-on?"
    for typed in (question, "how should we  PRICE our ai add-on?"):
        gaps.record(store, typed, user="UANA1", log_questions=True, log_users=True)
    store.add_waiter(gaps.topic(question), question, "UBEN2")
    gaps.record(
        store, "what about hiring an ML engineer", user=None, log_questions=True, log_users=False
    )
    store.close()
    result = cli("gaps", "--clear", "how should we price our AI add-on?")
    assert result.code == 0, result.err
    assert "Forgot 2 kept wording(s)" in result.out and "1 request(s)" in result.out
    rows = all_rows(tmp_path / "coach.db")
    assert "price" not in repr(rows["gaps"]).lower() and rows["gap_waiters"] == []
    assert "hiring" in repr(rows["gaps"]), "other questions stay"
    again = cli("gaps", "--clear", question)
    assert again.code == 0 and "No kept question matches" in again.out
