"""Questions the bot could not answer, grouped into topics curators can write tips for."""

from __future__ import annotations

import re

from bot.store import Store

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# fmt: off
_STOP = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "can", "do", "does", "for", "from", "how", "i",
    "in", "is", "it", "me", "my", "of", "on", "or", "our", "should", "the", "to", "we", "what",
    "when", "where", "which", "who", "why", "will", "with", "you", "your",
))
# fmt: on


def topic(question: str) -> str:
    """A grouping key for a question: its content words, lower-cased, sorted, deduplicated."""
    words = sorted({w for w in _WORD.findall(question.lower()) if w not in _STOP})
    return " ".join(words[:8]) or question.strip().lower()[:60]


def record(
    store: Store, question: str, *, user: str | None, log_questions: bool, log_users: bool
) -> bool:
    """Keep an unanswered question if logging is on; the user id only with `log_users`."""
    if not log_questions or not question.strip():
        return False
    store.add_gap(question, topic(question), user if log_users else None)
    return True
