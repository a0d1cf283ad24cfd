"""Tell a subcommand from a question in what follows the slash command.

A subcommand runs only when the text is exactly its name, or its name followed by
arguments of its own syntax (`subscribe 09:00 Europe/Berlin`, `gaps 20`). Anything else,
including `help me prioritise my AI roadmap` or `top ways to ...`, is a question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from rapidfuzz.distance import OSA

from bot.core import schedule
from bot.digits import is_number

_AM_PM_APART = re.compile(r"(\d)\s+([ap]\.?m\.?)(?=\s|$)", re.IGNORECASE)  # '9 am' is one time
_TOPICS = re.compile(r"(?:^|\s)(?:--)?topics(?=[\s=:]|$)", re.IGNORECASE)
MAX_GAPS = 100
MAX_DAYS = 3650
MAX_SUGGESTED = 1900  # a suggestion rides in a button value (Slack allows 2,000 characters)


class Parsed(NamedTuple):
    """A subcommand and its argument text, or (None, the question)."""

    name: str | None
    rest: str

    @property
    def is_question(self) -> bool:
        """True when the text is a question to answer, not a subcommand."""
        return self.name is None


def _schedule_token(token: str) -> bool:
    """Whether a word belongs to `subscribe`'s syntax: a time, a time zone or days."""
    if token[0].isdigit():
        return True  # a time, even a wrong one ("25:99"): the subcommand explains the fix
    try:
        schedule.parse_days(token)
        return True
    except schedule.ScheduleError:
        pass
    if "/" in token:
        return True  # a zone name, perhaps misspelt: again the subcommand explains
    try:
        schedule.parse_tz(token)
        return True
    except schedule.FixedZoneError:
        return True  # "EST": the subcommand says which city zone to use instead
    except schedule.ScheduleError:
        return False


def _schedule_args(rest: str) -> bool:
    # `topics ux,strategy` ends subscribe's syntax: whatever follows it is its topics.
    rest = _TOPICS.split(rest, maxsplit=1)[0]
    text = _AM_PM_APART.sub(r"\1\2", re.sub(r"\s*,\s*", ",", rest))
    return all(_schedule_token(token) for token in text.split())


def _count(limit: int) -> Callable[[str], bool]:
    def accepts(rest: str) -> bool:
        return is_number(rest) and 1 <= int(rest) <= limit

    return accepts


# Subcommands that take arguments, and what their arguments look like. Every other
# subcommand runs only on its bare name.
ARGUMENTS: dict[str, Callable[[str], bool]] = {
    "subscribe": _schedule_args,
    "gaps": _count(MAX_GAPS),
    "stats": _count(MAX_DAYS),
}


def parse(text: str, names: Iterable[str]) -> Parsed:
    """Split `/aipm TEXT` into a subcommand of `names` and its arguments, or a question.

    Empty text is `help` (when `names` has it). Names match case-insensitively; a bare name
    may end in `?`, `!` or `.` ("help?"). Arguments must fit the subcommand's syntax in
    ARGUMENTS; a subcommand not listed there takes none.
    """
    text = (text or "").strip()
    known = {name.lower() for name in names}
    if not text:
        return Parsed("help", "") if "help" in known else Parsed(None, "")
    word, _, rest = text.partition(" ")
    word, rest = word.lower(), rest.strip()
    if not rest:
        bare = word.rstrip("?!.")  # not a `[?!.]+$` regex: quadratic on '?' * 40,000 + 'x'
        return Parsed(bare, "") if bare in known else Parsed(None, text)
    if word in known and word in ARGUMENTS and ARGUMENTS[word](rest):
        return Parsed(word, rest)
    return Parsed(None, text)


def _typo_budget(word: str) -> int:
    """Edits a mistyped name may be away: one for short words ('tpo'), two from five letters."""
    return 1 if len(word) <= 4 else 2


def suggestion(text: str, names: Iterable[str]) -> str | None:
    """The subcommand a question most likely meant, with its arguments, or None.

    Only when `text` is a question (see `parse`), its first word is letters within a
    typo's reach (`_typo_budget`, counting a swap of two letters as one edit) of exactly
    one name, and the rest fits that name's arguments: 'subscibe 9:00' -> 'subscribe 9:00',
    'stat 7' -> 'stats 7'. 'tips for evals' and 'tap' (as near 'tip' as 'top') stay questions.
    """
    text = (text or "").strip()
    known = sorted({name.lower() for name in names})
    if not text or len(text) > MAX_SUGGESTED or not parse(text, known).is_question:
        return None
    word, _, rest = text.partition(" ")
    word = word.lower().rstrip("?!.")
    if not word.isalpha() or not word.isascii() or word in known:
        return None
    distances = {name: OSA.distance(word, name) for name in known}
    best = min(distances.values())
    nearest = [name for name, d in distances.items() if d == best]
    if best > _typo_budget(word) or len(nearest) != 1:
        return None
    meant = f"{nearest[0]} {rest.strip()}".strip()
    return meant if parse(meant, known).name == nearest[0] else None
