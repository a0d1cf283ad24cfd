"""Share to channel over signed HTTP: once per answer, even when clicked at the same moment."""

from __future__ import annotations

import json
import threading

from bot.slack.blocks import SHARE_ACTION, read_value
from tests.conftest import sure_with_alternatives
from tests.helpers.share import IKEA, QUESTION, share_value  # noqa: F401


def share_button_text(message: dict) -> str:
    for block in message["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == SHARE_ACTION:
                return element["text"]["text"]
    raise AssertionError("no Share button")


def test_share_clicked_three_times_two_at_once_posts_once_with_the_question(running_bot):
    value = share_value(running_bot.slack.command(QUESTION, user="U1", channel="C9").json())
    barrier = threading.Barrier(2)

    def click() -> None:
        barrier.wait()
        assert running_bot.slack.action(SHARE_ACTION, value, user="U1", channel="C9").status == 200

    clicks = [threading.Thread(target=click) for _ in range(2)]
    for t in clicks:
        t.start()
    for t in clicks:
        t.join()
    running_bot.responses(at_least=1)
    running_bot.executor.submit(lambda: None).result(timeout=5)
    assert running_bot.slack.action(SHARE_ACTION, value, user="U1", channel="C9").status == 200
    responses = running_bot.responses(at_least=2)
    running_bot.executor.submit(lambda: None).result(timeout=5)

    posts = running_bot.fake.calls("chat.postMessage")
    assert len(posts) == 1 and len(running_bot.fake.messages("C9")) == 1
    shown = json.dumps(posts[0].params["blocks"])
    assert f"<@U1> asked: *{QUESTION}*" in shown
    assert shown.index("asked") < shown.index("Ikea effect"), "the question comes before the tip"
    assert all(share_button_text(r) == ":white_check_mark: Shared" for r in responses)
    button = read_value(value)
    assert running_bot.store.share(f"offer:{button.offer}:{button.tip}").status == "posted"
    assert "Shared by" not in shown, "the asker shared: named once, as the asker"


def test_two_answers_of_the_same_tip_share_separately(running_bot):
    first = share_value(running_bot.slack.command(QUESTION, user="U1", channel="C9").json())
    second = share_value(running_bot.slack.command(QUESTION, user="U2", channel="C9").json())
    running_bot.slack.action(SHARE_ACTION, first, user="U1", channel="C9")
    running_bot.slack.action(SHARE_ACTION, second, user="U2", channel="C9")
    posts = running_bot.calls("chat.postMessage", at_least=2)
    assert [p.params["channel"] for p in posts] == ["C9", "C9"]
    shown = [json.dumps(p.params["blocks"]) for p in posts]
    assert any("<@U1> asked" in s for s in shown) and any("<@U2> asked" in s for s in shown)


def test_a_failed_share_can_be_clicked_again(running_bot):
    value = share_value(running_bot.slack.command(QUESTION, user="U1", channel="C9").json())
    running_bot.fake.fail_next("chat.postMessage", error="not_in_channel")
    running_bot.slack.action(SHARE_ACTION, value, user="U1", channel="C9")
    assert "/invite" in json.dumps(running_bot.responses(at_least=1)[-1])
    running_bot.slack.action(SHARE_ACTION, value, user="U1", channel="C9")
    running_bot.responses(at_least=2)
    assert len(running_bot.fake.messages("C9")) == 1


def test_someone_elses_thread_answer_is_shared_without_naming_the_asker(running_bot):
    # Anyone can press Share on a public thread answer: it must not lift "<@U1> asked: ..."
    # into the channel with a ping. The question stays (it is public in the thread).
    running_bot.slack.mention(QUESTION, user="U1", channel="C9", ts="1700000900.0")
    (answer,) = running_bot.calls("chat.postMessage", at_least=1)
    value = share_value(answer.params)
    running_bot.slack.action(SHARE_ACTION, value, user="U2", channel="C9")
    shared = running_bot.calls("chat.postMessage", at_least=2)[-1]
    shown = json.dumps(shared.params["blocks"])
    assert "<@U1>" not in shown and f"Someone asked: *{QUESTION}*" in shown
    assert "Shared by <@U2>" in shown


def test_a_forged_share_value_cannot_name_anyone(running_bot):
    value = share_value(running_bot.slack.command(QUESTION, user="U1", channel="C9").json())
    offer = read_value(value).offer
    running_bot.store.db.execute("UPDATE offers SET user = 'UCEO' WHERE id = ?", [offer])
    forged = json.dumps({"o": offer, "t": IKEA, "u": "UCEO", "q": "how do I hide my bad launch"})
    running_bot.slack.action(SHARE_ACTION, forged, user="U1", channel="C9")
    (post,) = running_bot.calls("chat.postMessage", at_least=1)
    shown = json.dumps(post.params["blocks"])
    assert "UCEO" not in shown and "hide my bad launch" not in shown
    assert "<@U1> asked" not in shown, "U1 is not the asker the offer names"


def test_a_forged_share_names_no_one_and_posts_no_forged_question(running_bot):
    forged = json.dumps(
        {"t": IKEA, "q": "how do I hide my bad launch from my VP", "k": "k1", "u": "UCEO"}
    )
    running_bot.slack.action(SHARE_ACTION, forged, user="UCEO", channel="C9")
    (post,) = running_bot.calls("chat.postMessage", at_least=1)
    shown = json.dumps(post.params)
    assert "<@UCEO> asked" not in shown and "hide my bad launch" not in shown
    assert "Ikea" in shown, "the tip itself is still shared"


def test_a_signed_looking_value_from_someone_else_names_no_one(running_bot):
    # A real value of U1's answer, with the asker changed to the clicker, is not the bot's.
    value = share_value(running_bot.slack.command(QUESTION, user="U1", channel="C9").json())
    edited = json.loads(value) | {"u": "U2"}
    running_bot.slack.action(SHARE_ACTION, json.dumps(edited), user="U2", channel="C9")
    (post,) = running_bot.calls("chat.postMessage", at_least=1)
    assert "<@U2> asked" not in json.dumps(post.params)


def test_a_share_after_picking_a_tip_still_names_the_asker(running_bot):
    question, _, _ = sure_with_alternatives(running_bot.coach.library.base.tips)
    body = running_bot.slack.command(question, user="U1", channel="C9").json()
    pick = next(
        e
        for b in body["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"].startswith("pick_tip_")
    )
    running_bot.slack.action(pick["action_id"], pick["value"], user="U1", channel="C9")
    shown = running_bot.responses(at_least=1)[-1]
    running_bot.slack.action(SHARE_ACTION, share_value(shown), user="U1", channel="C9")
    (post,) = running_bot.calls("chat.postMessage", at_least=1)
    assert f"<@U1> asked: *{question}*" in json.dumps(post.params["blocks"])


def test_a_question_with_a_ping_is_shared_without_one(running_bot):
    reply = running_bot.slack.command("<!here> what is the ikea effect", user="U1", channel="C9")
    value = share_value(reply.json())
    assert "<!here>" not in value
    running_bot.slack.action(SHARE_ACTION, value, user="U1", channel="C9")
    (post,) = running_bot.calls("chat.postMessage", at_least=1)
    assert "<!here>" not in json.dumps(post.params) and "&lt;!here&gt;" in json.dumps(post.params)


def test_an_old_button_with_a_bare_tip_id_still_shares_once(running_bot):
    running_bot.slack.action(SHARE_ACTION, IKEA, user="U1", channel="C9")
    running_bot.responses(at_least=1)
    running_bot.slack.action(SHARE_ACTION, IKEA, user="U1", channel="C9")
    running_bot.responses(at_least=2)
    assert len(running_bot.fake.messages("C9")) == 1
