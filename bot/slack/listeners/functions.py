"""The Workflow Builder step "Send an AI-PM tip" (`app.function`, declared in manifest.yml).

Inputs: `channel` (required) and `topic` (optional). The step posts the tip that fits the
topic, or else the channel's next tip in rotation, and completes with `tip_id` and
`tip_title`; anything that stops it calls `fail` with a reason a workflow builder can act
on. Custom steps need a paid Slack plan.
"""

from __future__ import annotations

import datetime as dt
import logging

from slack_bolt import Ack, App, BoltContext, Complete, Fail

from bot.core import rotation
from bot.core.knowledge import Tip
from bot.slack.context import SlackContext
from bot.slack.delivery import CHANNEL_GONE

log = logging.getLogger(__name__)

SEND_TIP = "send_aipm_tip"
INVITE = "Invite the bot there with `/invite @AI PM Coach`, then run the workflow again."


def choose_tip(ctx: SlackContext, channel: str, topic: str) -> Tip | None:
    """The tip for `topic` when one fits, else the channel's next tip in rotation."""
    if topic.strip():
        answer = ctx.coach.ask(topic, record_gap=False)
        if answer.answered and answer.matches:
            return answer.matches[0][0]
    base, store = ctx.coach.library.base, ctx.coach.store
    tip_id = rotation.next_tip(
        [t.id for t in base.live_tips],
        store.posted_tip_ids(channel),
        store.tip_tallies(),
        seed=f"{channel}:{dt.datetime.now(dt.UTC).date().isoformat()}",
    )
    return base.get(tip_id) if tip_id else None


def acknowledge(ack: Ack) -> None:
    """Answer Slack at once; the step runs in a lazy listener."""
    ack()


def send_tip(
    body: dict, inputs: dict, complete: Complete, fail: Fail, context: BoltContext
) -> None:
    """Post a tip to the step's channel, then complete with its id and title (or fail)."""
    ctx = SlackContext.of(context)
    event_id = body.get("event_id")
    if not ctx.first_delivery(body):
        log.info("workflow step %s already handled (a retry)", event_id)
        return
    inputs = inputs if isinstance(inputs, dict) else {}
    channel = str(inputs.get("channel") or "").strip()
    topic = str(inputs.get("topic") or "")
    if not channel:
        fail("No channel was given: pick one in the step's Channel input.")
        return
    tip = choose_tip(ctx, channel, topic)
    if tip is None:
        fail("The tip base has no live tips. Ask a curator to run `aipm-coach knowledge build`.")
        return
    outcome = ctx.poster.post_tip(channel, tip, kind="workflow")
    if not outcome.ok:
        error = outcome.error or outcome.status
        if error in CHANNEL_GONE:
            fail(f"Could not post in <#{channel}>: {CHANNEL_GONE[error]}. {INVITE}")
        else:
            fail(f"Could not post in <#{channel}>: Slack said `{error}`. Try again later.")
        return
    complete(outputs={"tip_id": tip.id, "tip_title": tip.title})


def register(app: App) -> None:
    """Listen for the workflow step."""
    app.function(SEND_TIP, auto_acknowledge=False)(ack=acknowledge, lazy=[send_tip])
