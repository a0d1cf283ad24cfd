"""Block Kit for everything the bot shows; user text always goes through `mrkdwn.quote`."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.core import levels, subscriptions
from bot.core.knowledge import Tip
from bot.core.links import is_plain_link
from bot.core.matcher import Answer
from bot.core.ratings import TipScore
from bot.core.schedule import Schedule, describe_days
from bot.core.schedule_changes import ScheduleChange
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
ASKED_LIMIT = 200  # characters of the question a button carries and a shared post shows
QUOTE_LIMIT = 700  # characters of a tip's quote shown under it (context blocks allow 2,000)
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
_MOMENT = re.compile(r"\d{1,2}(?::\d{2}){1,3}")  # 40:11, 1:02:03, 00:40:11:05


@dataclass(frozen=True)
class AnswerRef:
    """What the buttons under one answer carry: the tip, who asked what, and the answer's key.

    `key` makes Share idempotent per answer; buttons made before answers carried a ref
    hold only the tip id (then question, asker and key are None).
    """

    tip_id: str
    question: str | None = None
    asker: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class Asker:
    """Who asked (None: nobody named), as the bot vouches for it in button values.

    `secret` seals each value `feedback_value` makes (an HMAC over tip, question, key and
    asker), so a Share can tell the bot's own value from a forged or edited one
    (`is_sealed`) and names the asker only then.
    """

    user: str | None
    secret: bytes = field(repr=False)

    def seal(self, ref: Mapping) -> str:
        """The seal of a ref dict (its "t", "q", "k" and "u" as they stand)."""
        return _seal(self.secret, ref)


def _seal(secret: bytes, ref: Mapping) -> str:
    fields = [str(ref.get(name) or "") for name in ("t", "q", "k", "u")]
    message = json.dumps(fields, ensure_ascii=False).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def is_sealed(value: object, secret: bytes) -> bool:
    """True when a button value is one the bot made with `secret` and nobody changed it."""
    if not isinstance(value, str) or len(value) > MAX_VALUE or not value.startswith("{"):
        return False
    try:
        data = json.loads(value)
    except ValueError:
        return False
    seal = data.get("s") if isinstance(data, dict) else None
    return isinstance(seal, str) and hmac.compare_digest(seal, _seal(secret, data))


def answer_ref(tip: Tip, *, question: str, asker: str | None, key: str | None = None) -> str:
    """The button value for one answer: compact JSON under Slack's 2,000-character limit."""
    # Escaped, so no payload the bot sends holds a raw `<!here>`; parse_ref undoes it.
    asked = escape(" ".join(question.split())[:ASKED_LIMIT])
    ref = {"t": tip.id, "q": asked, "k": key or _new_key()}
    if asker:
        ref["u"] = asker
    return json.dumps(ref, ensure_ascii=False, separators=(",", ":"))


def parse_ref(value: str) -> AnswerRef:
    """The AnswerRef in a button value: JSON from `answer_ref`, or a bare tip id."""
    if value.startswith("{"):
        try:
            data = json.loads(value)
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("t"), str):
            text = lambda key: str(data[key]) if data.get(key) else None  # noqa: E731
            question = text("q")
            if question:
                for escaped, char in (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")):
                    question = question.replace(escaped, char)
            return AnswerRef(data["t"], question, text("u"), text("k"))
    return AnswerRef(value)


def _new_key() -> str:
    return uuid.uuid4().hex[:16]


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


def rating_buttons(tip: Tip, *, ref: str | None = None, shared: bool = False) -> dict:
    """Useful / Not useful / Share to channel, carrying `ref` (see `answer_ref`) or the tip id.

    Once the answer is shared the last button reads "Shared"; clicking it again posts nothing.
    """

    def button(text: str, action: str, style: str | None = None) -> dict:
        element = {
            "type": "button",
            "text": {"type": "plain_text", "text": text, "emoji": True},
            "action_id": action,
            "value": ref or tip.id,
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
            button(
                ":white_check_mark: Shared" if shared else ":mega: Share to channel", SHARE_ACTION
            ),
        ],
    }


def feedback_value(
    tips: Tip | Sequence[Tip], question: str, *, asker: Asker | str | None = None
) -> str:
    """A button value for feedback on a question: `answer_ref`'s shape, any number of tips.

    Several tip ids are space-separated (for "None of these"). The question is kept whole
    (up to 1,000 characters, escaped, see `answer_ref`) so a learned pair holds the question
    as asked; it is cut further only to stay within Slack's 2,000 characters. An `Asker`
    seals the value (see `is_sealed`); a plain user id is carried unsealed.
    """
    ids = tips.id if isinstance(tips, Tip) else " ".join(t.id for t in tips)
    asked = escape(" ".join(question.split())[:1000])
    user = asker.user if isinstance(asker, Asker) else asker
    ref = {"t": ids, "q": asked, "k": _new_key()} | ({"u": user} if user else {})

    def dump() -> str:
        if isinstance(asker, Asker):
            ref["s"] = asker.seal(ref)
        return json.dumps(ref, ensure_ascii=False, separators=(",", ":"))

    value = dump()
    while len(value) > MAX_VALUE:  # escapes can grow it; cut the question until it fits
        ref["q"] = ref["q"][: len(ref["q"]) * 3 // 4]
        value = dump()
    return value


def read_feedback_value(value: object) -> tuple[list[str], str] | None:
    """(tip ids, question) from a `feedback_value` or `answer_ref`, or None when it holds none."""
    if not isinstance(value, str) or len(value) > MAX_VALUE or not value.startswith("{"):
        return None
    ref = parse_ref(value)
    ids = ref.tip_id.split()
    if not ids or not ref.question or not ref.question.strip():
        return None
    return ids, ref.question


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


def feedback_buttons(tip: Tip, question: str, *, asker: Asker | str | None = None) -> dict:
    """Useful / Not useful / Not what I asked / Share to channel under an answer.

    Every button carries one ref (`feedback_value`: the tip, the question, the asker and the
    answer's key), so Share stays idempotent and Not what I asked is kept for the question.
    """
    ref = feedback_value(tip, question, asker=asker)
    block = rating_buttons(tip, ref=ref)
    block["elements"].insert(
        2, _button(":leftwards_arrow_with_hook: Not what I asked", MISMATCH_ACTION, ref)
    )
    return block


def pick_buttons(
    tips: Sequence[Tip],
    question: str,
    *,
    asker: Asker | str | None = None,
    block_id: str = "pick",
    none_of_these: bool = False,
) -> dict:
    """One button per tip (its title); a click shows that tip and confirms it for the question.

    With `none_of_these`, a last button says none of them is what was asked (a mismatch
    for each).
    """
    elements = [
        _button(tip.title, f"{PICK_ACTION}_{i}", feedback_value(tip, question, asker=asker))
        for i, tip in enumerate(tips)
    ]
    if none_of_these and tips:
        elements.append(
            _button(
                ":leftwards_arrow_with_hook: None of these",
                NONE_OF_THESE_ACTION,
                feedback_value(tips, question, asker=asker),
            )
        )
    return {"type": "actions", "block_id": block_id, "elements": elements}


def _snippet(tip: Tip, limit: int = 140) -> str:
    text = " ".join(tip.text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def answer_message(answer: Answer, command: str, *, asker: Asker | str | None = None) -> dict:
    """The reply to a question (`/aipm QUESTION`, a mention, a DM) at the answer's level.

    Sure: the tip with feedback buttons, and the next ones as picks ("Also relevant").
    Unsure: up to three tips to pick from. None: an honest decline (naming the topic when
    the core named one), with the closest topics as picks only when the core offers any.
    The buttons carry the question and `asker`, so a shared answer says who asked what.
    """
    asked = quote(answer.question, limit=ASKED_LIMIT)
    level = levels.level(answer)
    tips = [tip for tip, _ in answer.matches]
    if level == levels.SURE and tips:
        best = tips[0]
        blocks = [
            context(f"You asked: _{asked}_"),
            tip_section(best),
            *source_blocks(best),
            feedback_buttons(best, answer.question, asker=asker),
        ]
        others = tips[1:3]
        if others:
            blocks.append(context("Also relevant:"))
            blocks.append(pick_buttons(others, answer.question, asker=asker, block_id="also"))
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
                pick_buttons(picks, answer.question, asker=asker, none_of_these=True),
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
        blocks.append(pick_buttons(tips[:3], answer.question, asker=asker, block_id="closest"))
    else:
        blocks.append(context(f"Try `{command} help` to see what I can do."))
    return {
        "response_type": "ephemeral",
        "text": f"I have no tip on {topic or 'that'} yet.",
        "blocks": blocks,
    }


def picked_message(
    tip: Tip, question: str, *, remembered: bool, asker: Asker | str | None = None
) -> dict:
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
            context(f"You asked: _{quote(question, limit=ASKED_LIMIT)}_"),
            tip_section(tip),
            *source_blocks(tip),
            feedback_buttons(tip, question, asker=asker),
            context(note),
        ],
    }


def mismatch_message(
    rejected: Sequence[Tip], answer: Answer, *, remembered: bool, asker: Asker | str | None = None
) -> dict:
    """What a private answer turns into after "Not what I asked" or "None of these".

    Thanks, and the other closest tips (not the `rejected` ones) to pick from.
    """
    asked = quote(answer.question, limit=ASKED_LIMIT)
    titles = [f"*{escape(t.title)}*" for t in rejected]
    names = (
        " and ".join(titles) if len(titles) < 3 else ", ".join(titles[:-1]) + " and " + titles[-1]
    )
    if remembered:
        are, them = ("is", "it") if len(titles) == 1 else ("are", "them")
        note = (
            f":pray: Thanks! Noted that {names} {are} not what you asked; "
            f"I won't answer this question with {them} again, and curators will see it."
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
        blocks.append(pick_buttons(tips, answer.question, asker=asker, none_of_these=True))
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
            *source_blocks(tip),
            rating_buttons(tip),
        ],
    }


def thanks_message(
    tip: Tip, value: int, *, shared_in: str | None = None, ref: str | None = None
) -> dict:
    """What the answer turns into after a click; its buttons keep carrying `ref`."""
    if shared_in:
        note = f":white_check_mark: Shared in <#{shared_in}>; the team can react :+1: / :-1: there."
    elif value > 0:
        note = ":pray: Thanks! Noted as *useful*. You can change your mind any time."
    else:
        note = ":pray: Thanks! Noted as *not useful*; it will come up less often."
    return {
        "replace_original": True,
        "text": note,
        "blocks": [
            tip_section(tip),
            *source_blocks(tip),
            context(note),
            rating_buttons(tip, ref=ref, shared=bool(shared_in)),
        ],
    }


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
    elsewhere = (
        "\n\nAlso: mention me in a channel (`@AI PM Coach QUESTION`, answered in the thread), "
        "DM me (`tip`, `top` and `help` work there too), or use *Ask the coach about this* on "
        "any message."
    )
    text = (
        f"{intro}\n\n• `{command} QUESTION`: the one tip that helps (only you see it)\n{lines}"
        + elsewhere
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

    def tip_name(r: dict) -> str:
        return f"*{escape(r['title'])}*" if r["title"] else f"`{escape(r['tip_id'])}` (gone)"

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
                    f"_{quote(r['question'], limit=120)}_ got {tip_name(r)} ({r['mismatched']}×)"
                    for r in wrongly
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
                    f"_{quote(r['question'], limit=120)}_ → {tip_name(r)} ({r['matched']}×)"
                    for r in candidates
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
