"""`/aipm ...`: the slash command and its subcommands, as module-level callbacks."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from slack_bolt import Ack, App, BoltContext

from bot.core import ratings, rotation, subscriptions
from bot.core.schedule import ScheduleError
from bot.slack import blocks
from bot.slack.context import SlackContext
from bot.slack.listeners import curation
from bot.slack.mrkdwn import quote

log = logging.getLogger(__name__)

Handler = Callable[[SlackContext, dict, str], dict | None]
MEMBERSHIP_HINT = (
    "I can only post where I'm a member: if I'm not in this channel yet, `/invite @AI PM Coach`."
)
SORRY = "Sorry, something went wrong on my side. Please try again in a moment."


def _help(ctx: SlackContext, command: dict, rest: str) -> dict:
    return blocks.help_message(
        ctx.command, [(name, what) for name, (what, _) in SUBCOMMANDS.items()]
    )


def _tip(ctx: SlackContext, command: dict, rest: str) -> dict:
    base = ctx.coach.library.base
    history = ctx.coach.store.posted_tip_ids(command["channel_id"])
    tip_id = rotation.next_tip(
        [t.id for t in base.live_tips],
        history,
        ctx.coach.store.tip_tallies(),
        seed=f"{command['user_id']}:{time.time_ns()}",  # a fresh tip each time it is asked
    )
    tip = base.get(tip_id) if tip_id else None
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
        )
    except ScheduleError as exc:
        return blocks.plain(f":warning: {quote(str(exc), limit=500)}")
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
    days = 30
    return blocks.stats_message(
        ratings.stats(ctx.coach.store, ctx.coach.library.base, days=days), days=days
    )


def _gaps(ctx: SlackContext, command: dict, rest: str) -> dict:
    return curation.gaps_command(ctx, command, rest)


SUBCOMMANDS: dict[str, tuple[str, Handler]] = {
    "help": ("what I do and how to use me", _help),
    "tip": ("a tip for you now", _tip),
    "subscribe": (
        "`[HH:MM] [TZ] [weekdays|daily|mon,wed,fri]` a daily tip in this channel",
        _subscribe,
    ),
    "unsubscribe": ("stop the daily tip in this channel", _unsubscribe),
    "subscription": ("show this channel's daily tip settings", _subscription),
    "top": ("the tips the team found most useful", _top),
    "stats": ("posts, ratings, most and least useful tips (30 days)", _stats),
    "gaps": ("open questions I had no tip for, with *Write a tip* (curators)", _gaps),
    "add": ("`[question]` add a tip to the coach (curators)", curation.add_command),
}


def reply_for(ctx: SlackContext, command: dict) -> dict | None:
    """The response to one slash command: a subcommand's, or the answer to a question.

    None when there is nothing to say (a subcommand answered another way, e.g. a modal).
    """
    text = (command.get("text") or "").strip()
    word, _, rest = text.partition(" ")
    if not text:
        return _help(ctx, command, "")
    entry = SUBCOMMANDS.get(word.lower())
    if entry is not None:
        return entry[1](ctx, command, rest.strip())
    answer = ctx.coach.ask(text, user=command.get("user_id"))
    reply = blocks.answer_message(answer, ctx.command)
    if not answer.answered:
        reply = curation.with_wait_button(reply, answer.question)
    return reply


def on_command(ack: Ack, command: dict, context: BoltContext) -> None:
    """Answer the slash command in the acknowledgement (only the asker sees it)."""
    try:
        reply = reply_for(SlackContext.of(context), command)
    except Exception:
        log.exception("command failed")
        reply = blocks.plain(SORRY)
    if reply is None:  # e.g. `add` opened a form: nothing to say in the channel
        ack()
    else:
        ack(reply)


def register(app: App, *, command: str) -> None:
    """Listen for the configured slash command, e.g. /aipm."""
    app.command(command)(on_command)
