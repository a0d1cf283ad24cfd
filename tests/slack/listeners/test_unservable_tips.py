"""Old or forged buttons naming a retired or draft tip never show it nor post it in a channel.

Retired (status gone) and draft tips are never served; a Share or a pick button made
before a tip was retired, or forged with a draft's id, must not bring one back.
"""

from __future__ import annotations

import dataclasses
import json

from bot.core import curation
from bot.slack.blocks import PICK_ACTION, SHARE_ACTION, offer_value
from tests.helpers.share import IKEA, QUESTION, share_value


def _retire_ikea(bot) -> None:
    coach = bot.coach
    assert curation.retire(coach.store, coach.library, IKEA, user="UADMIN", expected_version=0)


def _add_draft(bot):
    coach = bot.coach
    tip = dataclasses.replace(
        coach.library.base.get(IKEA), id="a-draft-tip", title="A draft nobody reviewed"
    )
    draft = dataclasses.replace(tip, status="draft")
    curation.save(coach.store, coach.library, draft, user="UADMIN", expected_version=0)
    return coach.library.base.get("a-draft-tip")


def test_share_of_an_answer_whose_tip_was_retired_posts_nothing(running_bot):
    value = share_value(running_bot.slack.command(QUESTION, user="U1", channel="C9").json())
    _retire_ikea(running_bot)
    assert running_bot.slack.action(SHARE_ACTION, value, user="U1", channel="C9").status == 200
    reply = running_bot.responses(at_least=1)[-1]
    running_bot.executor.submit(lambda: None).result(timeout=5)
    assert "no longer" in reply["text"]
    assert running_bot.fake.calls("chat.postMessage") == []


def test_share_with_a_draft_tip_id_posts_nothing(running_bot):
    draft = _add_draft(running_bot)
    assert draft is not None and draft.status == "draft"
    running_bot.slack.action(SHARE_ACTION, draft.id, user="U1", channel="C9")
    running_bot.responses(at_least=1)
    running_bot.executor.submit(lambda: None).result(timeout=5)
    assert running_bot.fake.calls("chat.postMessage") == []


def test_a_pick_naming_a_retired_or_draft_tip_does_not_show_it(running_bot):
    draft = _add_draft(running_bot)
    ikea = running_bot.coach.library.base.get(IKEA)
    _retire_ikea(running_bot)
    for tip in (draft, ikea):
        # An offer that did offer the tip, made before it was retired (or forged to a draft).
        offer = running_bot.store.add_offer(
            user=running_bot.coach.person("U1"),
            channel="C9",
            surface="slash",
            question="how do I get people to value what they build",
            tips=[tip.id],
            level="unsure",
            keep_days=30,
        )
        value = offer_value(offer.id, tip.id)
        assert running_bot.slack.action(f"{PICK_ACTION}_0", value, user="U1").status == 200
    replies = running_bot.responses(at_least=2)
    shown = json.dumps(replies)
    assert "A draft nobody reviewed" not in shown and ikea.title not in shown
    assert running_bot.store.teachings() == []
