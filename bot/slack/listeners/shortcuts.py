"""The message shortcut "Ask the coach about this": a private answer to any message.

The answer is ephemeral in the message's channel; where the bot cannot post there (not
a member, a DM between people) it comes as a DM instead. Slack waits 3 seconds, so the
answer is a lazy listener.
"""

from __future__ import annotations

import logging

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.core.pipeline.answer import SHORTCUT
from bot.slack import answers, blocks, delivery
from bot.slack.context import SlackContext, acknowledge
from bot.slack.message_text import plain_question

log = logging.getLogger(__name__)

ASK_ABOUT_MESSAGE = "ask_coach_about_message"
NO_TEXT = (
    "That message has no text I can read (only files or attachments). Try the shortcut on a "
    "message with words, or ask me with `{command} your question`."
)


def answer_privately(body: dict, client: WebClient, context: BoltContext) -> None:
    """Answer the message's text as a question, only to the person who ran the shortcut."""
    ctx = SlackContext.of(context)
    user = (body.get("user") or {}).get("id") or ""
    channel = (body.get("channel") or {}).get("id") or ""
    message = body.get("message")
    message = message if isinstance(message, dict) else {}
    question = plain_question(str(message.get("text") or ""), bot_user=context.bot_user_id)
    if question:
        reply = answers.answer_for(ctx, question, user=user, surface=SHORTCUT, channel=channel)
    else:
        reply = blocks.plain(NO_TEXT.format(command=ctx.command))
    fields = {k: v for k, v in reply.items() if k in ("text", "blocks")}
    if channel:
        sent = delivery.post_ephemeral(client, channel, user, fields)
        if sent.ok:
            return
        # A private answer seen twice (once more in the DM) beats one never seen.
        log.info("no ephemeral in %s (%s); answering in a DM", channel, sent.error)
    sent = delivery.post_message(client, user, {"unfurl_links": False, **fields})
    if not sent.ok:
        log.warning("could not answer a shortcut: %s (%s)", sent.error, sent.status)


def register(app: App) -> None:
    """Listen for the message shortcut."""
    app.message_shortcut(ASK_ABOUT_MESSAGE)(ack=acknowledge, lazy=[answer_privately])
