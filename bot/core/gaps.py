"""Questions the bot could not answer, grouped into topics curators can write tips for."""

from __future__ import annotations

from bot.core.text import term_list
from bot.store import Store


def topic(question: str) -> str:
    """A grouping key for a question: its matcher terms (stemmed, synonyms folded), sorted.

    "How do I fix my printer?" and "printers fixing" share a topic; a question of stop
    words only keeps its own lower-cased text.
    """
    terms = sorted(set(term_list(question)))
    return " ".join(terms[:8]) or " ".join(question.lower().split())[:60]


def record(
    store: Store, question: str, *, user: str | None, log_questions: bool, log_users: bool
) -> bool:
    """Keep an unanswered question if logging is on; the user id only with `log_users`."""
    if not log_questions or not question.strip():
        return False
    store.add_gap(question, topic(question), user if log_users else None)
    return True


def clear(store: Store, question: str) -> dict[str, int]:
    """Forget an unanswered question: its kept wordings, its topic's, and who waits for it."""
    return store.clear_gap(question, topic(question))
