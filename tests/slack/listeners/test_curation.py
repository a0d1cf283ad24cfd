"""Curating from Slack over signed HTTP against the fake Slack: add, refuse, answer, tell, export."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from bot.fakeslack import payloads
from bot.slack import curation_blocks as cb
from bot.slack import modals
from tests.conftest import ROOT, make_settings, start_bot, wait_until
from tests.helpers.curation import (
    ADMIN,
    ASKER,
    CURATOR,
    MEMBER,
    QUESTION,
    ask,
    bot,  # noqa: F401, F811 - fixtures
    open_form,
    submit,
)


def answered_with(reply: dict, title: str) -> bool:
    return reply["blocks"][1].get("text", {}).get("text", "").startswith(f"*{title}*")


def test_a_non_curator_gets_a_polite_refusal_and_no_modal(bot):
    reply = bot.slack.command("add", user=MEMBER).json()
    assert "only curators" in reply["text"]
    assert bot.fake.api.calls("views.open") == []


@pytest.mark.parametrize("user", [CURATOR, ADMIN])
def test_curators_and_admins_get_the_form(bot, user):
    view = open_form(bot, user)
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels == ["Title", "Kind", "Tip", "Questions", "Tags", "Source link"]
    assert view["callback_id"] == modals.CALLBACK_ID


def test_an_invalid_form_gets_field_errors_and_nothing_is_stored(bot):
    view = open_form(bot)
    answer = submit(bot, view, title="", text="x" * 601, questions="only one")
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"title", "text", "questions"}
    assert "600" in answer["errors"]["text"] and "at least 3" in answer["errors"]["questions"]
    assert bot.store.team_tips() == []


def test_a_tip_that_would_ping_the_channel_is_refused(bot):
    view = open_form(bot)
    answer = submit(bot, view, text="<!channel> read this: evals first")
    assert "notify" in answer["errors"]["text"]
    assert bot.store.team_tips() == []


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/x> <!channel> <https://a.b",
        "https://e.x/|<@U0001>",
        "https://x y <!here>",
        "https://e.x/a\nb <!channel>",
    ],
)
def test_a_link_that_is_not_a_plain_url_is_refused_on_the_form(bot, link):
    answer = submit(bot, open_form(bot), link=link)
    assert answer["response_action"] == "errors" and set(answer["errors"]) == {"link"}
    assert "<!" not in answer["errors"]["link"]
    assert bot.store.team_tips() == []


def test_a_link_saved_under_older_rules_never_pings_when_shown(bot):
    hostile = "https://evil.example/x> <!channel> <https://a.b"
    row = {
        "id": "old-link",
        "title": "Price AI features on outcomes",
        "text": "Charge for the result.",
        "tags": ["pricing"],
        "questions": [QUESTION, "what pricing model for LLM features", "how do we charge"],
        "source": {"note": "Team tip", "timestamp": "2024-01-01", "url": hostile},
        "status": "curated",
        "kind": "practice",
    }
    bot.store.save_team_tip(row, user=CURATOR, expected_version=0)
    bot.coach.library.refresh()
    reply = bot.slack.command(QUESTION, user=MEMBER, channel="C1").json()
    assert answered_with(reply, "Price AI features on outcomes")
    assert "<!channel>" not in json.dumps(reply)
    bot.slack.action("share_tip", "old-link", user=MEMBER, channel="C1")
    (post,) = bot.calls("chat.postMessage", at_least=1)
    assert "<!channel>" not in json.dumps(post.params)


def test_a_form_with_thousands_of_questions_or_tags_is_refused(bot):
    questions = "\n".join(f"how do I price feature number {i}" for i in range(30_000))
    tags = ", ".join(f"tag{i}" for i in range(3_000))
    answer = submit(bot, open_form(bot), questions=questions, tags=tags)
    assert set(answer["errors"]) == {"questions", "tags"}
    assert "at most 50" in answer["errors"]["questions"]
    assert "at most 20" in answer["errors"]["tags"]
    assert bot.store.team_tips() == []


def test_a_title_with_a_direction_override_is_refused(bot):
    answer = submit(bot, open_form(bot), title="Price AI \u202efeatures on outcomes")
    assert "U+202E" in answer["errors"]["title"]
    assert bot.store.team_tips() == []


def test_a_title_in_full_width_letters_is_a_duplicate(bot):
    existing = next(iter(bot.coach.library.base)).title
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in existing)
    assert wide != existing
    answer = submit(bot, open_form(bot), title=wide)
    assert "already has this title" in answer["errors"]["title"]


def test_a_duplicate_title_is_refused(bot):
    existing = next(iter(bot.coach.library.base)).title
    answer = submit(bot, open_form(bot), title=existing)
    assert "already has this title" in answer["errors"]["title"]


def test_a_valid_tip_answers_at_once_in_slack_and_the_terminal_and_survives_a_restart(
    bot, fake_slack, knowledge_dir, db_path
):
    before = ask(bot, QUESTION)
    assert not answered_with(before, "Price AI features on outcomes")
    answer = submit(bot, open_form(bot))
    assert answer["response_action"] == "update"
    assert "Price AI features on outcomes" in json.dumps(answer["view"])
    assert answered_with(ask(bot, QUESTION), "Price AI features on outcomes")
    stored = bot.store.team_tip("price-ai-features-on-outcomes")
    assert stored["created_by"] == CURATOR and stored["version"] == 1

    env = {
        **os.environ,
        "COACH_DB": str(db_path),
        "COACH_KNOWLEDGE": str(knowledge_dir),
    }
    terminal = subprocess.run(
        [sys.executable, "-m", "bot", "ask", QUESTION],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert terminal.returncode == 0, terminal.stderr
    assert terminal.stdout.startswith("Price AI features on outcomes")

    bot.stop()
    again = start_bot(make_settings(fake_slack, knowledge_dir, db_path), fake_slack)
    try:
        assert answered_with(ask(again, QUESTION), "Price AI features on outcomes")
    finally:
        again.stop()
        bot.stop = lambda: None  # already stopped


def test_whoever_asked_to_be_told_gets_one_dm_naming_the_tip(bot):
    declined = ask(bot, QUESTION, user=ASKER)
    buttons = [
        e
        for b in declined["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == cb.WAIT_ACTION
    ]
    assert buttons and buttons[0]["value"] == QUESTION
    assert bot.slack.action(cb.WAIT_ACTION, QUESTION, user=ASKER).status == 200
    confirmation = bot.responses(at_least=1)[-1]
    assert "direct message" in confirmation["text"]
    assert bot.store.open_gaps()[0]["waiting"] == 1

    submit(bot, open_form(bot))
    posts = bot.calls("chat.postMessage", at_least=1, timeout=30)
    opened = bot.calls("conversations.open", at_least=1, timeout=30)
    assert [c.params["users"] for c in opened] == [ASKER]
    dms = [c for c in posts if c.params["channel"] == f"D{ASKER}"]
    assert len(dms) == 1
    assert "Price AI features on outcomes" in dms[0].params["text"]
    assert QUESTION in json.dumps(dms[0].params["blocks"])
    # The DM is recorded as sent just after Slack answered it: wait for that, not the call.
    deadline = time.monotonic() + 10
    while bot.store.open_gaps() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert bot.store.open_gaps() == []

    published = len(bot.calls("views.publish", at_least=1, timeout=30))
    submit(bot, open_form(bot), title="Another pricing angle", tags="pricing")
    bot.calls("views.publish", at_least=published + 1, timeout=30)  # the last step of a save
    assert len(bot.fake.api.calls("chat.postMessage")) == 1


def test_the_message_shortcut_opens_the_prefilled_form(bot):
    reply = bot.slack.shortcut(
        cb.SAVE_SHORTCUT,
        {"ts": "1700000000.000200", "text": "Ship evals before the feature.", "user": MEMBER},
        user=CURATOR,
        channel="C1",
    )
    assert reply.status == 200
    view = bot.fake.api.modals[-1]
    inputs = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"]}
    assert inputs["text"] == "Ship evals before the feature."
    assert inputs["link"].endswith("/archives/C1/p1700000000000200")


def test_the_message_shortcut_refuses_a_non_curator(bot):
    bot.slack.shortcut(cb.SAVE_SHORTCUT, {"ts": "1700000000.000300", "text": "hi"}, user=MEMBER)
    assert bot.fake.api.calls("views.open") == []
    assert "only curators" in bot.responses(at_least=1)[-1]["text"]


def test_a_forged_submission_by_a_non_curator_is_refused(bot):
    view = open_form(bot)
    answer = submit(bot, view, user=MEMBER)
    assert answer["response_action"] == "errors" and "only curators" in answer["errors"]["title"]
    assert bot.store.team_tips() == []


def test_a_stale_form_after_retire_is_refused(bot):
    submit(bot, open_form(bot))
    tip_id = "price-ai-features-on-outcomes"
    edit = bot.coach.library.base.get(tip_id)
    assert edit is not None
    bot.slack.action(
        cb.EDIT_ACTION, f"{tip_id}:1", user=CURATOR, block_id=f"lib:{tip_id}", view={"id": "VHOME"}
    )
    edit_view = bot.fake.api.modals[-1]
    assert modals.Editing.load(edit_view["private_metadata"]) == modals.Editing(tip_id, 1)
    bot.slack.action(
        cb.RETIRE_ACTION, f"{tip_id}:1", user=CURATOR, block_id=f"lib:{tip_id}", view={"id": "V"}
    )
    assert bot.store.team_tip(tip_id)["status"] == "gone"
    answer = submit(bot, edit_view, text="A late edit.")
    assert "retired" in answer["errors"]["title"]
    assert bot.store.team_tip(tip_id)["status"] == "gone"
    assert not answered_with(ask(bot, QUESTION), "Price AI features on outcomes")


@pytest.mark.parametrize(
    "metadata", ["", "not json", '{"tip": 5, "v": "x"}', '{"tip": "no-such-tip", "v": 3}']
)
def test_hostile_private_metadata_never_crashes(bot, metadata):
    view = {**open_form(bot), "private_metadata": metadata}
    answer = submit(bot, view)
    assert answer.get("response_action") in ("errors", "update")
    if "no-such-tip" in metadata:
        assert answer["response_action"] == "errors"


def test_a_submission_without_state_gets_errors_not_a_crash(bot):
    reply = bot.slack.submit(open_form(bot), {})
    assert reply.status == 200
    assert reply.json()["response_action"] == "errors"


def test_gaps_list_questions_as_typed_with_write_a_tip(bot):
    ask(bot, "Recipe for banana bread?")
    ask(bot, "recipe for banana bread")
    assert "only curators" in bot.slack.command("gaps", user=MEMBER).json()["text"]
    reply = bot.slack.command("gaps", user=CURATOR).json()
    rows = [b for b in reply["blocks"] if b.get("accessory")]
    assert rows[0]["text"]["text"].startswith("_recipe for banana bread_ (2×")
    button = rows[0]["accessory"]
    assert button["action_id"] == cb.WRITE_ACTION
    bot.slack.action(cb.WRITE_ACTION, button["value"], user=CURATOR, block_id="x")
    view = bot.fake.api.modals[-1]
    questions = next(b for b in view["blocks"] if b.get("block_id") == "questions")
    assert questions["element"]["initial_value"] == "recipe for banana bread"


def test_app_home_shows_the_library_to_curators_only_within_slacks_limits(bot):
    store = bot.store
    for n in range(300):
        store.save_team_tip(
            {
                "id": f"bulk-{n}",
                "title": f"Bulk tip {n}",
                "text": "Text.",
                "tags": ["bulk"],
                "questions": ["a", "b", "c"],
                "source": {"note": "Team tip", "timestamp": "2026-11-28", "url": "https://x.test"},
                "status": "curated",
            },
            user=CURATOR,
            expected_version=0,
        )
    bot.coach.library.refresh()
    from bot.fakeslack.payloads import app_home_opened_event

    for user in (CURATOR, MEMBER):
        bot.slack.event(app_home_opened_event(user=user, dm_channel=f"D{user}"))
    bot.calls("views.publish", at_least=2)
    home = bot.fake.api.homes[CURATOR]
    assert len(home["blocks"]) <= 100
    text = json.dumps(home["blocks"], ensure_ascii=False)
    assert "Library" in text and "Team tips* · 300 (page 1 of 38)" in text
    assert "Library" not in json.dumps(bot.fake.api.homes[MEMBER]["blocks"])


def test_knowledge_export_writes_a_file_that_passes_knowledge_check(
    bot, knowledge_dir, db_path, tmp_path
):
    submit(bot, open_form(bot))
    env = {**os.environ, "COACH_DB": str(db_path), "COACH_KNOWLEDGE": str(knowledge_dir)}
    out = tmp_path / "team-tips.yaml"
    export = subprocess.run(
        [sys.executable, "-m", "bot", "knowledge", "export", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert export.returncode == 0, export.stderr
    assert "1 team tip" in export.stdout
    folder = tmp_path / "committed"
    shutil.copytree(knowledge_dir, folder)
    shutil.copy(out, folder / "team-tips.yaml")
    check = subprocess.run(
        [sys.executable, "-m", "bot", "knowledge", "check"],
        cwd=ROOT,
        env={**env, "COACH_KNOWLEDGE": str(folder)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stderr


def test_a_question_with_mentions_is_escaped_in_the_button_and_stored_as_typed(bot):
    question = "pizza & <!here> for <@U123>?"
    declined = ask(bot, question, user=ASKER)
    value = declined["blocks"][-1]["elements"][0]["value"]
    assert "<" not in value and "&lt;!here&gt;" in value
    bot.slack.action(cb.WAIT_ACTION, value, user=ASKER)
    assert bot.store.waiting_topics()[0]["question"] == question
    assert "<!here>" not in json.dumps(bot.responses(at_least=1)[-1])


MODAL_VIEW = {"type": "modal", "callback_id": modals.CALLBACK_ID}


def _payload(bot, payload: dict):
    from urllib.parse import urlencode

    return bot.slack.signed(
        urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"view": {"callback_id": modals.CALLBACK_ID}},
        {"view": "a string"},
        {"view": {**MODAL_VIEW, "state": "nope"}},
        {"view": {**MODAL_VIEW, "state": {"values": {"title": "x"}}}},
        {"view": {**MODAL_VIEW, "state": {"values": [1, 2]}}},
        {"user": "U0CURATOR", "view": MODAL_VIEW},
        {"team": "T1", "view": {**MODAL_VIEW, "private_metadata": 7}},
    ],
)
def test_hostile_submissions_get_an_answer_not_a_5xx(bot, changes):
    payload = {
        "type": "view_submission",
        "team": {"id": "T1", "domain": "t1"},
        "user": {"id": CURATOR},
        "api_app_id": "A1",
        "trigger_id": "1.2.3",
        **changes,
    }
    reply = _payload(bot, payload)
    assert reply.status in (200, 400)
    if reply.status == 200 and reply.body.strip():
        assert reply.json()["response_action"] == "errors"
    assert bot.store.team_tips() == []


@pytest.mark.parametrize("message", ["just a string", None, {"ts": 5, "text": ["x"]}])
def test_a_hostile_message_shortcut_gets_no_5xx(bot, message):
    payload = {
        "type": "message_action",
        "callback_id": cb.SAVE_SHORTCUT,
        "team": {"id": "T1", "domain": "t1"},
        "user": {"id": CURATOR},
        "channel": {"id": "C1"},
        "trigger_id": "1.2.3",
        "response_url": bot.fake.response_url,
        "message": message,
    }
    assert _payload(bot, payload).status < 500


def test_library_pages_turn_and_retire_republishes_with_a_notice(bot):
    def published_home(needle: str) -> list:
        # Each save also republishes Home after its answer, in any order with the clicks.
        return wait_until(
            lambda: [
                c
                for c in bot.fake.calls("views.publish")
                if needle in json.dumps(c.params["view"], ensure_ascii=False)
            ],
            1,
            30,
        )

    for n in range(10):
        submit(bot, open_form(bot), title=f"Pricing angle {n}", tags="pricing")
    bot.slack.action(
        cb.PAGE_ACTION, "team:1", user=CURATOR, block_id="lib:page:team", view={"id": "V"}
    )
    assert published_home("Team tips* · 10 (page 2 of 2)")
    bot.slack.action(
        cb.RETIRE_ACTION, "pricing-angle-0:7", user=CURATOR, block_id="x", view={"id": "V"}
    )
    assert published_home("changed since this page was shown")
    assert bot.store.team_tip("pricing-angle-0")["status"] == "curated"


def test_a_declined_dm_offers_the_wait_button_and_a_click_there_replaces_nothing(bot):
    bot.slack.dm("recipe for banana bread", user=ASKER)
    (answer,) = bot.calls("chat.postMessage", at_least=1, timeout=30)
    assert answer.params["channel"] == f"D{ASKER}"
    assert cb.WAIT_ACTION in json.dumps(answer.params["blocks"])
    body, kind = payloads.block_actions(
        action={
            "action_id": cb.WAIT_ACTION,
            "block_id": "aipm_wait",
            "value": "recipe for banana bread",
        },
        user={"id": ASKER, "name": "asker"},
        channel={"id": f"D{ASKER}", "name": "dm"},
        team={"id": "T1", "domain": "t1"},
        api_app_id="A1",
        response_url=bot.fake.response_url,
        message={"ts": answer.response["ts"], "text": "x"},
        message_ts=answer.response["ts"],
        ephemeral=False,
    )
    assert bot.slack.signed(body, kind).status == 200
    note = bot.responses(at_least=1, timeout=30)[-1]
    assert note["replace_original"] is False and note["response_type"] == "ephemeral"
    assert bot.store.waiting_topics()[0]["question"] == "recipe for banana bread"


def _wait_buttons(message: dict) -> list:
    return [
        e
        for b in message.get("blocks") or []
        if b.get("type") == "actions"
        for e in b.get("elements", [])
        if e.get("action_id") == cb.WAIT_ACTION
    ]


def test_when_questions_are_not_kept_no_one_is_offered_tell_me(fake_slack, knowledge_dir, db_path):
    settings = make_settings(fake_slack, knowledge_dir, db_path, log_questions=False)
    bot = start_bot(settings, fake_slack)
    try:
        declined = ask(bot, QUESTION, user=ASKER)
        assert "no tip" in declined["text"] and _wait_buttons(declined) == []
        bot.slack.dm("recipe for banana bread", user=ASKER)
        (answer,) = bot.calls("chat.postMessage", at_least=1, timeout=30)
        assert _wait_buttons(answer.params) == []
        # A click on an old or forged button stores nothing either.
        assert bot.slack.action(cb.WAIT_ACTION, QUESTION, user=ASKER).status == 200
        bot.executor.submit(lambda: None).result(timeout=5)
        assert bot.store.open_gaps() == [] and bot.store.waiting_topics() == []
    finally:
        bot.stop()
