"""Learning tables: each person's verdicts (`teachings`) and curators' decisions (`learned_pairs`).

Every write takes the next number of one counter (`meta.learned_seq`) and stamps it on the
rows it changed, so a process that last read up to N reads only `seq > N` to catch up. A write
that removes rows (clearing, forgetting a person) bumps `meta.learned_generation` instead:
readers then reload everything.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable

from bot.store.db import Connection, utcnow

MATCH, MISMATCH = "match", "mismatch"
VERDICTS = (MATCH, MISMATCH)
APPROVED, REMOVED = "approved", "removed"


def _next_seq(db) -> int:
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE setting = 'learned_seq'")
    return int(db.execute("SELECT value FROM meta WHERE setting = 'learned_seq'").fetchone()[0])


def _bump_generation(db) -> None:
    db.execute(
        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE setting = 'learned_generation'"
    )


class LearnedTable(Connection):
    """Recording, listing, approving and clearing what people taught."""

    def teach(
        self,
        *,
        key: str,
        question: str,
        tip_id: str,
        user: str,
        verdict: str,
        at: str | None = None,
    ) -> int:
        """Keep one person's verdict on a question (by key) and a tip; returns its seq.

        A later verdict of the same person on the same pair replaces the earlier one.
        Raises ValueError for an unknown verdict or an empty key or user.
        """
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be {MATCH!r} or {MISMATCH!r}, not {verdict!r}")
        if not key or not user:
            raise ValueError("a teaching needs a question key and a user")
        with self.transaction() as db:
            seq = _next_seq(db)
            db.execute(
                "INSERT INTO teachings (key, question, tip_id, user, verdict, at, seq) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key, tip_id, user) DO UPDATE SET "
                "question = excluded.question, verdict = excluded.verdict, at = excluded.at, "
                "seq = excluded.seq",
                [key, question, tip_id, user, verdict, at or utcnow(), seq],
            )
        return seq

    def taught_since(self, user: str, since: str) -> int:
        """How many verdicts `user` gave at or after `since` (an ISO time)."""
        row = self.db.execute(
            "SELECT COUNT(*) FROM teachings WHERE user = ? AND at >= ?", [user, since]
        ).fetchone()
        return int(row[0])

    def decide_pair(
        self, *, key: str, tip_id: str, verdict: str, state: str, question: str, curator: str
    ) -> int:
        """A curator approves (`state` "approved") or removes ("removed") a pair for everyone.

        Returns the change's seq. Raises ValueError for an unknown verdict or state.
        """
        if verdict not in VERDICTS or state not in (APPROVED, REMOVED):
            raise ValueError(f"bad verdict {verdict!r} or state {state!r}")
        with self.transaction() as db:
            seq = _next_seq(db)
            db.execute(
                "INSERT INTO learned_pairs (key, tip_id, verdict, state, question, curator, at, "
                "seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key, tip_id) DO UPDATE SET "
                "verdict = excluded.verdict, state = excluded.state, curator = excluded.curator, "
                "at = excluded.at, seq = excluded.seq",
                [key, tip_id, verdict, state, question, curator, utcnow(), seq],
            )
        return seq

    def learning_state(self) -> tuple[int, int]:
        """(generation, seq): what a reader compares with what it last read."""
        rows = dict(
            self.db.execute(
                "SELECT setting, value FROM meta WHERE setting IN ('learned_seq', 'learned_generation')"
            ).fetchall()
        )
        return int(rows.get("learned_generation", 0)), int(rows.get("learned_seq", 0))

    def teachings(self, *, since: int = 0) -> list[dict]:
        """Every teaching with `seq > since` (all of them by default), in seq order."""
        return list(
            self.db.query(
                "SELECT key, question, tip_id, user, verdict, at, seq FROM teachings "
                "WHERE seq > ? AND key IS NOT NULL ORDER BY seq",
                [since],
            )
        )

    def pair_decisions(self, *, since: int = 0) -> list[dict]:
        """Every curator decision with `seq > since`, in seq order."""
        return list(
            self.db.query(
                "SELECT key, tip_id, verdict, state, question, curator, at, seq "
                "FROM learned_pairs WHERE seq > ? ORDER BY seq",
                [since],
            )
        )

    def rekey_learned(self, key_of: Callable[[str], str], version: str) -> int:
        """Recompute every teaching's key with `key_of` when the key version changed.

        Keys depend on the normaliser's word lists; when `version` differs from the one
        stored, every row is rekeyed (two rows of one person that now share a key keep the
        later one), and the generation is bumped. Returns how many rows were rekeyed.
        """
        stored = self.db.execute(
            "SELECT value FROM meta WHERE setting = 'learned_key_version'"
        ).fetchone()
        if stored is not None and stored[0] == version:
            return 0
        with self.transaction() as db:
            rows = db.execute(
                "SELECT id, question, tip_id, user, at FROM teachings ORDER BY at DESC, id DESC"
            ).fetchall()
            seen: set[tuple[str, str, str]] = set()
            drop, keep = [], []
            for row_id, question, tip_id, user, _ in rows:
                key = key_of(question)
                if not key or (key, tip_id, user) in seen:
                    drop.append(row_id)
                    continue
                seen.add((key, tip_id, user))
                keep.append((key, row_id))
            db.execute("UPDATE teachings SET key = NULL")
            db.conn.executemany("DELETE FROM teachings WHERE id = ?", [(i,) for i in drop])
            db.conn.executemany("UPDATE teachings SET key = ? WHERE id = ?", keep)
            db.execute(
                "INSERT INTO meta (setting, value) VALUES ('learned_key_version', ?) "
                "ON CONFLICT (setting) DO UPDATE SET value = excluded.value",
                [version],
            )
            _bump_generation(db)
        return len(keep)

    def forget_teachings(self, *, user: str | None = None, key: str | None = None) -> int:
        """Delete one person's teachings, or one question's (teachings and decisions).

        Returns how many rows went. Raises ValueError when neither is given.
        """
        if not user and not key:
            raise ValueError("name a user or a question key")
        with self.transaction() as db:
            if user:
                gone = db.execute("DELETE FROM teachings WHERE user = ?", [user]).rowcount
            else:
                gone = db.execute("DELETE FROM teachings WHERE key = ?", [key]).rowcount
                gone += db.execute("DELETE FROM learned_pairs WHERE key = ?", [key]).rowcount
            _bump_generation(db)
        return gone

    def clear_learned(self) -> int:
        """Forget every teaching and every curator decision; returns how many rows went."""
        with self.transaction() as db:
            gone = db.execute("DELETE FROM teachings").rowcount
            gone += db.execute("DELETE FROM learned_pairs").rowcount
            _bump_generation(db)
        return gone

    def learned_summary(self, *, limit: int | None = None) -> list[dict]:
        """Per pair: key, tip_id, question (latest wording), matched and mismatched (people),
        last_at, and a curator's `state` ("approved", "removed" or None), `decided`, `curator`.
        Most recent first."""
        return list(self.db.query(_summary_sql(bool(limit)), [limit] if limit else []))

    def add_teachings(self, rows: Iterable[dict]) -> int:
        """Insert many teachings at once (benchmarks and imports); returns the last seq."""
        with self.transaction() as db:
            seq = 0
            for row in rows:
                seq = _next_seq(db)
                try:
                    db.execute(
                        "INSERT INTO teachings (key, question, tip_id, user, verdict, at, seq) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [
                            row["key"],
                            row["question"],
                            row["tip_id"],
                            row["user"],
                            row["verdict"],
                            row.get("at") or utcnow(),
                            seq,
                        ],
                    )
                except sqlite3.IntegrityError:
                    continue
        return seq


def _summary_sql(limit: bool) -> str:
    return (
        "WITH v AS (SELECT key, tip_id, "
        "SUM(verdict = 'match') AS matched, SUM(verdict = 'mismatch') AS mismatched, "
        "MAX(at) AS last_at FROM teachings WHERE key IS NOT NULL GROUP BY key, tip_id), "
        "q AS (SELECT key, tip_id, question FROM teachings t WHERE key IS NOT NULL AND "
        "at = (SELECT MAX(at) FROM teachings u WHERE u.key = t.key AND u.tip_id = t.tip_id)), "
        "pairs AS (SELECT key, tip_id FROM v UNION SELECT key, tip_id FROM learned_pairs) "
        "SELECT p.key, p.tip_id, COALESCE(q.question, d.question) AS question, "
        "COALESCE(v.matched, 0) AS matched, COALESCE(v.mismatched, 0) AS mismatched, "
        "COALESCE(MAX(v.last_at, d.at), v.last_at, d.at) AS last_at, d.state AS state, "
        "d.verdict AS decided, d.curator AS curator FROM pairs p "
        "LEFT JOIN v ON v.key = p.key AND v.tip_id = p.tip_id "
        "LEFT JOIN learned_pairs d ON d.key = p.key AND d.tip_id = p.tip_id "
        "LEFT JOIN q ON q.key = p.key AND q.tip_id = p.tip_id "
        "GROUP BY p.key, p.tip_id ORDER BY last_at DESC, p.key, p.tip_id"
        + (" LIMIT ?" if limit else "")
    )
