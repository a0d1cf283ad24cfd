"""Match a PM's free-text question to the one tip that helps, or decline honestly.

Ranking combines three signals, the first two over normalised terms (`bot.core.text`):

* field-weighted term coverage (BM25F-like): how much of the question's information (IDF) the
  tip's title, tags, curated questions and text account for, with per-field saturation;
* nearest curated question: IDF-weighted cosine between the question and the tip's best
  matching example question, so a paraphrase of a curated question wins even when the tip's
  prose uses other words;
* plain BM25 (`bm25s`) over every field, scaled to its best tip: a second, differently
  tokenised opinion that settles near-ties.

Unknown words that English does not know are mapped to close vocabulary words with rapidfuzz
(typos), at a discount; misspelt stop words are dropped; words that stay unknown count against
the match by how rare they are in English (`bot.core.frequency`). Whether to answer is decided
by `bot.core.confidence` from features of the match, and `bot.core.topics` declines subjects
the base has no advice on. Our signals are looked up through inverted indexes, so a question
only touches the tips that share a term with it.
"""

from __future__ import annotations

import heapq
import logging
import math
from array import array
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.core import confidence, frequency, text, topics
from bot.core.knowledge import Tip

DEFAULT_THRESHOLD = 5.0  # a hard floor under the confidence model: no tip this weak is shown
SUGGESTION_FLOOR = 12.0  # below this a tip is not even worth suggesting as a related topic
RELATED_TOPIC_MIN = 0.5  # a decline suggests tips only when a specific topic word matched
SPECIFIC_RARITY = 0.3  # rarity() from which a topical word counts as specific (not "ai")
RARE_WORD_RARITY = 0.8  # rarity() from which any matched word is specific (Zipf <= 3.6)
BOOST_POINTS = 2.0  # how far a team rating may move a tip: only enough to reorder near-ties

FIELD_WEIGHTS = {"title": 3.0, "tags": 2.0, "questions": 2.5, "text": 1.0}
FIELD_B = 0.5  # BM25 length normalisation per field
SATURATION = 0.5  # credit = wtf / (wtf + SATURATION): one plain text mention earns ~2/3
RELATED_WEIGHT = 0.5
PLAIN_WORD_WEIGHT = 0.6  # a word no title, tag or synonym uses ("meeting", "day") is weak proof
PLAIN_FLOOR = 0.5  # an everyday plain word ("start") keeps this share of PLAIN_WORD_WEIGHT
UNKNOWN_WEIGHT = 0.6
LONG_QUESTION_TERMS = 6  # beyond this many terms, unknown words are diluted (chatter)
COVERAGE_SHARE = 0.5  # final = share * coverage + (1 - share) * nearest-question cosine
EVIDENCE_IDF = 1.6  # matched IDF mass needed for full confidence (one fairly rare word)
MAX_QUERY_TERMS = 40
COMMON_MIN_DF = 200  # below this many tips no term counts as common: small bases score exactly
COMMON_SHARE = 0.05
_FUZZY_CACHE_SIZE = 4096
MERGE_CANDIDATES = 50  # leaders of each ranking merged (exact for bases up to this size)
BM25_SHARE = 0.35  # weight of plain BM25 next to ours (1.0), chosen on the tuning sets
RARE_ZIPF = 6.0  # rarity(): a word at Zipf 3 (or unlisted) is fully specific
ZIPF_FREE = 5.0  # an unknown word this common in English ("tomorrow") costs nothing
_STOP_CHOICES = sorted(w for w in text.STOP_WORDS if len(w) >= 3 and w.isalpha())


@dataclass(frozen=True)
class Answer:
    """What the matcher says to one question.

    `confidence` is "sure", "unsure" or "none"; `answered` is True when a tip is shown first
    (sure or unsure), and then `matches[0]` is that tip. On "none", `matches` holds a few
    plausibly related topics or is empty, and `topic` may name the not-covered subject the
    question is about ("pricing"). `features` are the confidence model's inputs.
    """

    question: str
    answered: bool
    matches: list[tuple[Tip, float]] = field(default_factory=list)
    confidence: str = "none"
    topic: str | None = None
    features: tuple[float, ...] = ()


@dataclass
class _QueryTerm:
    term: str
    word: str  # what the PM typed (a phrase for multi-word synonyms)
    weight: float  # how much a match on this term earns (typo-corrected words earn less)
    idf: float
    known: bool
    mass: float = 1.0  # how much the term asks for: what an unmatched term costs


def unknown_cost(word: str) -> float:
    """How much an unknown word counts against a match, 0..1, by how rare it is in English.

    Everyday words ("tomorrow", "honestly", "lol") cost almost nothing: they are chatter
    around a question. Rare ones ("SOC2", "GDPR") cost fully: they are what the question is
    about, and the base does not know them.
    """
    zipf = frequency.zipf(word)
    return max(0.0, min(1.0, (ZIPF_FREE - zipf) / (ZIPF_FREE - frequency.LISTED_MIN)))


def rarity(word: str) -> float:
    """How specific a word is, 0.1..1, by English frequency: "the" 0.1, "hackathon" 1.

    A phrase ("walk and chew gum", "ai pm") is as specific as its most specific word: "chew"
    makes the first specific, while "ai pm" stays as generic as "ai".
    """
    if " " in word:
        return max(map(rarity, text.words(word)), default=0.1)
    return max(0.1, min(1.0, (RARE_ZIPF - frequency.zipf(word)) / 3.0))


@lru_cache(maxsize=4096)
def _is_stop_word_typo(word: str) -> bool:
    """Whether an unknown, uncommon word is one edit (or one swap) from a stop word."""
    if len(word) < 3 or not word.isalpha() or frequency.is_common(word):
        return False
    hit = process.extractOne(
        word, _STOP_CHOICES, scorer=OSA.distance, score_cutoff=1, processor=None
    )
    return hit is not None


def _plain_weight(word: str) -> float:
    """How much a plain word (no title, tag or synonym uses it) proves, by English rarity.

    Everyday words ("even", "start", "great") appear in some tip by chance and must not
    carry a match; rarer ones ("fintech", "transcript") are real if weak evidence.
    """
    return PLAIN_WORD_WEIGHT * max(PLAIN_FLOOR, min(1.0, rarity(word) / SPECIFIC_RARITY))


def _fuzzy_weight(ratio: float) -> float:
    """Discount for a typo-corrected word: a 100 ratio keeps full weight, 80 keeps 0.6."""
    return max(0.0, min(1.0, (ratio - 50.0) / 50.0))


class _Bm25:
    """Plain BM25 (the `bm25s` package) over every field of every tip, Snowball-stemmed."""

    def __init__(self, tips: Sequence[Tip]) -> None:
        corpus = [self.tokens(_document(t)) for t in tips]
        self._vocab = {w for doc in corpus for w in doc}
        self._index = None
        if self._vocab:
            import bm25s  # imported when a base is built: `bot.core.text` users never load it

            # bm25s sets its own logger to DEBUG on import, which would log every rebuild.
            logging.getLogger("bm25s").setLevel(logging.WARNING)
            self._index = bm25s.BM25()
            self._index.index(corpus, show_progress=False)

    @staticmethod
    def tokens(value: str) -> list[str]:
        """Lowercase words of two or more characters, minus bm25s's English stop words, stemmed."""
        from bm25s.stopwords import STOPWORDS_EN

        return [text.stem(w) for w in text.words(value) if len(w) >= 2 and w not in STOPWORDS_EN]

    def scores(self, query: str):
        """A numpy array of BM25 scores, one per tip, or None when no query word is known."""
        if self._index is None:
            return None
        known = [w for w in self.tokens(query)[:MAX_QUERY_TERMS] if w in self._vocab]
        if not known:
            return None
        return self._index.get_scores(known)


def _document(tip: Tip) -> str:
    return " ".join([tip.title, " ".join(tip.tags), " ".join(tip.questions), tip.text])


class Matcher:
    """An index over a list of tips, built once, answering questions against it."""

    def __init__(self, tips: Sequence[Tip], *, threshold: float = DEFAULT_THRESHOLD) -> None:
        """Build the index; `threshold` (0..100) is the score a best match needs to answer."""
        self.threshold = threshold
        self.tips: list[Tip] = sorted(tips, key=lambda t: t.id)
        self._fuzzy_cache: dict[str, tuple[str, float] | None] = {}
        self._build()

    # -- index -------------------------------------------------------------------------------

    def _build(self) -> None:
        n = len(self.tips)
        field_terms: list[dict[str, list[str]]] = []
        question_terms: list[list[set[str]]] = []
        df: dict[str, int] = {}
        surface: dict[str, str] = {}
        for tip in self.tips:
            fields = {
                "title": self._terms(tip.title, surface),
                "tags": [t for tag in tip.tags for t in self._terms(tag, surface)],
                "questions": [],
                "text": self._terms(tip.text, surface),
            }
            per_question = []
            for question in tip.questions:
                qt = self._terms(question, surface)
                fields["questions"].extend(qt)
                per_question.append(set(qt))
            field_terms.append(fields)
            question_terms.append(per_question)
            for term in {t for ts in fields.values() for t in ts}:
                df[term] = df.get(term, 0) + 1
        self._n = n
        self._df = df
        self._doc_index = {tip.id: i for i, tip in enumerate(self.tips)}
        self._bm25 = _Bm25(self.tips)
        # Topic words: what titles, tags and the synonym list name. Everyday words that only
        # occur in prose or example questions still match, but cannot carry an answer alone.
        topical = set(text.SYNONYM_TERMS)
        for fields in field_terms:
            topical.update(fields["title"])
            topical.update(fields["tags"])
        self._plain = {t for t in df if t not in topical}
        self._idf = {t: math.log(1.0 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._idf_unknown = math.log(1.0 + (n + 0.5) / 0.5)
        avg = {
            f: max(1.0, sum(len(ft[f]) for ft in field_terms) / max(n, 1)) for f in FIELD_WEIGHTS
        }
        # Postings as parallel arrays sorted by doc: compact at 10,000 tips, and bisectable.
        post_docs: dict[str, array] = {}
        post_credit: dict[str, array] = {}
        for doc, fields in enumerate(field_terms):
            wtf: dict[str, float] = {}
            for f, ts in fields.items():
                if not ts:
                    continue
                weight = FIELD_WEIGHTS[f] / (1.0 - FIELD_B + FIELD_B * len(ts) / avg[f])
                for term in ts:
                    wtf[term] = wtf.get(term, 0.0) + weight
            for term, w in wtf.items():
                if term not in post_docs:
                    post_docs[term] = array("i")
                    post_credit[term] = array("d")
                post_docs[term].append(doc)
                post_credit[term].append(w / (w + SATURATION))
        self._post_docs = post_docs
        self._post_credit = post_credit
        q_postings: dict[str, array] = {}
        q_doc = array("i")
        q_norm = array("d")
        q_start = array("i")
        for doc, per_question in enumerate(question_terms):
            q_start.append(len(q_doc))
            for qt in per_question:
                qid = len(q_doc)
                q_doc.append(doc)
                q_norm.append(math.sqrt(sum(self._idf[t] ** 2 for t in qt)) or 1.0)
                for term in qt:
                    if term not in q_postings:
                        q_postings[term] = array("i")
                    q_postings[term].append(qid)
        q_start.append(len(q_doc))
        self._q_postings = q_postings
        self._q_doc = q_doc
        self._q_norm = q_norm
        self._q_start = q_start
        self._common_df = max(COMMON_MIN_DF, COMMON_SHARE * n)
        # Typos are corrected to words, not terms, before synonym phrases are found, so a
        # misspelt word inside a phrase ("prodcut managment") still makes the phrase.
        vocabulary = set(surface) | text.SYNONYM_WORDS
        buckets: dict[str, list[str]] = {}
        for word in sorted(vocabulary):
            if len(word) >= 3 and word.isalpha():
                buckets.setdefault(word[0], []).append(word)
        self._vocabulary = frozenset(vocabulary)
        self._fuzzy_buckets = buckets

    @staticmethod
    def _terms(value: str, surface: dict[str, str]) -> list[str]:
        out = []
        for t in text.terms(value):
            out.append(t.term)
            if " " not in t.word:
                surface.setdefault(t.word, t.term)
        return out

    # -- query -------------------------------------------------------------------------------

    def _fuzzy(self, word: str) -> tuple[str, float] | None:
        """The base or synonym word closest to an unknown word, with its ratio, or None."""
        if word in self._fuzzy_cache:
            return self._fuzzy_cache[word]
        found = None
        if len(word) >= 4 and word.isalpha() and word.isascii():
            bucket = self._fuzzy_buckets.get(word[0])
            if bucket:
                cutoff = 80.0 if len(word) >= 5 else 85.0
                hit = process.extractOne(word, bucket, scorer=fuzz.ratio, score_cutoff=cutoff)
                # A typo changes a letter or two; a longer or shorter word is another word
                # ("standup" is not "stand").
                slack = 1 if len(word) < 8 else 2
                if hit is not None and abs(len(hit[0]) - len(word)) <= slack:
                    found = (hit[0], hit[1])
        if len(self._fuzzy_cache) >= _FUZZY_CACHE_SIZE:
            self._fuzzy_cache.clear()
        self._fuzzy_cache[word] = found
        return found

    def _query_terms(self, query: str) -> list[_QueryTerm]:
        # A real English word is never "corrected" into another one; only words the
        # frequency list does not know (typos, jargon, names) are looked up.
        typed: dict[str, str] = {}  # corrected word -> what the PM typed
        ratio: dict[str, float] = {}
        words = []
        for w in text.words(query):
            hit = None
            if w not in self._vocabulary and not frequency.is_common(w):
                hit = self._fuzzy(w)
            if hit is not None:
                typed[hit[0]] = w
                ratio[hit[0]] = min(ratio.get(hit[0], 100.0), hit[1])
                w = hit[0]
            words.append(w)
        best: dict[str, _QueryTerm] = {}
        for t in text.terms(" ".join(words))[:MAX_QUERY_TERMS]:
            parts = t.word.split(" ")
            fixed = [ratio[p] for p in parts if p in ratio]
            if t.term in self._df:
                weight = _plain_weight(t.word) if t.term in self._plain else 1.0
                if fixed:
                    weight *= _fuzzy_weight(min(fixed))
                qt = _QueryTerm(t.term, t.word, weight, self._idf[t.term], True)
            else:
                word = " ".join(typed.get(p, p) for p in parts)
                if " " not in word and _is_stop_word_typo(word):
                    continue  # "waht", "shoud": a misspelt stop word asks for nothing
                mass = UNKNOWN_WEIGHT * unknown_cost(word)
                qt = _QueryTerm(t.term, word, 0.0, self._idf_unknown, False, mass)
            old = best.get(qt.term)
            if old is None or (old.weight, old.mass) < (qt.weight, qt.mass):
                best[qt.term] = qt
        return list(best.values())

    def _score_all(self, qterms: list[_QueryTerm]) -> dict[int, float]:
        """Score every tip sharing a term with the query terms (0..100, unrounded)."""
        known = sorted((q for q in qterms if q.known), key=lambda q: (self._df[q.term], q.term))
        if not known:
            return {}
        # Unknown words count against every tip: that is what declines off-topic questions.
        # In a long question most of them are chatter around the topic, so each counts less.
        chatter = min(1.0, LONG_QUESTION_TERMS / len(qterms))
        total = sum(q.mass * q.idf * (1.0 if q.known else chatter) for q in qterms)
        q_norm = math.sqrt(
            sum((q.mass * q.idf * (1.0 if q.known else chatter)) ** 2 for q in qterms)
        )
        # Rare terms nominate candidate tips; common ones (at scale, thousands of postings)
        # only add to candidates already nominated, so a question never walks the whole base.
        rare = [q for q in known if self._df[q.term] <= self._common_df] or known[:1]
        coverage: dict[int, float] = {}
        dots: dict[int, float] = {}
        for q in known:
            open_ = q in rare
            best: dict[int, float] = {}
            sources = [(q.term, 1.0)] + [(r, RELATED_WEIGHT) for r in text.RELATED.get(q.term, ())]
            for term, factor in sources:
                docs = self._post_docs.get(term)
                if docs is None:
                    continue
                credits = self._post_credit[term]
                if open_ and (factor == 1.0 or len(docs) <= self._common_df):
                    for d, c in zip(docs, credits, strict=True):
                        c *= factor
                        if c > best.get(d, 0.0):
                            best[d] = c
                else:
                    for d, c in self._restricted(docs, credits, coverage):
                        c *= factor
                        if c > best.get(d, 0.0):
                            best[d] = c
            mass = q.weight * q.idf
            for d, c in best.items():
                coverage[d] = coverage.get(d, 0.0) + mass * c
            qids = self._q_postings.get(q.term)
            if qids is None:
                continue
            w = q.weight * q.idf * q.idf
            if open_:
                for qid in qids:
                    dots[qid] = dots.get(qid, 0.0) + w
            else:
                for qid in self._restricted_questions(qids, coverage):
                    dots[qid] = dots.get(qid, 0.0) + w
        cosine: dict[int, float] = {}
        q_doc, q_norms = self._q_doc, self._q_norm
        for qid, dot in dots.items():
            doc = q_doc[qid]
            c = dot / (q_norm * q_norms[qid])
            if c > cosine.get(doc, 0.0):
                cosine[doc] = c
        scores: dict[int, float] = {}
        for doc, mass in coverage.items():
            evidence = min(1.0, mass / EVIDENCE_IDF)
            cover = mass / total
            # The nearest curated question can only add confidence, never take it away.
            near = COVERAGE_SHARE * cover + (1 - COVERAGE_SHARE) * cosine.get(doc, 0.0)
            scores[doc] = 100.0 * evidence * min(1.0, max(cover, near))
        return scores

    @staticmethod
    def _restricted(docs: array, credits: array, candidates: dict[int, float]):
        """(doc, credit) pairs of a posting list, only for docs already in `candidates`."""
        if len(candidates) * 8 < len(docs):
            for d in candidates:
                i = bisect_left(docs, d)
                if i < len(docs) and docs[i] == d:
                    yield d, credits[i]
        else:
            for d, c in zip(docs, credits, strict=True):
                if d in candidates:
                    yield d, c

    def _restricted_questions(self, qids: array, candidates: dict[int, float]):
        """Question ids of a posting list that belong to candidate docs."""
        if len(candidates) * 8 < len(qids):
            for d in candidates:
                lo, hi = self._q_start[d], self._q_start[d + 1]
                i = bisect_left(qids, lo)
                while i < len(qids) and qids[i] < hi:
                    yield qids[i]
                    i += 1
        else:
            q_doc = self._q_doc
            for qid in qids:
                if q_doc[qid] in candidates:
                    yield qid

    def _ranked(
        self, query: str, qterms: list[_QueryTerm], limit: int, cutoff: float
    ) -> tuple[list[tuple[Tip, float]], dict[int, float], object]:
        """The best tips (merged score), our own scores by doc before BM25 is mixed in, and
        the plain BM25 scores (a numpy array, or None when BM25 knows no query word)."""
        ours = scores = self._score_all(qterms)
        bm25 = self._bm25.scores(query)
        if bm25 is not None:
            # A second, differently tokenised opinion (plain BM25 over every field, no
            # synonyms or typo fixes) breaks our ties and near-misses; scaled to its best tip.
            # Only the leaders of either list can end up first, so only they are merged.
            top = float(bm25.max())
            if top > 0:
                scale = BM25_SHARE * 100.0 / top
                keep = max(limit, MERGE_CANDIDATES)
                lead = heapq.nlargest(keep, scores.items(), key=lambda kv: kv[1])
                merged = {d: s / (1.0 + BM25_SHARE) for d, s in lead}
                if len(bm25) > keep:
                    best_bm25 = numpy.argpartition(bm25, -keep)[-keep:].tolist()
                else:
                    best_bm25 = range(len(bm25))
                for d in best_bm25:
                    extra = float(bm25[d]) * scale / (1.0 + BM25_SHARE)
                    if extra > 0:
                        merged[d] = merged.get(d, scores.get(d, 0.0) / (1.0 + BM25_SHARE)) + extra
                scores = merged
        # Rounded so float noise cannot outrank the tip-id tie-break.
        ranked = heapq.nsmallest(
            limit,
            (
                (-round(s, 4), self.tips[d].id, d)
                for d, s in scores.items()
                if s > 0 and round(s, 4) >= cutoff
            ),
        )
        return [(self.tips[d], -neg) for neg, _, d in ranked], ours, bm25

    def extract(
        self, query: str, *, limit: int = 3, score_cutoff: float | None = None
    ) -> list[tuple[Tip, float]]:
        """The best tips for a query as (tip, score 0..100), best first, ties by tip id.

        Returns [] for empty or unmatchable input; tips scoring below `score_cutoff` (or 0)
        are left out. Same input, same output.
        """
        if limit <= 0 or not isinstance(query, str) or not query.strip():
            return []
        cutoff = score_cutoff if score_cutoff is not None else 0.0
        return self._ranked(query, self._query_terms(query), limit, cutoff)[0]

    def _doc_has(self, term: str, doc: int) -> bool:
        docs = self._post_docs.get(term)
        if docs is None:
            return False
        i = bisect_left(docs, doc)
        return i < len(docs) and docs[i] == doc

    def _tip_has(self, term: str, doc: int) -> bool:
        """Whether a tip holds a term or, at a lower weight, one of its related groups."""
        return self._doc_has(term, doc) or any(
            self._doc_has(r, doc) for r in text.RELATED.get(term, ())
        )

    def _features(
        self,
        qterms: list[_QueryTerm],
        ranked: list[tuple[Tip, float]],
        ours: dict[int, float],
        bm25,
    ) -> list[float]:
        """The confidence model's inputs for the first tip (see `bot.core.confidence`).

        Scores here are our own (0..100), not the BM25 mix: BM25 is scaled to its best tip,
        so it ranks well but says nothing about how good the best tip is.
        """
        if not ranked:
            return [0.0] * len(confidence.FEATURES)
        doc = self._doc_index[ranked[0][0].id]
        best = ours.get(doc, 0.0) / 100.0
        two = heapq.nlargest(2, ((s, d) for d, s in ours.items()))
        second = next((s for s, d in two if d != doc), 0.0) / 100.0
        margin = best - second
        total = covered = topic_hit = unknown = 0.0
        for q in qterms:
            r = rarity(q.word)
            total += r
            if not q.known:
                unknown += unknown_cost(q.word)
                continue
            if self._tip_has(q.term, doc):
                covered += r * (1.0 if q.weight >= 1.0 else 0.5 + 0.5 * q.weight)
                # Specific: a topic word (title, tag, synonym) that is not everyday English,
                # or any rare word ("Karpathy", "Crocker") wherever the tip has it.
                topical = q.term not in self._plain and r >= SPECIFIC_RARITY
                if topical or r >= RARE_WORD_RARITY:
                    topic_hit = 1.0
        rare_cover = covered / total if total else 0.0
        # Plain BM25 tokenises differently: when it also puts this tip at its top, and its
        # own top stands clear of its second, the first tip is less likely a guess.
        top = float(bm25.max()) if bm25 is not None else 0.0
        agree = float(bm25[doc]) / top if top > 0 else 0.0
        if top > 0 and len(bm25) > 1:
            runner_up = float(numpy.partition(bm25, -2)[-2])
            bm25_margin = (top - runner_up) / top
        else:
            bm25_margin = 1.0 if top > 0 else 0.0
        unknown_rare = min(2.0, unknown) / 2.0
        return [best, margin, rare_cover, topic_hit, unknown_rare, agree, bm25_margin]

    def answer(
        self, question: str, *, limit: int = 3, boost: Mapping[str, float] | None = None
    ) -> Answer:
        """Answer a PM's question: the tip to show, a few to pick from, or a decline.

        `confidence` is "sure" (show `matches[0]`), "unsure" (offer `matches` to pick from)
        or "none" (decline; `matches` then holds related topics only when plausibly related,
        and `topic` names a not-covered subject the question is clearly about, if any).
        The whole question is matched: callers cut over-long input first (`Coach.ask`
        does, to `settings.max_question`). `boost` maps tip ids to a
        team rating in -1..1 (e.g. helpful votes); it only reorders tips whose scores are
        within a couple of points and never makes an unanswered question answered.
        """
        question = question if isinstance(question, str) else ""
        if not question.strip() or limit < 0:
            return Answer(question=question, answered=False)
        qterms = self._query_terms(question)
        ranked, ours, bm25 = self._ranked(question, qterms, max(limit, 1) + 3, 0.0)
        features = self._features(qterms, ranked, ours, bm25)
        level = confidence.model().level(features)
        if not ranked or ranked[0][1] < self.threshold:
            level = confidence.NONE
        doc = self._doc_index[ranked[0][0].id] if ranked else -1
        topic = topics.decline_topic(question, _document(self.tips[doc]) if ranked else None)
        if topic is not None:
            level = confidence.NONE
        answered = level != confidence.NONE
        matches = [
            (t, s)
            for i, (t, s) in enumerate(ranked)
            if s >= SUGGESTION_FLOOR or (answered and i == 0)
        ]
        if not answered and (topic is not None or features[3] < RELATED_TOPIC_MIN):
            matches = []  # nothing plausibly related: no "haiku -> prototyping"
        if boost:
            matches = self._apply_boost(matches, boost, answered)
        return Answer(
            question=question,
            answered=answered,
            matches=matches[: max(limit, 0)],
            confidence=level,
            topic=topic,
            features=tuple(features),
        )

    def _apply_boost(
        self, matches: list[tuple[Tip, float]], boost: Mapping[str, float], answered: bool
    ) -> list[tuple[Tip, float]]:
        def key(item: tuple[Tip, float]) -> tuple[bool, float, str]:
            tip, score = item
            rating = boost.get(tip.id, 0.0)
            rating = rating if isinstance(rating, int | float) and math.isfinite(rating) else 0.0
            nudge = max(-1.0, min(1.0, rating)) * BOOST_POINTS
            # A tip under the threshold must not overtake one above it on a rating alone.
            above = answered and score >= self.threshold
            return (not above, -(score + nudge), tip.id)

        return sorted(matches, key=key)
