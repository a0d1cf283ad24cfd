"""Buttons under an answer: Useful, Not useful, Not what I asked, Share, and picking a tip.

A rating is recorded before Slack gets its answer, so a 200 means it is in the database;
updating the message (and sharing, which may wait on rate limits) happens after, in
Bolt's lazy listeners, so Slack's 3-second window always holds. The ack callback leaves
its outcome in `context["aipm_outcome"]` for the lazy one.
"""

from __future__ import annotations

import logging
import sqlite3

from slack_bolt import Ack, App, BoltContext, Respond

from bot.core.learned import MATCH, MISMATCH
from bot.core.ratings import NOT_USEFUL, USEFUL
from bot.slack import blocks
from bot.slack.context import SlackContext
from bot.store import StoreError

log = logging.getLogger(__name__)
BUTTON_TS = "button"
SORRY = "Sorry, I could not record that just now. Please click again in a moment."
SHARE_SORRY = "Sorry, I could not share that just now. Please try again in a moment."
GONE = "That tip is no longer in the base, so I could not record it."


def _value(body: dict) -> str:
    return str(((body.get("actions") or [{}])[0]).get("value") or "")


def _tip_and_user(ctx: SlackContext, body: dict):
    tip = ctx.coach.library.base.get(blocks.parse_ref(_value(body)).tip_id)
    user = (body.get("user") or {}).get("id")
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return tip, user, channel


def _record(ack: Ack, body: dict, context: BoltContext, value: int) -> None:
    ack()
    ctx = SlackContext.of(context)
    tip, user, channel = _tip_and_user(ctx, body)
    if tip is None or not user:
        context["aipm_outcome"] = "gone"
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
        context["aipm_outcome"] = "failed"
        return
    context["aipm_outcome"] = "recorded"


def _thank(body: dict, respond: Respond, context: BoltContext, value: int) -> None:
    outcome = context.get("aipm_outcome")
    if outcome == "recorded":
        tip = _tip_and_user(SlackContext.of(context), body)[0]
        respond(blocks.thanks_message(tip, value, ref=_value(body)))
    elif outcome == "gone":
        respond(blocks.plain(GONE) | {"replace_original": False})
    else:
        respond(blocks.plain(SORRY) | {"replace_original": False})


def record_useful(ack: Ack, body: dict, context: BoltContext) -> None:
    """Useful clicked: store the rating, then ack."""
    _record(ack, body, context, USEFUL)


def thank_useful(body: dict, respond: Respond, context: BoltContext) -> None:
    """After the ack: replace the answer with a thank-you (or say why not)."""
    _thank(body, respond, context, USEFUL)


def record_not_useful(ack: Ack, body: dict, context: BoltContext) -> None:
    """Not useful clicked: store the rating, then ack."""
    _record(ack, body, context, NOT_USEFUL)


def thank_not_useful(body: dict, respond: Respond, context: BoltContext) -> None:
    """After the ack: replace the answer with a thank-you (or say why not)."""
    _thank(body, respond, context, NOT_USEFUL)


def acknowledge(ack: Ack) -> None:
    """Answer Slack at once; the work follows in a lazy listener."""
    ack()


def share_key(body: dict, ref: blocks.AnswerRef, channel: str) -> str:
    """What makes two Share clicks the same share: the answer's key, else its message."""
    if ref.key:
        return f"answer:{ref.key}"
    message_ts = (body.get("container") or {}).get("message_ts") or ""
    return f"message:{channel}:{message_ts}:{ref.tip_id}"


def share(body: dict, respond: Respond, context: BoltContext) -> None:
    """Share clicked: post the answer in the channel once, then show "Shared" (or why not).

    Clicks are claimed in the store first, so a second click (even at the same moment,
    even in another process) posts nothing: it finds the share pending (the first click
    answers) or done (the button is shown as "Shared" again).
    """
    ctx = SlackContext.of(context)
    tip, user, channel = _tip_and_user(ctx, body)
    tip = ctx.coach.library.base.served(tip.id) if tip is not None else None  # never a draft
    if tip is None or not channel:
        respond(blocks.plain("That tip is no longer in the base.") | {"replace_original": False})
        return
    value = _value(body)
    ref = blocks.parse_ref(value)
    key = share_key(body, ref, channel)
    # Name the asker only when the clicker is the asker and the value is the bot's own; a
    # forged or edited value shares the tip alone, someone else's answer without the name.
    ours = ctx.is_ours(value)
    question = ref.question if ours else None
    asked_by = ref.asker if ours and ref.asker == user else None
    try:
        fresh, claim = ctx.coach.store.claim_share(key, channel=channel, tip_id=tip.id, user=user)
    except (sqlite3.Error, StoreError) as exc:
        # Without the claim a second click could post twice: post nothing, say so.
        log.error("could not claim a share: %s", exc)
        respond(blocks.plain(SHARE_SORRY) | {"replace_original": False})
        return
    if not fresh:
        if claim.status == "posted":
            respond(blocks.thanks_message(tip, 0, shared_in=claim.channel, ref=value))
        return
    outcome = ctx.poster.post_tip(
        channel, tip, kind="shared", shared_by=user, asked_by=asked_by, question=question
    )
    if outcome.ok:
        try:
            ctx.coach.store.mark_shared(key, outcome.ts or "")
        except (sqlite3.Error, StoreError) as exc:  # it is in the channel all the same
            log.error("shared %s in %s but could not record it: %s", tip.id, channel, exc)
        respond(blocks.thanks_message(tip, 0, shared_in=channel, ref=value))
        return
    if outcome.status != "unknown":  # certainly not posted: let a later click try again
        ctx.coach.store.release_share(key)
    respond(
        blocks.plain(
            f"I could not post in this channel ({outcome.error}). "
            "Invite me with `/invite @AI PM Coach` and try again."
        )
        | {"replace_original": False}
    )


def _teach(ack: Ack, body: dict, context: BoltContext, verdict: str) -> None:
    """Keep a verdict on the question and tip a feedback button carries, then ack.

    Leaves `aipm_outcome` ("learned", "not kept", "gone" or "failed") and `aipm_feedback`
    (tips, question, asker) for the lazy listener. Never touches the tip's ratings.
    """
    ack()
    ctx = SlackContext.of(context)
    value = (body.get("actions") or [{}])[0].get("value")
    found = blocks.read_feedback_value(value)
    base = ctx.coach.library.base
    ids = found[0] if found else []
    # A pick names one tip, which must be servable (not retired, not a draft); "None of
    # these" the few that were offered, which may have been retired since.
    find = base.served if verdict == MATCH else base.get
    tips = [find(i) for i in ids] if 0 < len(ids) <= (1 if verdict == MATCH else 5) else []
    user = (body.get("user") or {}).get("id")
    if not tips or None in tips or not user or not found[1].strip():
        context["aipm_outcome"] = "gone"
        return
    asker = ctx.vouched_asker(value, user)  # who a later Share may name (see Share)
    context["aipm_feedback"] = (tips, found[1], asker)
    try:
        kept = all(ctx.coach.teach(found[1], t.id, verdict, user=user) for t in tips)
    except (sqlite3.Error, ValueError) as exc:
        log.error("could not record feedback: %s", exc)
        context["aipm_outcome"] = "failed"
        return
    context["aipm_outcome"] = "learned" if kept else "not kept"


def _outcome_problem(context: BoltContext, respond: Respond) -> bool:
    outcome = context.get("aipm_outcome")
    if outcome == "gone":
        respond(blocks.plain(GONE) | {"replace_original": False})
    elif outcome not in ("learned", "not kept"):
        respond(blocks.plain(SORRY) | {"replace_original": False})
    else:
        return False
    return True


def record_mismatch(ack: Ack, body: dict, context: BoltContext) -> None:
    """Not what I asked (one tip) or None of these (each tip offered): keep the mismatches, then ack."""
    _teach(ack, body, context, MISMATCH)


def offer_others(body: dict, respond: Respond, context: BoltContext) -> None:
    """After the ack: thank, and offer the other closest tips for the question to pick from."""
    if _outcome_problem(context, respond):
        return
    ctx = SlackContext.of(context)
    tips, question, asker = context["aipm_feedback"]
    user = (body.get("user") or {}).get("id")
    # The next closest few, beyond what was just rejected (later askers get only what is
    # left of the usual few: see Coach.ask).
    answer = ctx.coach.ask(question, user=user, limit=3 + len(tips), record_gap=False)
    respond(
        blocks.mismatch_message(
            tips, answer, remembered=context["aipm_outcome"] == "learned", asker=asker
        )
    )


def record_pick(ack: Ack, body: dict, context: BoltContext) -> None:
    """A tip picked from the closest few: keep it as the confirmed match, then ack."""
    _teach(ack, body, context, MATCH)


def show_pick(body: dict, respond: Respond, context: BoltContext) -> None:
    """After the ack: show the picked tip privately, with the usual buttons."""
    if _outcome_problem(context, respond):
        return
    tips, question, asker = context["aipm_feedback"]
    respond(
        blocks.picked_message(
            tips[0], question, remembered=context["aipm_outcome"] == "learned", asker=asker
        )
    )


def register(app: App) -> None:
    """Listen for the rating, feedback, pick and share buttons."""
    app.action(blocks.USEFUL_ACTION)(ack=record_useful, lazy=[thank_useful])
    app.action(blocks.NOT_USEFUL_ACTION)(ack=record_not_useful, lazy=[thank_not_useful])
    app.action(blocks.MISMATCH_ACTION)(ack=record_mismatch, lazy=[offer_others])
    app.action(blocks.NONE_OF_THESE_ACTION)(ack=record_mismatch, lazy=[offer_others])
    app.action(blocks.PICK_PATTERN)(ack=record_pick, lazy=[show_pick])
    app.action(blocks.SHARE_ACTION)(ack=acknowledge, lazy=[share])
