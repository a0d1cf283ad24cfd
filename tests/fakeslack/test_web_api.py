"""The one in-memory Web API: Slack's answers, scripted failures, recorded calls, response URLs."""

from __future__ import annotations

import json
import time

import pytest

from bot.fakeslack.web_api import RESPONSE_URL_USES, WebAPI, parse_args

TOKEN = "xoxb-t"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PEOPLE = [{"id": "U1", "name": "ana", "tz": "Europe/Berlin", "is_admin": True}]
CHANNELS = [{"id": "C1", "name": "product"}]


def answer(api: WebAPI, method: str, **args) -> tuple[int, dict]:
    reply = api.handle(method, args, AUTH)
    return reply.status, json.loads(reply.body)


def closed() -> WebAPI:
    return WebAPI(token=TOKEN, people=PEOPLE, channels=CHANNELS)


def test_an_open_workspace_takes_any_channel_and_sends_user_ids_to_their_dm():
    api = WebAPI()
    _, posted = answer(api, "chat.postMessage", channel="CANY", text="hi")
    _, dm = answer(api, "chat.postMessage", channel="U42", text="psst")
    assert posted["ok"] and posted["channel"] == "CANY"
    assert dm["channel"] == "DU42"
    assert [m["text"] for m in api.messages("DU42")] == ["psst"]
    assert answer(api, "users.info", user="U42")[1]["user"]["tz"] == "UTC"


def test_a_closed_workspace_refuses_strangers():
    api = closed()
    assert answer(api, "chat.postMessage", channel="C404", text="hi")[1]["error"] == (
        "channel_not_found"
    )
    assert answer(api, "users.info", user="U404")[1]["error"] == "user_not_found"
    assert answer(api, "chat.postEphemeral", channel="C1", user="U404", text="x")[1]["error"] == (
        "user_not_in_channel"
    )
    assert api.handle("auth.test", {}, {}).body == b'{"ok": false, "error": "not_authed"}'
    assert answer(api, "chat.postMessage", channel="#product", text="hi")[1]["channel"] == "C1"


def test_calls_are_recorded_with_decoded_fields_and_without_the_token():
    api = WebAPI()
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "a"}}]
    api.handle(
        "chat.postMessage",
        {"channel": "C1", "text": "a", "blocks": json.dumps(blocks), "token": "xoxb-secret"},
        {"Authorization": "Bearer xoxb-secret", "X-Test": "1"},
    )
    (call,) = api.calls("chat.postMessage")
    assert call.params["blocks"] == blocks and "token" not in call.params
    assert call.token_present and call.headers == {"X-Test": "1"}
    assert "xoxb-secret" not in repr(api.calls())


def test_a_rate_limit_posts_nothing_and_is_recorded_with_its_status():
    api = WebAPI()
    api.fail_next("chat.postMessage", status=429, headers={"Retry-After": "3"})
    reply = api.handle("chat.postMessage", {"channel": "C1", "text": "a"}, AUTH)
    assert (reply.status, reply.headers) == (429, {"Retry-After": "3"})
    assert json.loads(reply.body) == {"ok": False, "error": "ratelimited"}
    assert api.messages("C1") == []
    assert answer(api, "chat.postMessage", channel="C1", text="a")[0] == 200
    assert [c.status for c in api.calls()] == [429, 200]


def test_post_anyway_posts_then_fails_and_scripts_run_in_order():
    api = WebAPI()
    api.fail_next("chat.postMessage", status=500, post_anyway=True)
    api.fail_next("chat.postMessage", error="channel_not_found")
    assert answer(api, "chat.postMessage", channel="C1", text="a") == (
        500,
        {"ok": False, "error": "internal_error"},
    )
    assert answer(api, "chat.postMessage", channel="C1", text="b")[1]["error"] == (
        "channel_not_found"
    )
    assert [m["text"] for m in api.messages("C1")] == ["a"]


def test_fail_next_needs_something_to_fail_with():
    with pytest.raises(ValueError, match="status, an error, a delay or drop"):
        WebAPI().fail_next("chat.postMessage")


def test_history_pages_newest_first_and_hides_metadata_unless_asked():
    api = WebAPI()
    metadata = json.dumps({"event_type": "aipm_tip", "event_payload": {"tip_id": "x"}})
    ts = [
        answer(api, "chat.postMessage", channel="C1", text=str(n), metadata=metadata)[1]["ts"]
        for n in range(3)
    ]
    first = answer(api, "conversations.history", channel="C1", limit="2")[1]
    assert [m["ts"] for m in first["messages"]] == [ts[2], ts[1]]
    assert first["has_more"] and "metadata" not in first["messages"][0]
    cursor = first["response_metadata"]["next_cursor"]
    rest = answer(
        api, "conversations.history", channel="C1", cursor=cursor, include_all_metadata="true"
    )[1]
    assert [m["ts"] for m in rest["messages"]] == [ts[0]] and not rest["has_more"]
    assert rest["messages"][0]["metadata"]["event_payload"] == {"tip_id": "x"}


def test_update_and_delete_touch_only_the_bots_own_messages():
    api = WebAPI()
    ts = answer(api, "chat.postMessage", channel="C1", text="old")[1]["ts"]
    theirs = api.add_user_message("U1", "C1", "mine")["ts"]
    assert answer(api, "chat.update", channel="C1", ts=ts, text="new")[1]["message"]["text"] == (
        "new"
    )
    assert answer(api, "chat.update", channel="C1", ts=theirs, text="x")[1]["error"] == (
        "cant_update_message"
    )
    assert answer(api, "chat.delete", channel="C1", ts=theirs)[1]["error"] == (
        "cant_delete_message"
    )
    assert answer(api, "chat.delete", channel="C1", ts=ts)[1]["ok"]
    assert [m["text"] for m in api.messages("C1")] == ["mine"]


def test_a_response_url_replaces_its_source_and_wears_out():
    api = closed()
    source = api.add_ephemeral("U1", "C1", {"text": "question"}, author=api.bot)
    token = api.new_response_url("U1", "C1", source={"ephemeral": source["id"]})
    reply = api.response_url(token, {"replace_original": True, "text": "thanks"})
    assert reply.status == 200
    assert api.find_ephemeral(source["id"])["text"] == "thanks"
    for _ in range(RESPONSE_URL_USES - 1):
        api.response_url(token, {"text": "more"})
    assert api.response_url(token, {"text": "once too often"}).status == 404
    assert api.response_url("never-issued", {"text": "x"}).status == 404
    assert len(api.calls("response_url")) == RESPONSE_URL_USES + 2


def test_an_open_workspace_records_any_response_url():
    api = WebAPI()
    assert api.response_url("any", {"text": "hello"}).status == 200
    assert [c.params for c in api.calls("response_url")] == [{"text": "hello"}]


def test_reactions_count_people_once():
    api = WebAPI()
    ts = answer(api, "chat.postMessage", channel="C1", text="tip")[1]["ts"]
    assert api.react("U1", "C1", ts, "+1", add=True) is None
    assert api.react("U1", "C1", ts, "+1", add=True) == "already_reacted"
    assert api.messages("C1")[0]["reactions"] == [{"name": "+1", "users": ["U1"], "count": 1}]
    assert api.react("U1", "C1", ts, "+1", add=False) is None
    assert api.messages("C1")[0]["reactions"] == []
    assert api.react("U1", "C1", "1.0", "+1", add=True) == "message_not_found"


def test_a_fixed_answer_serves_methods_the_fake_does_not_know():
    api = WebAPI()
    assert answer(api, "apps.connections.open")[1]["error"] == "unknown_method"
    api.respond_fixed("apps.connections.open", {"url": "ws://127.0.0.1:1/"})
    assert answer(api, "apps.connections.open")[1] == {"ok": True, "url": "ws://127.0.0.1:1/"}


@pytest.mark.parametrize(
    ("query", "body", "kind", "expected"),
    [
        ("a=1", b"b=2", "application/x-www-form-urlencoded", {"a": "1", "b": "2"}),
        ("", b'{"channel": "C1"}', "application/json; charset=utf-8", {"channel": "C1"}),
        ("", b"[1]", "application/json", {}),
        ("", b"{not json", "application/json", None),
    ],
)
def test_request_fields_merge_query_and_body(query, body, kind, expected):
    assert parse_args(query, body, kind) == expected


def test_a_channel_without_the_bot_refuses_posts_with_not_in_channel():
    api = closed()
    api.add_channel("C2", name="elsewhere", is_member=False)
    assert answer(api, "chat.postMessage", channel="C2", text="hi")[1]["error"] == "not_in_channel"
    assert answer(api, "chat.postEphemeral", channel="C2", user="U1", text="x")[1]["error"] == (
        "not_in_channel"
    )
    assert answer(api, "conversations.info", channel="C2")[1]["channel"]["is_member"] is False
    assert answer(api, "chat.postMessage", channel="C1", text="hi")[1]["ok"]


def test_the_agent_surface_keeps_status_and_title_per_thread_and_prompts_per_dm():
    api = WebAPI()
    prompts = [{"title": "Evals", "message": "How do I evaluate an LLM feature?"}]
    where = {"channel_id": "DU1", "thread_ts": "1.5"}
    assert answer(api, "assistant.threads.setStatus", status="Finding a tip…", **where)[1]["ok"]
    assert answer(api, "assistant.threads.setTitle", title="Evals", **where)[1]["ok"]
    _, ok = answer(
        api, "assistant.threads.setSuggestedPrompts", prompts=json.dumps(prompts), channel_id="DU1"
    )
    assert ok["ok"]
    assert api.assistant[("DU1", "1.5")] == {"status": "Finding a tip…", "title": "Evals"}
    assert api.assistant[("DU1", "")] == {"prompts": prompts}
    too_many = json.dumps(prompts * 5)
    refused = answer(
        api, "assistant.threads.setSuggestedPrompts", prompts=too_many, channel_id="DU1"
    )
    assert refused[1]["ok"] is False


def test_an_agent_apps_prompts_on_a_thread_are_accepted_and_never_shown():
    api = WebAPI()
    prompts = json.dumps([{"title": "Evals", "message": "evals?"}])
    sent = answer(
        api,
        "assistant.threads.setSuggestedPrompts",
        prompts=prompts,
        channel_id="DU1",
        thread_ts="1.5",
    )
    assert sent[1] == {"ok": True} and api.assistant == {}


def test_status_works_in_channel_threads_but_never_outside_a_thread():
    api = WebAPI()
    assert answer(api, "assistant.threads.setStatus", channel_id="C1", thread_ts="1", status="x")[
        1
    ]["ok"]
    assert answer(api, "assistant.threads.setStatus", channel_id="C1", status="x")[1] == {
        "ok": False,
        "error": "invalid_arguments",
    }


def test_a_workflow_step_completes_once_with_a_step_token():
    api = WebAPI(token=TOKEN)
    step = {"Authorization": "Bearer xwfp-step-token"}
    outputs = json.dumps({"tip_id": "t1"})
    reply = api.handle(
        "functions.completeSuccess", {"function_execution_id": "Fx1", "outputs": outputs}, step
    )
    assert json.loads(reply.body)["ok"] and api.functions["Fx1"] == {
        "status": "completed",
        "outputs": {"tip_id": "t1"},
    }
    again = api.handle(
        "functions.completeError", {"function_execution_id": "Fx1", "error": "x"}, step
    )
    assert json.loads(again.body)["ok"] is False
    failed = api.handle(
        "functions.completeError", {"function_execution_id": "Fx2", "error": "no"}, step
    )
    assert json.loads(failed.body)["ok"] and api.functions["Fx2"]["error"] == "no"


def test_calls_carry_the_time_they_arrived():
    api = WebAPI()
    before = time.time()
    answer(api, "auth.test")
    assert api.calls("auth.test")[0].at >= before
    assert api.first_post("C7") is None
    answer(api, "chat.postMessage", channel="C7", text="one")
    first = api.first_post("C7")
    answer(api, "chat.postMessage", channel="C7", text="two")
    assert before <= first == api.first_post("C7")


MODAL = {
    "type": "modal",
    "callback_id": "tip_form",
    "title": {"type": "plain_text", "text": "Add a tip"},
    "blocks": [{"type": "input", "block_id": "title", "label": {}, "element": {}}],
}


def test_views_open_takes_a_trigger_once_and_remembers_whose_it_was():
    api = closed()
    trigger = api.issue_trigger("U1")
    _, opened = answer(api, "views.open", trigger_id=trigger, view=json.dumps(MODAL))
    assert opened["ok"] and api.modals[-1]["user"] == "U1"
    assert answer(api, "views.open", trigger_id=trigger, view=MODAL)[1]["error"] == (
        "exchanged_trigger_id"
    )
    assert answer(api, "views.open", trigger_id="made.up.1", view=MODAL)[1]["error"] == (
        "invalid_trigger_id"
    )


@pytest.mark.parametrize(
    "view",
    [
        {**MODAL, "title": {"type": "plain_text", "text": "x" * 25}},
        {**MODAL, "blocks": [{"type": "divider"}] * 101},
        {**MODAL, "blocks": MODAL["blocks"] * 2},
        {**MODAL, "private_metadata": "m" * 3001},
        {**MODAL, "type": "home"},
    ],
)
def test_views_open_refuses_what_slack_refuses(view):
    api = WebAPI()
    _, reply = answer(api, "views.open", trigger_id="any.1.2", view=view)
    assert reply["ok"] is False and api.modals == []


def test_views_update_replaces_the_modal_and_checks_the_hash():
    api = WebAPI()
    opened = answer(api, "views.open", trigger_id="t.1.2", view=MODAL)[1]["view"]
    changed = {**MODAL, "title": {"type": "plain_text", "text": "Edit a tip"}}
    stale = answer(api, "views.update", view_id=opened["id"], hash="nope", view=changed)[1]
    assert stale["error"] == "hash_conflict"
    _, done = answer(api, "views.update", view_id=opened["id"], hash=opened["hash"], view=changed)
    assert done["ok"] and api.modal(opened["id"])["title"]["text"] == "Edit a tip"


def test_get_permalink_links_to_the_message():
    _, reply = answer(closed(), "chat.getPermalink", channel="C1", message_ts="1700000000.000100")
    assert reply["permalink"].endswith("/archives/C1/p1700000000000100")


def test_recorded_calls_are_capped_unless_asked_to_keep_all():
    capped, kept = WebAPI(max_calls=3), WebAPI(max_calls=None)
    for api in (capped, kept):
        for n in range(5):
            api.handle("chat.postMessage", {"channel": "C1", "text": f"m{n}"}, {})
    assert [c.params["text"] for c in capped.calls("chat.postMessage")] == ["m2", "m3", "m4"]
    assert len(kept.calls("chat.postMessage")) == 5
