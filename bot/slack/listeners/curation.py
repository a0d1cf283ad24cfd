"""Curating from Slack: the tip form, "Save as AI-PM tip", Library buttons, "Tell me", DMs.

Module-level callbacks. Who may curate: workspace admins/owners, the curators made in App Home,
COACH_CURATORS and COACH_ADMINS; everyone else gets a polite refusal and no modal, and a forged submission
is answered with an error on the form and stores nothing. A submitted tip is checked with
`knowledge check`'s rules and stored before Slack gets its answer; telling the people who
waited for it happens right after, in a lazy listener.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Callable

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.core import curation
from bot.core.curation import TipForm
from bot.digits import is_number
from bot.settings import USER_ID
from bot.slack import blocks, delivery, modals
from bot.slack import curation_blocks as cb
from bot.slack.context import SlackContext, acknowledge
from bot.slack.curators import NO_FORM, NOT_CURATOR, is_curator, open_form, taught_pairs
from bot.slack.home import publish_home
from bot.slack.mrkdwn import escape, quote
from bot.store import StoreError

log = logging.getLogger(__name__)
STALE = (
    "This tip changed since you opened the form ({what}). Close the form and open it again "
    "from the Library to edit the current version."
)
SAVED_KEY = "aipm_saved"


def _user(body: dict) -> str | None:
    user = body.get("user")
    found = user.get("id") if isinstance(user, dict) else body.get("user_id")
    return found if isinstance(found, str) and found else None


def home_link(body: dict) -> str:
    """A link for tips written without one: the coach's App Home in this workspace."""
    team = body.get("team")
    domain = team.get("domain") if isinstance(team, dict) else body.get("team_domain")
    domain = domain if isinstance(domain, str) and domain.replace("-", "").isalnum() else ""
    app_id = body.get("api_app_id")
    app_id = app_id if isinstance(app_id, str) and app_id.isalnum() else ""
    host = f"https://{domain}.slack.com" if domain else "https://slack.com"
    return f"{host}/app_redirect?app={app_id}" if app_id else f"{host}/"


# -- buttons -----------------------------------------------------------------------------


def _value(body: dict) -> str:
    return cb.button_value(body)


def wait_for_tip(ack: Ack, body: dict, context: BoltContext) -> None:
    """ "Tell me when there's a tip": store this person for this question (their consent)."""
    ack()
    ctx = SlackContext.of(context)
    question, user = _value(body).strip(), _user(body)
    if not question or not user or not ctx.coach.settings.log_questions:
        context["aipm_outcome"] = "ignored"  # an old or forged button when nothing is kept
        return
    try:
        curation.wait_for_tip(ctx.coach.store, question[: ctx.coach.settings.max_question], user)
    except (sqlite3.Error, StoreError) as exc:
        log.error("could not store a waiting asker: %s", exc)
        context["aipm_outcome"] = "failed"
        return
    context["aipm_outcome"] = "waiting"


def confirm_wait(body: dict, respond: Respond, context: BoltContext) -> None:
    """After the ack: tell the person they will hear back (or that it failed)."""
    outcome = context.get("aipm_outcome")
    if outcome == "waiting":
        container = body.get("container")
        private = isinstance(container, dict) and container.get("is_ephemeral") is True
        respond(cb.waiting_message(_value(body), replace=private))
    elif outcome == "failed":
        respond(
            blocks.plain("Sorry, I could not note that. Please click again.")
            | {"replace_original": False}
        )


def _parse_tip_value(value: str) -> tuple[str, int]:
    tip_id, _, version = value.partition(":")
    return tip_id, int(version) if is_number(version) else 0


def open_from_button(ack: Ack, body: dict, context: BoltContext) -> None:
    """Add a tip / Write a tip / Edit: open the form (curators only), prefilled as it fits."""
    ack()
    ctx = SlackContext.of(context)
    user = _user(body)
    if not user or not is_curator(ctx, user):
        log.info("a non-curator (%s) pressed a curation button; ignored", user)
        return
    action = (body.get("actions") or [{}])[0]
    action_id, value = action.get("action_id"), _value(body)
    trigger = body.get("trigger_id") or ""
    if action_id == cb.WRITE_ACTION:
        open_form(ctx, trigger, TipForm(questions=value.strip()))
    elif action_id == cb.EDIT_ACTION:
        snapshot = ctx.coach.library.current
        tip_id, _ = _parse_tip_value(value)
        tip = snapshot.base.get(tip_id)
        if tip is None or tip.status == "gone":
            return
        version = curation.version_of(snapshot, tip.id)
        row = snapshot.team_row(tip.id)
        note = f"Editing `{escape(tip.id)}`" + (
            f", version {version}, last saved by <@{escape(row['updated_by'])}>" if row else ""
        )
        open_form(
            ctx,
            trigger,
            TipForm.from_tip(tip),
            editing=modals.Editing(tip.id, version),
            note=note,
        )
    else:
        open_form(ctx, trigger)


def retire(ack: Ack, body: dict, context: BoltContext) -> None:
    """Retire from the Library: the tip is never served again (ratings kept); stale clicks refused."""
    ack()
    ctx = SlackContext.of(context)
    user = _user(body)
    if not user or not is_curator(ctx, user):
        log.info("a non-curator (%s) pressed Retire; ignored", user)
        return
    tip_id, version = _parse_tip_value(_value(body))
    try:
        gone = curation.retire(
            ctx.coach.store, ctx.coach.library, tip_id, user=user, expected_version=version
        )
        context["aipm_notice"] = (
            f":wastebasket: Retired *{escape(gone.title)}*."
            if gone
            else "That tip is gone already."
        )
    except curation.StaleTipError:
        context["aipm_notice"] = (
            ":warning: That tip changed since this page was shown, so it was not retired. "
            "Here is the current Library."
        )
    except (sqlite3.Error, StoreError) as exc:  # rolled back: the tip is still served
        log.error("could not retire %s: %s", tip_id, exc)
        context["aipm_notice"] = (
            ":warning: I could not retire that tip just now (the database is busy). "
            "Please press Retire again."
        )


def decide_pair(ack: Ack, body: dict, context: BoltContext) -> None:
    """Approve for everyone / Remove on a learned pair in the Library (curators only)."""
    ack()
    ctx = SlackContext.of(context)
    user = _user(body)
    if not user or not is_curator(ctx, user):
        log.info("a non-curator (%s) pressed a learned pair's button; ignored", user)
        return
    approve = ((body.get("actions") or [{}])[0]).get("action_id") == cb.APPROVE_PAIR_ACTION
    ref = _value(body)
    found = [p for p in taught_pairs(ctx) if p.ref == ref]
    if not found:
        context["aipm_notice"] = "That learned pair is gone (cleared or forgotten)."
        return
    pair = found[0]
    try:
        ctx.coach.decide_pair(
            pair.key,
            pair.tip_id,
            verdict=pair.verdict,
            approve=approve,
            curator=user,
            question=pair.question,
        )
    except (sqlite3.Error, StoreError) as exc:
        log.error("could not decide a learned pair: %s", exc)
        context["aipm_notice"] = ":warning: I could not save that just now; press it again."
        return
    word = "Approved for everyone" if approve else "Removed for everyone"
    context["aipm_notice"] = f":white_check_mark: {word}: _{quote(pair.question, limit=120)}_."


def change_curators(ack: Ack, body: dict, context: BoltContext) -> None:
    """Make someone a curator in App Home's Library, or Remove one (curators only).

    The picked member is checked with users.info: bots, deactivated accounts and ids Slack
    does not know are refused, so a forged value adds nobody.
    """
    ack()
    ctx = SlackContext.of(context)
    user = _user(body)
    if not user or not is_curator(ctx, user):
        log.info("a non-curator (%s) tried to change the curators; ignored", user)
        return
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else {}
    adding = isinstance(action, dict) and action.get("action_id") == cb.ADD_CURATOR_ACTION
    chosen = action.get("selected_user") if adding else _value(body)
    if not isinstance(chosen, str) or not USER_ID.match(chosen):
        log.info("a curator change named no member (%r); ignored", chosen)
        context["aipm_notice"] = "That is not a member of this workspace; nobody was changed."
        return
    store = ctx.coach.store
    try:
        if adding:
            context["aipm_notice"] = _add_curator(ctx, chosen, by=user)
        elif store.remove_curator(chosen):
            still = " (still a curator as an admin or through COACH_CURATORS)"
            context["aipm_notice"] = (
                f":white_check_mark: <@{chosen}> is no longer a curator made here"
                f"{still if is_curator(ctx, chosen) else ''}."
            )
        else:
            context["aipm_notice"] = f"<@{chosen}> was not a curator made here."
    except (sqlite3.Error, StoreError) as exc:
        log.error("could not change the curators: %s", exc)
        context["aipm_notice"] = ":warning: I could not save that just now; try again."


def _add_curator(ctx: SlackContext, chosen: str, *, by: str) -> str:
    info = ctx.user_info(chosen)
    if not info:
        return "Slack could not tell me who that is just now; pick them again."
    if info.get("is_bot") or info.get("deleted"):
        return "Only people can curate: bots and deactivated accounts cannot."
    if not ctx.coach.store.add_curator(chosen, by=by):
        return f"<@{chosen}> is a curator already."
    return f":white_check_mark: <@{chosen}> is now a curator: they see this Library too."


def turn_page(ack: Ack, body: dict, context: BoltContext) -> None:
    """Next / Previous in a Library list."""
    ack()
    key, _, page = _value(body).partition(":")
    if is_number(page):
        context["aipm_pages"] = {key: int(page)}


def republish(body: dict, client: WebClient, context: BoltContext) -> None:
    """After a Library click: publish the clicker's App Home again."""
    user = _user(body)
    if user:
        publish_home(
            SlackContext.of(context),
            client,
            user,
            pages=context.get("aipm_pages") or {},
            notice=context.get("aipm_notice") or "",
        )


# -- "Save as AI-PM tip" -----------------------------------------------------------------


def save_message(ack: Ack, body: dict, respond: Respond, context: BoltContext) -> None:
    """The message shortcut: open the form with the message's text and its permalink."""
    ack()
    ctx = SlackContext.of(context)
    if not is_curator(ctx, _user(body)):
        respond(blocks.plain(NOT_CURATOR) | {"replace_original": False})
        return
    message = body.get("message")
    message = message if isinstance(message, dict) else {}
    channel = body.get("channel")
    channel = (channel.get("id") or "") if isinstance(channel, dict) else ""
    link = permalink(body, channel, message)
    if not link:
        try:
            link = (
                ctx.lookup.chat_getPermalink(
                    channel=channel, message_ts=message.get("ts") or ""
                ).get("permalink")
                or ""
            )
        except Exception as exc:  # a form without the link beats no form: it can be pasted
            log.warning("chat.getPermalink failed: %s", type(exc).__name__)
    text = message.get("text")
    form = TipForm(text=text if isinstance(text, str) else "", link=link)
    if not open_form(ctx, body.get("trigger_id") or "", form):
        respond(blocks.plain(NO_FORM) | {"replace_original": False})


_TS = re.compile(r"\d{1,12}\.\d{1,8}")
_CHANNEL_ID = re.compile(r"[CDG][A-Z0-9]{1,30}")


def permalink(body: dict, channel: str, message: dict) -> str:
    """A message's permalink made from the shortcut's payload, or '' when it lacks a part.

    Slack's documented shape (https://DOMAIN.slack.com/archives/CHANNEL/pTS, a thread
    reply adding thread_ts and cid) needs no chat.getPermalink call, which could use up
    the 3 seconds the shortcut's trigger_id lives when Slack is slow.
    """
    team = body.get("team")
    domain = team.get("domain") if isinstance(team, dict) else ""
    ts, thread = message.get("ts"), message.get("thread_ts")
    if not (
        isinstance(domain, str)
        and domain.replace("-", "").isalnum()
        and domain.isascii()
        and isinstance(ts, str)
        and _TS.fullmatch(ts)
        and _CHANNEL_ID.fullmatch(channel or "")
    ):
        return ""
    link = f"https://{domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
    if isinstance(thread, str) and _TS.fullmatch(thread) and thread != ts:
        link += f"?thread_ts={thread}&cid={channel}"
    return link


# -- the form submitted --------------------------------------------------------------------


def submit(ack: Ack, body: dict, view: dict, context: BoltContext) -> None:
    """A submitted tip form: refuse, show field errors, or store it and serve it at once."""
    ctx = SlackContext.of(context)
    user = _user(body)
    if not user or not is_curator(ctx, user):
        log.info("a tip form from a non-curator (%s) was refused", user)
        ack(modals.errors({"title": NOT_CURATOR}))
        return
    editing = modals.Editing.load(view.get("private_metadata"))
    form = modals.read_form(view)
    library = ctx.coach.library
    result = curation.check_form(
        form, library.current, tip_id=editing.tip_id, default_url=home_link(body)
    )
    if result.tip is None:
        ack(modals.errors(result.errors))
        return
    try:
        snapshot = curation.save(
            ctx.coach.store, library, result.tip, user=user, expected_version=editing.version
        )
    except curation.StaleTipError as exc:
        status = (exc.current or {}).get("status")
        what = "it was retired" if status == "gone" else "someone saved it"
        ack(modals.errors({"title": STALE.format(what=what)}))
        return
    except (sqlite3.Error, StoreError) as exc:  # rolled back (or refused): nothing written
        log.error("could not save a tip: %s", exc)
        ack(modals.errors({"title": "Sorry, I could not save it just now. Please try again."}))
        return
    tip = snapshot.base.get(result.tip.id) or result.tip
    context[SAVED_KEY] = tip.id
    verb = "updated" if editing.tip_id else "added"
    ack(
        modals.done(
            "Tip saved",
            f":white_check_mark: *{escape(tip.title)}* is {verb} and answers at once: try "
            f"`{ctx.command} {escape(tip.questions[0])}`.",
        )
    )


def after_save(body: dict, client: WebClient, context: BoltContext) -> None:
    """After a tip is saved: close the gaps it answers and DM everyone who asked to be told."""
    ctx = SlackContext.of(context)
    tip_id = context.get(SAVED_KEY)
    snapshot = ctx.coach.library.current
    tip = snapshot.base.get(tip_id) if tip_id else None
    if tip is None:
        return
    tell_all(ctx, client, curation.close_answered_gaps(ctx.coach.store, snapshot, tip))
    user = _user(body)
    if user:
        publish_home(ctx, client, user)


def tell_all(
    ctx: SlackContext,
    client: WebClient,
    notices: list[curation.Notice],
    *,
    keep_going: Callable[[], bool] = lambda: True,
) -> int:
    """DM each waiting person, each claimed just before their own DM (`curation.tell_waiters`).

    Returns how many were told; a database error stops the round (logged): whoever was not
    claimed yet still waits for the next save or start.
    """
    try:
        return curation.tell_waiters(
            ctx.coach.store,
            notices,
            lambda notice: tell(client, notice) != NOT_SENT,
            owner=ctx.poster.owner,
            lease=ctx.poster.lease,
            keep_going=keep_going,
        )
    except (sqlite3.Error, StoreError) as exc:
        log.error("could not finish telling the people waiting for a tip: %s", exc)
        return 0


def tell_left_waiting(
    ctx: SlackContext, client: WebClient, *, keep_going: Callable[[], bool] = lambda: True
) -> int:
    """At start-up: DM everyone still waiting on a question the base now answers (a crash or
    a shutdown stopped a save's DMs half-way); returns how many were told."""
    try:
        notices = curation.waiting_notices(ctx.coach.store, ctx.coach.library.current)
    except (sqlite3.Error, StoreError) as exc:
        log.error("could not look for people still waiting for a tip: %s", exc)
        return 0
    told = tell_all(ctx, client, notices, keep_going=keep_going)
    if notices:
        log.info("told %d of %d people still waiting for a tip", told, len(notices))
    return told


SENT, NOT_SENT, MAYBE_SENT, GAVE_UP = "sent", "not sent", "maybe sent", "gave up"
# conversations.open errors no retry can fix: the person is told nothing, and not retried.
UNREACHABLE = frozenset(
    {"user_not_found", "users_not_found", "account_inactive", "user_disabled", "cannot_dm_bot"}
)


def tell(client: WebClient, notice: curation.Notice) -> str:
    """DM one person that their question has a tip (`delivery.send_dm`).

    Returns SENT; NOT_SENT when Slack surely delivered nothing, so the DM may be retried;
    MAYBE_SENT when it may have posted (5xx, time-out), which must not be retried or the
    person could get it twice; GAVE_UP when the person cannot be reached at all
    (conversations.open: deactivated, not found).
    """
    sent = delivery.send_dm(client, notice.user, cb.answered_dm(notice.tip, notice.question))
    if sent.ok:
        return SENT
    log.warning("could not DM %s about %s: %s", notice.user, notice.tip.id, sent.error)
    if sent.status == delivery.MAYBE_DELIVERED:
        return MAYBE_SENT
    return GAVE_UP if sent.call == "conversations.open" and sent.error in UNREACHABLE else NOT_SENT


def register(app: App) -> None:
    """Listen for the tip form, the message shortcut and the curation buttons."""
    app.view(modals.CALLBACK_ID)(ack=submit, lazy=[after_save])
    app.view_closed(modals.CALLBACK_ID)(acknowledge)
    app.message_shortcut(cb.SAVE_SHORTCUT)(save_message)
    app.action(cb.WAIT_ACTION)(ack=wait_for_tip, lazy=[confirm_wait])
    for action_id in (cb.ADD_ACTION, cb.WRITE_ACTION, cb.EDIT_ACTION):
        app.action(action_id)(open_from_button)
    app.action(cb.RETIRE_ACTION)(ack=retire, lazy=[republish])
    app.action(cb.PAGE_ACTION)(ack=turn_page, lazy=[republish])
    app.action(cb.APPROVE_PAIR_ACTION)(ack=decide_pair, lazy=[republish])
    app.action(cb.REMOVE_PAIR_ACTION)(ack=decide_pair, lazy=[republish])
    app.action(cb.ADD_CURATOR_ACTION)(ack=change_curators, lazy=[republish])
    app.action(cb.REMOVE_CURATOR_ACTION)(ack=change_curators, lazy=[republish])
