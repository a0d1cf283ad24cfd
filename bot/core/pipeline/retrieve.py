"""Stage 2: retrieve. Score every tip that could answer a message, on a few signals, and rank.

Signals (`SIGNALS`, each 0..1):

* lexical: field-weighted term coverage (BM25F-like: how much of the message's information,
  by IDF, the tip's title, tags, curated questions and text account for, with per-field
  saturation), mixed with the nearest curated question's IDF-weighted cosine, so a
  paraphrase of a curated question wins even when the tip's prose uses other words;
* sem_question / sem_body: cosine between the message and the tip's nearest curated
  question / its title and text, by the sentence encoder (`semantic`).

Scoring each sentence of a long message on its own was measured and removed: it cost more
right answers than it earned (docs/benchmarks.md). The sentences' vectors still serve the
decline topics (`decide.Topics`).

A tip's rank score is the weighted sum of its signals (`fitted.AnswerModel.rank_weights`,
fitted on the tuning sets). Unknown words that English does not know are mapped to close vocabulary
words with rapidfuzz (typos), at a discount; words that stay unknown count against the
lexical match by how rare they are in English (`bot.core.frequency`). The lexical signals are
looked up through inverted indexes, so a message only touches tips that share a term with
it; the semantic ones are one matrix product over the tips' vectors.
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy
from rapidfuzz import fuzz, process

from bot.core import frequency
from bot.core.knowledge import Tip
from bot.core.pipeline import fitted, normalise
from bot.core.pipeline.config import AnswerConfig
from bot.core.pipeline.normalise import Message, Normaliser

ZIPF_FREE = 5.0  # an unknown word this common in English ("tomorrow") costs nothing
RARE_ZIPF = 6.0  # rarity(): a word at Zipf 3 (or unlisted) is fully specific


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

    A phrase ("walk and chew gum", "ai pm") is as specific as its most specific word.
    """
    if " " in word:
        return max(map(rarity, normalise.words(word)), default=0.1)
    return max(0.1, min(1.0, (RARE_ZIPF - frequency.zipf(word)) / 3.0))


@dataclass
class QueryTerm:
    """One term of a message as the lexical index sees it."""

    term: str
    word: str  # what the person typed (a phrase for multi-word synonyms)
    weight: float  # how much a match on this term earns (typo-corrected words earn less)
    idf: float
    known: bool


@dataclass
class LexicalQuery:
    """A message's terms and the lexical scores (0..1) of every tip sharing one."""

    terms: list[QueryTerm]
    scores: dict[int, float]


class Lexical:
    """The lexical index over a list of tips (BM25F coverage plus nearest curated question)."""

    def __init__(self, tips: Sequence[Tip], normaliser: Normaliser, config: AnswerConfig):
        self.config = config
        self.normaliser = normaliser
        self._fuzzy_cache: dict[str, tuple[str, float] | None] = {}
        n = len(tips)
        field_terms: list[dict[str, list[str]]] = []
        question_terms: list[list[set[str]]] = []
        df: dict[str, int] = {}
        surface: set[str] = set()
        for tip in tips:
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
        self._df = df
        # Topic words: what titles, tags and the synonym list name. Everyday words that only
        # occur in prose or example questions still match, but cannot carry an answer alone.
        topical = set(normaliser.group_terms)
        for fields in field_terms:
            topical.update(fields["title"])
            topical.update(fields["tags"])
        self.plain = frozenset(t for t in df if t not in topical)
        self._idf = {t: math.log(1.0 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._idf_unknown = math.log(1.0 + (n + 0.5) / 0.5)
        weights = config.field_weights
        avg = {f: max(1.0, sum(len(ft[f]) for ft in field_terms) / max(n, 1)) for f in weights}
        # Postings as parallel arrays sorted by doc: compact at 10,000 tips, and bisectable.
        post_docs: dict[str, array] = {}
        post_credit: dict[str, array] = {}
        for doc, fields in enumerate(field_terms):
            wtf: dict[str, float] = {}
            for f, ts in fields.items():
                if not ts:
                    continue
                w = weights[f] / (1.0 - config.field_b + config.field_b * len(ts) / avg[f])
                for term in ts:
                    wtf[term] = wtf.get(term, 0.0) + w
            for term, w in wtf.items():
                if term not in post_docs:
                    post_docs[term] = array("i")
                    post_credit[term] = array("d")
                post_docs[term].append(doc)
                post_credit[term].append(w / (w + config.saturation))
        self._post_docs = post_docs
        self._post_credit = post_credit
        q_postings: dict[str, array] = {}
        q_doc, q_norm, q_start = array("i"), array("d"), array("i")
        for doc, per_question in enumerate(question_terms):
            q_start.append(len(q_doc))
            for asked in per_question:
                qid = len(q_doc)
                q_doc.append(doc)
                q_norm.append(math.sqrt(sum(self._idf[t] ** 2 for t in asked)) or 1.0)
                for term in asked:
                    q_postings.setdefault(term, array("i")).append(qid)
        q_start.append(len(q_doc))
        self._q_postings, self._q_doc, self._q_norm, self._q_start = (
            q_postings,
            q_doc,
            q_norm,
            q_start,
        )
        self._common_df = max(config.common_min_tips, config.common_share * n)
        # Typos are corrected to words, not terms, before synonym phrases are found, so a
        # misspelt word inside a phrase ("prodcut managment") still makes the phrase.
        vocabulary = surface | normaliser.group_words
        buckets: dict[str, list[str]] = {}
        for word in sorted(vocabulary):
            if len(word) >= 3 and word.isalpha():
                buckets.setdefault(word[0], []).append(word)
        self._vocabulary = frozenset(vocabulary)
        self._fuzzy_buckets = buckets

    def _terms(self, value: str, surface: set[str]) -> list[str]:
        out = []
        for t in self.normaliser.terms(value):
            out.append(t.term)
            if " " not in t.word:
                surface.add(t.word)
        return out

    # -- a message ---------------------------------------------------------------------------

    def _fuzzy(self, word: str) -> tuple[str, float] | None:
        """The base or synonym word closest to an unknown word, with its ratio, or None."""
        if word in self._fuzzy_cache:
            return self._fuzzy_cache[word]
        found = None
        if len(word) >= 4 and word.isalpha() and word.isascii() and self.config.fuzzy_ratio < 100:
            bucket = self._fuzzy_buckets.get(word[0])
            if bucket:
                cutoff = min(100.0, self.config.fuzzy_ratio + (0.0 if len(word) >= 5 else 5.0))
                hit = process.extractOne(word, bucket, scorer=fuzz.ratio, score_cutoff=cutoff)
                # A typo changes a letter or two; a longer or shorter word is another word.
                slack = 1 if len(word) < 8 else 2
                if hit is not None and abs(len(hit[0]) - len(word)) <= slack:
                    found = (hit[0], hit[1])
        if len(self._fuzzy_cache) >= 4096:
            self._fuzzy_cache.clear()
        self._fuzzy_cache[word] = found
        return found

    def query_terms(self, text: str) -> list[QueryTerm]:
        """The message's terms with their weights, typos corrected (unknown words weigh 0)."""
        # A real English word is never "corrected" into another one; only words the
        # frequency list does not know (typos, jargon, names) are looked up.
        typed: dict[str, str] = {}  # corrected word -> what was typed
        ratio: dict[str, float] = {}
        ws = []
        for w in normalise.words(text):
            hit = None
            if w not in self._vocabulary and not frequency.is_common(w):
                hit = self._fuzzy(w)
            if hit is not None:
                typed[hit[0]] = w
                ratio[hit[0]] = min(ratio.get(hit[0], 100.0), hit[1])
                w = hit[0]
            ws.append(w)
        cfg = self.config
        best: dict[str, QueryTerm] = {}
        for t in self.normaliser.terms_of_words(ws)[: cfg.max_query_terms]:
            parts = t.word.split(" ")
            fixed = [ratio[p] for p in parts if p in ratio]
            if t.term in self._df:
                weight = self._plain_weight(t.word) if t.term in self.plain else 1.0
                if fixed:
                    weight *= max(0.0, min(1.0, (min(fixed) - 50.0) / 50.0))
                qt = QueryTerm(t.term, t.word, weight, self._idf[t.term], True)
            else:
                word = " ".join(typed.get(p, p) for p in parts)
                qt = QueryTerm(t.term, word, 0.0, self._idf_unknown, False)
            old = best.get(qt.term)
            if old is None or old.weight < qt.weight:
                best[qt.term] = qt
        return list(best.values())

    def _plain_weight(self, word: str) -> float:
        """How much a plain word (no title, tag or synonym uses it) proves, by English rarity."""
        return self.config.plain_word_weight * max(0.5, min(1.0, rarity(word) / 0.3))

    def query(self, text: str) -> LexicalQuery:
        """Score every tip sharing a term with the message (0..1)."""
        terms = self.query_terms(text)
        return LexicalQuery(terms, self._score_all(terms))

    def _score_all(self, qterms: list[QueryTerm]) -> dict[int, float]:
        known = sorted((q for q in qterms if q.known), key=lambda q: (self._df[q.term], q.term))
        if not known:
            return {}
        cfg = self.config
        masses = [q.idf for q in known]
        total = sum(masses)
        q_norm = math.sqrt(sum(m * m for m in masses))
        # Rare terms nominate candidate tips; common ones (at scale, thousands of postings)
        # only add to candidates already nominated, so a message never walks the whole base.
        rare = [q for q in known if self._df[q.term] <= self._common_df] or known[:1]
        coverage: dict[int, float] = {}
        dots: dict[int, float] = {}
        for q in known:
            open_ = q in rare
            docs, credits = self._post_docs[q.term], self._post_credit[q.term]
            pairs = (
                zip(docs, credits, strict=True)
                if open_
                else self._restricted(docs, credits, coverage)
            )
            mass = q.weight * q.idf
            for d, c in pairs:
                coverage[d] = coverage.get(d, 0.0) + mass * c
            qids = self._q_postings.get(q.term)
            if qids is None:
                continue
            w = q.weight * q.idf * q.idf
            for qid in qids if open_ else self._restricted_questions(qids, coverage):
                dots[qid] = dots.get(qid, 0.0) + w
        cosine: dict[int, float] = {}
        for qid, dot in dots.items():
            doc = self._q_doc[qid]
            c = dot / (q_norm * self._q_norm[qid])
            if c > cosine.get(doc, 0.0):
                cosine[doc] = c
        scores: dict[int, float] = {}
        share = cfg.coverage_share
        for doc, mass in coverage.items():
            evidence = min(1.0, mass / cfg.evidence_idf)
            cover = mass / total
            # The nearest curated question can only add confidence, never take it away.
            near = share * cover + (1 - share) * cosine.get(doc, 0.0)
            scores[doc] = evidence * min(1.0, max(cover, near))
        return scores

    @staticmethod
    def _restricted(docs: array, credits: array, candidates):
        """(doc, credit) pairs of a posting list, only for docs already in `candidates`."""
        if len(candidates) * 8 < len(docs):
            for d in sorted(candidates):
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
            for qid in qids:
                if self._q_doc[qid] in candidates:
                    yield qid

    def evidence(self, query: LexicalQuery, doc: int) -> tuple[float, float, float]:
        """What the message's words say about one tip: (topic_hit, rare_cover, unknown_rare).

        topic_hit is 1 when a specific word matched the tip: a topic word (title, tag,
        synonym) that is not everyday English, or any rare word ("Karpathy") wherever the tip
        has it. rare_cover is the share of the message's specificity (`rarity`) the tip
        covers; unknown_rare how much rare vocabulary the base does not know (0..1).
        """
        total = covered = topic_hit = unknown = 0.0
        for q in query.terms:
            r = rarity(q.word)
            total += r
            if not q.known:
                unknown += unknown_cost(q.word)
                continue
            if self.has(q.term, doc):
                covered += r * (1.0 if q.weight >= 1.0 else 0.5 + 0.5 * q.weight)
                if (q.term not in self.plain and r >= 0.3) or r >= 0.8:
                    topic_hit = 1.0
        return topic_hit, (covered / total if total else 0.0), min(2.0, unknown) / 2.0

    def has(self, term: str, doc: int) -> bool:
        """Whether a tip holds a term."""
        docs = self._post_docs.get(term)
        if docs is None:
            return False
        i = bisect_left(docs, doc)
        return i < len(docs) and docs[i] == doc


@dataclass(frozen=True)
class Candidate:
    """One tip that could answer the message: its signals (SIGNALS order) and rank score."""

    tip: Tip
    doc: int
    signals: tuple[float, ...]
    score: float


@dataclass
class Retrieval:
    """What retrieval found for one message, best first, and what the decision needs."""

    message: Message
    candidates: list[Candidate]
    lexical: LexicalQuery
    unit_vectors: numpy.ndarray | None = None  # the whole message first, then each sentence


class Index:
    """The lexical and semantic index over the live tips, built once per base."""

    def __init__(
        self,
        tips: Sequence[Tip],
        *,
        normaliser: Normaliser,
        config: AnswerConfig,
        encoder=None,
        weights: Sequence[float] | None = None,
    ) -> None:
        """Index `tips`; `encoder` (a `semantic.Encoder`) adds the semantic signals, `weights`
        are the rank weights (SIGNALS order; default: the fitted ones, `fitted.load`)."""
        self.config = config
        if weights is None:
            weights = fitted.load(config.model_file).rank_weights
        self.weights = tuple(weights)
        self.normaliser = normaliser
        self.tips: list[Tip] = sorted(tips, key=lambda t: t.id)
        self.doc_of = {tip.id: i for i, tip in enumerate(self.tips)}
        self.lexical = Lexical(self.tips, normaliser, config)
        self.encoder = encoder if config.semantic else None
        # Set whenever there is an encoder; `_semantic` is only called then.
        self._body: Any = None
        self._questions: Any = None
        self._question_doc: Any = None
        if self.encoder is not None and self.tips:
            self._body = self.encoder.embed([f"{t.title}. {t.text}" for t in self.tips])
            texts, owners = [], []
            for doc, tip in enumerate(self.tips):
                for question in tip.questions:
                    texts.append(question)
                    owners.append(doc)
            self._questions = self.encoder.embed(texts) if texts else numpy.zeros((0, 384))
            self._question_doc = numpy.asarray(owners, dtype=numpy.int64)

    def __len__(self) -> int:
        return len(self.tips)

    def encode(self, texts: list[str]) -> numpy.ndarray | None:
        """Unit vectors for texts with this index's encoder (None when it has none)."""
        return None if self.encoder is None else self.encoder.embed(texts)

    def _semantic(self, vectors: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
        """Per text (rows of `vectors`) and tip: (nearest curated question, body) cosines."""
        body = vectors @ self._body.T
        nearest = numpy.full_like(body, -1.0)
        if len(self._questions):
            sims = vectors @ self._questions.T  # (texts, questions)
            for row in range(len(vectors)):
                numpy.maximum.at(nearest[row], self._question_doc, sims[row])
        return nearest, body

    def similarity(self, vectors: numpy.ndarray) -> numpy.ndarray:
        """Per text (rows of `vectors`) and tip: the best cosine with any of the tip's views
        (its title and text, each curated question); shape (texts, tips)."""
        nearest, body = self._semantic(vectors)
        return numpy.maximum(nearest, body)

    def retrieve(self, message: Message, *, limit: int = 10) -> Retrieval:
        """Stage 2: the best `limit` tips for a message by rank score, with every signal."""
        text, units = message.text, list(message.units)
        whole = self.lexical.query(text)
        docs: Iterable[int] = whole.scores
        vectors = sem_q = sem_b = None
        if self.encoder is not None and self.tips and message.words:
            # The encoder reads the words people typed, not Slack's markup or emoji codes.
            texts = [text, *units] if len(units) > 1 else [text]
            vectors = self.encoder.embed([" ".join(normalise.clean(t).split()) for t in texts])
            nearest, body = self._semantic(vectors[:1])
            sem_q, sem_b = nearest[0], body[0]
            docs = range(len(self.tips))
        weights = self.weights
        candidates = []
        for doc in docs:
            lexical = whole.scores.get(doc, 0.0)
            if sem_q is None or sem_b is None:
                signals = (lexical, 0.0, 0.0)
            else:
                signals = (lexical, max(0.0, float(sem_q[doc])), max(0.0, float(sem_b[doc])))
            score = sum(w * s for w, s in zip(weights, signals, strict=True))
            candidates.append(Candidate(self.tips[doc], doc, signals, score))
        # Rounded so float noise cannot outrank the tip-id tie-break.
        best = heapq.nsmallest(limit, candidates, key=lambda c: (-round(c.score, 6), c.tip.id))
        return Retrieval(message, [c for c in best if c.score > 0], whole, vectors)
