"""Questions the bot could not answer, grouped into topics curators can write tips for."""

from __future__ import annotations

from bot.core.pipeline import normalise
from bot.store import Store


def topic(question: str, key: str | None = None) -> str:
    """A grouping key for a question: its normalised key (`Normaliser.key`), cut to 8 terms.

    "How do I fix my printer?" and "printers fixing" share a topic; a question of stop
    words only keeps its own lower-cased text. `key`, when the caller has it, saves
    normalising again.
    """
    key = key if key is not None else normalise.shipped().key(question)
    return " ".join(key.split()[:8]) or " ".join(question.lower().split())[:60]


def record(
    store: Store,
    question: str,
    *,
    key: str | None = None,
    user: str | None,
    log_questions: bool,
    log_users: bool,
) -> bool:
    """Keep an unanswered question if logging is on; the user id only with `log_users`."""
    if not log_questions or not question.strip():
        return False
    store.add_gap(question, topic(question, key), user if log_users else None)
    return True


def clear(store: Store, question: str) -> dict[str, int]:
    """Forget an unanswered question: its kept wordings, its topic's, and who waits for it."""
    return store.clear_gap(question, topic(question))
