"""What the playground page's controls do: each becomes the request Slack would send the bot.

A typed `/aipm ...` becomes a signed slash-command form; a message that mentions the bot
(`@AI PM Coach ...`) an `app_mention` event; a line typed in the DM pane a `message.im`
event; "Ask the coach about this" on a message a `message_action`; a click a signed
`block_actions` payload; a reaction or the Home tab a signed Events API delivery. They go over HTTP to
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
from bot.playground.workspace import BOT, CHANNEL, SLACKBOT, TEAM

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
            team=TEAM,
            api_app_id=BOT["app_id"],
            response_url=self.response_url(person["id"]),
        )
        reply = self.deliver(body, kind)
        if reply.status != 200:
            error = "operation_timeout" if reply.status == 0 else "dispatch_failed"
            self._slackbot(
                person["id"], f'{self.command} failed with the error "{error}"', command=typed
            )
            return {"ok": False, "kind": "error", "status": reply.status, "error": error}
        if not reply.body.strip():
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
            person["id"], CHANNEL["id"], message, author=BOT, command=typed
        )
        return {"ok": True, "kind": "ephemeral", "status": 200, "id": entry["id"]}

    def _message(self, user: str, text: str, *, thread_ts: str | None) -> dict:
        """A channel message; when it mentions the bot, the bot gets `app_mention`."""
        marked = MENTION.sub(f"<@{BOT['id']}>", text)
        message = self.api.add_user_message(user, CHANNEL["id"], marked, thread_ts=thread_ts)
        if f"<@{BOT['id']}>" not in marked:
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

    def shortcut(self, user: str, *, ts: str) -> dict:
        """ "Ask the coach about this" on a channel message: the bot answers only `user`."""
        person = self.api.people.get(user)
        if person is None:
            return {"ok": False, "error": "unknown user"}
        message = self.api.find_message(CHANNEL["id"], ts)
        if message is None:
            return {"ok": False, "error": "message not found"}
        body, kind = payloads.message_action(
            callback_id=ASK_SHORTCUT,
            user=person,
            channel=CHANNEL,
            team=TEAM,
            api_app_id=BOT["app_id"],
            response_url=self.response_url(user),
            message=_strip(message),
        )
        before = self.api.version
        reply = self.deliver(body, kind)
        self.api.wait_for_change(before, ANSWER_WAIT)
        return {"ok": reply.status == 200, "status": reply.status}

    def _event_and_wait(self, event: dict) -> Delivery:
        body, kind = payloads.event_callback(
            event, team=TEAM, api_app_id=BOT["app_id"], bot_user=BOT["id"]
        )
        before = self.api.version
        reply = self.deliver(body, kind)
        if reply.status == 200:  # the answer is posted after the ack
            self.api.wait_for_change(before, ANSWER_WAIT)
        return reply

    def _slackbot(self, user: str, text: str, *, command: str | None = None) -> None:
        self.api.add_ephemeral(
            user, CHANNEL["id"], {"text": text}, author=SLACKBOT, command=command
        )

    # -- buttons, reactions, App Home --------------------------------------------------

    def click(self, user: str, *, target: str, action_id: str, block_id: str = "") -> dict:
        """Press a button in an ephemeral message (`target` = its id) or a channel message (its ts)."""
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
        element, found_block = _find_button(message.get("blocks") or [], action_id, block_id)
        if element is None:
            return {"ok": False, "error": "button not found"}
        action = {k: element[k] for k in ("action_id", "text", "value", "style") if k in element}
        action["block_id"] = found_block
        source = {"ephemeral": ephemeral["id"]} if ephemeral else {"ts": message["ts"]}
        body, kind = payloads.block_actions(
            action=action,
            user=person,
            channel=channel,
            team=TEAM,
            api_app_id=BOT["app_id"],
            response_url=self.response_url(user, source=source, channel=channel["id"]),
            message=None if ephemeral else _strip(message),
            message_ts=message["ts"],
            ephemeral=ephemeral is not None,
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
            event, team=TEAM, api_app_id=BOT["app_id"], bot_user=BOT["id"]
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
            event, team=TEAM, api_app_id=BOT["app_id"], bot_user=BOT["id"]
        )
        before = self.api.version
        reply = self.deliver(body, kind)
        self.api.wait_for_change(before, LAZY_WAIT)  # the view is published after the answer
        return {"ok": reply.status == 200, "status": reply.status, "view": self.api.homes.get(user)}


def _ack_message(reply: Delivery) -> dict:
    if "json" in reply.content_type:
        try:
            data = json.loads(reply.body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            return data
    return {"text": reply.body}


def _find_button(blocks: list, action_id: str, block_id: str) -> tuple[dict | None, str]:
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") != "actions":
            continue
        if block_id and block.get("block_id") != block_id:
            continue
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element, str(block.get("block_id") or "")
    return None, ""


def _strip(message: dict) -> dict:
    return {k: v for k, v in message.items() if k not in ("channel", "kind")}
