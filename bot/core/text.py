"""Text normalisation for matching: tokenise, drop stop words, stem, fold synonyms.

The same pipeline runs over the tips and over the questions PMs type, so what matters is that
both sides land on the same terms ("prototyping", "prototypes" and "mockups" all become one
term), not that the stems are dictionary words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import snowballstemmer

from bot.core import synonyms

# Words remembered by `stem` and `_single`: every new word in a question is a new entry, so
# at 65,536 entries each the two caches grew by ~16 MB over a long run of unseen words;
# 8,192 covers the base's and everyday questions' vocabulary in about 2 MB for both.
WORD_CACHE = 8192

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# [^<>] not [^>]: '<@' repeated 20,000 times without a '>' made every match scan to the end.
_SLACK_MARKUP = re.compile(r"<[!@#][^<>]*>")

_STOP_TEXT = """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each else ever every few for from further get gets getting
    got had hadn't has hasn't have haven't having he her here hers herself him himself his how
    i i'd i'll i'm i've if in into is isn't it it's its itself just let's like lot lots me might
    more most much must mustn't my myself no nor not now of off on once only or other ought our
    ours ourselves out over own really same say says shall shan't she should shouldn't so some
    such than that that's the their theirs them themselves then there there's these they
    they'd they'll they're they've thing things this those though through thus to too under
    until up upon us very via want wants was wasn't way we we'd we'll we're we've were weren't
    what what's whatever when where whether which while who whom whose why will with within
    without won't would wouldn't yes yet you you'd you'll you're you've your yours yourself
    yourselves actually anyone anything basically etc hey hi hello please thanks thank ok okay
    maybe someone something tell know need needs one ones make makes making use using used
    go going new way ways time able many everyone everybody stuff
    really pretty kinda sort lots bit anyway
"""
# Function words plus the filler PMs wrap questions in; they never decide a match.
STOP_WORDS = frozenset(_STOP_TEXT.split())

_STEMMER = snowballstemmer.stemmer("english")
# British spellings meet American ones before stemming: "organise" -> "organize".
_BRITISH = (("isation", "ization"), ("ising", "izing"), ("ised", "ized"), ("ise", "ize"))
_BRITISH_KEEP = frozenset(
    [
        "advise",
        "advertise",
        "comprise",
        "compromise",
        "concise",
        "enterprise",
        "exercise",
        "expertise",
        "franchise",
        "otherwise",
        "precise",
        "premise",
        "promise",
        "raise",
        "revise",
        "rise",
        "supervise",
        "surprise",
        "wise",
        "noise",
        "praise",
        "cruise",
        "exercise",
        "devise",
        "despise",
        "disguise",
    ]
)
# Snowball merges a few unrelated words this domain needs apart ("business" / "busy",
# "executive" / "execute").
_STEM_EXCEPTIONS = {
    "business": "business",
    "businesses": "business",
    "executive": "executive",
    "executives": "executive",
}
NUMBER_WORDS = dict(
    enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
)


@lru_cache(maxsize=WORD_CACHE)
def stem(word: str) -> str:
    """The Snowball (Porter2) English stem of a lowercase word: "prototyping" -> "prototyp".

    British spellings are folded first ("flavour" and "flavor" meet). Words of three letters
    or fewer, words with digits and non-Latin words pass through unchanged.
    """
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word
    if word in _STEM_EXCEPTIONS:
        return _STEM_EXCEPTIONS[word]
    if len(word) > 5 and word.endswith(("our", "ours")) and not word.endswith("hour"):
        word = word.replace("our", "or") if word.count("our") == 1 else word
    if word not in _BRITISH_KEEP:
        for british, american in _BRITISH:
            if word.endswith(british) and len(word) - len(british) >= 4:
                word = word[: -len(british)] + american
                break
    return _STEMMER.stemWord(word)


def words(text: str) -> list[str]:
    """The lowercase words of a text, possessives cut ("karpathy's" -> "karpathy").

    Slack mentions such as `<!channel>` and `<@U123>` are dropped; any script is kept, so
    non-Latin words survive as (unmatchable) words instead of vanishing or crashing.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).replace("’", "'")
    text = text.lower()
    if "<" in text:
        text = _SLACK_MARKUP.sub(" ", text)
    if "'" not in text:
        return _WORD.findall(text)
    return [w for w in map(_strip_apostrophes, _WORD.findall(text)) if w]


def _strip_apostrophes(w: str) -> str:
    if "'" not in w or w in STOP_WORDS:
        return w
    if w.endswith("'s"):
        w = w[:-2]
    return w.replace("'", "")


class Term(NamedTuple):
    """One normalised term of a text: the stem or synonym group, and the word(s) it came from."""

    term: str
    word: str


def _phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in words(phrase))


def _build_synonyms() -> tuple[dict[tuple[str, ...], str], dict[str, tuple[str, ...]]]:
    table: dict[tuple[str, ...], str] = {}
    for group in synonyms.GROUPS:
        canonical = "_".join(_phrase_key(group[0]))
        for phrase in group:
            key = _phrase_key(phrase)
            if key:
                table.setdefault(key, canonical)
    related = {}
    for source, targets in synonyms.RELATED.items():
        head = table.get(_phrase_key(source), "_".join(_phrase_key(source)))
        related[head] = tuple(table.get(_phrase_key(t), "_".join(_phrase_key(t))) for t in targets)
    return table, related


SYNONYMS, RELATED = _build_synonyms()
SYNONYM_WORDS = frozenset(w for group in synonyms.GROUPS for p in group for w in words(p))
SYNONYM_TERMS = frozenset(SYNONYMS.values())
# Multi-word synonyms by their first stem, longest first, so most words need one lookup.
_PHRASES: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _key, _canonical in sorted(SYNONYMS.items(), key=lambda kv: -len(kv[0])):
    if len(_key) > 1:
        _PHRASES.setdefault(_key[0], []).append((_key, _canonical))


@lru_cache(maxsize=WORD_CACHE)
def _single(word: str) -> tuple[str, str | None]:
    """A word's stem, and its term when it stands alone (None for stop words and noise)."""
    if word.isdecimal():  # isdigit() also takes "²" and "፩", which int() refuses
        word = NUMBER_WORDS.get(int(word), word) if len(word) <= 2 else word
    s = stem(word)
    if word in STOP_WORDS or (len(word) < 2 and not word.isdigit()):
        return s, None
    # Acronym plurals ("pms", "kpis") are too short for the stemmer.
    single = SYNONYMS.get((word[:-1],)) if word.endswith("s") else None
    return s, single or SYNONYMS.get((s,), s)


def terms(text: str) -> list[Term]:
    """The terms of a text: words stemmed, synonym phrases folded, stop words dropped.

    Synonym phrases may span stop words ("wait and see", "proof of concept"), so phrases are
    matched before stop words are removed.
    """
    ws = words(text)
    info = [_single(w) for w in ws]
    out: list[Term] = []
    i = 0
    n = len(ws)
    while i < n:
        phrases = _PHRASES.get(info[i][0])
        if phrases:
            for key, canonical in phrases:
                size = len(key)
                if i + size <= n and all(info[i + k][0] == key[k] for k in range(1, size)):
                    out.append(Term(canonical, " ".join(ws[i : i + size])))
                    i += size
                    break
            else:
                phrases = None
            if phrases:
                continue
        term = info[i][1]
        if term is not None:
            out.append(Term(term, ws[i]))
        i += 1
    return out


def term_list(text: str) -> list[str]:
    """Just the terms of `terms(text)`, in order (duplicates kept)."""
    return [t.term for t in terms(text)]
