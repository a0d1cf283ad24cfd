"""Subjects PMs bring to an AI-PM coach that the tip base has no advice on.

A question clearly about one of these is declined with the subject's name ("I have no tip on
pricing yet") even when a generic word in it overlaps a tip. Curated from the subjects a
product manager routinely deals with (monetisation, hiring, legal, security, cost, model
choice, delivery mechanics) and from `python -m bot gaps`, never from the held-out benchmark
set. A topic fires only when the best tip does not itself mention the trigger, so adding a tip
on pricing makes pricing questions answerable again without touching this list.

Each trigger is a phrase; it matches when all of its terms (stemmed, synonyms folded, as in
`bot.core.text`) occur in the question, in any order.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from functools import cache

from bot.core import text

DECLINE_TOPICS: dict[str, tuple[str, ...]] = {
    "pricing": (
        "pricing",
        "price",
        "monetize",
        "monetization",
        "paywall",
        "subscription tier",
        "usage based billing",
        "willingness to pay",
    ),
    "hiring a team": (
        "hire engineers",
        "recruit engineers",
        "interview candidates",
        "headcount",
        "job description",
    ),
    "salary and compensation": ("salary", "compensation", "pay raise", "equity package"),
    "legal and compliance": (
        "legal",
        "lawyer",
        "compliance",
        "compliant",
        "gdpr",
        "hipaa",
        "regulation",
        "regulator",
        "liability",
        "copyright",
        "intellectual property",
        "licensing",
    ),
    "privacy and customer data": ("privacy", "personal data", "pii", "consent", "data retention"),
    "security": (
        "security",
        "prompt injection",
        "jailbreak",
        "guardrails",
        "vulnerability",
        "attack",
    ),
    "model and infrastructure cost": (
        "token cost",
        "inference cost",
        "compute cost",
        "api cost",
        "gpu",
        "cloud bill",
    ),
    "latency and performance": ("latency", "throughput", "uptime"),
    "choosing a model or vendor": (
        "vendor",
        "provider",
        "open source",
        "fine tune",
        "fine tuning",
        "rag",
        "retrieval augmented",
        "embeddings",
        "vector database",
    ),
    "model quality and hallucinations": (
        "hallucinate",
        "hallucination",
        "accuracy",
        "ground truth",
    ),
    "bias, fairness and ethics": ("bias", "fairness", "ethics", "ethical", "responsible ai"),
    "writing specs and PRDs": ("prd", "spec", "requirements doc"),
    "A/B testing and statistics": (
        "ab test",
        "ab testing",
        "split test",
        "statistically significant",
        "statistical significance",
        "sample size",
    ),
    "sales, marketing and go-to-market": (
        "sales enablement",
        "sales reps",
        "marketing team",
        "product marketing",
        "marketing campaign",
        "gtm",
        "positioning",
    ),
    "customer support operations": ("support tickets", "ticket deflection"),
}


@dataclass(frozen=True)
class _Trigger:
    topic: str
    terms: frozenset[str]


@cache
def _triggers() -> tuple[_Trigger, ...]:
    out = []
    for topic, phrases in DECLINE_TOPICS.items():
        for phrase in phrases:
            terms = frozenset(text.term_list(phrase))
            if terms:
                out.append(_Trigger(topic, terms))
    return tuple(out)


def triggered(question_terms: set[str]) -> list[tuple[str, frozenset[str]]]:
    """The (topic, trigger terms) pairs whose every term occurs in the question's terms."""
    return [(t.topic, t.terms) for t in _triggers() if t.terms <= question_terms]


def decline_topic(question_terms: set[str], tip_terms: Container[str]) -> str | None:
    """The not-covered topic a question is clearly about, or None.

    A topic counts only when some trigger of it occurs in the question and the candidate
    tip's own terms (`tip_terms`, empty when there is no candidate) do not contain it.
    """
    for topic, terms in triggered(question_terms):
        if not all(term in tip_terms for term in terms):
            return topic
    return None
