"""Follow-ups in a thread the coach answered: which replies read as a question, and how many.

A reply in the coach's thread is answered without a new mention only when it comes from
the person who asked there, reads as a question (`reads_as_question`), and the thread has
had fewer than `MAX_FOLLOW_UPS` follow-up answers. Chatter ("thanks!", "nice") is left
to the people in the thread.
"""

from __future__ import annotations

import re

MAX_FOLLOW_UPS = 3  # answers to follow-ups per thread, after the answer to the mention
# Words a question starts with, in English; a reply ending in "?" is a question anyway.
_QUESTION_START = re.compile(
    r"^(?:how|what|why|when|where|which|who|whom|whose|should|shall|can|could|would|will|"
    r"do|does|did|is|are|was|were|any|anything|and what|and how|what about|how about|"
    r"tell me|explain|give me|show me)\b",
    re.IGNORECASE,
)
_MIN_WORDS = 3  # "why?" alone is chatter-sized; a follow-up names what it asks about


def reads_as_question(text: str) -> bool:
    """Whether a thread reply reads as a question to the coach rather than chatter.

    It must have at least three words and either end in a question mark or start as a
    question does ("how do we …", "what about evals"). "thanks!", "lol", "ok?" do not.
    """
    words = text.split()
    if len(words) < _MIN_WORDS:
        return False
    stripped = text.strip()
    return stripped.endswith("?") or bool(_QUESTION_START.match(stripped))


def thread_key(channel: str, thread_ts: str, user: str) -> str:
    """The notice key that says the coach answered `user`'s mention in this thread."""
    return f"coach-thread:{channel}:{thread_ts}:{user}"


def slot_keys(channel: str, thread_ts: str) -> list[str]:
    """The notice keys of a thread's follow-up answers: one claimed per answer."""
    return [f"follow-up:{channel}:{thread_ts}:{n}" for n in range(1, MAX_FOLLOW_UPS + 1)]
