"""Slack-shaped request bodies: slash commands, Events API deliveries, clicks, shortcuts, modals.

Every builder of a whole request returns `(body, content_type)` ready to sign
(`bot.fakeslack.signing`) and POST to the bot's `/slack/events`. Nothing here talks to
the network.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from bot.fakeslack.signing import FORM, JSON

VERIFICATION_TOKEN = "fake-verification-token"


def new_id(prefix: str, length: int = 10) -> str:
    """A Slack-looking id: `prefix` and upper-case letters and digits (e.g. Ev0A1B2C3D4E)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


def trigger_id() -> str:
    """A Slack-looking trigger id (`WebAPI.issue_trigger` makes one tied to a person)."""
    return f"{int(time.time())}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"


def slash_command(
    *,
    command: str,
    text: str,
    user: dict,
    channel: dict,
    team: dict,
    api_app_id: str,
    response_url: str,
    trigger: str | None = None,
) -> tuple[str, str]:
    """The form body Slack sends for `/command text` typed by `user` in `channel`."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team["id"],
        "team_domain": team["domain"],
        "channel_id": channel["id"],
        "channel_name": channel["name"],
        "user_id": user["id"],
        "user_name": user["name"],
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger or trigger_id(),
    }
    return urlencode(fields), FORM


def event_callback(
    event: dict,
    *,
    team: dict,
    api_app_id: str,
    bot_user: str,
    event_id: str | None = None,
    event_time: int | None = None,
) -> tuple[str, str]:
    """The JSON envelope of an Events API delivery around one `event`."""
    envelope = {
        "token": VERIFICATION_TOKEN,
        "team_id": team["id"],
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_id("Ev"),
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team["id"],
                "user_id": bot_user,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }
    return json.dumps(envelope), JSON


def reaction_event(
    *, added: bool = True, user: str, reaction: str, channel: str, ts: str, item_user: str
) -> dict:
    """A `reaction_added` / `reaction_removed` event on the message at (channel, ts)."""
    return {
        "type": "reaction_added" if added else "reaction_removed",
        "user": user,
        "reaction": reaction,
        "item_user": item_user,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": f"{time.time():.6f}",
    }


def app_home_opened_event(
    *, user: str, dm_channel: str, view_id: str | None = None, tab: str = "home"
) -> dict:
    """An `app_home_opened` event for the Home tab, or (`tab="messages"`) the Messages tab."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user,
        "channel": dm_channel,
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }
    if view_id:
        event["view"] = {"id": view_id, "type": "home"}
    return event


def block_actions(
    *,
    action: dict,
    user: dict,
    channel: dict,
    team: dict,
    api_app_id: str,
    response_url: str,
    message: dict | None,
    message_ts: str,
    ephemeral: bool,
    trigger: str | None = None,
    view: dict | None = None,
) -> tuple[str, str]:
    """The `payload=` form body Slack sends when `user` clicks a button.

    `action` holds the clicked element's action_id, block_id, value and text. Slack sends
    the whole message for channel messages and leaves it out for ephemeral ones; a click
    in a view (App Home) carries the `view` and no channel or response URL.
    """
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {
            "id": user["id"],
            "username": user["name"],
            "name": user["name"],
            "team_id": team["id"],
        },
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel["id"],
            "is_ephemeral": ephemeral,
        },
        "trigger_id": trigger or trigger_id(),
        "team": {"id": team["id"], "domain": team["domain"]},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel["id"], "name": channel["name"]},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [{"type": "button", "action_ts": f"{time.time():.6f}", **action}],
    }
    if message is not None and not ephemeral:
        payload["message"] = message
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "")}
        payload["view"] = view
        for key in ("channel", "response_url"):
            payload.pop(key)
    return urlencode({"payload": json.dumps(payload)}), FORM


def view_submission(
    *,
    view: dict,
    values: dict[str, dict[str, str]],
    user: dict,
    team: dict,
    api_app_id: str,
) -> tuple[str, str]:
    """The `payload=` form body Slack sends when `user` submits the modal `view`.

    `values` maps block_id to {action_id: typed text}, as the inputs hold them.
    """
    state = {
        block: {
            action: {"type": "plain_text_input", "value": value} for action, value in fields.items()
        }
        for block, fields in values.items()
    }
    sent_view = {
        key: view.get(key)
        for key in ("id", "team_id", "type", "blocks", "private_metadata", "callback_id", "hash")
        if key in view
    }
    sent_view.update(
        {
            "type": "modal",
            "state": {"values": state},
            "app_id": api_app_id,
            "bot_id": view.get("bot_id", ""),
            "title": view.get("title"),
        }
    )
    payload = {
        "type": "view_submission",
        "team": {"id": team["id"], "domain": team["domain"]},
        "user": {
            "id": user["id"],
            "username": user["name"],
            "name": user["name"],
            "team_id": team["id"],
        },
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id(),
        "view": sent_view,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return urlencode({"payload": json.dumps(payload)}), FORM


def message_event(
    *,
    user: str | None,
    channel: str,
    text: str,
    ts: str | None = None,
    thread_ts: str | None = None,
    channel_type: str = "channel",
    subtype: str | None = None,
    bot_id: str | None = None,
    files: list[dict] | None = None,
) -> dict:
    """A `message` event as Slack sends it for `message.channels` / `message.im`.

    `channel_type` is "channel", "group" or "im"; `subtype` e.g. "bot_message",
    "channel_join", "file_share"; `bot_id` marks a bot's message.
    """
    event: dict = {
        "type": "message",
        "channel": channel,
        "text": text,
        "ts": ts or f"{time.time():.6f}",
        "channel_type": channel_type,
    }
    event["event_ts"] = event["ts"]
    if user:
        event["user"] = user
    if thread_ts:
        event["thread_ts"] = thread_ts
    if subtype:
        event["subtype"] = subtype
    if bot_id:
        event["bot_id"] = bot_id
    if files:
        event["files"] = files
    return event


def app_mention_event(
    *, user: str, channel: str, text: str, ts: str | None = None, thread_ts: str | None = None
) -> dict:
    """An `app_mention` event: `text` includes the `<@BOT>` mention, as Slack sends it."""
    event = message_event(user=user, channel=channel, text=text, ts=ts, thread_ts=thread_ts)
    event["type"] = "app_mention"
    del event["channel_type"]
    return event


def message_changed_event(*, user: str, channel: str, ts: str, text: str, old_text: str) -> dict:
    """A `message_changed` event: `user` edited their message at `ts`."""
    now = f"{time.time():.6f}"
    return {
        "type": "message",
        "subtype": "message_changed",
        "channel": channel,
        "hidden": True,
        "ts": now,
        "event_ts": now,
        "channel_type": "channel",
        "message": {"type": "message", "user": user, "text": text, "ts": ts},
        "previous_message": {"type": "message", "user": user, "text": old_text, "ts": ts},
    }


def message_deleted_event(*, user: str, channel: str, ts: str, text: str) -> dict:
    """A `message_deleted` event for `user`'s message at `ts`."""
    now = f"{time.time():.6f}"
    return {
        "type": "message",
        "subtype": "message_deleted",
        "channel": channel,
        "hidden": True,
        "ts": now,
        "event_ts": now,
        "deleted_ts": ts,
        "channel_type": "channel",
        "previous_message": {"type": "message", "user": user, "text": text, "ts": ts},
    }


def assistant_thread_started_event(*, user: str, channel: str, thread_ts: str) -> dict:
    """`assistant_thread_started`: `user` opened a new thread in the app's agent container."""
    return {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": user,
            "channel_id": channel,
            "thread_ts": thread_ts,
            "context": {},
        },
        "event_ts": f"{time.time():.6f}",
    }


def function_executed_event(
    *,
    callback_id: str,
    inputs: dict,
    app_id: str,
    execution_id: str | None = None,
    bot_access_token: str | None = None,
) -> dict:
    """`function_executed`: a workflow reached the app's custom step `callback_id`."""
    return {
        "type": "function_executed",
        "function": {
            "id": new_id("Fn"),
            "callback_id": callback_id,
            "title": callback_id,
            "description": "",
            "type": "app",
            "app_id": app_id,
            "date_created": int(time.time()),
            "date_updated": int(time.time()),
            "date_deleted": 0,
        },
        "inputs": inputs,
        "function_execution_id": execution_id or new_id("Fx"),
        "workflow_execution_id": new_id("Wx"),
        "event_ts": f"{time.time():.6f}",
        "bot_access_token": bot_access_token or f"xwfp-{secrets.token_hex(12)}",
    }


def message_action(
    *,
    callback_id: str,
    user: dict,
    channel: dict,
    team: dict,
    api_app_id: str,
    response_url: str,
    message: dict,
    trigger: str | None = None,
) -> tuple[str, str]:
    """The `payload=` form body of a message shortcut `callback_id` run on `message`."""
    payload = {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": f"{time.time():.6f}",
        "team": {"id": team["id"], "domain": team["domain"]},
        "user": {
            "id": user["id"],
            "username": user["name"],
            "name": user["name"],
            "team_id": team["id"],
        },
        "channel": {"id": channel["id"], "name": channel["name"]},
        "is_enterprise_install": False,
        "enterprise": None,
        "api_app_id": api_app_id,
        "callback_id": callback_id,
        "trigger_id": trigger or trigger_id(),
        "response_url": response_url,
        "message_ts": message.get("ts", ""),
        "message": message,
    }
    return urlencode({"payload": json.dumps(payload)}), FORM
