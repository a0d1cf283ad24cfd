"""`/aipm ...`: the slash command, its subcommands and the buttons its replies carry.

A question whose first word is a typo of a subcommand (`/aipm subscibe 9:00`) gets "Did you
mean" with two buttons, *Run* and *answer it as a question*; each carries the text it
acts on, which is parsed again on the click, so a forged value can do only what typing
it would. *Post one now* under a new subscription posts today's tip in that channel.
"""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.core import commands, subscriptions
from bot.core.pipeline.answer import SLASH
from bot.core.schedule_changes import ScheduleChange, schedule_change
from bot.slack import answers, blocks, delivery
from bot.slack.context import SlackContext, acknowledge
from bot.slack.payload_shapes import clicked_channel, clicked_value, clicker
from bot.slack.subcommands import MEMBERSHIP_HINT, SUBCOMMANDS

log = logging.getLogger(__name__)

NOTICE_KEY = "aipm_schedule_change"
CHANGES_SCHEDULE = frozenset({"subscribe", "unsubscribe"})
SORRY = "Sorry, something went wrong on my side. Please try again in a moment."


def reply_for(ctx: SlackContext, command: dict, *, suggest: bool = True) -> dict | None:
    """The response to one slash command: a subcommand's, or the answer to a question.

    A question that reads as a mistyped subcommand gets "Did you mean" instead (unless
    `suggest` is False: the asker said it is a question). None when there is nothing to
    say (a subcommand answered another way, e.g. a modal).
    """
    text = command.get("text") or ""
    parsed = commands.parse(text, SUBCOMMANDS)
    if parsed.name is not None:  # a subcommand, not a question
        return SUBCOMMANDS[parsed.name][1](ctx, command, parsed.rest)
    meant = commands.suggestion(text, SUBCOMMANDS) if suggest else None
    if meant is not None:  # not logged as a gap: it was no question
        return blocks.did_you_mean(ctx.command, meant, text.strip())
    return answers.answer_for(
        ctx,
        parsed.rest,
        user=command.get("user_id"),
        surface=SLASH,
        channel=command.get("channel_id"),
    )


def run(
    ctx: SlackContext, command: dict, *, suggest: bool = True
) -> tuple[dict | None, ScheduleChange | None]:
    """`reply_for`, and the change to the channel's daily tip the command made, if any."""
    word = commands.parse(command.get("text") or "", SUBCOMMANDS).name
    channel = command.get("channel_id") or ""
    before = ctx.coach.store.subscription(channel) if word in CHANGES_SCHEDULE else None
    reply = reply_for(ctx, command, suggest=suggest)
    change = None
    if before is not None:
        after = ctx.coach.store.subscription(channel)
        change = schedule_change(channel, before, after, user=command.get("user_id"))
    return reply, change


def on_command(ack: Ack, command: dict, context: BoltContext) -> None:
    """Answer the slash command in the acknowledgement (only the asker sees it).

    A command that moved or stopped the channel's daily tip leaves the change in
    `context[NOTICE_KEY]` for `announce`, which tells the channel after the answer.
    """
    try:
        reply, change = run(SlackContext.of(context), command)
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
    if change is not None:
        _tell_channel(client, change, command=SlackContext.of(context).command)


def _tell_channel(client: WebClient, change: ScheduleChange, *, command: str) -> None:
    notice = blocks.schedule_notice(change, command=command)
    sent = delivery.post_message(client, change.channel, notice)
    if not sent.ok:  # the notice is a courtesy, not a record: never retried
        log.warning(
            "could not tell %s about its schedule change: %s (%s)",
            change.channel,
            sent.error,
            sent.status,
        )


def _clicked_command(body: dict) -> dict:
    """The slash-command payload a click on a "Did you mean" button stands for."""
    return {
        "text": clicked_value(body) or "",
        "user_id": clicker(body),
        "channel_id": clicked_channel(body) or "",
        "trigger_id": body.get("trigger_id") or "",
    }


def _answer_click(
    body: dict, respond: Respond, context: BoltContext, client: WebClient, *, suggest: bool
) -> None:
    ctx = SlackContext.of(context)
    command = _clicked_command(body)
    if not command["user_id"] or not command["channel_id"]:
        respond(blocks.plain(SORRY) | {"replace_original": False})
        return
    if suggest and commands.parse(command["text"], SUBCOMMANDS).is_question:
        # A forged or stale *Run* value: run nothing, say what the button can do.
        respond(
            blocks.plain(f"That button runs only `{ctx.command}` subcommands.")
            | {"replace_original": False}
        )
        return
    try:
        reply, change = run(ctx, command, suggest=False)
    except Exception:
        log.exception("a did-you-mean click failed")
        respond(blocks.plain(SORRY) | {"replace_original": False})
        return
    if reply is not None:
        respond(blocks.for_clicker(reply, private=not blocks.seen_by_others(body)))
    if change is not None:
        _tell_channel(client, change, command=ctx.command)


def run_suggestion(body: dict, respond: Respond, context: BoltContext, client: WebClient) -> None:
    """*Run /aipm subscribe 9:00* clicked: run that subcommand as the clicker, in place."""
    _answer_click(body, respond, context, client, suggest=True)


def ask_anyway(body: dict, respond: Respond, context: BoltContext, client: WebClient) -> None:
    """*No, answer it as a question* clicked: answer the text as typed, in place."""
    _answer_click(body, respond, context, client, suggest=False)


def post_now(body: dict, respond: Respond, context: BoltContext) -> None:
    """*Post one now* under a new subscription: today's tip in the clicked channel, once.

    The channel comes from Slack's payload, never the button's value; a channel with no
    subscription gets nothing. The daily claim makes a second click (or the scheduler at
    the same moment) post nothing more.
    """
    ctx = SlackContext.of(context)
    channel = clicked_channel(body)
    if channel is None or ctx.coach.store.subscription(channel) is None:
        respond(
            blocks.plain(f"This channel has no daily tip. `{ctx.command} subscribe` starts one.")
            | {"replace_original": False}
        )
        return
    try:
        outcome = subscriptions.post_tip_now(
            ctx.coach.store, ctx.coach.library.base, ctx.poster, channel
        )
    except Exception:
        log.exception("could not post a tip now in %s", channel)
        outcome = None
    status = outcome.status if outcome is not None else "failed"
    if status == "already":
        text = ":white_check_mark: Today's tip is already in this channel."
    elif outcome is not None and outcome.ok:
        text = ":white_check_mark: Posted today's tip in this channel."
    elif status == "unknown":
        text = "Slack did not confirm the post; it may be in the channel. It won't be posted twice."
    elif status == "deferred":
        text = "Slack is not answering just now. Please click again in a minute."
    else:
        error = f" ({outcome.error})" if outcome is not None and outcome.error else ""
        text = f"I could not post in this channel{error}. {MEMBERSHIP_HINT}"
    respond(blocks.plain(text) | {"replace_original": False})


def register(app: App, *, command: str) -> None:
    """Listen for the configured slash command, e.g. /aipm, and its replies' buttons."""
    app.command(command)(ack=on_command, lazy=[announce])
    app.action(blocks.RUN_SUGGESTION_ACTION)(ack=acknowledge, lazy=[run_suggestion])
    app.action(blocks.ASK_ANYWAY_ACTION)(ack=acknowledge, lazy=[ask_anyway])
    app.action(blocks.POST_NOW_ACTION)(ack=acknowledge, lazy=[post_now])
