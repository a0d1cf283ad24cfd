"""The Slack-free core of the subscription commands and of `post-tip` / `tip` in the terminal.

Plain values in, plain values out: each surface (Slack, the terminal, the playground)
words and escapes the result itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence

from bot.core.channel_topics import TopicError, channel_topics, parse_topics
from bot.core.daily_tip import choose_tip, todays_tip
from bot.core.knowledge import KnowledgeBase, Tip, source_text
from bot.core.schedule import (
    ScheduleError,
    as_schedule,
    describe_days,
    due_date,
    local_date,
    next_post,
    parse_args,
    parse_tz,
)
from bot.store import Store

__all__ = [
    "ScheduleError",
    "as_json",
    "describe",
    "post_tip_now",
    "preview_tip",
    "render_text",
    "subscribe",
    "unsubscribe",
]


def subscribe(
    store: Store,
    channel: str,
    args: str | Sequence[str],
    *,
    user: str | None = None,
    default_tz: str | Callable[[], str] = "UTC",
    known_topics: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> tuple[dict, bool]:
    """Subscribe a channel (or change its settings) from `[HH:MM] [TZ] [days] [topics T,U]`.

    Schedule parts come in any order; `topics` and the tags after it (or `topics all`)
    come last. Parts not given keep the channel's current settings, or default to 09:00,
    `default_tz` (e.g. the user's Slack time zone; a function is called only if needed),
    weekdays and every topic. Topics must be tags of `known_topics` (the served tips').
    A new subscription starts on the day of its next scheduled time after `now`, so the
    first tip never comes at once (*Post one now* is for that; see `post_tip_now`).
    Returns (the stored row, True when the channel had no subscription before).
    Raises ScheduleError with a plain-text message for the user (an unknown topic lists
    the known ones); nothing is stored then.
    """
    args, raw_topics = split_topics(args)
    topics = None
    if raw_topics is not None:
        if raw_topics.strip().lower() in ("all", "any", "every", "none"):
            topics = ""
        else:
            try:
                parsed = parse_topics(raw_topics, known_topics)
            except TopicError as exc:
                raise ScheduleError(str(exc)) from None
            if not parsed:
                raise ScheduleError(
                    "No topics after 'topics': give tags comma-separated, e.g. "
                    "topics ux,strategy (or topics all for every tip)."
                )
            topics = ",".join(parsed)
    current = store.subscription(channel)
    if current is not None:
        defaults = {
            "default_at": current["at"],
            "default_tz": current["tz"],
            "default_days": current["days"],
        }
    else:
        defaults = {
            "default_tz": lambda: _valid_tz_or_utc(
                default_tz() if callable(default_tz) else default_tz
            )
        }
    schedule = parse_args(args, **defaults)
    starts_on = None
    if current is None:
        first = next_post(schedule, now or dt.datetime.now(dt.UTC))
        starts_on = local_date(schedule.tz, first).isoformat()
    row = store.save_subscription(
        channel,
        at=schedule.at,
        tz=schedule.tz,
        days=schedule.days,
        user=user,
        topics=topics,
        starts_on=starts_on,
    )
    return row, current is None


def next_tip_at(store: Store, row: Mapping, now: dt.datetime) -> dt.datetime:
    """When the channel's next daily tip goes out, as an aware UTC instant.

    `now` itself when today's post is due and not posted yet (the scheduler's next tick
    posts it), else the next scheduled moment (`schedule.next_post`, which keeps to the
    row's `starts_on`).
    """
    day = due_date(row, now)
    if day is not None and store.daily_post(row["channel"], day) is None:
        return now
    return next_post(row, now)


def split_topics(args: str | Sequence[str]) -> tuple[str, str | None]:
    """(the schedule part, the text after the word `topics` or None) of subscribe's args.

    `--topics` and `topics=` are read like `topics`.
    """
    text = args if isinstance(args, str) else " ".join(args)
    match = re.search(r"(?:^|\s)(?:--)?topics(?:\s*[=:]\s*|\s+|$)", text, re.IGNORECASE)
    if match is None:
        return text, None
    return text[: match.start()].strip(), text[match.end() :].strip()


def unsubscribe(store: Store, channel: str) -> bool:
    """Stop the daily tip in a channel; False when it had none. Ratings and posts are kept."""
    return store.delete_subscription(channel)


def describe(row: Mapping) -> str:
    """'09:00 Europe/Berlin on weekdays', plus ' (paused: why)' when paused. Plain text.

    Stored values are returned as they are: a surface that renders markup escapes them.
    """
    sched = as_schedule(row)
    text = f"{sched.at} {sched.tz} on {describe_days(sched.days)}"
    topics = channel_topics(row)
    if topics:
        text += f", topics {', '.join(topics)}"
    if row.get("paused"):
        reason = row.get("paused_reason")
        text += f" (paused: {reason})" if reason else " (paused)"
    return text


def as_json(row: Mapping) -> dict:
    """The subscription as JSON-ready values: channel, at, tz, days, paused (a bool), topics
    (a list; empty for every tip)."""
    return {
        "channel": row["channel"],
        "at": row["at"],
        "tz": row["tz"],
        "days": row["days"],
        "paused": bool(row.get("paused")),
        "topics": list(channel_topics(row)),
    }


def post_tip_now(
    store: Store,
    kb: KnowledgeBase,
    poster,
    channel: str,
    *,
    force: bool = False,
    now: dt.datetime | None = None,
):
    """`post-tip --channel C [--force]`: post the channel's daily tip now; returns a PostOutcome.

    Without force it posts today's daily tip unless the channel already has one (status
    'already'; nothing posted). With force it then posts the next tip as kind 'manual'.
    'Today' is in the channel's subscription time zone, UTC without one. Returns None
    when the tip base has no tip to post.
    """
    now = now or dt.datetime.now(dt.UTC)
    sub = store.subscription(channel)
    day = local_date(sub["tz"] if sub else "UTC", now).isoformat()
    tip = choose_tip(store, kb, channel, day)
    if tip is None:
        return None
    # The claim decides, so a scheduler ticking at the same moment cannot make it two.
    outcome = poster.post_daily(channel, tip, day)
    if outcome.status != "already":
        return outcome
    if not force:
        existing = store.daily_post(channel, day)
        if existing is not None:
            outcome = dataclasses.replace(outcome, tip_id=existing.tip_id, ts=existing.ts)
        return outcome
    return poster.post_tip(channel, tip, kind="manual", local_date=day)


def preview_tip(
    store: Store, kb: KnowledgeBase, *, channel: str | None = None, now: dt.datetime | None = None
) -> Tip | None:
    """`python -m bot tip`: today's tip for a channel (or for a channel with no history).

    Reads only; nothing is posted or recorded.
    """
    now = now or dt.datetime.now(dt.UTC)
    return todays_tip(store, kb, channel or "local-preview", now)


def render_text(tip: Tip) -> str:
    """A tip as plain terminal text: title, text, source and link."""
    return f"{tip.title}\n\n{tip.text}\n\n{source_text(tip)}"


def _valid_tz_or_utc(name: str | None) -> str:
    # A user's Slack time zone we cannot use should not block subscribing.
    try:
        return parse_tz(name or "UTC")
    except ScheduleError:
        return "UTC"
