"""Block Kit for everything the bot shows; user text always goes through `mrkdwn.quote`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from bot.core import subscriptions
from bot.core.knowledge import Tip
from bot.core.matcher import Answer
from bot.core.ratings import TipScore
from bot.slack.mrkdwn import escape, quote

USEFUL_ACTION = "rate_useful"
NOT_USEFUL_ACTION = "rate_not_useful"
SHARE_ACTION = "share_tip"
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


def answer_message(answer: Answer, command: str) -> dict:
    """The ephemeral reply to `/aipm QUESTION`: the best tip, or an honest decline."""
    asked = quote(answer.question, limit=200)
    if answer.answered and answer.matches:
        best = answer.matches[0][0]
        blocks = [
            context(f"You asked: _{asked}_"),
            tip_section(best),
            context(source_line(best)),
            rating_buttons(best),
        ]
        others = [tip for tip, _ in answer.matches[1:3]]
        if others:
            blocks.append(
                context("Also relevant: " + " · ".join(f"*{escape(t.title)}*" for t in others))
            )
        return {
            "response_type": "ephemeral",
            "text": f"{best.title}: {best.text}"[:3000],
            "blocks": blocks,
        }
    text = f"I have no tip on _{asked}_ yet."
    suggestions = [tip for tip, _ in answer.matches[:3]]
    blocks = [section(f":thinking_face: {text}")]
    if suggestions:
        topics = ", ".join(f"*{escape(t.title)}*" for t in suggestions)
        blocks.append(
            context(f"Closest topics: {topics}. Ask about one of them, or try `{command} help`.")
        )
    else:
        blocks.append(context(f"Try `{command} help` to see what I can do."))
    return {
        "response_type": "ephemeral",
        "text": f"I have no tip on {asked} yet.",
        "blocks": blocks,
    }


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
