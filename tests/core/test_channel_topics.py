"""Channel topics: parsed, validated against the base's tags, used to filter tips."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import knowledge
from bot.core.channel_topics import TopicError, known_topics, parse_topics, tips_for_topics

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def base():
    return knowledge.load(ROOT / "knowledge")


@pytest.mark.parametrize(
    "raw, topics",
    [
        ("ux,strategy", ("ux", "strategy")),
        (" UX , #strategy ux", ("ux", "strategy")),
        ("", ()),
        (["prototyping"], ("prototyping",)),
    ],
)
def test_parse_topics(base, raw, topics):
    assert parse_topics(raw, known_topics(base.live_tips)) == topics


def test_unknown_topics_are_named_and_the_known_ones_listed(base):
    with pytest.raises(TopicError) as info:
        parse_topics("ux,bananas,kale", known_topics(base.live_tips))
    message = str(info.value)
    assert message.startswith("Unknown topics: bananas, kale. Use tags of the tip base")
    assert "ux, v0, visuals" in message  # the known tags, sorted
    assert info.value.unknown == ["bananas", "kale"]


def test_tips_for_topics_keeps_tips_sharing_a_tag(base):
    chosen = tips_for_topics(base.live_tips, ("ux", "strategy"))
    assert {t.id for t in chosen} == {
        "focus-on-the-problem-another-chatgpt",
        "the-ikea-effect",
        "obsess-over-user-experience",
        "focus-on-the-problem-pms-prioritize-solving",
        "focus-on-the-problem-ai-agents",
        "cut-through-the-ai-buzz",
    }
    assert tips_for_topics(base.live_tips, ()) == base.live_tips


def test_kinds_cover_the_served_tips(base):
    assert set(base.kinds) == {t.id for t in base.live_tips}
    assert set(base.kinds.values()) == set(knowledge.KINDS)
