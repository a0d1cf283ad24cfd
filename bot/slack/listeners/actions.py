"""Buttons under an answer: Useful, Not useful, Share to channel."""

from __future__ import annotations

import logging
import sqlite3

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.ratings import NOT_USEFUL, USEFUL
from bot.slack import blocks
from bot.slack.context import SlackContext

log = logging.getLogger(__name__)
BUTTON_TS = "button"
SORRY = "Sorry, I could not record that just now. Please click again in a moment."


def _tip_and_user(ctx: SlackContext, body: dict):
    action = (body.get("actions") or [{}])[0]
    tip = ctx.coach.library.base.get(str(action.get("value") or ""))
    user = (body.get("user") or {}).get("id")
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return tip, user, channel


def register(app: App, ctx: SlackContext) -> None:
    """Listen for the rating and share buttons."""

    def rate(body: dict, respond: Respond, value: int) -> None:
        tip, user, channel = _tip_and_user(ctx, body)
        if tip is None or not user:
            respond(
                blocks.plain("That tip is no longer in the base, so I could not record it.")
                | {"replace_original": False}
            )
            return
        try:
            ctx.coach.store.record_vote(
                user=user,
                tip_id=tip.id,
                channel=channel or "",
                message_ts=BUTTON_TS,
                reaction="button",
                value=value,
            )
        except sqlite3.Error as exc:  # the transaction rolled back: nothing half-written
            log.error("could not record a rating: %s", exc)
            respond(blocks.plain(SORRY) | {"replace_original": False})
            return
        respond(blocks.thanks_message(tip, value))

    @app.action(blocks.USEFUL_ACTION)
    def useful(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        rate(body, respond, USEFUL)

    @app.action(blocks.NOT_USEFUL_ACTION)
    def not_useful(ack: Ack, body: dict, respond: Respond) -> None:
        ack()
        rate(body, respond, NOT_USEFUL)

    @app.action(blocks.SHARE_ACTION)
    def share(ack: Ack, body: dict, respond: Respond, client: WebClient) -> None:
        ack()
        tip, user, channel = _tip_and_user(ctx, body)
        if tip is None or not channel:
            respond(
                blocks.plain("That tip is no longer in the base.") | {"replace_original": False}
            )
            return
        outcome = ctx.poster.post_tip(channel, tip, kind="shared", shared_by=user)
        if not outcome.ok:
            respond(
                blocks.plain(
                    f"I could not post in this channel ({outcome.error}). "
                    "Invite me with `/invite @AI PM Coach` and try again."
                )
                | {"replace_original": False}
            )
            return
        respond(blocks.thanks_message(tip, 0, shared_in=channel))
