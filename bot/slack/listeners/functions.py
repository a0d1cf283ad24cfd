"""The Workflow Builder step "Send an AI-PM tip" (`app.function`, declared in manifest.yml).

Inputs: `channel` (required) and `topic` (optional). The step posts the tip that fits the
topic, or else the channel's next tip in rotation, and completes with `tip_id` and
`tip_title`; anything that stops it calls `fail` with a reason a workflow builder can act
on. Custom steps need a paid Slack plan.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from slack_bolt import App, BoltContext, Complete, Fail
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core import rotation
from bot.core.knowledge import Tip
from bot.slack.context import SlackContext, acknowledge
from bot.slack.delivery import CHANNEL_GONE, once_only_client

log = logging.getLogger(__name__)

SEND_TIP = "send_aipm_tip"
INVITE = "Invite the bot there with `/invite @AI PM Coach`, then run the workflow again."
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{1,30}")
PICK_CHANNEL = "pick one channel in the step's Channel input, then run the workflow again."


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


def step_inputs(inputs: object) -> tuple[str, str] | str:
    """(channel id, topic) from the step's inputs, or why they cannot be used (for `fail`).

    Never echoes what came: a channel given as an object or a name is described, not shown.
    """
    if not isinstance(inputs, dict):
        kind = "a list" if isinstance(inputs, list) else "not named inputs"
        return f"The step's inputs came as {kind}, not as named inputs: {PICK_CHANNEL}"
    channel, topic = inputs.get("channel"), inputs.get("topic")
    if channel is None or channel == "":
        return "No channel was given: pick one in the step's Channel input."
    if not isinstance(channel, str) or not CHANNEL_ID.fullmatch(channel.strip()):
        what = "an object" if isinstance(channel, dict | list) else "not a channel id"
        return f"The Channel input is {what}: {PICK_CHANNEL}"
    return channel.strip(), topic if isinstance(topic, str) else ""


def send_tip(
    body: dict,
    event: dict,
    inputs: object,
    client: WebClient,
    context: BoltContext,
) -> None:
    """Post a tip to the step's channel, then complete with its id and title (or fail).

    One run per `function_execution_id`, however many event ids Slack delivers it under.
    Completing (or failing) is retried on 5xx, dropped connections and time-outs
    (`delivery.once_only_client`): a step never completed leaves the workflow hanging.
    """
    ctx = SlackContext.of(context)
    execution = event.get("function_execution_id")
    if not isinstance(execution, str) or not execution:
        log.warning("a workflow step came without its function_execution_id; ignored")
        return
    if not ctx.first_delivery(body) or not ctx.first_delivery(
        {"event_id": f"function:{execution}"}
    ):
        log.info("workflow step %s already handled (a retry)", execution)
        return
    finisher = once_only_client(client, token=context.function_bot_access_token)
    complete, fail = Complete(finisher, execution), Fail(finisher, execution)
    try:
        _run_step(ctx, inputs, complete, fail)
    except SlackApiError as exc:  # retried already; Slack may have finished it after all
        log.error("could not finish workflow step %s: %s", execution, exc.response.get("error"))


def _run_step(ctx: SlackContext, inputs: object, complete: Complete, fail: Fail) -> None:
    found = step_inputs(inputs)
    if isinstance(found, str):
        fail(found)
        return
    channel, topic = found
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
