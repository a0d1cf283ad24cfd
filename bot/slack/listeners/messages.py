"""@mentions in channels and direct messages: answered in the thread or the DM, once each.

Slack waits 3 seconds for a 200, so every callback here is a lazy listener: Bolt acks
first, then the callback claims the event id (a retried delivery, same `event_id` with
`X-Slack-Retry-Num`, finds it taken and does nothing), asks the coach and posts, paced
at one message per second per channel with the daily posts and shares.

A reply in a thread where the coach answered someone's mention is a follow-up: answered
in the thread without a new mention when it comes from that person and reads as a
question, at most `followups.MAX_FOLLOW_UPS` times per thread (`message.channels` and
`message.groups` carry those replies). Other channel messages get nothing.

Never a loop: the bot's own messages, edits, deletions, joins and other subtypes get
nothing, and other bots' messages are never follow-ups. Other bots are answered only when
they mention the bot, and at most once per thread: a bot that replies "<@coach> thanks!"
to every answer would otherwise talk with the coach for ever.
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

from bot.core import commands, examples, followups
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
FOLLOW_UP = "follow_up"  # the kind a claimed follow-up is kept under, for `answer_left_over`
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
    `message` events are answered in a DM (`channel_type` "im"), or as a follow-up in a
    channel thread (see `follow_up_reason`).
    """
    if event.get("subtype") not in ANSWERED_SUBTYPES:
        return f"subtype {event.get('subtype')}"
    if bot_user and event.get("user") == bot_user:
        return "the bot's own message"
    if event.get("bot_id") and not mentioned:
        return "another bot's message"
    if not event.get("user") and not event.get("bot_id"):
        return "no author"
    if not mentioned and event.get("channel_type") != "im" and not event.get("thread_ts"):
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
    meant = commands.suggestion(text, DM_SUBCOMMANDS)
    if meant is not None:  # "tpo": not a question, so no gap; the buttons run it or ask it
        return blocks.did_you_mean("", meant, text.strip())
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
    """The "Finding a tip…" line in a DM thread or a channel thread; absent where Slack has none.

    Posting the answer in the thread clears it, so no call is needed to end it.
    """
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
    if question:  # "Finding a tip…" under the thread until the answer lands there
        set_status(client, channel, thread_ts, THINKING)
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
    if question and user:
        _remember_thread(ctx, channel, thread_ts, user)
    flooded = blocks.plain(FLOODED_CHANNEL)
    post(ctx, client, channel, message, thread_ts=thread_ts, event_id=event_id, flooded=flooded)


def may_be_answered(event: dict) -> bool:
    """Before any lazy work: a DM, or a reply in a thread (not a bot's) that reads as a question."""
    if event.get("channel_type") == "im":
        return True
    return (
        bool(event.get("thread_ts"))
        and not event.get("bot_id")
        and followups.reads_as_question(str(event.get("text") or ""))
    )


def _remember_thread(ctx: SlackContext, channel: str, thread_ts: str, user: str) -> None:
    """Note that the coach answered `user` in this thread, so their follow-ups are answered."""
    try:
        ctx.coach.store.claim_notice(followups.thread_key(channel, thread_ts, user))
    except (sqlite3.Error, StoreError) as exc:  # follow-ups then need a mention, as before
        log.warning("could not remember the thread %s in %s: %s", thread_ts, channel, exc)


def follow_up_reason(ctx: SlackContext, event: dict, *, bot_user: str | None) -> str | None:
    """Why a channel thread reply gets no follow-up answer, or None when it gets one.

    Answered: a reply by the person the coach answered in that thread, that reads as a
    question, without a mention (the mention has its own event), while the thread has
    had fewer than `followups.MAX_FOLLOW_UPS` follow-up answers.
    """
    text = str(event.get("text") or "")
    if event.get("bot_id"):
        return "another bot's message"
    if bot_user and f"<@{bot_user}>" in text:
        return "a mention (answered as one)"
    thread_ts, channel, user = event.get("thread_ts"), event["channel"], event.get("user")
    if not isinstance(thread_ts, str) or thread_ts == event.get("ts") or not user:
        return "not a reply in a thread"
    if not followups.reads_as_question(plain_question(text, bot_user=bot_user)):
        return "chatter, not a question"
    try:
        if not ctx.coach.store.has_notice(followups.thread_key(channel, thread_ts, user)):
            return "not a thread where the coach answered this person"
    except (sqlite3.Error, StoreError) as exc:
        log.warning("could not check a follow-up (%s); not answering", exc)
        return "database unavailable"
    return None


def claim_follow_up(ctx: SlackContext, channel: str, thread_ts: str) -> bool:
    """Take one of the thread's follow-up answers; False once they are all taken."""
    try:
        return any(
            ctx.coach.store.claim_notice(key) for key in followups.slot_keys(channel, thread_ts)
        )
    except (sqlite3.Error, StoreError) as exc:
        log.warning("could not count a follow-up in %s (%s); not answering", channel, exc)
        return False


def follow_up(
    ctx: SlackContext, client: WebClient, event: dict, *, event_id: str | None, bot_user: str | None
) -> None:
    """Answer one claimed follow-up question in its thread, as a mention would be."""
    channel, user, thread_ts = event["channel"], event.get("user"), event["thread_ts"]
    if not claim_follow_up(ctx, channel, thread_ts):
        log.info(
            "follow-up %s not answered: the thread had its %d", event_id, followups.MAX_FOLLOW_UPS
        )
        ctx.finish_event(event_id)
        return
    question = plain_question(str(event.get("text") or ""), bot_user=bot_user)
    set_status(client, channel, thread_ts, THINKING)
    try:
        message = answers.answer_for(ctx, question, user=user, surface=MENTION, channel=channel)
    except Exception:
        log.exception("answering a follow-up failed")
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
    if event.get("channel_type") != "im":  # a reply in a channel thread
        why = follow_up_reason(ctx, event, bot_user=context.bot_user_id)
        if why:
            log.debug("message %s ignored: %s", body.get("event_id"), why)
            return
        if not ctx.first_delivery(body, payload={"type": FOLLOW_UP, "event": event}):
            log.info("follow-up %s already answered (a retry)", body.get("event_id"))
            return
        follow_up(ctx, client, event, event_id=body.get("event_id"), bot_user=context.bot_user_id)
        return
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
        handle = {"app_mention": mention, FOLLOW_UP: follow_up}.get(kind, direct_message)
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


def greet_messages_tab(body: dict, event: dict, client: WebClient, context: BoltContext) -> None:
    """The Messages tab opened (the agent surface): suggested prompts, and a first greeting.

    An agent app's prompts belong to the whole DM, so they are set without `thread_ts`
    (with one, Slack accepts the call and shows nothing). Setting them again on every
    open is harmless; the greeting is posted once per person, across processes.
    """
    channel, user = event.get("channel"), event.get("user")
    if not isinstance(channel, str) or not channel.startswith("D") or not isinstance(user, str):
        return
    try:
        client.assistant_threads_setSuggestedPrompts(
            channel_id=channel,
            title="Try one of these:",
            prompts=[{"title": title, "message": text} for title, text in SUGGESTED_PROMPTS],
        )
    except SlackApiError as exc:
        log.warning("could not set suggested prompts: %s", exc.response.get("error"))
    ctx = SlackContext.of(context)
    try:
        first = ctx.coach.store.claim_notice(f"greeted:{user}")
    except (sqlite3.Error, StoreError) as exc:  # a missed greeting beats a repeated one
        log.warning("could not record a greeting for %s: %s", user, exc)
        return
    if first:
        post(ctx, client, channel, blocks.plain(dm_help(ctx)))


def _messages_tab(event: dict) -> bool:
    return event.get("tab") == "messages"


def register(app: App) -> None:
    """Listen for mentions, DMs and the Messages tab (the agent surface) opening."""
    app.event("app_mention")(ack=acknowledge, lazy=[answer_mention])
    # Channel messages arrive for every message in a channel the bot is in (follow-ups need
    # them): only a DM or a thread reply that reads as a question makes lazy work; the rest
    # is acknowledged and dropped at once.
    app.event("message", matchers=[may_be_answered])(ack=acknowledge, lazy=[answer_dm])
    app.event("message")(acknowledge)
    app.event("app_home_opened", matchers=[_messages_tab])(
        ack=acknowledge, lazy=[greet_messages_tab]
    )
