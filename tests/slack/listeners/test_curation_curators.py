"""Making and removing curators in App Home's Library, over signed HTTP against the fake Slack."""

from __future__ import annotations

import json

import pytest

from bot.fakeslack.payloads import app_home_opened_event
from bot.slack import curation_blocks as cb
from bot.slack import modals
from tests.helpers.curation import (
    CURATOR,
    MEMBER,
    bot,  # noqa: F401, F811 - fixtures
    open_form,
)

OTHER = "U0OTHER"


def home(bot, user: str) -> dict:
    """Open `user`'s App Home and return what the coach published."""
    before = len(bot.fake.calls("views.publish"))
    bot.slack.event(app_home_opened_event(user=user, dm_channel=f"D{user}"))
    bot.calls("views.publish", at_least=before + 1)
    return bot.fake.api.homes[user]


def pick(bot, chosen: str, *, user: str = CURATOR) -> dict:
    """`user` picks `chosen` in the Library's curator picker; returns the republished home."""
    before = len(bot.fake.calls("views.publish"))
    view = bot.fake.api.homes.get(user) or {"id": "V0HOME", "type": "home", "blocks": []}
    reply = bot.slack.select_user(cb.ADD_CURATOR_ACTION, chosen, user=user, view=view)
    assert reply.status == 200
    bot.calls("views.publish", at_least=before + 1)
    return bot.fake.api.homes[user]


def text_of(view: dict) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def test_a_curator_makes_a_member_a_curator_from_app_home(bot):
    shown = home(bot, CURATOR)
    pickers = [
        e
        for b in shown["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "users_select"
    ]
    assert [p["action_id"] for p in pickers] == [cb.ADD_CURATOR_ACTION]
    assert "Library" not in text_of(home(bot, MEMBER))

    after = pick(bot, MEMBER)
    assert f"<@{MEMBER}> is now a curator" in text_of(after)
    assert f"<@{MEMBER}> · by <@{CURATOR}>" in text_of(after)
    assert [(r["user"], r["added_by"]) for r in bot.store.curators()] == [(MEMBER, CURATOR)]
    assert "Library" in text_of(home(bot, MEMBER))
    assert open_form(bot, MEMBER)["callback_id"] == modals.CALLBACK_ID


def test_a_curator_removes_one_and_they_lose_the_library(bot):
    pick(bot, MEMBER)
    shown = home(bot, CURATOR)
    remove = next(
        b["accessory"]
        for b in shown["blocks"]
        if b.get("accessory", {}).get("action_id") == cb.REMOVE_CURATOR_ACTION
    )
    before = len(bot.fake.calls("views.publish"))
    bot.slack.action(
        cb.REMOVE_CURATOR_ACTION, remove["value"], user=CURATOR, view=shown, block_id="x"
    )
    bot.calls("views.publish", at_least=before + 1)
    assert "is no longer a curator" in text_of(bot.fake.api.homes[CURATOR])
    assert bot.store.curators() == []
    assert "Library" not in text_of(home(bot, MEMBER))


def test_removing_a_curator_by_setting_says_they_still_are(bot):
    bot.store.add_curator(CURATOR, by="cli")
    bot.slack.action(
        cb.REMOVE_CURATOR_ACTION, CURATOR, user=CURATOR, view={"id": "V1"}, block_id="x"
    )
    bot.calls("views.publish", at_least=1)
    assert "still a curator" in text_of(bot.fake.api.homes[CURATOR])
    assert "Library" in text_of(bot.fake.api.homes[CURATOR])


def test_a_member_who_is_no_curator_cannot_make_anyone_one(bot):
    reply = bot.slack.select_user(cb.ADD_CURATOR_ACTION, MEMBER, user=MEMBER, view={"id": "V1"})
    assert reply.status == 200
    reply = bot.slack.select_user(cb.ADD_CURATOR_ACTION, OTHER, user=MEMBER, view={"id": "V1"})
    assert reply.status == 200
    assert bot.store.curators() == []
    assert "Library" not in text_of(home(bot, MEMBER))


@pytest.mark.parametrize(
    ("chosen", "said"),
    [
        ("B0BOT", "not a member"),
        ("<!channel>", "not a member"),
        ("U0NOBODY", "could not tell"),
        ("U0GONE", "Only people"),
        ("U0ROBOT", "Only people"),
    ],
)
def test_forged_or_unfit_picks_add_nobody(bot, chosen, said):
    bot.fake.api.open_people = False
    bot.fake.api.add_user(CURATOR)
    bot.fake.api.add_user("U0GONE", deleted=True)
    bot.fake.api.add_user("U0ROBOT", is_bot=True)
    shown = pick(bot, chosen)
    assert said in text_of(shown)
    assert "<!channel>" not in text_of(shown)
    assert bot.store.curators() == []


def test_the_library_lists_five_curators_then_points_to_the_cli_within_slacks_limits(bot):
    bot.store.add_curator("U0CLI", by="cli <!here>")
    for n in range(7):
        bot.store.add_curator(f"U0C{n}", by=CURATOR)
    shown = home(bot, CURATOR)
    rows = [
        b
        for b in shown["blocks"]
        if b.get("accessory", {}).get("action_id") == cb.REMOVE_CURATOR_ACTION
    ]
    assert [r["accessory"]["value"] for r in rows] == ["U0CLI"] + [f"U0C{n}" for n in range(4)]
    assert "And 3 more: `aipm-coach curators`" in text_of(shown)
    assert "by `cli &lt;!here&gt;`" in text_of(shown) and "<!here>" not in text_of(shown)
    assert len(shown["blocks"]) <= 100
