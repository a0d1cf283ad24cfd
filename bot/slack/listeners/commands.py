"""`/aipm ...`: the slash command and its subcommands, as module-level callbacks."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core import commands, personal, ratings, subscriptions
from bot.core.channel_topics import known_topics
from bot.core.schedule import ScheduleError
from bot.core.schedule_changes import schedule_change
from bot.slack import blocks
from bot.slack.context import SlackContext
from bot.slack.listeners import curation
from bot.slack.mrkdwn import quote

log = logging.getLogger(__name__)

Handler = Callable[[SlackContext, dict, str], dict | None]
MEMBERSHIP_HINT = (
    "I can only post where I'm a member: if I'm not in this channel yet, `/invite @AI PM Coach`."
)
NOTICE_KEY = "aipm_schedule_change"
CHANGES_SCHEDULE = frozenset({"subscribe", "unsubscribe"})
SORRY = "Sorry, something went wrong on my side. Please try again in a moment."


def _help(ctx: SlackContext, command: dict, rest: str) -> dict:
    return blocks.help_message(
        ctx.command, [(name, what) for name, (what, _) in SUBCOMMANDS.items()]
    )


def _tip(ctx: SlackContext, command: dict, rest: str) -> dict:
    # The asker's own rotation: a tip they have not had lately, never the channel's posts.
    tip = personal.fresh_tip(
        ctx.coach.store,
        ctx.coach.library.base,
        user=command["user_id"],
        channel=command.get("channel_id"),
    )
    if tip is None:
        return blocks.plain(
            "The tip base is empty. Ask a curator to run `python -m bot knowledge build`."
        )
    return blocks.tip_reply(tip, intro=":bulb: A tip for you")


def _subscribe(ctx: SlackContext, command: dict, rest: str) -> dict:
    try:
        row, created = subscriptions.subscribe(
            ctx.coach.store,
            command["channel_id"],
            rest,
            user=command["user_id"],
            default_tz=lambda: ctx.user_info(command["user_id"]).get("tz") or "UTC",
            known_topics=known_topics(ctx.coach.library.base.live_tips),
        )
    except ScheduleError as exc:
        return blocks.plain(f":warning: {quote(str(exc), limit=2000)}")  # room for the topic list
    return blocks.subscribed_message(row, created=created, hint=MEMBERSHIP_HINT)


def _unsubscribe(ctx: SlackContext, command: dict, rest: str) -> dict:
    return blocks.unsubscribed_message(
        subscriptions.unsubscribe(ctx.coach.store, command["channel_id"])
    )


def _subscription(ctx: SlackContext, command: dict, rest: str) -> dict:
    row = ctx.coach.store.subscription(command["channel_id"])
    if row is None:
        return blocks.plain(f"This channel has no daily tip. `{ctx.command} subscribe` starts one.")
    return blocks.plain(blocks.subscription_line(row))


def _top(ctx: SlackContext, command: dict, rest: str) -> dict:
    return blocks.top_message(ratings.top(ctx.coach.store, ctx.coach.library.base))


def _stats(ctx: SlackContext, command: dict, rest: str) -> dict:
    days = int(rest) if rest else 30
    return blocks.stats_message(
        ratings.stats(ctx.coach.store, ctx.coach.library.base, days=days), days=days
    )


def _gaps(ctx: SlackContext, command: dict, rest: str) -> dict:
    return curation.gaps_command(ctx, command, rest)


SUBCOMMANDS: dict[str, tuple[str, Handler]] = {
    "help": ("what I do and how to use me", _help),
    "tip": ("a tip for you now", _tip),
    "subscribe": (
        "`[HH:MM] [TZ] [weekdays|daily|mon,wed,fri] [topics ux,strategy]` a daily tip in "
        "this channel, optionally only on some topics",
        _subscribe,
    ),
    "unsubscribe": ("stop the daily tip in this channel", _unsubscribe),
    "subscription": ("show this channel's daily tip settings", _subscription),
    "top": ("the tips the team found most useful", _top),
    "stats": ("`[DAYS]` posts, ratings, most and least useful tips (default 30 days)", _stats),
    "gaps": (
        "`[N]` open questions I had no tip for (with *Write a tip*) or answered wrongly (curators)",
        _gaps,
    ),
    "add": ("add a tip to the coach (curators)", curation.add_command),
}


def reply_for(ctx: SlackContext, command: dict) -> dict | None:
    """The response to one slash command: a subcommand's, or the answer to a question.

    None when there is nothing to say (a subcommand answered another way, e.g. a modal).
    """
    parsed = commands.parse(command.get("text") or "", SUBCOMMANDS)
    if not parsed.is_question:
        return SUBCOMMANDS[parsed.name][1](ctx, command, parsed.rest)
    answer = ctx.coach.ask(parsed.rest, user=command.get("user_id"))
    reply = blocks.answer_message(answer, ctx.command, asker=ctx.asker(command.get("user_id")))
    if not answer.answered:
        reply = curation.with_wait_button(ctx, reply, answer.question)
    return reply


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
    try:
        client.chat_postMessage(channel=change.channel, **notice)
    except SlackApiError as exc:
        log.warning(
            "could not tell %s about its schedule change: %s",
            change.channel,
            exc.response.get("error"),
        )
    except Exception as exc:  # network trouble: the notice is a courtesy, not a record
        log.warning("could not tell %s about its schedule change: %s", change.channel, exc)


def register(app: App, *, command: str) -> None:
    """Listen for the configured slash command, e.g. /aipm."""
    app.command(command)(ack=on_command, lazy=[announce])
