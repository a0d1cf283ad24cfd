"""Slack's side of the conversation: signed slash commands, events and clicks sent to the bot.

slack = SlackSender("http://127.0.0.1:3000/slack/events", secret, response_url=...)
reply = slack.command("what is the ikea effect", user="U1")
reply = slack.mention("should we let users edit this?", user="U1", channel="C1")
reply = slack.dm("how do I build a prototype without engineers?", user="U1")
"""

from __future__ import annotations

from bot.fakeslack import payloads
from bot.fakeslack.signing import Reply, post_signed
from bot.fakeslack.web_api import BOT, TEAM, dm_channel

CHANNEL_NAME = "product"


class SlackSender:
    """Sends slash commands, events and button clicks to the bot's /slack/events, signed."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        response_url: str = "",
        bot_user: str = BOT["id"],
        team: dict = TEAM,
    ):
        self.url = url
        self.secret = secret
        self.response_url = response_url
        self.bot_user = bot_user
        self.team = team

    def signed(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: str | None = None,
        extra: dict | None = None,
    ) -> Reply:
        """POST a body with valid signature headers (optionally an explicit timestamp)."""
        return post_signed(
            self.url, self.secret, body, content_type, timestamp=timestamp, extra=extra
        )

    def command(
        self,
        text: str,
        *,
        user: str = "U1",
        channel: str = "C1",
        command: str = "/aipm",
        trigger: str | None = None,
    ) -> Reply:
        """A slash command, form-encoded as Slack sends it."""
        body, kind = payloads.slash_command(
            command=command,
            text=text,
            user=_person(user),
            channel={"id": channel, "name": CHANNEL_NAME},
            team=self.team,
            api_app_id=BOT["app_id"],
            response_url=self.response_url,
            trigger=trigger,
        )
        return self.signed(body, kind)

    def event(self, event: dict, *, event_id: str | None = None, retry: int | None = None) -> Reply:
        """An Events API callback (JSON); `retry` adds Slack's X-Slack-Retry-Num header."""
        body, kind = payloads.event_callback(
            event,
            team=self.team,
            api_app_id=BOT["app_id"],
            bot_user=self.bot_user,
            event_id=event_id,
        )
        extra = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else None
        )
        return self.signed(body, kind, extra=extra)

    def reaction(
        self,
        name: str,
        *,
        user: str,
        channel: str,
        ts: str,
        removed: bool = False,
        event_id: str | None = None,
        retry: int | None = None,
        item_user: str | None = None,
    ) -> Reply:
        """reaction_added / reaction_removed on a message."""
        event = payloads.reaction_event(
            added=not removed,
            user=user,
            reaction=name,
            channel=channel,
            ts=ts,
            item_user=item_user or self.bot_user,
        )
        return self.event(event, event_id=event_id, retry=retry)

    def action(
        self,
        action_id: str,
        value: str,
        *,
        user: str = "U1",
        channel: str = "C1",
        block_id: str | None = None,
        trigger: str | None = None,
        view: dict | None = None,
        ephemeral: bool = True,
        message_ts: str = "1700000000.000001",
    ) -> Reply:
        """A block_actions click on an ephemeral message (or in `view`, e.g. App Home).

        `ephemeral=False` clicks a message everyone in `channel` sees (a thread answer, a
        daily post); Slack then sends the message along.
        """
        body, kind = payloads.block_actions(
            action={
                "action_id": action_id,
                "block_id": block_id or f"rate:{value}",
                "value": value,
            },
            user=_person(user),
            channel={"id": channel, "name": CHANNEL_NAME},
            team=self.team,
            api_app_id=BOT["app_id"],
            response_url=self.response_url,
            message={"type": "message", "ts": message_ts, "blocks": []},
            message_ts=message_ts,
            ephemeral=ephemeral,
            trigger=trigger,
            view=view,
        )
        return self.signed(body, kind)

    def select_user(
        self, action_id: str, selected: str, *, user: str = "U1", view: dict | None = None
    ) -> Reply:
        """A users_select pick (in App Home when `view` is given): Slack sends the picked
        member as `selected_user`, and no value."""
        body, kind = payloads.block_actions(
            action={
                "type": "users_select",
                "action_id": action_id,
                "block_id": "picker",
                "selected_user": selected,
            },
            user=_person(user),
            channel={"id": "C1", "name": CHANNEL_NAME},
            team=self.team,
            api_app_id=BOT["app_id"],
            response_url=self.response_url,
            message=None,
            message_ts="1700000000.000001",
            ephemeral=True,
            view=view,
        )
        return self.signed(body, kind)

    def submit(self, view: dict, values: dict[str, dict[str, str]], *, user: str = "U1") -> Reply:
        """A view_submission of the modal `view` with the inputs holding `values`."""
        body, kind = payloads.view_submission(
            view=view, values=values, user=_person(user), team=self.team, api_app_id=BOT["app_id"]
        )
        return self.signed(body, kind)

    def mention(
        self,
        question: str,
        *,
        user: str = "U1",
        channel: str = "C1",
        ts: str | None = None,
        thread_ts: str | None = None,
        event_id: str | None = None,
        retry: int | None = None,
    ) -> Reply:
        """`@AI PM Coach question` in a channel (an `app_mention`; `question` may be empty)."""
        text = f"<@{self.bot_user}> {question}".rstrip()
        event = payloads.app_mention_event(
            user=user, channel=channel, text=text, ts=ts, thread_ts=thread_ts
        )
        return self.event(event, event_id=event_id, retry=retry)

    def dm(
        self,
        text: str,
        *,
        user: str = "U1",
        ts: str | None = None,
        thread_ts: str | None = None,
        event_id: str | None = None,
        retry: int | None = None,
    ) -> Reply:
        """A direct message from `user` to the bot (`message.im`)."""
        event = payloads.message_event(
            user=user,
            channel=dm_channel(user),
            text=text,
            ts=ts,
            thread_ts=thread_ts,
            channel_type="im",
        )
        return self.event(event, event_id=event_id, retry=retry)

    def shortcut(
        self,
        callback_id: str,
        message: dict,
        *,
        user: str = "U1",
        channel: str = "C1",
        trigger: str | None = None,
    ) -> Reply:
        """A message shortcut run by `user` on `message` (a dict with at least ts and text)."""
        body, kind = payloads.message_action(
            callback_id=callback_id,
            user=_person(user),
            channel={"id": channel, "name": CHANNEL_NAME},
            team=self.team,
            api_app_id=BOT["app_id"],
            response_url=self.response_url,
            message={"type": "message", **message},
            trigger=trigger,
        )
        return self.signed(body, kind)

    def function(
        self,
        callback_id: str,
        inputs: dict,
        *,
        execution_id: str | None = None,
        event_id: str | None = None,
        retry: int | None = None,
    ) -> Reply:
        """A workflow reaching the app's custom step `callback_id` with `inputs`."""
        event = payloads.function_executed_event(
            callback_id=callback_id, inputs=inputs, app_id=BOT["app_id"], execution_id=execution_id
        )
        return self.event(event, event_id=event_id, retry=retry)


def _person(user: str) -> dict:
    return {"id": user, "name": user.lower()}
