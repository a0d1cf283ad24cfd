"""@mentions in channels and direct messages: answered in the thread or the DM, once each.

Slack waits 3 seconds for a 200, so every callback here is a lazy listener: Bolt acks
first, then the callback claims the event id (a retried delivery, same `event_id` with
`X-Slack-Retry-Num`, finds it taken and does nothing), asks the coach and posts, paced
at one message per second per channel with the daily posts and shares.

Never a loop: the bot's own messages, edits, deletions, joins and other subtypes, and
channel messages (only `message.im` is subscribed, but any other that arrives is
ignored) get nothing. Other bots are answered only when they mention the bot, and at
most once per thread: a bot that replies "<@coach> thanks!" to every answer would
otherwise talk with the coach for ever.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import Future

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core import commands, examples
from bot.core.pipeline.answer import DM, MENTION
from bot.daily import lanes
from bot.slack import answers, blocks, delivery
from bot.slack.context import SlackContext, acknowledge
from bot.slack.message_text import plain_question
from bot.slack.subcommands import SUBCOMMANDS
from bot.store import StoreError

log = logging.getLogger(__name__)

ANSWER_ATTEMPTS = 3  # tries to post an answer when the connection to Slack drops
# A flood: this many replies already waiting in one channel's lane (each a second behind
# the last) turns the next mention into one "lots of questions here" reply, and further
# ones into nothing until the channel has been quiet for FLOOD_QUIET seconds.
FLOOD_QUEUE = 5
FLOOD_QUIET = 60.0
LEFT_OVER_MAX_AGE = 3600.0  # seconds: older questions a shutdown left are not answered late
FLOODED_CHANNEL = (
    "Lots of questions here at once, so I'm pausing in this channel for a minute. "
    "DM me (the coach's Messages tab) and I'll answer each one there."
)
FLOODED_DM = (
    "That's a lot of questions at once: I've answered the first few. "
    "Ask the rest again in a minute, one at a time."
)

ANSWERED_SUBTYPES = {None, "file_share", "thread_broadcast"}
DM_SUBCOMMANDS = ("help", "tip", "top")
THINKING = "Finding a tip…"
SORRY = "Sorry, something went wrong on my side. Please try again in a moment."
NO_TEXT = "I can only read text: ask your question in words and I'll find the tip that helps."
SUGGESTED_PROMPTS = (
    *((e.title, e.question) for e in examples.EXAMPLES[:2]),
    ("A tip for today", "tip"),
    ("The team's favourites", "top"),
)


def how_to(ctx: SlackContext) -> str:
    """The one-line how-to for a mention without a question."""
    return (
        f"Ask me after the mention, e.g. `@AI PM Coach {examples.FIRST.question}`, "
        f"and I answer in the thread. `{ctx.command} help` lists everything else."
    )


def dm_help(ctx: SlackContext) -> str:
    """What a DM to the bot can do."""
    return (
        "Ask me anything about AI product management here and I answer with the one tip "
        "that helps. Or type `tip` (a tip for you now), `top` (the team's favourites) or "
        "`help`. In a channel, mention me with your question and I answer in the thread; "
        f"`{ctx.command} help` lists the rest."
    )


def ignore_reason(event: dict, *, bot_user: str | None, mentioned: bool) -> str | None:
    """Why this message or mention gets no answer, or None when it should get one.

    `mentioned` is True for `app_mention` events (other bots count then); plain
    `message` events are answered only in a DM (`channel_type` "im").
    """
    if event.get("subtype") not in ANSWERED_SUBTYPES:
        return f"subtype {event.get('subtype')}"
    if bot_user and event.get("user") == bot_user:
        return "the bot's own message"
    if event.get("bot_id") and not mentioned:
        return "another bot's message"
    if not event.get("user") and not event.get("bot_id"):
        return "no author"
    if not mentioned and event.get("channel_type") != "im":
        return "a channel message without a mention"
    if not isinstance(event.get("channel"), str) or not isinstance(event.get("ts"), str):
        return "no channel or ts"
    return None


def first_bot_answer(ctx: SlackContext, channel: str, thread_ts: str, bot_id: str) -> bool:
    """True the first time another bot (`bot_id`) is answered in this thread, across processes.

    When the database cannot record it, False (logged): a missed answer to a bot beats a loop.
    """
    try:
        return ctx.coach.store.claim_notice(f"bot-answer:{channel}:{thread_ts}:{bot_id}")
    except (sqlite3.Error, StoreError) as exc:
        log.warning("could not record an answer to bot %s (%s); not answering", bot_id, exc)
        return False


def dm_reply(ctx: SlackContext, text: str, *, user: str, channel: str) -> dict:
    """The reply to one DM: `tip`, `top` or `help`, or the answer to a question."""
    parsed = commands.parse(text, DM_SUBCOMMANDS)
    if parsed.name == "help":
        return blocks.plain(dm_help(ctx))
    if parsed.name is not None:  # a subcommand, not a question
        command = {"text": text, "user_id": user, "channel_id": channel}
        reply = SUBCOMMANDS[parsed.name][1](ctx, command, parsed.rest)
        return reply if reply is not None else blocks.plain(dm_help(ctx))
    return answers.answer_for(ctx, parsed.rest, user=user, surface=DM, channel=channel)


def post(
    ctx: SlackContext,
    client: WebClient,
    channel: str,
    message: dict,
    *,
    thread_ts: str | None = None,
    event_id: str | None = None,
    flooded: dict | None = None,
) -> Future | None:
    """chat.postMessage of a reply, queued in the channel's lane (paced per channel).

    Returns at once: the pacing wait happens on the channel's own lane thread, not on
    the worker answering, so a busy channel never delays answers elsewhere. The Future
    holds the message's ts, or None when Slack refused it.

    `event_id` is the event being answered (claimed with `first_delivery(payload=...)`):
    marked answered once the reply was tried, released when a shutdown cancels it first.
    With `flooded` (the reply to send instead in a flood), a channel whose lane already
    holds FLOOD_QUEUE replies gets that one reply in place of this one, and further
    replies are dropped (None is returned) until it has been quiet for FLOOD_QUIET s.
    """
    if flooded is not None:
        crowd = ctx.poster.lanes.crowding(channel, limit=FLOOD_QUEUE, quiet=FLOOD_QUIET)
        if crowd == lanes.DROP:
            log.info("flood in %s: event %s not answered", channel, event_id)
            ctx.finish_event(event_id)
            return None
        if crowd == lanes.COLLAPSE:
            log.warning("flood in %s: one 'lots of questions' reply instead of a queue", channel)
            message = flooded
    fields = {k: v for k, v in message.items() if k in ("text", "blocks")}

    def send() -> str | None:
        try:
            return _send(ctx, client, channel, fields, thread_ts)
        finally:
            ctx.finish_event(event_id)

    return ctx.poster.lanes.submit(channel, send, on_cancel=lambda: ctx.release_event(event_id))


def _send(
    ctx: SlackContext, client: WebClient, channel: str, fields: dict, thread_ts: str | None
) -> str | None:
    # The event is acked and claimed, so Slack will not send it again: a dropped connection
    # would lose the answer. A reset before Slack answered almost always means nothing was
    # posted, so it is tried again (a rare duplicate beats a question left unanswered).
    message = {"thread_ts": thread_ts, "unfurl_links": False, "unfurl_media": False, **fields}
    sent = delivery.post_message(
        client, channel, message, pace=ctx.poster.pace, retry_dropped=ANSWER_ATTEMPTS - 1
    )
    if not sent.ok:
        log.warning("could not answer in %s: %s (%s)", channel, sent.error, sent.status)
    return sent.ts


def set_status(client: WebClient, channel: str, thread_ts: str, status: str) -> None:
    """The agent surface's "Finding a tip…" line; silently absent where the surface is off."""
    try:
        client.assistant_threads_setStatus(channel_id=channel, thread_ts=thread_ts, status=status)
    except SlackApiError as exc:
        log.debug("assistant.threads.setStatus failed: %s", exc.response.get("error"))


def answer_mention(body: dict, event: dict, client: WebClient, context: BoltContext) -> None:
    """`@AI PM Coach question` in a channel: answer in the message's thread, publicly."""
    reason = ignore_reason(event, bot_user=context.bot_user_id, mentioned=True)
    if reason:
        log.debug("mention %s ignored: %s", body.get("event_id"), reason)
        return
    ctx = SlackContext.of(context)
    if not ctx.first_delivery(body, payload={"type": "app_mention", "event": event}):
        log.info("mention %s already answered (a retry)", body.get("event_id"))
        return
    mention(ctx, client, event, event_id=body.get("event_id"), bot_user=context.bot_user_id)


def mention(
    ctx: SlackContext, client: WebClient, event: dict, *, event_id: str | None, bot_user: str | None
) -> None:
    """Answer one claimed mention in its thread (a fresh one, or one a shutdown left)."""
    channel, user = event["channel"], event.get("user")
    thread_ts = event.get("thread_ts") or event["ts"]
    if event.get("bot_id") and not first_bot_answer(ctx, channel, thread_ts, event["bot_id"]):
        log.info("mention %s ignored: bot %s had its answer here", event_id, user)
        ctx.finish_event(event_id)
        return
    question = plain_question(str(event.get("text") or ""), bot_user=bot_user)
    try:
        if question:
            message = answers.answer_for(ctx, question, user=user, surface=MENTION, channel=channel)
        elif event.get("files"):
            message = blocks.plain(NO_TEXT)
        else:
            message = blocks.plain(how_to(ctx))
    except Exception:
        log.exception("answering a mention failed")
        message = blocks.plain(SORRY)
    flooded = blocks.plain(FLOODED_CHANNEL)
    post(ctx, client, channel, message, thread_ts=thread_ts, event_id=event_id, flooded=flooded)


def answer_dm(body: dict, event: dict, client: WebClient, context: BoltContext) -> None:
    """A direct message to the bot: answer in the DM (in its thread in the agent surface)."""
    reason = ignore_reason(event, bot_user=context.bot_user_id, mentioned=False)
    if reason:
        log.debug("message %s ignored: %s", body.get("event_id"), reason)
        return
    ctx = SlackContext.of(context)
    if not ctx.first_delivery(body, payload={"type": "message", "event": event}):
        log.info("message %s already answered (a retry)", body.get("event_id"))
        return
    direct_message(ctx, client, event, event_id=body.get("event_id"), bot_user=context.bot_user_id)


def direct_message(
    ctx: SlackContext, client: WebClient, event: dict, *, event_id: str | None, bot_user: str | None
) -> None:
    """Answer one claimed DM (a fresh one, or one a shutdown left)."""
    channel, user = event["channel"], event.get("user") or ""
    thread_ts = event.get("thread_ts")  # set in the agent surface: each chat is a thread
    if thread_ts:
        set_status(client, channel, thread_ts, THINKING)
    text = plain_question(str(event.get("text") or ""), bot_user=bot_user)
    try:
        if text:
            message = dm_reply(ctx, text, user=user, channel=channel)
        else:
            message = blocks.plain(NO_TEXT if event.get("files") else dm_help(ctx))
    except Exception:
        log.exception("answering a DM failed")
        message = blocks.plain(SORRY)
    flooded = blocks.plain(FLOODED_DM)
    # Posting clears the agent surface's status.
    post(ctx, client, channel, message, thread_ts=thread_ts, event_id=event_id, flooded=flooded)


def answer_left_over(
    ctx: SlackContext,
    client: WebClient,
    *,
    bot_user: str,
    keep_going: Callable[[], bool] = lambda: True,
) -> int:
    """Answer mentions and DMs that were claimed but never answered (a shutdown released
    them, or a crashed process's lease ran out) within LEFT_OVER_MAX_AGE; returns how many.

    Each is claimed again first, so with two processes (or Slack's redelivery meanwhile)
    it is answered once.
    """
    answered = 0
    left = ctx.coach.store.unanswered_events(max_age=LEFT_OVER_MAX_AGE, not_owner=ctx.poster.owner)
    for event_id, raw in left:
        if not keep_going():
            break
        try:
            payload = json.loads(raw)
            kind, event = payload["type"], payload["event"]
        except (ValueError, TypeError, KeyError):
            ctx.finish_event(event_id)  # unreadable: never tried again
            continue
        if not ctx.first_delivery({"event_id": event_id}, payload=payload):
            continue  # someone else took it meanwhile
        handle = mention if kind == "app_mention" else direct_message
        try:
            handle(ctx, client, event, event_id=event_id, bot_user=bot_user)
        except Exception:
            log.exception("answering left-over event %s failed", event_id)
            ctx.finish_event(event_id)
            continue
        answered += 1
    if answered:
        log.info("answering %d question(s) a shutdown or crash left unanswered", answered)
    return answered


def greet_thread(body: dict, event: dict, client: WebClient, context: BoltContext) -> None:
    """A new chat in the agent surface: a greeting and suggested prompts."""
    thread = event.get("assistant_thread") or {}
    channel, thread_ts = thread.get("channel_id"), thread.get("thread_ts")
    if not channel or not thread_ts:
        return
    ctx = SlackContext.of(context)
    if not ctx.first_delivery(body):
        return
    try:
        client.assistant_threads_setSuggestedPrompts(
            channel_id=channel,
            thread_ts=thread_ts,
            title="Try one of these:",
            prompts=[{"title": title, "message": text} for title, text in SUGGESTED_PROMPTS],
        )
    except SlackApiError as exc:
        log.warning("could not set suggested prompts: %s", exc.response.get("error"))
    post(ctx, client, channel, blocks.plain(dm_help(ctx)), thread_ts=thread_ts)


def register(app: App) -> None:
    """Listen for mentions, DMs and new chats in the agent surface."""
    app.event("app_mention")(ack=acknowledge, lazy=[answer_mention])
    app.event("message")(ack=acknowledge, lazy=[answer_dm])
    app.event("assistant_thread_started")(ack=acknowledge, lazy=[greet_thread])
