"""Block Kit for everything the bot shows; user text always goes through `mrkdwn.quote`."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ContextActionsBlock,
    FeedbackButtonObject,
    FeedbackButtonsElement,
    RawTextObject,
    TableBlock,
)

from bot.core import subscriptions
from bot.core.coverage import Coverage
from bot.core.knowledge import ID_PATTERN, Tip
from bot.core.links import is_plain_link
from bot.core.pipeline.answer import MENTION, NONE, SURE, UNSURE, Answer
from bot.core.ratings import TipScore
from bot.core.schedule import Schedule, describe_days
from bot.core.schedule_changes import ScheduleChange
from bot.slack.mrkdwn import escape, quote, shorten
from bot.slack.payload_shapes import clicked_channel

if TYPE_CHECKING:
    from bot.core.learned import Pair

USEFUL_ACTION = "rate_useful"
NOT_USEFUL_ACTION = "rate_not_useful"
SHARE_ACTION = "share_tip"
MISMATCH_ACTION = "not_what_i_asked"
PICK_ACTION = "pick_tip"  # buttons are pick_tip_0, pick_tip_1, ...: unique within their block
PICK_PATTERN = re.compile(r"^pick_tip_\d+$")
NONE_OF_THESE_ACTION = "none_of_these"
FEEDBACK_ACTION = "aipm_feedback"  # Slack's feedback_buttons: one action id, the vote in the value
POST_NOW_ACTION = "aipm_post_now"
RUN_SUGGESTION_ACTION = "aipm_run_suggestion"
ASK_ANYWAY_ACTION = "aipm_ask_anyway"
MAX_VALUE = 2000  # Slack's limit on a button's value
UNSURE_INTRO = "Not sure this is what you need; closest I have:"
EVENT_TYPE = "aipm_tip"  # message metadata type of every tip the bot posts
RATE_HINT = "React :+1: if this helped, :-1: if not"
HEADERS = {"daily": "Today's AI PM tip", "manual": "An AI PM tip", "shared": "An AI PM tip"}
ASKED_LIMIT = 200  # characters of the question a button carries and a shared post shows
QUOTE_LIMIT = 700  # characters of a tip's quote shown under it (context blocks allow 2,000)
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
_MOMENT = re.compile(r"\d{1,2}(?::\d{2}){1,3}")  # 40:11, 1:02:03, 00:40:11:05


@dataclass(frozen=True)
class ButtonValue:
    """What a button under a tip carries: the offer (an answer as given) and one tip id.

    Buttons under answers name their offer (kept server-side, see `Coach.offer`), so what
    they claim is checked against what the bot actually offered; daily posts and other
    rating buttons carry only the tip id. `tip` is "*" for "None of these" (every tip the
    offer showed). `vote` is a feedback button's +1 or -1 (see `vote_value`), else None.
    """

    offer: str | None
    tip: str | None
    vote: int | None = None


ALL_OFFERED = "*"


def offer_value(offer_id: str, tip_id: str) -> str:
    """The value of a button under an answer: the offer's id and one tip id."""
    return json.dumps({"o": offer_id, "t": tip_id}, separators=(",", ":"))


def read_value(value: object) -> ButtonValue:
    """A button's value as sent back by Slack; anything malformed reads as (None, None).

    Takes `offer_value`'s JSON (with a feedback button's vote, see `vote_value`), the bare
    tip id of a rating button, or the JSON of buttons made before offers existed (their tip
    alone is read: they cannot teach or name anyone).
    """
    if not isinstance(value, str) or not value or len(value) > MAX_VALUE:
        return ButtonValue(None, None)
    if not value.startswith("{"):
        return ButtonValue(None, value if _is_tip_id(value) else None)
    try:
        data = json.loads(value)
    except ValueError:
        return ButtonValue(None, None)
    if not isinstance(data, dict):
        return ButtonValue(None, None)
    offer, tip, vote = data.get("o"), data.get("t"), data.get("v")
    offer = offer if isinstance(offer, str) and _OFFER_ID.match(offer) else None
    if not isinstance(tip, str) or not (_is_tip_id(tip) or (offer and tip == ALL_OFFERED)):
        tip = None
    vote = vote if vote in (1, -1) and not isinstance(vote, bool) else None
    return ButtonValue(offer, tip, vote)


def _is_tip_id(value: str) -> bool:
    return len(value) <= 120 and bool(ID_PATTERN.match(value))


_OFFER_ID = re.compile(r"^[A-Za-z0-9_-]{8,40}$")


SECTION_LIMIT = 3000  # characters of text Slack takes in one section block


def section(text: str) -> dict:
    """A mrkdwn section block (Slack's limit of 3,000 characters enforced)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}}


def bullet_list(title: str, lines: Sequence[str], *, empty: str, more: str = "more") -> str:
    """'*title*' then '• line' for as many whole lines as fit one section, then '…and N more'.

    Lines are never cut: a half line could end inside `<#C123>` or `*bold*`.
    """
    if not lines:
        return f"{title}\n{empty}"
    text, shown = title, 0
    for line in lines:
        room = SECTION_LIMIT - len(f"\n…and {len(lines)} {more}")
        if len(text) + len(line) + 3 > room:
            break
        text += f"\n• {line}"
        shown += 1
    if shown < len(lines):
        text += f"\n…and {len(lines) - shown} {more}"
    return text


def context(*texts: str) -> dict:
    """A context block of mrkdwn snippets."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t[:2000]} for t in texts]}


def header(text: str) -> dict:
    """A plain-text header block."""
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150], "emoji": True}}


def source_line(tip: Tip) -> str:
    """'Source: <url|note title · 40:11>' with the link and its text made safe.

    A tip from a note without a link (a team's own playbook) names the note unlinked, and
    so does a tip whose link is not a plain http(s) URL (`links.link_problem`: a row saved
    under older rules), so no link can close itself and ping the channel.
    """
    label = escape(" · ".join(p for p in (tip.source.note, tip.source.timestamp) if p))
    if not is_plain_link(tip.source.url):
        return f":memo: Source: {label}"
    # The camera only for a moment in a recording: a team tip's stamp is the day it was saved.
    icon = ":movie_camera:" if _MOMENT.fullmatch(tip.source.timestamp) else ":link:"
    return f"{icon} Source: <{escape(tip.source.url)}|{label.replace('|', '¦')}>"


def quote_line(tip: Tip) -> str:
    """'What the source says: "…"': the note's own words the tip stands on, escaped."""
    return f':speech_balloon: What the source says: "{quote(tip.source.quote, limit=QUOTE_LIMIT)}"'


def source_blocks(tip: Tip) -> list[dict]:
    """The source line and, when the tip has one, its quote, as context blocks."""
    blocks = [context(source_line(tip))]
    if tip.source.quote:
        blocks.append(context(quote_line(tip)))
    return blocks


def tip_section(tip: Tip) -> dict:
    """The tip's title and text (curated mrkdwn, shown as written)."""
    return section(f"*{tip.title}*\n{tip.text}")


def vote_value(value: str, vote: int) -> str:
    """A feedback button's value: a rating `value` (offer JSON or a tip id) and the vote (+1/-1)."""
    try:
        data = json.loads(value) if value.startswith("{") else {"t": value}
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    return json.dumps({**data, "v": vote}, separators=(",", ":"))


def read_vote(value: object) -> int | None:
    """The vote (+1 useful, -1 not useful) a feedback button's value carries, else None."""
    return read_value(value).vote


def feedback_row(tip: Tip, *, value: str | None = None) -> dict:
    """Slack's own 👍 / 👎 for an answer: `feedback_buttons` in a `context_actions` block.

    Both buttons carry `value` (see `offer_value`, or the tip id) and their vote; a click
    is recorded exactly as a rating button's or a reaction (one opinion per person per tip).
    """
    raw = value or tip.id
    return ContextActionsBlock(
        block_id=f"feedback:{tip.id}"[:255],
        elements=[
            FeedbackButtonsElement(
                action_id=FEEDBACK_ACTION,
                positive_button=FeedbackButtonObject(
                    text="Useful",
                    accessibility_label="Mark this tip as useful",
                    value=vote_value(raw, 1),
                ),
                negative_button=FeedbackButtonObject(
                    text="Not useful",
                    accessibility_label="Mark this tip as not useful",
                    value=vote_value(raw, -1),
                ),
            )
        ],
    ).to_dict()


def rating_buttons(tip: Tip, *, value: str | None = None, shared: bool = False) -> list[dict]:
    """Feedback buttons, then Share to channel, carrying `value` (see `offer_value`) or the tip id.

    Once the answer is shared the button reads "Shared"; clicking it again posts nothing.
    """
    share = ":white_check_mark: Shared" if shared else ":mega: Share to channel"
    return [
        feedback_row(tip, value=value),
        {
            "type": "actions",
            "block_id": f"rate:{tip.id}"[:255],
            "elements": [_button(share, SHARE_ACTION, value or tip.id)],
        },
    ]


def _button(text: str, action: str, value: str, style: str | None = None) -> dict:
    element = {
        "type": "button",
        "text": {"type": "plain_text", "text": text[:75], "emoji": True},
        "action_id": action,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def feedback_buttons(tip: Tip, offer_id: str) -> list[dict]:
    """Useful / Not useful (Slack's feedback buttons), then Not what I asked and Share."""
    value = offer_value(offer_id, tip.id)
    feedback, actions = rating_buttons(tip, value=value)
    actions["elements"].insert(
        0, _button(":leftwards_arrow_with_hook: Not what I asked", MISMATCH_ACTION, value)
    )
    return [feedback, actions]


def pick_buttons(
    tips: Sequence[Tip], offer_id: str, *, block_id: str = "pick", none_of_these: bool = False
) -> dict:
    """One button per tip (its title); a click shows that tip and confirms it for the question.

    With `none_of_these`, a last button says none of them is what was asked.
    """
    elements = [
        _button(tip.title, f"{PICK_ACTION}_{i}", offer_value(offer_id, tip.id))
        for i, tip in enumerate(tips)
    ]
    if none_of_these and tips:
        elements.append(
            _button(
                ":leftwards_arrow_with_hook: None of these",
                NONE_OF_THESE_ACTION,
                offer_value(offer_id, ALL_OFFERED),
            )
        )
    return {"type": "actions", "block_id": block_id, "elements": elements}


def _snippet(tip: Tip, limit: int = 140) -> str:
    """The tip's text cut at a word boundary to at most `limit` characters."""
    return shorten(tip.text, limit)


def answer_message(answer: Answer, command: str, *, offer_id: str | None) -> dict:
    """The reply to a question (`/aipm QUESTION`, a mention, a DM, a shortcut) at its level.

    Sure: the tip with feedback buttons, and the next ones as picks ("Also relevant").
    Unsure: up to three tips to pick from. None: an honest decline (naming the topic when
    the core named one), with the closest topics as picks only when the core offers any.
    Every button names `offer_id` (see `Coach.offer`), never the question or the asker;
    without an offer only buttons that need none are shown (rate and share the tip).
    """
    asked = quote(answer.question, limit=ASKED_LIMIT)
    # In a mention's thread the question is right above the answer: no "You asked" line.
    echo = [] if answer.surface == MENTION else [context(f"You asked: _{asked}_")]
    tips = [tip for tip, _ in answer.matches]
    if answer.level == SURE and tips:
        best = tips[0]
        blocks = [
            *echo,
            tip_section(best),
            *source_blocks(best),
            *(feedback_buttons(best, offer_id) if offer_id else rating_buttons(best)),
        ]
        others = tips[1:3]
        if others and offer_id:
            blocks.append(context("Also relevant:"))
            blocks.append(pick_buttons(others, offer_id, block_id="also"))
        return {
            "response_type": "ephemeral",
            "text": f"{best.title}: {best.text}"[:3000],
            "blocks": blocks,
        }
    if answer.level == UNSURE and tips:
        picks = tips[:3]
        lines = "\n".join(f"• *{escape(t.title)}*: {escape(_snippet(t))}" for t in picks)
        return {
            "response_type": "ephemeral",
            "text": f"{UNSURE_INTRO} " + "; ".join(t.title for t in picks),
            "blocks": [
                *echo,
                section(f":thinking_face: {UNSURE_INTRO}\n{lines}"),
                *(
                    [
                        pick_buttons(picks, offer_id, none_of_these=True),
                        context("Pick the one you meant: I'll remember it for you."),
                    ]
                    if offer_id
                    else []
                ),
            ],
        }
    return decline_message(
        answer.question,
        command,
        topic=answer.topic,
        closest=tips[:3],
        offer_id=offer_id,
        echo=bool(echo),
    )


def decline_message(
    question: str,
    command: str,
    *,
    topic: str | None = None,
    closest: Sequence[Tip] = (),
    offer_id: str | None = None,
    note: str | None = None,
    echo: bool = True,
) -> dict:
    """ "I have no tip on that yet", naming the topic if any; `closest` tips as picks.

    `note` comes first (e.g. the thanks after "Not what I asked"); `echo=False` leaves out
    the "You asked" line (a mention's thread shows the question already).
    """
    what = f"*{escape(topic)}*" if topic else "that"
    blocks = [context(f"You asked: _{quote(question, limit=ASKED_LIMIT)}_")] if echo else []
    if note:
        blocks.append(section(note))
    blocks.append(section(f":thinking_face: I have no tip on {what} yet."))
    if closest and offer_id:
        blocks.append(context("Closest topics I have, if one is what you meant:"))
        blocks.append(pick_buttons(closest, offer_id, block_id="closest"))
    else:
        blocks.append(context(f"Try `{command} help` to see what I can do."))
    return {
        "response_type": "ephemeral",
        "text": f"I have no tip on {topic or 'that'} yet.",
        "blocks": blocks,
    }


def picked_message(tip: Tip, question: str, *, offer_id: str, remembered: bool) -> dict:
    """What a private answer turns into when a tip was picked: that tip, with feedback buttons."""
    note = (
        ":white_check_mark: Noted: you get this tip first for this question from now on."
        if remembered
        else ":white_check_mark: Here it is."
    )
    return {
        "replace_original": True,
        "text": f"{tip.title}: {tip.text}"[:3000],
        "blocks": [
            context(f"You asked: _{quote(question, limit=ASKED_LIMIT)}_"),
            tip_section(tip),
            *source_blocks(tip),
            *feedback_buttons(tip, offer_id),
            context(note),
        ],
    }


def rejected_note(rejected: Sequence[Tip], *, remembered: bool) -> str:
    """The thanks after "Not what I asked" or "None of these", with the grammar right."""
    names = ", ".join(f"*{escape(t.title)}*" for t in rejected)
    if not remembered:
        return (
            ":pray: Thanks. This workspace keeps no questions, so I can't learn from it; "
            "ratings of a tip only change with Useful and Not useful."
        )
    verb, pronoun = ("is", "it") if len(rejected) == 1 else ("are", "them")
    return (
        f":pray: Thanks! Noted that {names} {verb} not what you asked: I won't answer you "
        f"with {pronoun} for this question again, and curators will see it."
    )


def tip_reply(tip: Tip, *, intro: str) -> dict:
    """An ephemeral message with one tip and its rating buttons (for `/aipm tip`)."""
    return {
        "response_type": "ephemeral",
        "text": f"{tip.title}: {tip.text}"[:3000],
        "blocks": [
            context(intro),
            tip_section(tip),
            *source_blocks(tip),
            *rating_buttons(tip),
        ],
    }


def thanks_note(value: int, *, shared_in: str | None = None) -> str:
    """The one line that acknowledges a rating or a share."""
    if shared_in:
        return f":white_check_mark: Shared in <#{shared_in}>; the team can react :+1: / :-1: there."
    if value > 0:
        return ":pray: Thanks! Noted as *useful*. You can change your mind any time."
    return ":pray: Thanks! Noted as *not useful*; it will come up less often."


def thanks_message(
    tip: Tip,
    value: int,
    *,
    shared_in: str | None = None,
    button: str | None = None,
    private: bool = True,
) -> dict:
    """What a private answer turns into after a click; its buttons keep carrying `button`.

    On a message other people see (`private=False`) the answer stays as it is for them and
    the clicker gets the note alone, as an ephemeral (see `for_clicker`).
    """
    note = thanks_note(value, shared_in=shared_in)
    if not private:
        return for_clicker(plain(note), private=False)
    return {
        "replace_original": True,
        "text": note,
        "blocks": [
            tip_section(tip),
            *source_blocks(tip),
            context(note),
            *rating_buttons(tip, value=button, shared=bool(shared_in)),
        ],
    }


def seen_by_others(body: dict) -> bool:
    """Whether the clicked message is one other people see too.

    Only an ephemeral message, or one in the clicker's own DM with the coach (a `D…`
    channel), is private; a channel or thread post, a shared tip, a daily post and a
    group DM are seen by others. An App Home click has no message and is private.
    """
    container = body.get("container")
    if not isinstance(container, dict) or container.get("type") == "view":
        return False
    if container.get("is_ephemeral") is True:
        return False
    channel = clicked_channel(body)
    return not (channel is not None and channel.startswith("D"))


def for_clicker(message: dict, *, private: bool) -> dict:
    """`message` as the answer to a click: in place when private, else a new ephemeral.

    One person's click never changes what everyone else sees: on a message others see,
    the reply goes to the clicker alone and the original stays as it was.
    """
    if private:
        return message | {"replace_original": True}
    rest = {k: v for k, v in message.items() if k not in ("replace_original", "delete_original")}
    return rest | {"response_type": "ephemeral", "replace_original": False}


def subscription_line(
    row: Mapping, *, where: str = "in this channel", your_time: str | None = None
) -> str:
    """'Daily tip in this channel at 09:00 Europe/Berlin on weekdays' as safe mrkdwn.

    Every stored value is escaped; `where` is shown as given (it may hold a `<#C…>` link).
    `your_time` (e.g. '03:00', from `schedule.time_in_zone`) adds '(03:00 your time)'.
    """
    line = f"Daily tip {where} at {escape(subscriptions.describe(row))}"
    return f"{line} ({escape(your_time)} your time)" if your_time else line


def schedule_notice(change: ScheduleChange, *, command: str) -> dict:
    """The channel's notice that someone moved or stopped its daily tip (who, from, to)."""
    who = f"<@{change.user}>" if change.user and _USER_ID.match(change.user) else "Someone"

    def words(sched: Schedule) -> str:
        return escape(f"{sched.at} {sched.tz} on {describe_days(sched.days)}")

    if change.after is None:
        text = (
            f":calendar: {who} stopped this channel's daily tip (it was at {words(change.before)}). "
            f"`{command} subscribe` starts it again."
        )
    else:
        resumed = " and resumed it" if change.resumed else ""
        text = (
            f":calendar: {who} changed this channel's daily tip from {words(change.before)} "
            f"to {words(change.after)}{resumed}."
        )
    return {"text": text, "blocks": [section(text)]}


def did_you_mean(command: str, meant: str, asked: str) -> dict:
    """'Did you mean `/aipm subscribe 9:00`?' with a button to run it, and one to ask anyway.

    `command` is '' in a DM, where subcommands are typed bare ('Did you mean `top`?').

    Both buttons carry the text they act on; a click re-parses it (see
    `listeners.commands`), so a forged value can do no more than typing it could.
    """
    shown = quote(f"{command} {meant}".strip(), limit=200)
    text = f":thinking_face: Did you mean `{shown}`?"
    return {
        "response_type": "ephemeral",
        "text": f"Did you mean {quote(f'{command} {meant}'.strip(), limit=2000)}?",
        "blocks": [
            section(text),
            {
                "type": "actions",
                "block_id": "aipm_did_you_mean",
                "elements": [
                    _button("Yes, run it", RUN_SUGGESTION_ACTION, meant, "primary"),
                    _button("No, answer it as a question", ASK_ANYWAY_ACTION, asked),
                ],
            },
        ],
    }


def when_text(moment: dt.datetime, tz: str, now: dt.datetime) -> str:
    """'today at 09:00', 'tomorrow at 09:00' or 'on Monday 7 December at 09:00' in zone `tz`."""
    zone = ZoneInfo(tz)
    there, today = moment.astimezone(zone), now.astimezone(zone).date()
    if moment <= now:
        return "in a minute"
    days = (there.date() - today).days
    day = {0: "today", 1: "tomorrow"}.get(days, f"on {there:%A} {there.day} {there:%B}")
    return f"{day} at {there:%H:%M}"


def subscribed_message(
    row: Mapping, *, created: bool, hint: str, next_at: dt.datetime, now: dt.datetime
) -> dict:
    """The reply to `/aipm subscribe`: the channel's daily tip now, when the next one comes
    (and, for a new subscription, *Post one now*), then `hint`."""
    verb = "Subscribed" if created else "Updated"
    which = "first" if created else "next"
    when = escape(when_text(next_at, row["tz"], now))
    text = (
        f":white_check_mark: {verb}. {subscription_line(row)}.\n"
        f"The {which} tip comes {when} ({escape(row['tz'])}).\n{hint}"
    )
    message = plain(text)
    if created:
        message["blocks"].append(
            {
                "type": "actions",
                "block_id": "aipm_post_now",
                "elements": [_button(":rocket: Post one now", POST_NOW_ACTION, "today")],
            }
        )
    return message


def unsubscribed_message(stopped: bool) -> dict:
    """The reply to `/aipm unsubscribe`, saying whether there was a daily tip to stop."""
    if stopped:
        return plain("Stopped the daily tip in this channel. Ratings and past posts are kept.")
    return plain("This channel has no daily tip, so there was nothing to stop.")


def plain(text: str) -> dict:
    """A one-section ephemeral reply."""
    return {"response_type": "ephemeral", "text": text, "blocks": [section(text)]}


PRIVACY_DOC = "docs/privacy.md"


def coverage_text(cov: Coverage, command: str) -> str:
    """What the base covers and how a team adds its own tips, in mrkdwn."""
    if cov.sources:
        named = "; ".join(f"_{escape(title)}_ ({n})" for title, n in cov.sources[:3])
        more = f" and {len(cov.sources) - 3} more" if len(cov.sources) > 3 else ""
        where = f"{len(cov.sources)} source{'s' if len(cov.sources) != 1 else ''}: {named}{more}"
    else:
        where = "no notes yet"
    team = f", plus {cov.team} your team wrote" if cov.team else ""
    topics = ", ".join(f"`{escape(t)}`" for t in cov.topics)
    return (
        f"*What I know:* {cov.tips} tips from {where}{team}. Most on {topics}. On anything "
        "else I say I have no tip yet, rather than guess.\n"
        f"*Adding your own:* curators use `{command} add`, *Save as AI-PM tip* on any message, "
        "or turn a Markdown note into tips (`aipm-coach knowledge build NOTE`)."
    )


def help_message(
    command: str, subcommands: Sequence[tuple[str, str]], *, cov: Coverage | None = None
) -> dict:
    """What the bot does and knows, and every subcommand, one line each."""
    lines = "\n".join(f"• `{command} {name}`: {what}" for name, what in subcommands)
    intro = (
        "*AI PM Coach* answers questions on AI product management with curated tips, and "
        "posts a daily tip to channels that subscribe."
    )
    known = f"\n\n{coverage_text(cov, command)}" if cov else ""
    elsewhere = (
        "\n\nAlso: mention me in a channel (`@AI PM Coach QUESTION`, answered in the thread), "
        "DM me (`tip`, `top` and `help` work there too), or use *Ask the coach about this* on "
        f"any message. What I store and how to delete it: {PRIVACY_DOC} in my repository."
    )
    text = (
        f"{intro}{known}\n\n• `{command} QUESTION`: the one tip that helps (only you see it)\n"
        f"{lines}" + elsewhere
    )
    return {"response_type": "ephemeral", "text": intro, "blocks": [section(text)]}


NO_FAVOURITE = (
    "No clear favourite yet: a tip is listed once enough people rated it that most of the "
    "team likely finds it useful."
)


def ranking_lines(scores: Sequence[TipScore]) -> str:
    """'1. *Title* :+1: 4 · :-1: 1' lines for a list of scored tips."""
    return "\n".join(
        f"{i}. *{escape(s.title)}* :+1: {s.useful} · :-1: {s.not_useful}"
        for i, s in enumerate(scores, 1)
    )


def top_message(scores: Sequence[TipScore]) -> dict:
    """The team's favourite tips."""
    if not scores:
        return plain(
            f"{NO_FAVOURITE} React :+1: / :-1: to tips, or use the buttons under an answer."
        )
    text = "*The tips your team found most useful*\n" + ranking_lines(scores)
    return {
        "response_type": "ephemeral",
        "text": text,
        "blocks": [
            section(text),
            context(
                "Ranked by the lower bound of the Wilson score, so a few votes count for less than many."
            ),
        ],
    }


SURFACE_NAMES = {
    "slash": "/aipm",
    "mention": "@mention",
    "dm": "DM",
    "shortcut": "Ask about this",
    "all": "All",
}
STATS_COLUMNS = ("asked", "sure", "unsure", "declined", "mismatched")
STATS_HEADINGS = ("Where", "Asked", "Sure", "Unsure", "Declined", "Not what I asked")


def stats_table(questions: Mapping[str, Mapping[str, int]]) -> dict:
    """Questions by surface as a Block Kit table: asked, sure, unsure, declined, not what I asked."""
    rows = [[RawTextObject(text=h) for h in STATS_HEADINGS]]
    for surface, counts in questions.items():
        name = SURFACE_NAMES.get(surface, surface)
        rows.append(
            [RawTextObject(text=name), *(RawTextObject(text=str(counts[c])) for c in STATS_COLUMNS)]
        )
    return TableBlock(
        block_id="aipm_stats_questions",
        rows=rows,
        column_settings=[{"is_wrapped": True}, *({"align": "right"} for _ in STATS_COLUMNS)],
    ).to_dict()


def stats_message(stats: dict, *, days: int) -> dict:
    """What the team asked and which tips helped, over the last `days` days, at a glance.

    A line of totals, the questions by surface as a table (sure / unsure / declined / *Not
    what I asked*), the subjects asked most as people typed them, and the most and least
    useful tips. Every typed question is escaped.
    """

    def names(rows: list[dict]) -> str:
        return (
            ", ".join(
                f"*{escape(r['title'])}* (:+1: {r['useful']} · :-1: {r['not_useful']})"
                for r in rows
            )
            or "none yet"
        )

    questions = stats.get("questions") or {}
    asked = (questions.get("all") or {}).get("asked", 0)
    summary = (
        f"*Last {days} days*: {asked} question{'s' if asked != 1 else ''} asked, "
        f"{stats['posts']} tip posts, {stats['ratings']} ratings."
    )
    blocks: list[dict] = [section(summary)]
    lines = [summary]
    if questions:
        blocks.append(stats_table(questions))
        for surface, counts in questions.items():
            lines.append(
                f"{SURFACE_NAMES.get(surface, surface)}: {counts['asked']} asked, "
                f"{counts['sure']} sure, {counts['unsure']} unsure, {counts['declined']} declined, "
                f"{counts['mismatched']} not what they asked"
            )
    most_asked = [
        f"_{quote(r['question'], limit=120)}_ ({r['count']}×"
        f"{', no tip yet' if r['level'] == NONE else ''})"
        for r in stats.get("most_asked") or []
        if r["question"]
    ]
    if most_asked:
        blocks.append(
            section(bullet_list("*Asked most*, as people typed it:", most_asked, empty=""))
        )
        lines.append("Asked most: " + "; ".join(most_asked))
    useful = f"*Most useful*: {names(stats['most_useful'])}\n*Least useful*: {names(stats['least_useful'])}"
    blocks.append(section(useful))
    lines.append(useful)
    return {"response_type": "ephemeral", "text": "\n".join(lines)[:3000], "blocks": blocks}


def gaps_message(rows: Sequence[dict], *, learned: Sequence[Pair] = ()) -> dict:
    """The most frequent unanswered topics, then what people taught (for admins and curators).

    `learned` are `bot.core.learned.Pair`s: mismatches are listed as "Answered wrongly",
    confirmed picks as candidate questions for their tip.
    """
    wrongly = [p for p in learned if p.verdict == "mismatch"]
    candidates = [p for p in learned if p.verdict == "match"]
    if not rows and not learned:
        return plain("No unanswered questions recorded. :tada:")

    def tip_name(p) -> str:
        return f"*{escape(p.title)}*" if p.title else f"`{escape(p.tip_id)}` (gone)"

    parts = []
    if rows:
        parts.append(
            bullet_list(
                "*Questions I had no tip for*, most frequent first:",
                [
                    f"*{quote(r['topic'], limit=200)}* ({r['count']}×), "
                    f"e.g. _{quote(r['example'], limit=120)}_"
                    for r in rows
                ],
                empty="",
                more="more topics",
            )
        )
    if wrongly:
        parts.append(
            bullet_list(
                "*Answered wrongly* (people clicked Not what I asked):",
                [
                    f"_{quote(p.question, limit=120)}_ got {tip_name(p)} ({p.mismatched}×)"
                    for p in wrongly
                ],
                empty="",
                more="more questions",
            )
        )
    if candidates:
        parts.append(
            bullet_list(
                "*Candidate questions* (people picked the tip; add to its `questions`):",
                [
                    f"_{quote(p.question, limit=120)}_ → {tip_name(p)} ({p.matched}×)"
                    for p in candidates
                ],
                empty="",
                more="more questions",
            )
        )
    text = "\n\n".join(parts)
    return {
        "response_type": "ephemeral",
        "text": text[:3000],
        "blocks": [section(p) for p in parts],
    }


def privacy_line(url: str) -> str:
    """Where to read what the coach stores: a link when COACH_PRIVACY_URL is set."""
    what = "What the coach stores, for how long, and how to have it deleted"
    if url:
        return f"<{url}|{what}>"
    return f"{what}: {PRIVACY_DOC} in the coach's repository (ask whoever runs it)."


def home_view(
    *,
    command: str,
    subscriptions: Sequence[str],
    favourites: Sequence[TipScore],
    rated: Sequence[tuple[str, int]],
    cov: Coverage | None = None,
    privacy_url: str = "",
) -> dict:
    """The App Home tab: how to use, what the base covers, subscriptions, team favourites,
    this person's ratings; a line on what is stored (linked to `privacy_url` when set)."""
    blocks = [
        header("AI PM Coach"),
        section(
            f"Ask `{command} your question` anywhere for the one tip that helps. "
            f"`{command} subscribe` in a channel posts a daily tip there; react :+1: / :-1: to rate it. "
            f"`{command} help` lists everything."
        ),
        *([section(coverage_text(cov, command))] if cov else []),
        context(privacy_line(privacy_url)),
        {"type": "divider"},
        section(
            bullet_list(
                "*Daily tips*",
                subscriptions,
                empty="No channel subscribed yet.",
                more="more channels",
            )
        ),
        section("*Team favourites*\n" + (ranking_lines(favourites) or NO_FAVOURITE)),
        section(
            bullet_list(
                "*Tips you rated*",
                [f"{':+1:' if v > 0 else ':-1:'} {escape(title)}" for title, v in rated],
                empty="None yet.",
            )
        ),
    ]
    return {"type": "home", "blocks": blocks}


def tip_message(
    tip: Tip,
    *,
    local_date: str | None,
    header: str,
    kind: str,
    shared_by: str | None = None,
    nonce: str | None = None,
    asked_by: str | None = None,
    question: str | None = None,
) -> dict:
    """chat.postMessage arguments for a tip: text fallback, Block Kit blocks and metadata.

    Tip title and text are curated mrkdwn and shown as written; the note title, the
    header and `question` (a shared answer's "<@U…> asked: *…*" line) are escaped. The metadata (event type `aipm_tip`) carries the tip id and the
    date so ratings and reconciliation can find the tip from the message alone.
    """
    date = local_date or dt.datetime.now(dt.UTC).date().isoformat()
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": header[:150], "emoji": True}},
    ]
    if question:
        who = f"<@{asked_by}>" if asked_by and _USER_ID.match(asked_by) else "Someone"
        asked = quote(question.replace("*", ""), limit=ASKED_LIMIT)
        blocks.append(section(f"{who} asked: *{asked}*"))
    blocks += [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*{tip.title}*\n{tip.text}"[:3000]},
        },
        *source_blocks(tip),
    ]
    if shared_by and not (question and shared_by == asked_by):  # "<@U1> asked" names them
        who = f"<@{shared_by}>" if _USER_ID.match(shared_by) else escape(shared_by)
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Shared by {who}"}]}
        )
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": RATE_HINT}]})
    blocks.append(feedback_row(tip))
    payload = {"tip_id": tip.id, "date": date, "kind": kind}
    if nonce:
        payload["nonce"] = nonce
    return {
        "text": f"{header}: {tip.title}",
        "blocks": blocks,
        "metadata": {"event_type": EVENT_TYPE, "event_payload": payload},
        "unfurl_links": False,
        "unfurl_media": False,
    }
