"""Buttons under an answer: Useful, Not useful, Not what I asked, Share, and picking a tip.

Button values are checked, never trusted: a button under an answer names only its offer
(what the bot offered, to whom, kept server-side) and one tip, so a click counts only for a
tip that offer showed; teaching (Not what I asked, None of these, a pick) counts only from
the person who asked; Share names the asker only when the asker shares. A rating is recorded
before Slack gets its answer, so a 200 means it is in the database; updating the message
(and sharing, which may wait on rate limits) happens after, in Bolt's lazy listeners, so
Slack's 3-second window always holds. The ack callback leaves its outcome in
`context["aipm_outcome"]` for the lazy one.
"""

from __future__ import annotations

import logging
import sqlite3

from slack_bolt import Ack, App, BoltContext, Respond

from bot.core import coach as core
from bot.core.ratings import NOT_USEFUL, USEFUL
from bot.slack import answers, blocks
from bot.slack.context import SlackContext, acknowledge
from bot.slack.payload_shapes import clicked_channel, clicked_value, clicker
from bot.store import Offer, StoreError

log = logging.getLogger(__name__)
BUTTON_TS = "button"
SORRY = "Sorry, I could not record that just now. Please click again in a moment."
SHARE_SORRY = "Sorry, I could not share that just now. Please try again in a moment."
GONE = "That tip is no longer in the base, so I could not record it."
STALE = (
    "That button is from an answer I no longer have (or one I never gave), so I can't learn "
    "from it. Ask me again and use the buttons under the new answer."
)
NOT_YOURS = (
    "Only the person who asked can tell me what they meant. Ask me your own question with "
    "`{command} …` and I'll answer you privately."
)
TOO_MANY = (
    "Thanks! You've taught me a lot in the last hour, so I'm not learning more from you "
    "for now. Ratings with Useful and Not useful still count."
)


def _value(body: dict) -> blocks.ButtonValue:
    return blocks.read_value(clicked_value(body))


def _offered(ctx: SlackContext, value: blocks.ButtonValue) -> tuple[Offer | None, list[str]]:
    """The offer a button names and the tips it claims, checked against that offer.

    (None, []) when the offer is unknown or expired, or the tip is not one it offered.
    """
    offer = ctx.coach.find_offer(value.offer) if value.offer else None
    if offer is None or value.tip is None:
        return None, []
    tips = list(offer.tips) if value.tip == blocks.ALL_OFFERED else [value.tip]
    if not tips or any(t not in offer.tips for t in tips):
        return None, []
    return offer, tips


def _record(ack: Ack, body: dict, context: BoltContext, value: int) -> None:
    ack()
    ctx = SlackContext.of(context)
    button = _value(body)
    user, channel = clicker(body), clicked_channel(body)
    if button.offer is not None:
        offer, tips = _offered(ctx, button)
        tip_id = tips[0] if offer is not None and len(tips) == 1 else None
    else:
        tip_id = button.tip  # a daily post's or /aipm tip's button: the tip must be served
    tip = ctx.coach.library.base.served(tip_id) if tip_id else None
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
    except (sqlite3.Error, StoreError) as exc:  # the transaction rolled back: nothing half-written
        log.error("could not record a rating: %s", exc)
        context["aipm_outcome"] = "failed"
        return
    context["aipm_outcome"] = "recorded"
    context["aipm_tip"] = tip


def _thank(body: dict, respond: Respond, context: BoltContext, value: int) -> None:
    outcome = context.get("aipm_outcome")
    if outcome == "recorded":
        raw = clicked_value(body)
        private = not blocks.seen_by_others(body)
        respond(blocks.thanks_message(context["aipm_tip"], value, button=raw, private=private))
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


def _vote(body: dict) -> int | None:
    return _value(body).vote


def record_feedback(ack: Ack, body: dict, context: BoltContext) -> None:
    """Slack's feedback button (👍 or 👎, the vote in its value): store it, then ack.

    A value without a valid vote (forged, or from some other element) records nothing.
    """
    vote = _vote(body)
    if vote is None:
        ack()
        context["aipm_outcome"] = "gone"
        return
    _record(ack, body, context, USEFUL if vote > 0 else NOT_USEFUL)


def thank_feedback(body: dict, respond: Respond, context: BoltContext) -> None:
    """After the ack: the thank-you (in place on a private answer, else to the clicker alone)."""
    vote = _vote(body)
    _thank(body, respond, context, USEFUL if vote is not None and vote > 0 else NOT_USEFUL)


def share_key(body: dict, button: blocks.ButtonValue, channel: str) -> str:
    """What makes two Share clicks the same share: the offer and tip, else the message."""
    if button.offer:
        return f"offer:{button.offer}:{button.tip}"
    message_ts = (body.get("container") or {}).get("message_ts") or ""
    return f"message:{channel}:{message_ts}:{button.tip}"


def share(body: dict, respond: Respond, context: BoltContext) -> None:
    """Share clicked: post the tip in the channel once, then show "Shared" (or why not).

    Clicks are claimed in the store first, so a second click (even at the same moment,
    even in another process) posts nothing: it finds the share pending (the first click
    answers) or done (the button is shown as "Shared" again). The post says who asked what
    only when the person sharing is the person who asked.
    """
    ctx = SlackContext.of(context)
    button = _value(body)
    user, channel = clicker(body), clicked_channel(body)
    offer = None
    if button.offer is not None:
        offer, tips = _offered(ctx, button)
        tip_id = tips[0] if offer is not None and len(tips) == 1 else None
    else:
        tip_id = button.tip
    tip = ctx.coach.library.base.served(tip_id) if tip_id else None  # never a draft
    if tip is None or not channel:
        respond(blocks.plain("That tip is no longer in the base.") | {"replace_original": False})
        return
    raw = clicked_value(body)
    private = not blocks.seen_by_others(body)
    key = share_key(body, button, channel)
    try:
        fresh, claim = ctx.coach.store.claim_share(key, channel=channel, tip_id=tip.id, user=user)
    except (sqlite3.Error, StoreError) as exc:
        # Without the claim a second click could post twice: post nothing, say so.
        log.error("could not claim a share: %s", exc)
        respond(blocks.plain(SHARE_SORRY) | {"replace_original": False})
        return
    if not fresh:
        if claim.status == "posted":
            respond(
                blocks.thanks_message(tip, 0, shared_in=claim.channel, button=raw, private=private)
            )
        return
    asked = offer is not None and ctx.coach.is_asker(offer, user) and bool(offer.question)
    outcome = ctx.poster.post_tip(
        channel,
        tip,
        kind="shared",
        shared_by=None if asked else user,
        asked_by=user if asked else None,
        # Someone else's answer is shared as "Someone asked: …": the question, nobody named.
        question=offer.question if offer is not None and offer.question else None,
    )
    if outcome.ok:
        try:
            ctx.coach.store.mark_shared(key, outcome.ts or "")
        except (sqlite3.Error, StoreError) as exc:  # it is in the channel all the same
            log.error("shared %s in %s but could not record it: %s", tip.id, channel, exc)
        respond(blocks.thanks_message(tip, 0, shared_in=channel, button=raw, private=private))
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
    """Keep the clicker's verdict on the tips their answer offered, then ack.

    Leaves `aipm_outcome` (a `bot.core.coach` outcome, "stale", "gone" or "failed") and
    `aipm_feedback` (offer, tips) for the lazy listener. Never touches the tips' ratings.
    """
    ack()
    ctx = SlackContext.of(context)
    button, user = _value(body), clicker(body)
    offer, tip_ids = _offered(ctx, button)
    if offer is None or not user or (verdict == core.MATCH and len(tip_ids) != 1):
        context["aipm_outcome"] = "stale"
        return
    base = ctx.coach.library.base
    # A pick names one tip, which must be servable (not retired, not a draft); "None of
    # these" the few that were offered, which may have been retired since.
    find = base.served if verdict == core.MATCH else base.get
    tips = [find(i) for i in tip_ids]
    if None in tips:
        context["aipm_outcome"] = "gone"
        return
    context["aipm_feedback"] = (offer, tips)
    try:
        context["aipm_outcome"] = ctx.coach.teach(offer, tip_ids, verdict, user=user)
    except (sqlite3.Error, StoreError, ValueError) as exc:
        log.error("could not record feedback: %s", exc)
        context["aipm_outcome"] = "failed"


def _outcome_problem(ctx: SlackContext, context: BoltContext, respond: Respond) -> bool:
    """Answer the clicker privately when the click taught nothing; True if it did so."""
    outcome = context.get("aipm_outcome")
    texts = {
        "stale": STALE,
        "gone": GONE,
        core.NOT_OFFERED: STALE,
        core.NOT_YOURS: NOT_YOURS.format(command=ctx.command),
        core.TOO_MANY: TOO_MANY,
    }
    if outcome in (core.LEARNED, core.NOT_KEPT):
        return False
    respond(blocks.plain(texts.get(str(outcome), SORRY)) | {"replace_original": False})
    return True


def record_mismatch(ack: Ack, body: dict, context: BoltContext) -> None:
    """Not what I asked (one tip) or None of these (each tip offered): keep it, then ack."""
    _teach(ack, body, context, core.MISMATCH)


def honest_decline(body: dict, respond: Respond, context: BoltContext) -> None:
    """After the ack: thanks, and an honest "no tip on that yet" (never another batch)."""
    ctx = SlackContext.of(context)
    if _outcome_problem(ctx, context, respond):
        return
    offer, tips = context["aipm_feedback"]
    note = blocks.rejected_note(tips, remembered=context["aipm_outcome"] == core.LEARNED)
    reply = blocks.decline_message(offer.question, ctx.command, note=note)
    reply = answers.with_wait_button(ctx, reply, offer.question)
    respond(blocks.for_clicker(reply, private=not blocks.seen_by_others(body)))


def record_pick(ack: Ack, body: dict, context: BoltContext) -> None:
    """A tip picked from the closest few: keep it as the clicker's match, then ack."""
    _teach(ack, body, context, core.MATCH)


def show_pick(body: dict, respond: Respond, context: BoltContext) -> None:
    """After the ack: show the picked tip privately, with the usual buttons."""
    ctx = SlackContext.of(context)
    if _outcome_problem(ctx, context, respond):
        return
    offer, tips = context["aipm_feedback"]
    picked = blocks.picked_message(
        tips[0],
        offer.question,
        offer_id=offer.id,
        remembered=context["aipm_outcome"] == core.LEARNED,
    )
    respond(blocks.for_clicker(picked, private=not blocks.seen_by_others(body)))


def register(app: App) -> None:
    """Listen for the rating, feedback, pick and share buttons."""
    app.action(blocks.FEEDBACK_ACTION)(ack=record_feedback, lazy=[thank_feedback])
    # Rating buttons of messages posted before feedback buttons existed still count.
    app.action(blocks.USEFUL_ACTION)(ack=record_useful, lazy=[thank_useful])
    app.action(blocks.NOT_USEFUL_ACTION)(ack=record_not_useful, lazy=[thank_not_useful])
    app.action(blocks.MISMATCH_ACTION)(ack=record_mismatch, lazy=[honest_decline])
    app.action(blocks.NONE_OF_THESE_ACTION)(ack=record_mismatch, lazy=[honest_decline])
    app.action(blocks.PICK_PATTERN)(ack=record_pick, lazy=[show_pick])
    app.action(blocks.SHARE_ACTION)(ack=acknowledge, lazy=[share])
