"""Subjects PMs bring to an AI-PM coach that the tip base has no advice on.

A question clearly about one of these is declined with the subject's name ("I have no tip on
pricing yet") even when a generic word in it overlaps a tip. Curated from the subjects a
product manager routinely deals with (monetisation, hiring, legal, privacy, security, cost,
latency, model choice, architecture, data, experimentation statistics, planning process,
stakeholders, specs, go-to-market, support, accessibility, localisation, fundraising) and from
`python -m bot gaps`, never from the held-out benchmark set.

The rule is general: a topic fires only when the best tip's own words (title, tags, curated
questions, text) do not themselves contain the trigger phrase, so adding a tip on pricing makes
pricing questions answerable again without touching this list.

Each trigger is a phrase matched on the question's own words, plurals folded (no stemming and
no synonym folding, so "OKRs" is not "metrics", "marketing" is not "market" and "Claude" is not
every LLM): its words must occur in order, with at most MAX_GAP other words between neighbours
("interview two candidates" matches "interview candidates").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from bot.core import text

MAX_GAP = 2  # other words allowed between two words of a trigger phrase

DECLINE_TOPICS: dict[str, tuple[str, ...]] = {
    "pricing": (
        "pricing",
        "price",
        "prices",
        "monetize",
        "monetise",
        "monetization",
        "monetisation",
        "monetizing",
        "paywall",
        "subscription tier",
        "usage based billing",
        "seat based",
        "per seat",
        "willingness to pay",
        "charge customers",
        "charge users",
        "business model",
        "revenue model",
        "freemium",
        "unit economics",
        "gross margin",
    ),
    "hiring a team": (
        "hire engineers",
        "hiring engineers",
        "hire a designer",
        "hiring process",
        "hiring plan",
        "recruit engineers",
        "recruiting engineers",
        "interview candidates",
        "interview loop",
        "interview process",
        "headcount",
        "onboard new hires",
    ),
    "salary and compensation": (
        "salary",
        "compensation",
        "pay raise",
        "equity package",
        "negotiate my offer",
        "negotiate an offer",
    ),
    "managing people and performance": (
        "performance review",
        "direct reports",
        "promotion case",
        "get promoted",
        "layoff",
        "layoffs",
        "reorg",
        "burnout",
        "work life balance",
    ),
    "legal and compliance": (
        "legal",
        "lawyer",
        "lawsuit",
        "compliance",
        "compliant",
        "comply",
        "gdpr",
        "hipaa",
        "ccpa",
        "soc2",
        "soc 2",
        "iso 27001",
        "ai act",
        "regulation",
        "regulated",
        "regulations",
        "regulator",
        "regulatory",
        "liability",
        "copyright",
        "intellectual property",
        "licensing",
        "terms of service",
        "patent",
        "patents",
        "trademark",
        "fda",
        "medical device",
        "coppa",
        "contract with",
        "negotiate a contract",
    ),
    "privacy and customer data": (
        "privacy",
        "personal data",
        "pii",
        "consent",
        "data retention",
        "retention policy",
        "anonymize",
        "anonymise",
        "delete user data",
    ),
    "security": (
        "security",
        "prompt injection",
        "jailbreak",
        "jailbreaks",
        "guardrails",
        "vulnerability",
        "attack",
        "attacker",
        "attacks",
        "data leak",
        "red team",
        "red teaming",
        "content moderation",
        "abuse",
        "misuse",
    ),
    "model and infrastructure cost": (
        "token cost",
        "token costs",
        "inference cost",
        "inference costs",
        "compute cost",
        "api cost",
        "api bill",
        "cloud bill",
        "llm cost",
        "llm costs",
        "model cost",
        "model costs",
        "cost per query",
        "gpu",
        "gpus",
        "on prem",
        "on device",
    ),
    "latency and performance": (
        "latency",
        "throughput",
        "uptime",
        "too slow",
        "response time",
        "scalability",
    ),
    "choosing a model or vendor": (
        "vendor",
        "vendors",
        "openai or anthropic",
        "anthropic or openai",
        "gpt or claude",
        "claude or gpt",
        "openai vs",
        "claude vs",
        "gemini vs",
        "llama vs",
        "open source model",
        "open weights",
        "self host",
        "self hosted",
        "which llm",
        "which model",
        "choose a model",
        "pick a model",
        "model selection",
    ),
    "model architecture (fine-tuning, RAG)": (
        "fine tune",
        "fine tuning",
        "fine tuned",
        "rag",
        "retrieval augmented",
        "embeddings",
        "vector database",
        "vector db",
        "knowledge graph",
        "system prompt",
        "prompt engineering",
        "context engineering",
    ),
    "training data and labelling": (
        "labelling",
        "labeling",
        "annotation",
        "annotators",
        "training data",
        "synthetic data",
        "data pipeline",
        "data quality",
    ),
    "model quality and hallucinations": (
        "hallucinate",
        "hallucinates",
        "hallucinating",
        "hallucination",
        "hallucinations",
        "accuracy",
        "ground truth",
        "factual errors",
        "model drift",
        "data drift",
        "retrain",
        "retraining",
        "precision and recall",
        "f1 score",
        "confusion matrix",
    ),
    "bias, fairness and ethics": (
        "bias",
        "biased",
        "fairness",
        "ethics",
        "ethical",
        "responsible ai",
        "explainability",
        "explainable ai",
    ),
    "writing specs and PRDs": (
        "prd",
        "prds",
        "spec",
        "requirements doc",
        "product requirements",
        "acceptance criteria",
    ),
    "A/B testing and statistics": (
        "ab test",
        "ab tested",
        "a b test",
        "a b testing",
        "ab testing",
        "split test",
        "statistically significant",
        "statistical significance",
        "sample size",
        "p value",
        "control group",
    ),
    "product metrics and analytics": (
        "north star",
        "churn",
        "retention rate",
        "user retention",
        "conversion rate",
        "nps",
        "dau",
        "mau",
        "funnel",
    ),
    "planning process (OKRs, roadmaps, agile)": (
        "set okrs",
        "setting okrs",
        "write okrs",
        "team okrs",
        "quarterly okrs",
        "quarterly planning",
        "sprint planning",
        "story points",
        "backlog grooming",
        "scrum",
        "agile",
        "jira",
        "rice score",
        "prioritization framework",
        "prioritisation framework",
    ),
    "stakeholder conflict": (
        "conflict",
        "conflicts",
        "disagree",
        "disagreement",
        "difficult stakeholder",
        "difficult stakeholders",
        "office politics",
    ),
    "sales, marketing and go-to-market": (
        "sales enablement",
        "sales reps",
        "marketing team",
        "marketing plan",
        "marketing campaign",
        "marketing strategy",
        "product marketing",
        "go to market",
        "gtm",
        "product positioning",
        "positioning statement",
        "launch plan",
        "press release",
        "seo",
    ),
    "customer support operations": (
        "support tickets",
        "ticket deflection",
        "customer support",
        "customer service",
        "support team",
        "help desk",
    ),
    "accessibility": ("accessibility", "accessible", "screen reader", "wcag", "a11y"),
    "localisation": (
        "localisation",
        "localization",
        "localise",
        "localize",
        "localizing",
        "localising",
        "translation",
        "multilingual",
    ),
    "other AI techniques (vision, speech, recommenders)": (
        "computer vision",
        "speech recognition",
        "speech to text",
        "text to speech",
        "recommendation engine",
        "recommender system",
        "recommendation system",
        "fraud detection",
        "forecasting model",
    ),
    "environmental impact": ("carbon footprint", "energy consumption", "sustainability"),
    "fundraising and investors": (
        "fundraising",
        "fundraise",
        "investors",
        "venture capital",
        "valuation",
    ),
}


@dataclass(frozen=True)
class _Trigger:
    topic: str
    stems: tuple[str, ...]


def stems(value: str) -> list[str]:
    """The words of a text as triggers compare them: lowercase, in order, plurals folded.

    Only a plural "s" is folded ("okrs" -> "okr", "vendors" -> "vendor"): a full stemmer
    merges words this list must keep apart ("responsibilities" and "responsible",
    "explain" and "explainability", "marketing" and "market"), so other inflections
    are listed in DECLINE_TOPICS as phrases of their own.
    """
    return [_fold_plural(w) for w in text.words(value)]


def _fold_plural(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@cache
def _triggers() -> tuple[_Trigger, ...]:
    out = []
    for topic, phrases in DECLINE_TOPICS.items():
        for phrase in phrases:
            key = tuple(stems(phrase))
            if key:
                out.append(_Trigger(topic, key))
    return tuple(out)


@cache
def _by_first() -> dict[str, tuple[_Trigger, ...]]:
    table: dict[str, list[_Trigger]] = {}
    for trigger in _triggers():
        table.setdefault(trigger.stems[0], []).append(trigger)
    return {k: tuple(v) for k, v in table.items()}


def _occurs(key: tuple[str, ...], question: list[str], start: int) -> bool:
    """Whether key[1:] follows question[start] in order, each within MAX_GAP words."""
    at = start
    for word in key[1:]:
        window = question[at + 1 : at + 2 + MAX_GAP]
        if word not in window:
            return False
        at = at + 1 + window.index(word)
    return True


def triggered(question: str) -> list[tuple[str, tuple[str, ...]]]:
    """The (topic, trigger stems) pairs whose phrase occurs in the question, in topic order."""
    qs = stems(question)
    table = _by_first()
    found: dict[tuple[str, ...], str] = {}
    for i, word in enumerate(qs):
        for trigger in table.get(word, ()):
            if trigger.stems not in found and _occurs(trigger.stems, qs, i):
                found[trigger.stems] = trigger.topic
    order = {t: n for n, t in enumerate(DECLINE_TOPICS)}
    return sorted(((t, k) for k, t in found.items()), key=lambda tk: order[tk[0]])


def covers(key: tuple[str, ...], tip_stems: list[str]) -> bool:
    """Whether a trigger phrase (its stems) occurs in a tip's word stems, as in a question."""
    return any(w == key[0] and _occurs(key, tip_stems, i) for i, w in enumerate(tip_stems))


def decline_topic(question: str, tip_text: str | None) -> str | None:
    """The not-covered topic a question is clearly about, or None.

    A topic counts only when some trigger of it occurs in the question and not in the
    candidate tip's own words (`tip_text`: all its fields joined; None when there is no
    candidate). The tip is only tokenised when a trigger fires.
    """
    found = triggered(question)
    if not found:
        return None
    tip_stems = stems(tip_text) if tip_text else []
    for topic, key in found:
        if not covers(key, tip_stems):
            return topic
    return None
