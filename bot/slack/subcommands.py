"""The `/aipm` subcommands: one table of name -> (what it does, handler), and the handlers.

The table is what `/aipm help`, a DM's `tip`/`top`, the docs test and the command parser
read; a handler takes (SlackContext, the command payload, the rest of the text) and
returns the reply message, or None when it answered another way (a modal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.core import personal, ratings, subscriptions
from bot.core.channel_topics import known_topics
from bot.core.coverage import coverage
from bot.core.curation import TipForm
from bot.core.schedule import ScheduleError
from bot.digits import is_number
from bot.slack import blocks
from bot.slack import curation_blocks as cb
from bot.slack.context import SlackContext
from bot.slack.curators import NO_FORM, NOT_CURATOR, is_curator, open_form, taught_pairs
from bot.slack.mrkdwn import quote

Handler = Callable[[SlackContext, dict, str], dict | None]
MEMBERSHIP_HINT = (
    "I can only post where I'm a member: if I'm not in this channel yet, `/invite @AI PM Coach`."
)


def add_command(ctx: SlackContext, command: dict, rest: str) -> dict | None:
    """`/aipm add [question]`: open the tip form for a curator (None: nothing to say)."""
    if not is_curator(ctx, command.get("user_id")):
        return blocks.plain(NOT_CURATOR)
    form = TipForm(questions=rest.strip()) if rest.strip() else None
    if not open_form(ctx, command.get("trigger_id") or "", form):
        return blocks.plain(NO_FORM)
    return None


def gaps_command(ctx: SlackContext, command: dict, rest: str) -> dict:
    """`/aipm gaps [N]`: open questions as people typed them, each with "Write a tip", then
    what people taught (questions answered wrongly, candidate questions)."""
    if not is_curator(ctx, command.get("user_id")):
        return blocks.plain(
            "Sorry, only curators (workspace admins and owners, COACH_CURATORS) can see that: "
            "it shows other people's questions."
        )
    limit = int(rest) if is_number(rest) else 15
    store = ctx.coach.store
    message = cb.gaps_message(store.open_gaps(limit=limit), limit=limit)
    taught = taught_pairs(ctx, limit=limit)
    if taught:
        message["blocks"] = [
            *message["blocks"],
            *blocks.gaps_message((), learned=taught)["blocks"],
        ][: cb.MAX_MESSAGE_BLOCKS]
    return message


def _help(ctx: SlackContext, command: dict, rest: str) -> dict:
    return blocks.help_message(
        ctx.command,
        [(name, what) for name, (what, _) in SUBCOMMANDS.items()],
        cov=coverage(ctx.coach.library.base),
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
            "The tip base is empty. Ask a curator to run `aipm-coach knowledge build`."
        )
    return blocks.tip_reply(tip, intro=":bulb: A tip for you")


def _subscribe(ctx: SlackContext, command: dict, rest: str) -> dict:
    now = dt.datetime.now(dt.UTC)
    try:
        row, created = subscriptions.subscribe(
            ctx.coach.store,
            command["channel_id"],
            rest,
            user=command["user_id"],
            default_tz=lambda: ctx.user_info(command["user_id"]).get("tz") or "UTC",
            known_topics=known_topics(ctx.coach.library.base.live_tips),
            now=now,
        )
    except ScheduleError as exc:
        return blocks.plain(f":warning: {quote(str(exc), limit=2000)}")  # room for the topic list
    return blocks.subscribed_message(
        row,
        created=created,
        hint=MEMBERSHIP_HINT,
        next_at=subscriptions.next_tip_at(ctx.coach.store, row, now),
        now=now,
    )


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
    "stats": (
        "`[DAYS]` questions by where and how they were answered, what was asked most, "
        "posts, ratings, most and least useful tips (default 30 days)",
        _stats,
    ),
    "gaps": (
        "`[N]` open questions I had no tip for (with *Write a tip*) or answered wrongly (curators)",
        gaps_command,
    ),
    "add": ("add a tip to the coach (curators)", add_command),
}
