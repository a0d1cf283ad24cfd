"""Block Kit for everything the bot shows; user text always goes through `mrkdwn.quote`."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence

from bot.core import levels, subscriptions
from bot.core.knowledge import Tip
from bot.core.matcher import Answer
from bot.core.ratings import TipScore
from bot.slack.mrkdwn import escape, quote

USEFUL_ACTION = "rate_useful"
NOT_USEFUL_ACTION = "rate_not_useful"
SHARE_ACTION = "share_tip"
MISMATCH_ACTION = "not_what_i_asked"
PICK_ACTION = "pick_tip"  # buttons are pick_tip_0, pick_tip_1, ...: unique within their block
PICK_PATTERN = re.compile(r"^pick_tip_\d+$")
NONE_OF_THESE_ACTION = "none_of_these"
MAX_VALUE = 2000  # Slack's limit on a button's value
UNSURE_INTRO = "Not sure this is what you need; closest I have:"
EVENT_TYPE = "aipm_tip"  # message metadata type of every tip the bot posts
RATE_HINT = "React :+1: if this helped, :-1: if not"
HEADERS = {"daily": "Today's AI PM tip", "manual": "An AI PM tip", "shared": "An AI PM tip"}
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")


def section(text: str) -> dict:
    """A mrkdwn section block (Slack's limit of 3,000 characters enforced)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def context(*texts: str) -> dict:
    """A context block of mrkdwn snippets."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": t[:2000]} for t in texts]}


def header(text: str) -> dict:
    """A plain-text header block."""
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150], "emoji": True}}


def source_line(tip: Tip) -> str:
    """'Source: <url|note title · hh:mm:ss>' with the link text made safe."""
    label = escape(f"{tip.source.note} · {tip.source.timestamp}").replace("|", "¦")
    return f":movie_camera: Source: <{tip.source.url}|{label}>"


def tip_section(tip: Tip) -> dict:
    """The tip's title and text (curated mrkdwn, shown as written)."""
    return section(f"*{tip.title}*\n{tip.text}")


def rating_buttons(tip: Tip) -> dict:
    """Useful / Not useful / Share to channel, carrying the tip id."""

    def button(text: str, action: str, style: str | None = None) -> dict:
        element = {
            "type": "button",
            "text": {"type": "plain_text", "text": text, "emoji": True},
            "action_id": action,
            "value": tip.id,
        }
        if style:
            element["style"] = style
        return element

    return {
        "type": "actions",
        "block_id": f"rate:{tip.id}"[:255],
        "elements": [
            button(":+1: Useful", USEFUL_ACTION, "primary"),
            button(":-1: Not useful", NOT_USEFUL_ACTION),
            button(":mega: Share to channel", SHARE_ACTION),
        ],
    }


def feedback_value(tip: Tip | Sequence[Tip], question: str) -> str:
    """A button value carrying the tip id (or ids, space-separated) and the question it answered.

    It stays within Slack's 2,000 characters. The question is kept escaped (`mrkdwn.escape`),
    so no raw `<!channel>` travels in a message even where Slack does not render it;
    `read_feedback_value` undoes that.
    """
    ids = tip.id if isinstance(tip, Tip) else " ".join(t.id for t in tip)
    question = escape(question[:1000])
    value = json.dumps({"t": ids, "q": question}, ensure_ascii=False)
    while len(value) > MAX_VALUE:  # escapes can grow it; cut the question until it fits
        question = question[: len(question) * 3 // 4]
        value = json.dumps({"t": ids, "q": question}, ensure_ascii=False)
    return value


def read_feedback_value(value: object) -> tuple[str, str] | None:
    """(tip id, question) from a `feedback_value`, or None when the value is not one."""
    if not isinstance(value, str) or len(value) > MAX_VALUE:
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    tip_id, question = data.get("t"), data.get("q")
    if not isinstance(tip_id, str) or not isinstance(question, str) or not tip_id:
        return None
    return tip_id, question.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


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


def feedback_buttons(tip: Tip, question: str) -> dict:
    """Useful / Not useful / Not what I asked / Share to channel under a private answer.

    Useful and Not useful rate the advice (their value is the tip id, as under any tip);
    Not what I asked carries the question too, so the mismatch is kept for that question.
    """
    return {
        "type": "actions",
        "block_id": f"rate:{tip.id}"[:255],
        "elements": [
            _button(":+1: Useful", USEFUL_ACTION, tip.id, "primary"),
            _button(":-1: Not useful", NOT_USEFUL_ACTION, tip.id),
            _button(
                ":leftwards_arrow_with_hook: Not what I asked",
                MISMATCH_ACTION,
                feedback_value(tip, question),
            ),
            _button(":mega: Share to channel", SHARE_ACTION, tip.id),
        ],
    }


def pick_buttons(
    tips: Sequence[Tip], question: str, *, block_id: str = "pick", none_of_these: bool = False
) -> dict:
    """One button per tip (its title); a click shows that tip and confirms it for the question.

    With `none_of_these`, a last button says none of them is what was asked (a mismatch
    for each).
    """
    elements = [
        _button(tip.title, f"{PICK_ACTION}_{i}", feedback_value(tip, question))
        for i, tip in enumerate(tips)
    ]
    if none_of_these and tips:
        elements.append(
            _button(
                ":leftwards_arrow_with_hook: None of these",
                NONE_OF_THESE_ACTION,
                feedback_value(tips, question),
            )
        )
    return {"type": "actions", "block_id": block_id, "elements": elements}


def _snippet(tip: Tip, limit: int = 140) -> str:
    text = " ".join(tip.text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def answer_message(answer: Answer, command: str) -> dict:
    """The ephemeral reply to `/aipm QUESTION` at the answer's level.

    Sure: the tip with feedback buttons, and the next ones as picks ("Also relevant").
    Unsure: up to three tips to pick from. None: an honest decline (naming the topic when
    the core named one), with the closest topics as picks only when the core offers any.
    """
    asked = quote(answer.question, limit=200)
    level = levels.level(answer)
    tips = [tip for tip, _ in answer.matches]
    if level == levels.SURE and tips:
        best = tips[0]
        blocks = [
            context(f"You asked: _{asked}_"),
            tip_section(best),
            context(source_line(best)),
            feedback_buttons(best, answer.question),
        ]
        others = tips[1:3]
        if others:
            blocks.append(context("Also relevant:"))
            blocks.append(pick_buttons(others, answer.question, block_id="also"))
        return {
            "response_type": "ephemeral",
            "text": f"{best.title}: {best.text}"[:3000],
            "blocks": blocks,
        }
    if level == levels.UNSURE and tips:
        picks = tips[:3]
        lines = "\n".join(f"• *{escape(t.title)}*: {escape(_snippet(t))}" for t in picks)
        return {
            "response_type": "ephemeral",
            "text": f"{UNSURE_INTRO} " + "; ".join(t.title for t in picks),
            "blocks": [
                context(f"You asked: _{asked}_"),
                section(f":thinking_face: {UNSURE_INTRO}\n{lines}"),
                pick_buttons(picks, answer.question, none_of_these=True),
                context("Pick the one you meant: I'll remember it for this question."),
            ],
        }
    topic = levels.topic(answer)
    what = f"*{escape(topic)}*" if topic else "that"
    blocks = [
        context(f"You asked: _{asked}_"),
        section(f":thinking_face: I have no tip on {what} yet."),
    ]
    if tips:
        blocks.append(context("Closest topics I have, if one is what you meant:"))
        blocks.append(pick_buttons(tips[:3], answer.question, block_id="closest"))
    else:
        blocks.append(context(f"Try `{command} help` to see what I can do."))
    return {
        "response_type": "ephemeral",
        "text": f"I have no tip on {topic or 'that'} yet.",
        "blocks": blocks,
    }


def picked_message(tip: Tip, question: str, *, remembered: bool) -> dict:
    """What a private answer turns into when a tip was picked: that tip, with feedback buttons."""
    note = (
        ":white_check_mark: Noted: this question gets this tip first from now on."
        if remembered
        else ":white_check_mark: Here it is."
    )
    return {
        "replace_original": True,
        "text": f"{tip.title}: {tip.text}"[:3000],
        "blocks": [
            context(f"You asked: _{quote(question, limit=200)}_"),
            tip_section(tip),
            context(source_line(tip)),
            feedback_buttons(tip, question),
            context(note),
        ],
    }


def mismatch_message(rejected: Sequence[Tip], answer: Answer, *, remembered: bool) -> dict:
    """What a private answer turns into after "Not what I asked" or "None of these".

    Thanks, and the other closest tips (not the `rejected` ones) to pick from.
    """
    asked = quote(answer.question, limit=200)
    names = ", ".join(f"*{escape(t.title)}*" for t in rejected)
    if remembered:
        note = (
            f":pray: Thanks! Noted that {names} is not what you asked; "
            "I won't answer this question with it again, and curators will see it."
        )
    else:
        note = (
            ":pray: Thanks. This workspace keeps no questions, so I can't learn from it; "
            "ratings of a tip only change with Useful and Not useful."
        )
    blocks = [context(f"You asked: _{asked}_"), section(note)]
    gone = {t.id for t in rejected}
    tips = [t for t, _ in answer.matches if t.id not in gone][:3]
    if tips:
        blocks.append(context("Is it one of these?"))
        blocks.append(pick_buttons(tips, answer.question, none_of_these=True))
    else:
        blocks.append(context("I have no other tip on that yet."))
    return {"replace_original": True, "text": note, "blocks": blocks}


def tip_reply(tip: Tip, *, intro: str) -> dict:
    """An ephemeral message with one tip and its rating buttons (for `/aipm tip`)."""
    return {
        "response_type": "ephemeral",
        "text": f"{tip.title}: {tip.text}"[:3000],
        "blocks": [
            context(intro),
            tip_section(tip),
            context(source_line(tip)),
            rating_buttons(tip),
        ],
    }


def thanks_message(tip: Tip, value: int, *, shared_in: str | None = None) -> dict:
    """What the ephemeral answer turns into after a click."""
    if shared_in:
        note = f":white_check_mark: Shared in <#{shared_in}>; the team can react :+1: / :-1: there."
    elif value > 0:
        note = ":pray: Thanks! Noted as *useful*. You can change your mind any time."
    else:
        note = ":pray: Thanks! Noted as *not useful*; it will come up less often."
    return {
        "replace_original": True,
        "text": note,
        "blocks": [tip_section(tip), context(source_line(tip)), context(note), rating_buttons(tip)],
    }


def subscription_line(row: Mapping, *, where: str = "in this channel") -> str:
    """'Daily tip in this channel at 09:00 Europe/Berlin on weekdays' as safe mrkdwn.

    Every stored value is escaped; `where` is shown as given (it may hold a `<#C…>` link).
    """
    return f"Daily tip {where} at {escape(subscriptions.describe(row))}"


def subscribed_message(row: Mapping, *, created: bool, hint: str) -> dict:
    """The reply to `/aipm subscribe`: what the channel's daily tip is now, then `hint`."""
    verb = "Subscribed" if created else "Updated"
    return plain(f":white_check_mark: {verb}. {subscription_line(row)}.\n{hint}")


def unsubscribed_message(stopped: bool) -> dict:
    """The reply to `/aipm unsubscribe`, saying whether there was a daily tip to stop."""
    if stopped:
        return plain("Stopped the daily tip in this channel. Ratings and past posts are kept.")
    return plain("This channel has no daily tip, so there was nothing to stop.")


def plain(text: str) -> dict:
    """A one-section ephemeral reply."""
    return {"response_type": "ephemeral", "text": text, "blocks": [section(text)]}


def help_message(command: str, subcommands: Sequence[tuple[str, str]]) -> dict:
    """What the bot does and every subcommand, one line each."""
    lines = "\n".join(f"• `{command} {name}`: {what}" for name, what in subcommands)
    intro = (
        "*AI PM Coach* answers questions on AI product management with curated tips from "
        "an expert podcast, and posts a daily tip to channels that subscribe."
    )
    text = f"{intro}\n\n• `{command} QUESTION`: the one tip that helps (only you see it)\n{lines}"
    return {"response_type": "ephemeral", "text": intro, "blocks": [section(text)]}


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
            "No ratings yet. React :+1: / :-1: to tips, or use the buttons under an answer."
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


def stats_message(stats: dict, *, days: int) -> dict:
    """Posts, ratings, most and least useful tips over the last `days` days."""

    def names(rows: list[dict]) -> str:
        return (
            ", ".join(
                f"*{escape(r['title'])}* (:+1: {r['useful']} · :-1: {r['not_useful']})"
                for r in rows
            )
            or "none yet"
        )

    text = (
        f"*Last {days} days*: {stats['posts']} tip posts, {stats['ratings']} ratings.\n"
        f"Most useful: {names(stats['most_useful'])}\nLeast useful: {names(stats['least_useful'])}"
    )
    return {"response_type": "ephemeral", "text": text, "blocks": [section(text)]}


def gaps_message(rows: Sequence[dict], *, learned: Sequence[dict] = ()) -> dict:
    """The most frequent unanswered topics, then what people taught (for admins and curators).

    `learned` rows are `bot.core.learned.for_curators` rows: mismatches are listed as
    "Answered wrongly", confirmed picks as candidate questions for their tip.
    """
    wrongly = [r for r in learned if r["verdict"] == "mismatch"]
    candidates = [r for r in learned if r["verdict"] == "match"]
    if not rows and not learned:
        return plain("No unanswered questions recorded. :tada:")
    parts = []
    if rows:
        lines = "\n".join(
            f"• *{escape(r['topic'])}* ({r['count']}×), e.g. _{quote(r['example'], limit=120)}_"
            for r in rows
        )
        parts.append("*Questions I had no tip for*, most frequent first:\n" + lines)

    def tip_name(r: dict) -> str:
        return f"*{escape(r['title'])}*" if r["title"] else f"`{escape(r['tip_id'])}` (gone)"

    if wrongly:
        lines = "\n".join(
            f"• _{quote(r['question'], limit=120)}_ got {tip_name(r)} ({r['mismatched']}×)"
            for r in wrongly
        )
        parts.append("*Answered wrongly* (people clicked Not what I asked):\n" + lines)
    if candidates:
        lines = "\n".join(
            f"• _{quote(r['question'], limit=120)}_ → {tip_name(r)} ({r['matched']}×)"
            for r in candidates
        )
        parts.append(
            "*Candidate questions* (people picked the tip; add to its `questions`):\n" + lines
        )
    text = "\n\n".join(parts)
    return {
        "response_type": "ephemeral",
        "text": text[:3000],
        "blocks": [section(p) for p in parts],
    }


def home_view(
    *,
    command: str,
    subscriptions: Sequence[str],
    favourites: Sequence[TipScore],
    rated: Sequence[tuple[str, int]],
) -> dict:
    """The App Home tab: how to use, subscriptions, team favourites, this person's ratings."""
    blocks = [
        header("AI PM Coach"),
        section(
            f"Ask `{command} your question` anywhere for the one tip that helps. "
            f"`{command} subscribe` in a channel posts a daily tip there; react :+1: / :-1: to rate it. "
            f"`{command} help` lists everything."
        ),
        {"type": "divider"},
        section(
            "*Daily tips*\n"
            + ("\n".join(f"• {s}" for s in subscriptions) or "No channel subscribed yet.")
        ),
        section("*Team favourites*\n" + (ranking_lines(favourites) or "No ratings yet.")),
        section(
            "*Tips you rated*\n"
            + (
                "\n".join(f"• {':+1:' if v > 0 else ':-1:'} {escape(title)}" for title, v in rated)
                or "None yet."
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
) -> dict:
    """chat.postMessage arguments for a tip: text fallback, Block Kit blocks and metadata.

    Tip title and text are curated mrkdwn and shown as written; the note title and the
    header are escaped. The metadata (event type `aipm_tip`) carries the tip id and the
    date so ratings and reconciliation can find the tip from the message alone.
    """
    date = local_date or dt.datetime.now(dt.UTC).date().isoformat()
    note = escape(tip.source.note).replace("|", "¦")
    stamp = escape(tip.source.timestamp).replace("|", "¦")
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": header[:150], "emoji": True}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"*{tip.title}*\n{tip.text}"[:3000]},
        },
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": f"Source: {note} <{tip.source.url}|{stamp}>"}],
        },
    ]
    if shared_by:
        who = f"<@{shared_by}>" if _USER_ID.match(shared_by) else escape(shared_by)
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"Shared by {who}"}]}
        )
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": RATE_HINT}]})
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
