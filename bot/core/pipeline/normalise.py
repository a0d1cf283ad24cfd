"""Stage 1: normalise text. One normaliser for the index, decline topics and learned pairs.

The same steps run over the tips and over what people type, so what matters is that both
sides land on the same terms ("prototyping", "prototypes" and "mockups" become one term), not
that the stems are dictionary words:

* `words`: lowercase words, Slack markup (mentions, links, emoji codes) removed, any script
  kept;
* `stem`: Snowball English, British spellings folded to American ones when the American form
  is an English word ("organise" -> "organize", but "advise" stays);
* `terms`: stems, with synonym phrases folded into their group (no word is dropped as a
  stop word: measured, a stop list cost more right answers than it earned, and IDF weighs
  "the" and "how" down anyway);
* `key`: the sorted distinct terms of the words that are not among English's most frequent
  (Zipf >= KEY_ZIPF: "the", "how", "what", "my"), the identity of a question for learned pairs
  and for grouping gaps ("What is the IKEA effect?" and "ikea effect, what is it" share one);
* `units`: a long message cut into its sentences, each scored on its own by `retrieve`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

import snowballstemmer

from bot.core import frequency
from bot.core.pipeline import wordlists
from bot.core.pipeline.wordlists import WordLists

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# [^<>] not [^>]: '<@' repeated 20,000 times without a '>' made every match scan to the end.
_MENTION = re.compile(r"<[!@#][^<>]*>")
_LINK = re.compile(r"<(?:https?|mailto):[^<>|]*(?:\|([^<>]*))?>")
_EMOJI = re.compile(r":[a-z0-9_+'-]{1,60}:")
# A sentence ends at . ! ? (then a space) or a line break; a bot mention also cuts a message.
_UNIT_BREAK = re.compile(r"(?<=[.!?])\s+|\s*\n\s*|\s*<@[A-Z0-9]+>\s*[,:]?\s*")
_STEMMER = snowballstemmer.stemmer("english")
WORD_CACHE = 8192  # words whose stem and term are remembered: bounded, whatever people type
KEY_ZIPF = 6.0  # words this frequent in English ("the", "how", "my") do not make a question's key
_BRITISH = (("isation", "ization"), ("ising", "izing"), ("ised", "ized"), ("ise", "ize"))


@lru_cache(maxsize=WORD_CACHE)
def stem(word: str) -> str:
    """The Snowball (Porter2) English stem of a lowercase word: "prototyping" -> "prototyp".

    A British spelling is folded first unless only the British form is an English word
    ("flavour" -> "flavor", "organise" -> "organize"; "advise" and "surprise" stay). Words of
    three letters or fewer, words with digits and non-Latin words pass through unchanged.
    """
    if len(word) <= 3 or not word.isascii() or not word.isalpha():
        return word
    for british, american in _BRITISH:
        if word.endswith(british):
            word = _fold(word, word[: -len(british)] + american)
            break
    if len(word) > 5 and word.count("our") == 1:
        word = _fold(word, word.replace("our", "or"))
    return _STEMMER.stemWord(word)


def _fold(british: str, american: str) -> str:
    """The American spelling, unless only the British one is an English word ("advise")."""
    if frequency.is_common(british) and not frequency.is_common(american):
        return british
    return american


def clean(text: str) -> str:
    """The text with Slack markup taken out: mentions, emoji codes; a link becomes its label."""
    if "<" in text:
        text = _LINK.sub(lambda m: f" {m.group(1) or ''} ", text)
        text = _MENTION.sub(" ", text)
    if ":" in text:
        text = _EMOJI.sub(" ", text)
    return text


def words(text: str) -> list[str]:
    """The lowercase words of a text, possessives cut ("karpathy's" -> "karpathy").

    Other apostrophes stay ("can't", "we'll"), so contractions meet the stop words and
    "we'll" never becomes "well".

    Slack markup is dropped (`clean`); any script is kept, so non-Latin words survive as
    (unmatchable) words instead of vanishing or crashing.
    """
    if not isinstance(text, str):
        return []
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).replace("’", "'")
    text = clean(text.lower())
    found = _WORD.findall(text)
    if "'" not in text:
        return found
    return [w[:-2] if w.endswith("'s") else w for w in found]


def units(text: str) -> list[str]:
    """A message cut into its sentences (and at a bot mention); at least the whole text."""
    if not isinstance(text, str):
        return []
    parts = [p.strip() for p in _UNIT_BREAK.split(text) if p and p.strip()]
    return [p for p in parts if words(p)] or [text]


@dataclass(frozen=True)
class Message:
    """A message as the pipeline sees it: the text, where it was asked, its sentences, its key."""

    text: str
    surface: str
    units: tuple[str, ...]
    words: int
    key: str


class Term(NamedTuple):
    """One normalised term of a text: the stem or synonym group, and the word(s) it came from."""

    term: str
    word: str


_VOWELS = frozenset("aeiou")


def forms(word: str) -> frozenset[str]:
    """A word and its regular inflections: "prototype" -> prototypes, prototyped, prototyping.

    Over-generation is harmless (a form nobody types is never looked up); a synonym group
    matches these forms exactly, so derived words the stemmer would merge ("personal" and
    "personality", "response" and "responsibility") stay apart.
    """
    out = {word, word + "s", word + "es", word + "ed", word + "ing", word + "'s"}
    if word.endswith("e"):
        out |= {word + "d", word[:-1] + "ing"}
    if word.endswith("y") and len(word) > 2 and word[-2] not in _VOWELS:
        out |= {word[:-1] + "ies", word[:-1] + "ied"}
    if (
        len(word) >= 3
        and word[-1] not in _VOWELS | {"w", "x", "y"}
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    ):
        out |= {word + word[-1] + "ed", word + word[-1] + "ing"}  # ship -> shipped, shipping
    return frozenset(out)


class Normaliser:
    """Words to terms with one set of synonym groups.

    A word that is a form of a synonym group's word becomes that group's term (phrases first,
    longest first); any other word of two or more characters becomes its stem.
    """

    def __init__(self, lists: WordLists) -> None:
        self.lists = lists
        table: dict[tuple[str, ...], str] = {}
        base: dict[str, str] = {}
        for group in lists.synonym_groups:
            canonical = "_".join(words(group[0]))
            for phrase in group:
                key = tuple(words(phrase))
                if key:
                    table.setdefault(key, canonical)
                    for w in key:
                        base[w] = w
        for w in list(base):
            for form in forms(w):
                base.setdefault(form, w)
        self.synonyms = table
        self._base = base
        self.group_terms = frozenset(table.values())
        self.group_words = frozenset(base)
        phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for key, canonical in sorted(table.items(), key=lambda kv: -len(kv[0])):
            if len(key) > 1:
                phrases.setdefault(key[0], []).append((key, canonical))
        self._phrases = phrases
        self._single = lru_cache(maxsize=WORD_CACHE)(self._single_uncached)

    def group_of(self, phrase: str) -> str:
        """The term a phrase becomes: its synonym group, or its words' stems joined by "_"."""
        ws = words(phrase)
        key = tuple(self._base.get(w, w) for w in ws)
        return self.synonyms.get(key) or "_".join(stem(w) for w in ws)

    def _single_uncached(self, word: str) -> tuple[str | None, str | None]:
        """A word's group word (None if in no group), and its term alone (None: no term)."""
        member = self._base.get(word)
        if len(word) < 2 and not word.isdecimal():
            return member, None
        if member is not None:
            group = self.synonyms.get((member,))
            if group is not None:
                return member, group
        return member, stem(word)

    def terms_of_words(self, ws: list[str]) -> list[Term]:
        """The terms of a list of words (see `terms`)."""
        info = [self._single(w) for w in ws]
        out: list[Term] = []
        i, n = 0, len(ws)
        while i < n:
            member = info[i][0]
            for key, canonical in self._phrases.get(member, ()) if member else ():
                size = len(key)
                if i + size <= n and all(info[i + k][0] == key[k] for k in range(1, size)):
                    out.append(Term(canonical, " ".join(ws[i : i + size])))
                    i += size
                    break
            else:
                term = info[i][1]
                if term is not None:
                    out.append(Term(term, ws[i]))
                i += 1
        return out

    def terms(self, text: str) -> list[Term]:
        """The terms of a text: words stemmed, synonym phrases folded ("proof of concept")."""
        return self.terms_of_words(words(text))

    def term_list(self, text: str) -> list[str]:
        """Just the terms of `terms(text)`, in order (duplicates kept)."""
        return [t.term for t in self.terms(text)]

    def message(self, text: str, surface: str) -> Message:
        """Stage 1: the message normalised once for the stages after it."""
        return Message(
            text=text,
            surface=surface,
            units=tuple(units(text)),
            words=len(words(text)),
            key=self.key(text),
        )

    def key(self, text: str) -> str:
        """The sorted distinct terms of a text's less frequent words (see KEY_ZIPF): what
        learned pairs compare questions by, and what groups open questions.

        Empty when the text has no such term (only function words, emoji or markup).
        """
        kept = [w for w in words(text) if frequency.zipf(w) < KEY_ZIPF]
        return " ".join(sorted({t.term for t in self.terms_of_words(kept)}))


@cache
def shipped() -> Normaliser:
    """The normaliser over the shipped word lists (what the bot's engine uses)."""
    return Normaliser(wordlists.shipped())
