"""How common a word is in everyday English, from a list shipped with the package.

The list (bot/core/data/english_zipf.txt) was generated once from the `wordfreq` package by
`python -m benchmarks.make_word_frequencies`; the bot reads only the file, offline.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "english_zipf.txt"
LISTED_MIN = 3.0  # the file holds every word at least this common; absent words are rarer


@cache
def _table() -> dict[str, float]:
    table: dict[str, float] = {}
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        tenths, _, listed = line.partition("\t")
        value = int(tenths) / 10
        for word in listed.split():
            table[word] = value
    return table


def zipf(word: str) -> float:
    """The word's Zipf frequency (about 7.7 for "the", 5 for "tomorrow"); 0.0 when unlisted.

    Unlisted means rarer than LISTED_MIN: a typo, a name, jargon or another language. Expects
    a lowercase word.
    """
    return _table().get(word, 0.0)


def is_common(word: str) -> bool:
    """Whether a lowercase word is an ordinary English word (on the shipped list)."""
    return word in _table()
