"""`/aipm ...`: the slash command and its subcommands, as module-level callbacks."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.core import commands
from bot.core.pipeline.answer import SLASH
from bot.core.schedule_changes import schedule_change
from bot.slack import answers, blocks, delivery
from bot.slack.context import SlackContext
from bot.slack.subcommands import SUBCOMMANDS

log = logging.getLogger(__name__)

NOTICE_KEY = "aipm_schedule_change"
CHANGES_SCHEDULE = frozenset({"subscribe", "unsubscribe"})
SORRY = "Sorry, something went wrong on my side. Please try again in a moment."


def reply_for(ctx: SlackContext, command: dict) -> dict | None:
    """The response to one slash command: a subcommand's, or the answer to a question.

    None when there is nothing to say (a subcommand answered another way, e.g. a modal).
    """
    parsed = commands.parse(command.get("text") or "", SUBCOMMANDS)
    if parsed.name is not None:  # a subcommand, not a question
        return SUBCOMMANDS[parsed.name][1](ctx, command, parsed.rest)
    return answers.answer_for(
        ctx,
        parsed.rest,
        user=command.get("user_id"),
        surface=SLASH,
        channel=command.get("channel_id"),
    )


def on_command(ack: Ack, command: dict, context: BoltContext) -> None:
    """Answer the slash command in the acknowledgement (only the asker sees it).

    A command that moved or stopped the channel's daily tip leaves the change in
    `context[NOTICE_KEY]` for `announce`, which tells the channel after the answer.
    """
    try:
        ctx = SlackContext.of(context)
        word = commands.parse(command.get("text") or "", SUBCOMMANDS).name
        channel = command.get("channel_id") or ""
        before = ctx.coach.store.subscription(channel) if word in CHANGES_SCHEDULE else None
        reply = reply_for(ctx, command)
        if before is not None:
            change = schedule_change(
                channel,
                before,
                ctx.coach.store.subscription(channel),
                user=command.get("user_id"),
            )
            if change is not None:
                context[NOTICE_KEY] = change
    except Exception:
        log.exception("command failed")
        reply = blocks.plain(SORRY)
    if reply is None:  # e.g. `add` opened a form: nothing to say in the channel
        ack()
    else:
        ack(reply)


def announce(command: dict, context: BoltContext, client: WebClient) -> None:
    """After the answer: post the notice `on_command` left, if any, in the channel.

    A channel the bot cannot post in (not a member, archived) only logs: the change
    itself is already stored and confirmed to the person who made it.
    """
    change = context.get(NOTICE_KEY)
    if change is None:
        return
    notice = blocks.schedule_notice(change, command=SlackContext.of(context).command)
    sent = delivery.post_message(client, change.channel, notice)
    if not sent.ok:  # the notice is a courtesy, not a record: never retried
        log.warning(
            "could not tell %s about its schedule change: %s (%s)",
            change.channel,
            sent.error,
            sent.status,
        )


def register(app: App, *, command: str) -> None:
    """Listen for the configured slash command, e.g. /aipm."""
    app.command(command)(ack=on_command, lazy=[announce])
