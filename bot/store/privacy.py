"""Deleting one person's data or one question: `forget --user U…` and `gaps --clear QUESTION`.

`USER_COLUMNS` names every column that holds a Slack user id and what forgetting does to
it: rows that are the person's own (their votes, ratings, questions, waits, tips given
to them, learned pairs) are deleted; rows that are the team's (a subscription, a shared
answer, a team tip and its versions) stay with the person's id removed.
tests/store/test_privacy.py fails when a table gains a user column not listed here.
"""

from __future__ import annotations

import hashlib

from bot.store.db import Connection

DELETE, ANONYMISE = "delete", "anonymise"


def pseudonym(user: str) -> str:
    """How a person is kept where user ids are not (COACH_LOG_USERS=0): a stable digest.

    Teachings and offers need to tell one person from another; this tells them apart
    without keeping the id. `forget_user` deletes rows under either form.
    """
    return "h:" + hashlib.sha256(f"aipm-coach:{user}".encode()).hexdigest()[:20]


# (table, column) -> what `forget_user` does with a matching row.
USER_COLUMNS: dict[tuple[str, str], str] = {
    ("votes", "user"): DELETE,
    ("ratings", "user"): DELETE,
    ("gaps", "user"): DELETE,
    ("gap_waiters", "user"): DELETE,
    ("served", "user"): DELETE,
    ("teachings", "user"): DELETE,
    ("offers", "user"): DELETE,
    ("learned_pairs", "curator"): ANONYMISE,
    ("subscriptions", "created_by"): ANONYMISE,
    ("shares", "user"): ANONYMISE,
    ("team_tips", "created_by"): ANONYMISE,
    ("team_tips", "updated_by"): ANONYMISE,
    ("team_tip_versions", "edited_by"): ANONYMISE,
    ("curators", "user"): DELETE,  # a forgotten person curates no more (until made again)
    ("curators", "added_by"): ANONYMISE,
}


class PrivacyTable(Connection):
    """Forgetting a person, or a question."""

    def forget_user(self, user: str) -> dict[str, int]:
        """Delete `user`'s own rows and remove their id from the team's; rows touched per table.

        One transaction: all of it happens or none of it. Tables a migration has not made
        yet are skipped.
        """
        counts: dict[str, int] = {}
        forms = [user, pseudonym(user)]
        with self.transaction() as db:
            tables = set(db.table_names())
            if {"asked", "offers"} <= tables:  # their questions, before their offers go
                blanked = db.execute(
                    "UPDATE asked SET question = '' WHERE question != '' AND offer_id IN "
                    "(SELECT id FROM offers WHERE user IN (?, ?))",
                    forms,
                ).rowcount
                if blanked:
                    counts["asked"] = blanked
            for (table, column), action in USER_COLUMNS.items():
                if table not in tables:
                    continue
                if action == DELETE:
                    sql = f'DELETE FROM "{table}" WHERE "{column}" IN (?, ?)'
                else:
                    sql = f'UPDATE "{table}" SET "{column}" = NULL WHERE "{column}" IN (?, ?)'
                touched = db.execute(sql, forms).rowcount
                if touched:
                    counts[table] = counts.get(table, 0) + touched
            if counts.get("teachings") and "meta" in tables:  # learning readers reload
                db.execute(
                    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 "
                    "WHERE setting = 'learned_generation'"
                )
        return counts

    def clear_gap(self, question: str, topic: str) -> dict[str, int]:
        """Delete an unanswered question: every kept wording of it and who waits for it.

        Deletes the `gaps` rows whose question is `question` (case and spacing aside) or
        whose topic is `topic` (the grouping `gaps` shows), and the `gap_waiters` rows of
        those topics, and blanks that wording in `asked` (its counts stay); returns rows
        touched per table.
        """
        norm = _norm(question)
        with self.transaction() as db:
            rows = list(db.query("SELECT id, topic, question FROM gaps"))
            rows += [{"id": None, **r} for r in db.query("SELECT topic, question FROM gap_waiters")]
            topics = sorted({topic} | {r["topic"] for r in rows if _norm(r["question"]) == norm})
            ids = [r["id"] for r in rows if r["id"] is not None and _norm(r["question"]) == norm]
            gaps = db.execute(
                f"DELETE FROM gaps WHERE topic IN ({_marks(topics)}) OR id IN ({_marks(ids)})",
                [*topics, *ids],
            ).rowcount
            waiters = db.execute(
                f"DELETE FROM gap_waiters WHERE topic IN ({_marks(topics)})", topics
            ).rowcount
            asked = [
                r["id"]
                for r in db.query("SELECT id, question FROM asked WHERE question != ''")
                if _norm(r["question"]) == norm
            ]
            db.execute(f"UPDATE asked SET question = '' WHERE id IN ({_marks(asked)})", asked)
        return {"gaps": gaps, "gap_waiters": waiters, "asked": len(asked)}


def _norm(text: str | None) -> str:
    return " ".join((text or "").lower().split())


def _marks(values: list) -> str:
    return ", ".join("?" for _ in values) or "NULL"
