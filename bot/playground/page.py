"""What the playground page's controls do: each becomes the request Slack would send the bot.

A typed `/aipm ...` becomes a signed slash-command form; a message that mentions the bot
(`@AI PM Coach ...`) an `app_mention` event; a line typed in the DM pane a `message.im`
event; a message shortcut ("Ask the coach about this", "Save as AI-PM tip") a
`message_action`; a click a signed `block_actions` payload; a submitted modal a
`view_submission`; a reaction or the Home tab a signed Events API delivery. They go over HTTP to
the real bot's `/slack/events`; what it answers (the ack, response-URL posts, Web API
calls) lands in the `WebAPI` workspace the page then shows.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

from bot.fakeslack import payloads
from bot.fakeslack.signing import post, signed_headers
from bot.fakeslack.web_api import WebAPI, dm_channel
from bot.playground.workspace import CHANNEL, SLACKBOT

log = logging.getLogger(__name__)
DELIVERY_TIMEOUT = 30
MAX_MESSAGE = 4000
REACTIONS = ("+1", "-1")
LAZY_WAIT = 2.0  # seconds to wait for the bot's update after a click or an App Home open
ANSWER_WAIT = 5.0  # seconds to wait for the bot's answer to a mention, a DM or a shortcut
ASK_SHORTCUT = "ask_coach_about_message"  # manifest.yml's message shortcut
# What a person types to mention the bot: the display name, or the short forms.
MENTION = re.compile(r"@(?:AI PM Coach|aipm[_ ]coach|coach)\b", re.IGNORECASE)


@dataclass
class Delivery:
    """The bot's HTTP answer to one request (status 0 when it could not be reached)."""

    status: int
    body: str
    content_type: str = ""


class PageActions:
    """Turns page actions into Slack requests to the bot at `bot_url`."""

    def __init__(self, api: WebAPI, *, secret: str, command: str, base_url: str, bot_url: str = ""):
        self.api = api
        # The workspace's own ids: with several workspaces each has its team and its bot user.
        self.team = api.team
        self.bot = api.bot
        self.secret = secret
        self.command = command
        self.base_url = base_url.rstrip("/")
        self.bot_url = bot_url

    def deliver(self, body: str, content_type: str) -> Delivery:
        """POST a signed body to the bot, as Slack does; never raises."""
        headers = {
            **signed_headers(self.secret, body, content_type=content_type),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        try:
            reply = post(self.bot_url, body, headers, timeout=DELIVERY_TIMEOUT)
        except OSError as exc:
            log.warning("the bot could not be reached: %s", exc)
            return Delivery(0, "")
        return Delivery(reply.status, reply.body, reply.headers.get("Content-Type", ""))

    def response_url(
        self, user: str, *, source: dict | None = None, channel: str = CHANNEL["id"]
    ) -> str:
        """A fresh response URL on the playground for a command or a click (in `channel`)."""
        token = self.api.new_response_url(user, channel, source=source)
        return f"{self.base_url}/response/{token}"

    # -- the composer ----------------------------------------------------------------

    def send(self, user: str, text: str, *, thread_ts: str = "") -> dict:
        """What Slack does with a line typed in the channel's composer (or a thread's)."""
        person = self.api.people.get(user)
        if person is None:
            return {"ok": False, "error": "unknown user"}
        text = text.strip()
        if not text:
            return {"ok": False, "error": "empty message"}
        if len(text) > MAX_MESSAGE:
            return {"ok": False, "error": f"messages are limited to {MAX_MESSAGE} characters"}
        if thread_ts and self.api.find_message(CHANNEL["id"], thread_ts) is None:
            return {"ok": False, "error": "thread not found"}
        if not text.startswith("/") or thread_ts:
            return self._message(user, text, thread_ts=thread_ts or None)
        parts = re.split(r"\s", text, maxsplit=1)
        command = parts[0].lower()
        rest = parts[1].strip() if len(parts) > 1 else ""
        if command != self.command:
            self._slackbot(
                user,
                f"`{parts[0]}` is not a valid command. In this playground, "
                f"try `{self.command} help`.",
            )
            return {"ok": True, "kind": "slackbot"}
        return self._slash(person, text, rest)

    def _slash(self, person: dict, typed: str, rest: str) -> dict:
        body, kind = payloads.slash_command(
            command=self.command,
            text=rest,
            user=person,
            channel=CHANNEL,
            team=self.team,
            api_app_id=self.bot["app_id"],
            response_url=self.response_url(person["id"]),
            trigger=self.api.issue_trigger(person["id"]),
        )
        before = self.api.version
        reply = self.deliver(body, kind)
        if reply.status != 200:
            error = "operation_timeout" if reply.status == 0 else "dispatch_failed"
            self._slackbot(
                person["id"], f'{self.command} failed with the error "{error}"', command=typed
            )
            return {"ok": False, "kind": "error", "status": reply.status, "error": error}
        if not reply.body.strip():
            self.api.wait_for_change(before, LAZY_WAIT)  # e.g. a modal opened after the ack
            return {"ok": True, "kind": "empty", "status": 200}
        message = _ack_message(reply)
        if message.get("response_type") == "in_channel":
            self.api.call(
                "chat.postMessage",
                {**message, "channel": CHANNEL["id"]},
                authorization=f"Bearer {self.api.token}",
            )
            return {"ok": True, "kind": "in_channel", "status": 200}
        entry = self.api.add_ephemeral(
            person["id"], CHANNEL["id"], message, author=self.bot, command=typed
        )
        return {"ok": True, "kind": "ephemeral", "status": 200, "id": entry["id"]}

    def _message(self, user: str, text: str, *, thread_ts: str | None) -> dict:
        """A channel message; when it mentions the bot, the bot gets `app_mention`."""
        marked = MENTION.sub(f"<@{self.bot['id']}>", text)
        message = self.api.add_user_message(user, CHANNEL["id"], marked, thread_ts=thread_ts)
        if f"<@{self.bot['id']}>" not in marked:
            return {"ok": True, "kind": "message"}
        event = payloads.app_mention_event(
            user=user, channel=CHANNEL["id"], text=marked, ts=message["ts"], thread_ts=thread_ts
        )
        reply = self._event_and_wait(event)
        return {"ok": reply.status == 200, "kind": "mention", "status": reply.status}

    def send_dm(self, user: str, text: str) -> dict:
        """A line typed in the DM pane: a message to the bot (`message.im`)."""
        if user not in self.api.people:
            return {"ok": False, "error": "unknown user"}
        text = text.strip()
        if not text:
            return {"ok": False, "error": "empty message"}
        if len(text) > MAX_MESSAGE:
            return {"ok": False, "error": f"messages are limited to {MAX_MESSAGE} characters"}
        channel = dm_channel(user)
        message = self.api.add_user_message(user, channel, text)
        event = payloads.message_event(
            user=user, channel=channel, text=text, ts=message["ts"], channel_type="im"
        )
        reply = self._event_and_wait(event)
        return {"ok": reply.status == 200, "kind": "dm", "status": reply.status}

    def shortcut(self, user: str, *, ts: str, callback_id: str = "") -> dict:
        """A message shortcut on a channel message ("Ask the coach about this" by default).

        The bot answers only `user`, or opens a modal for them (e.g. "Save as AI-PM tip").
        """
        person = self.api.people.get(user)
        if person is None:
            return {"ok": False, "error": "unknown user"}
        message = self.api.find_message(CHANNEL["id"], ts)
        if message is None:
            return {"ok": False, "error": "message not found"}
        body, kind = payloads.message_action(
            callback_id=callback_id or ASK_SHORTCUT,
            user=person,
            channel=CHANNEL,
            team=self.team,
            api_app_id=self.bot["app_id"],
            response_url=self.response_url(user),
            message=_strip(message),
            trigger=self.api.issue_trigger(user),
        )
        before = self.api.version
        reply = self.deliver(body, kind)
        self.api.wait_for_change(before, ANSWER_WAIT)
        return {"ok": reply.status == 200, "status": reply.status}

    def _event_and_wait(self, event: dict) -> Delivery:
        body, kind = payloads.event_callback(
            event, team=self.team, api_app_id=self.bot["app_id"], bot_user=self.bot["id"]
        )
        before = self.api.posted()
        reply = self.deliver(body, kind)
        if reply.status == 200:  # the answer is posted after the ack (a status line first)
            self.api.wait_for_post(before, ANSWER_WAIT)
        return reply

    def _slackbot(self, user: str, text: str, *, command: str | None = None) -> None:
        self.api.add_ephemeral(
            user, CHANNEL["id"], {"text": text}, author=SLACKBOT, command=command
        )

    # -- buttons, reactions, App Home --------------------------------------------------

    def click(
        self, user: str, *, target: str, action_id: str, block_id: str = "", value: str = ""
    ) -> dict:
        """Press a button in an ephemeral message (`target` = its id) or a channel message (its ts).

        `value` picks among buttons sharing an action id (a feedback button's side).
        """
        person = self.api.people.get(user)
        if person is None:
            return {"ok": False, "error": "unknown user"}
        ephemeral = self.api.find_ephemeral(target)
        if ephemeral is not None and ephemeral["user"] != user:
            ephemeral = None
        channel = CHANNEL
        message = ephemeral or self.api.find_message(CHANNEL["id"], target)
        if message is None:  # a button under the coach's answer in this person's DM
            channel = {"id": dm_channel(user), "name": "directmessage"}
            message = self.api.find_message(channel["id"], target)
        if message is None:
            return {"ok": False, "error": "message not found"}
        element, found_block = _find_button(message.get("blocks") or [], action_id, block_id, value)
        if element is None:
            return {"ok": False, "error": "button not found"}
        action = {
            k: element[k] for k in ("type", "action_id", "text", "value", "style") if k in element
        }
        action["block_id"] = found_block
        source = {"ephemeral": ephemeral["id"]} if ephemeral else {"ts": message["ts"]}
        body, kind = payloads.block_actions(
            action=action,
            user=person,
            channel=channel,
            team=self.team,
            api_app_id=self.bot["app_id"],
            response_url=self.response_url(user, source=source, channel=channel["id"]),
            message=None if ephemeral else _strip(message),
            message_ts=message["ts"],
            ephemeral=ephemeral is not None,
            trigger=self.api.issue_trigger(user),
        )
        before = self.api.version
        reply = self.deliver(body, kind)
        # The bot updates the message after answering Slack; show that update, not the old one.
        self.api.wait_for_change(before, LAZY_WAIT)
        return {"ok": reply.status == 200, "status": reply.status}

    def react(self, user: str, *, ts: str, name: str, add: bool) -> dict:
        """Add or remove a reaction on a channel message; the bot gets the event when it changed."""
        if user not in self.api.people:
            return {"ok": False, "error": "unknown user"}
        if name not in REACTIONS:
            return {"ok": False, "error": f"the playground offers {', '.join(REACTIONS)}"}
        message = self.api.find_message(CHANNEL["id"], ts)
        if message is None:
            return {"ok": False, "error": "message not found"}
        problem = self.api.react(user, CHANNEL["id"], ts, name, add=add)
        if problem:
            return {"ok": False, "error": problem}
        event = payloads.reaction_event(
            added=add,
            user=user,
            reaction=name,
            channel=CHANNEL["id"],
            ts=ts,
            item_user=message.get("user") or "",
        )
        body, kind = payloads.event_callback(
            event, team=self.team, api_app_id=self.bot["app_id"], bot_user=self.bot["id"]
        )
        reply = self.deliver(body, kind)
        return {"ok": reply.status == 200, "status": reply.status}

    def open_home(self, user: str) -> dict:
        """Open the App Home tab: the bot gets `app_home_opened` and publishes the view."""
        if user not in self.api.people:
            return {"ok": False, "error": "unknown user"}
        current = self.api.homes.get(user)
        event = payloads.app_home_opened_event(
            user=user, dm_channel=dm_channel(user), view_id=current["id"] if current else None
        )
        body, kind = payloads.event_callback(
            event, team=self.team, api_app_id=self.bot["app_id"], bot_user=self.bot["id"]
        )
        before = self.api.version
        reply = self.deliver(body, kind)
        self.api.wait_for_change(before, LAZY_WAIT)  # the view is published after the answer
        return {"ok": reply.status == 200, "status": reply.status, "view": self.api.homes.get(user)}

    # -- App Home buttons, message shortcuts, modals ----------------------------------

    def click_home(self, user: str, *, action_id: str, block_id: str = "", value: str = "") -> dict:
        """Press a button in this person's App Home view."""
        person = self.api.people.get(user)
        view = self.api.homes.get(user)
        if person is None or view is None:
            return {"ok": False, "error": "no App Home open"}
        element, found_block = _find_button(view.get("blocks") or [], action_id, block_id, value)
        if element is None:
            return {"ok": False, "error": "button not found"}
        return self._view_click(person, element, found_block, view)

    def click_modal(self, user: str, *, view_id: str, action_id: str, value: str = "") -> dict:
        """Press a button inside an open modal."""
        person = self.api.people.get(user)
        view = self.api.modal(view_id)
        if person is None or view is None or view.get("user") != user:
            return {"ok": False, "error": "no such modal"}
        element, found_block = _find_button(view.get("blocks") or [], action_id, "", value)
        if element is None:
            return {"ok": False, "error": "button not found"}
        return self._view_click(person, element, found_block, view)

    def _view_click(self, person: dict, element: dict, block_id: str, view: dict) -> dict:
        action = {k: element[k] for k in ("action_id", "text", "value", "style") if k in element}
        action["block_id"] = block_id
        body, kind = payloads.block_actions(
            action=action,
            user=person,
            channel=CHANNEL,
            team=self.team,
            api_app_id=self.bot["app_id"],
            response_url="",
            message=None,
            message_ts="",
            ephemeral=False,
            trigger=self.api.issue_trigger(person["id"]),
            view=_strip_view(view),
        )
        before = self.api.version
        reply = self.deliver(body, kind)
        self.api.wait_for_change(before, LAZY_WAIT)
        return {"ok": reply.status == 200, "status": reply.status}

    def submit(self, user: str, *, view_id: str, values: dict) -> dict:
        """Submit an open modal with what was typed in its inputs ({block_id: text}).

        The bot's answer is applied as Slack applies it: `errors` shown under their
        inputs, `update` replaces the modal, anything else closes it.
        """
        person = self.api.people.get(user)
        view = self.api.modal(view_id)
        if person is None or view is None or view.get("user") != user:
            return {"ok": False, "error": "no such modal"}
        typed = {
            block["block_id"]: {
                block["element"].get("action_id", ""): str(values.get(block["block_id"]) or "")
            }
            for block in view.get("blocks") or []
            if block.get("type") == "input" and block.get("block_id")
        }
        body, kind = payloads.view_submission(
            view=_strip_view(view),
            values=typed,
            user=person,
            team=self.team,
            api_app_id=self.bot["app_id"],
        )
        reply = self.deliver(body, kind)
        if reply.status != 200:
            return {"ok": False, "status": reply.status, "error": "the app did not answer"}
        answer = _ack_message(reply) if reply.body.strip() else {}
        action = answer.get("response_action")
        with self.api.lock:
            if action == "errors":
                view["errors"] = answer.get("errors") or {}
                view["typed"] = {k: str(v) for k, v in values.items()}
                self.api._changed()
                return {"ok": True, "status": 200, "errors": view["errors"]}
            if action == "update" and isinstance(answer.get("view"), dict):
                keep = {k: view[k] for k in ("id", "user", "trigger_id", "hash") if k in view}
                view.clear()
                view.update({**answer["view"], **keep})
                self.api._changed()
                return {"ok": True, "status": 200, "updated": True}
        self.api.close_modal(view_id)
        return {"ok": True, "status": 200, "closed": True}

    def close_modal(self, user: str, *, view_id: str) -> dict:
        """Close (cancel) a modal."""
        view = self.api.modal(view_id)
        if view is None or view.get("user") != user:
            return {"ok": False, "error": "no such modal"}
        self.api.close_modal(view_id)
        return {"ok": True}


def _strip_view(view: dict) -> dict:
    return {k: v for k, v in view.items() if k not in ("user", "trigger_id", "errors", "typed")}


def _ack_message(reply: Delivery) -> dict:
    if "json" in reply.content_type:
        try:
            data = json.loads(reply.body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            return data
    return {"text": reply.body}


def _find_button(
    blocks: list, action_id: str, block_id: str, value: str = ""
) -> tuple[dict | None, str]:
    """The button with this action_id (in this block, with this value when given).

    A `feedback_buttons` element (in a `context_actions` block) is two buttons: `value`
    "positive" or "negative" (or that side's own value) picks one, and the button found
    is that side, as Slack reports the click.
    """
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") not in (
            "actions",
            "section",
            "context_actions",
        ):
            continue
        if block_id and block.get("block_id") != block_id:
            continue
        if block["type"] == "section":
            accessory = block.get("accessory")
            elements = [accessory] if isinstance(accessory, dict) else []
        else:
            elements = block.get("elements") or []
        for element in elements:
            if not isinstance(element, dict) or element.get("action_id") != action_id:
                continue
            if element.get("type") == "feedback_buttons":
                side = _feedback_side(element, value)
                if side is None:
                    continue
                return {**side, "action_id": action_id, "type": "feedback_buttons"}, str(
                    block.get("block_id") or ""
                )
            if value and element.get("value") != value:
                continue
            return element, str(block.get("block_id") or "")
    return None, ""


def _feedback_side(element: dict, value: str) -> dict | None:
    for name in ("positive", "negative"):
        side = element.get(f"{name}_button")
        if isinstance(side, dict) and value in (name, side.get("value")):
            return side
    return None


def _strip(message: dict) -> dict:
    return {k: v for k, v in message.items() if k not in ("channel", "kind")}
