"""Events API: reactions on tip messages become ratings; App Home shows the team's view."""

from __future__ import annotations

import datetime as dt
import logging

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.ratings import reaction_value
from bot.slack.context import SlackContext, acknowledge
from bot.slack.home import publish_home
from bot.store import Post

log = logging.getLogger(__name__)
TIP_EVENT_TYPE = "aipm_tip"


def find_tip_post(ctx: SlackContext, channel: str, ts: str) -> Post | None:
    """The tip message at (channel, ts): from the database, else from its Slack metadata.

    A message the database does not know (e.g. after restoring a backup) is recognised
    through its `aipm_tip` metadata via conversations.history, and then recorded. When
    that look-up fails (5xx, 429, ok=false, a time-out) the error propagates: the event
    then answers 5xx and Slack delivers it again, rather than a rating being dropped.
    """
    store = ctx.coach.store
    post = store.post_by_ts(channel, ts)
    if post is not None:
        return post
    try:
        history = ctx.lookup.conversations_history(
            channel=channel,
            latest=ts,
            oldest=ts,
            inclusive=True,
            limit=1,
            include_all_metadata=True,
        )
    except SlackApiError as exc:
        log.warning(
            "conversations.history failed for %s (%s): answering 5xx so Slack retries",
            channel,
            exc.response.get("error") or exc.response.status_code,
        )
        raise
    for message in history.get("messages") or []:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if (
            message.get("ts") == ts
            and metadata.get("event_type") == TIP_EVENT_TYPE
            and payload.get("tip_id")
        ):
            return store.add_post(
                channel,
                ts,
                str(payload["tip_id"]),
                kind="recovered",
                local_date=payload.get("date"),
            )
    return None


def event_time(event: dict) -> str | None:
    """When Slack says the event happened (`event_ts`, at most now), as an ISO time; None if unreadable.

    Reactions are ordered by it, not by arrival: Slack may deliver a removal before the
    addition it undoes.
    """
    try:
        when = dt.datetime.fromtimestamp(float(event.get("event_ts") or ""), dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None
    # Never from the future: a skewed stamp would outrank the person's next real vote.
    return min(when, dt.datetime.now(dt.UTC)).isoformat(timespec="microseconds")


def on_reaction(
    ctx: SlackContext,
    event: dict,
    body: dict,
    bot_user_id: str | None,
    *,
    added: bool,
) -> str:
    """Record or withdraw a rating for one reaction event; returns what happened (for logs)."""
    item = event.get("item") or {}
    if item.get("type") != "message" or not item.get("channel") or not item.get("ts"):
        return "ignored: not a message"
    user = event.get("user")
    if not user or user == bot_user_id:
        return "ignored: the bot's own reaction"
    if bot_user_id and event.get("item_user") and event["item_user"] != bot_user_id:
        return "ignored: not the bot's message"
    reaction = event.get("reaction")
    if not isinstance(reaction, str) or not all(
        isinstance(item.get(k), str) for k in ("channel", "ts")
    ):
        return "ignored: malformed reaction event"
    settings = ctx.coach.settings
    value = reaction_value(
        reaction,
        useful=settings.useful_reactions,
        not_useful=settings.not_useful_reactions,
    )
    if value is None:
        return "ignored: reaction without meaning"
    post = find_tip_post(ctx, item["channel"], item["ts"])
    if post is None:
        return "ignored: not a tip message"
    fields = dict(
        user=user,
        tip_id=post.tip_id,
        channel=item["channel"],
        message_ts=item["ts"],
        reaction=reaction.split("::", 1)[0],
        event_id=body.get("event_id"),
        at=event_time(event),
    )
    if added:
        done = ctx.coach.store.record_vote(value=value, **fields)
    else:
        done = ctx.coach.store.withdraw_vote(**fields)
    return ("recorded" if added else "withdrawn") if done else "ignored: event already handled"


def reaction_added(event: dict, body: dict, context: BoltContext) -> None:
    """A reaction on a tip message: record the rating before Slack gets its 200."""
    outcome = on_reaction(SlackContext.of(context), event, body, context.bot_user_id, added=True)
    log.debug("reaction_added %s: %s", body.get("event_id"), outcome)


def reaction_removed(event: dict, body: dict, context: BoltContext) -> None:
    """A reaction taken back: withdraw that rating."""
    outcome = on_reaction(SlackContext.of(context), event, body, context.bot_user_id, added=False)
    log.debug("reaction_removed %s: %s", body.get("event_id"), outcome)


def publish(event: dict, client: WebClient, context: BoltContext) -> None:
    """App Home opened: publish the tab (lazy: views.publish may be slow or rate-limited)."""
    if event.get("user"):
        publish_home(SlackContext.of(context), client, event["user"])


def _home_tab(event: dict) -> bool:
    return event.get("tab", "home") == "home"


def register(app: App) -> None:
    """Listen for reactions and App Home opens (the Messages tab is `messages`'s)."""
    app.event("reaction_added")(reaction_added)
    app.event("reaction_removed")(reaction_removed)
    app.event("app_home_opened", matchers=[_home_tab])(ack=acknowledge, lazy=[publish])
