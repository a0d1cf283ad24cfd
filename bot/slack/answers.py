"""The answer to a message, rendered for Slack: ask the coach, keep the offer, build the blocks.

Every surface that answers a question (`/aipm`, a mention, a DM, the message shortcut, the
playground) comes through `answer_for`, so each answer is decided and offered the same way.
"""

from __future__ import annotations

import logging
import sqlite3

from bot.core.pipeline.answer import Answer
from bot.slack import blocks
from bot.slack import curation_blocks as cb
from bot.slack.context import SlackContext
from bot.store import StoreError

log = logging.getLogger(__name__)


def answer_for(
    ctx: SlackContext,
    question: str,
    *,
    user: str | None,
    surface: str,
    channel: str | None = None,
) -> dict:
    """The reply to one question asked on `surface` by `user` (in `channel`, if known)."""
    answer = ctx.coach.ask(question, user=user, surface=surface)
    return render(ctx, answer, user=user, channel=channel)


def render(ctx: SlackContext, answer: Answer, *, user: str | None, channel: str | None) -> dict:
    """An answer as a Slack message; a decline gets "Tell me when there's a tip".

    When the offer cannot be kept (another process holds the database's write lock), the
    answer still goes out, with buttons that need no offer (rate, share): an answer is
    never lost to the bookkeeping behind its buttons.
    """
    try:  # the offer and the question's count for `stats`, in one write
        offer_id = ctx.coach.offer(answer, user=user, channel=channel, count=True).id
    except (sqlite3.Error, StoreError) as exc:
        log.warning("answering without teaching buttons: could not keep the offer (%s)", exc)
        offer_id = None
        try:
            ctx.coach.record_asked(answer, offer_id=None)
        except (sqlite3.Error, StoreError) as exc:  # a missed count never holds up an answer
            log.warning("could not count a question for stats: %s", exc)
    reply = blocks.answer_message(answer, ctx.command, offer_id=offer_id)
    if not answer.answered:
        reply = with_wait_button(ctx, reply, answer.question)
    return reply


def with_wait_button(ctx: SlackContext, reply: dict, question: str) -> dict:
    """A declined answer with "Tell me when there's a tip" under it.

    Only where the workspace keeps questions (COACH_LOG_QUESTIONS), since the click stores
    the question and who asked it.
    """
    if question.strip() and ctx.coach.settings.log_questions:
        reply["blocks"] = [*reply.get("blocks", []), cb.wait_button(question)]
    return reply
