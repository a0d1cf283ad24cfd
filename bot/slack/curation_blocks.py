"""Block Kit for curating: the App Home Library, open gaps with "Write a tip", the asker's DM.

Titles and questions typed by people are escaped (`mrkdwn.escape` / `quote`), button values
too (`button_value` reads them back); tip text is
curated mrkdwn, already checked not to ping anyone. Views stay inside Slack's limits: the
Library pages its lists, so a base of any size fits in 100 blocks.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.knowledge import Tip
from bot.settings import USER_ID
from bot.slack.blocks import context, header, rating_buttons, section, source_line, tip_section
from bot.slack.mrkdwn import escape, quote, unescape

ADD_ACTION = "aipm_add_tip"
EDIT_ACTION = "aipm_edit_tip"
RETIRE_ACTION = "aipm_retire_tip"
WRITE_ACTION = "aipm_write_tip"
WAIT_ACTION = "aipm_wait_for_tip"
PAGE_ACTION = "aipm_library_page"
APPROVE_PAIR_ACTION = "aipm_pair_approve"
REMOVE_PAIR_ACTION = "aipm_pair_remove"
ADD_CURATOR_ACTION = "aipm_curator_add"
REMOVE_CURATOR_ACTION = "aipm_curator_remove"
HOME_PAIRS = 6
HOME_CURATORS = 5
PAIR_STATUS = {
    "pending": "only for the person who taught it",
    "disputed": "people disagree: only for each of them",
    "shared": "for everyone (people agreed)",
    "approved": "for everyone (approved by a curator)",
    "removed": "for nobody else (removed by a curator)",
}
SAVE_SHORTCUT = "aipm_save_as_tip"
PAGE_SIZE = 8
MAX_MESSAGE_BLOCKS = 50  # Slack's limit for a message
HOME_GAPS = 5
LISTS = (
    ("drafts", "Drafts waiting", "No drafts waiting."),
    ("team", "Team tips", "None yet: *Add a tip*, or save a message with the shortcut."),
    ("base", "The base (YAML)", "The knowledge folder is empty."),
)


def _button(text: str, action_id: str, value: str, *, style: str | None = None) -> dict:
    # Values are escaped too: never shown, but nothing the bot sends carries a raw <!channel>.
    element = {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id,
        "value": escape(value)[:2000],
    }
    if style:
        element["style"] = style
    return element


def button_value(body: dict) -> str:
    """The clicked button's value as the bot meant it (unescaped)."""
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    value = first.get("value") if isinstance(first, dict) else None
    return unescape(value) if isinstance(value, str) else ""


def wait_button(question: str) -> dict:
    """The "Tell me when there's a tip" button under a declined answer."""
    return {
        "type": "actions",
        "block_id": "aipm_wait",
        "elements": [_button(":bell: Tell me when there's a tip", WAIT_ACTION, question)],
    }


def waiting_message(question: str, *, replace: bool) -> dict:
    """What the clicker sees once they asked to be told.

    `replace` swaps their private answer for it; on a message others see too (a thread
    answer, a DM), it comes as a separate note only the clicker sees.
    """
    asked = quote(question, limit=200)
    stop = "" if asked.endswith(("?", "!", ".", "…")) else "."  # never "add-on?."
    text = (
        f":bell: I'll send you a direct message when a curator writes a tip for "
        f"_{asked}_{stop} Only this request stores who asked."
    )
    message = {"text": text, "blocks": [section(text)], "replace_original": replace}
    if not replace:
        message["response_type"] = "ephemeral"
    return message


def answered_dm(tip: Tip, question: str) -> dict:
    """The DM to someone who asked to be told: their question and the new tip."""
    intro = (
        f":bell: You asked _{quote(question, limit=200)}_ and there is now a tip for it: "
        f"*{escape(tip.title)}*"
    )
    return {
        "text": f"There is now a tip for your question: {tip.title}"[:3000],
        "blocks": [
            section(intro),
            tip_section(tip),
            context(source_line(tip)),
            *rating_buttons(tip),
        ],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def gap_rows(rows: Sequence[dict], *, limit: int) -> list[dict]:
    """One section per open question as typed, with a "Write a tip" button."""
    blocks = []
    for row in rows[:limit]:
        waiting = f" · {row['waiting']} waiting" if row.get("waiting") else ""
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"_{quote(row['question'], limit=300)}_ ({row['count']}×{waiting})",
                },
                "accessory": _button("Write a tip", WRITE_ACTION, row["question"]),
            }
        )
    return blocks


def pair_rows(pairs: Sequence, *, limit: int = HOME_PAIRS) -> list[dict]:
    """What people taught (`bot.core.learned.Pair`s), each with Approve for everyone / Remove."""
    blocks = []
    for pair in pairs[:limit]:
        title = f"*{escape(pair.title)}*" if pair.title else f"`{escape(pair.tip_id)}` (gone)"
        said = "is" if pair.verdict == "match" else "is *not*"
        counts = f"{pair.matched} said it is, {pair.mismatched} said it is not"
        text = (
            f"_{quote(pair.question, limit=200)}_ {said} answered by {title}\n"
            f"{counts} · changes answers {PAIR_STATUS[pair.status]}"
        )
        elements = []
        if pair.status != "approved":
            elements.append(
                _button("Approve for everyone", APPROVE_PAIR_ACTION, pair.ref, style="primary")
            )
        if pair.status != "removed":
            elements.append(_button("Remove", REMOVE_PAIR_ACTION, pair.ref))
        blocks.append(section(text))
        blocks.append({"type": "actions", "block_id": f"pair:{pair.ref}", "elements": elements})
    return blocks


def curator_rows(rows: Sequence[dict], *, limit: int = HOME_CURATORS) -> list[dict]:
    """The curators made in Slack (store rows, oldest first), each with Remove, and a picker
    to add one. Member ids come from the store, which only keeps well-formed ones."""
    blocks = [
        section(
            "*Curators* · workspace admins and owners curate too"
            + (f"; so do {len(rows)} people made curators here" if rows else "")
        )
    ]
    for row in rows[:limit]:
        by = str(row.get("added_by") or "")
        by = f"<@{by}>" if USER_ID.match(by) else f"`{escape(by)}`"
        blocks.append(
            {
                **section(f"<@{escape(row['user'])}> · by {by} on {row['added_at'][:10]}"),
                "accessory": _button("Remove", REMOVE_CURATOR_ACTION, row["user"]),
            }
        )
    if len(rows) > limit:
        blocks.append(context(f"And {len(rows) - limit} more: `aipm-coach curators` lists all."))
    picker = {
        "type": "users_select",
        "action_id": ADD_CURATOR_ACTION,
        "placeholder": {"type": "plain_text", "text": "Make someone a curator"},
    }
    blocks.append({"type": "actions", "block_id": "lib:curators", "elements": [picker]})
    return blocks


def gaps_message(rows: Sequence[dict], *, limit: int = 15) -> dict:
    """`/aipm gaps`: open questions as people typed them, most asked first (at most 40)."""
    limit = min(limit, MAX_MESSAGE_BLOCKS - 10)
    if not rows:
        text = "No open questions: every question asked has a tip. :tada:"
        return {"response_type": "ephemeral", "text": text, "blocks": [section(text)]}
    intro = "*Questions I had no tip for*, most asked first. *Write a tip* to answer one:"
    blocks = [section(intro), *gap_rows(rows, limit=limit)]
    if len(rows) > limit:
        blocks.append(context(f"{len(rows) - limit} more not shown."))
    return {"response_type": "ephemeral", "text": intro, "blocks": blocks}


def _tip_line(tip: Tip, detail: str) -> dict:
    return section(f"*{escape(tip.title)}* · `{tip.id}`{detail}")


def _tip_actions(tip: Tip, version: int) -> dict:
    value = f"{tip.id}:{version}"
    retire = _button("Retire", RETIRE_ACTION, value, style="danger")
    retire["confirm"] = {
        "title": {"type": "plain_text", "text": "Retire this tip?"},
        "text": {
            "type": "mrkdwn",
            "text": f"*{escape(tip.title)}* will never be served again; its ratings stay.",
        },
        "confirm": {"type": "plain_text", "text": "Retire"},
        "deny": {"type": "plain_text", "text": "Keep it"},
    }
    return {
        "type": "actions",
        "block_id": f"lib:{tip.id}"[:255],
        "elements": [_button("Edit", EDIT_ACTION, value), retire],
    }


def library_blocks(
    lists: dict[str, list[tuple[Tip, int, str]]],
    *,
    pages: dict[str, int],
    gaps: Sequence[dict],
    command: str,
    pairs: Sequence = (),
    curators: Sequence[dict] = (),
) -> list[dict]:
    """The curator's Library section of App Home.

    `lists` maps "drafts", "team" and "base" to (tip, stored version, detail) rows; `pages`
    the page shown of each (0-based). At most PAGE_SIZE tips per list, HOME_GAPS gaps and
    HOME_PAIRS learned pairs (`pairs`, most recent first) and HOME_CURATORS of the
    `curators` made in Slack.
    """
    n = {key: len(lists.get(key, [])) for key, _, _ in LISTS}
    counts = (
        f"{n['drafts']} draft{'' if n['drafts'] == 1 else 's'} waiting, {n['team']} team "
        f"tip{'' if n['team'] == 1 else 's'}, {n['base']} in the YAML base"
    )
    blocks = [
        {"type": "divider"},
        header("Library"),
        section(
            f"You curate the coach. {counts}. A tip you save answers at once in "
            f"`{command}`, the daily tip and here."
        ),
        {
            "type": "actions",
            "block_id": "lib:add",
            "elements": [
                _button(":heavy_plus_sign: Add a tip", ADD_ACTION, "new", style="primary")
            ],
        },
        section("*Open questions*, most asked first"),
    ]
    blocks.extend(gap_rows(gaps, limit=HOME_GAPS) or [context("No open questions. :tada:")])
    blocks.append(section("*What people taught*, most recent first"))
    blocks.extend(
        pair_rows(pairs)
        or [context("Nothing yet: *Not what I asked* and picked tips show up here.")]
    )
    blocks.extend(curator_rows(curators))
    for key, title, empty in LISTS:
        rows = lists.get(key, [])
        pages_total = max(1, -(-len(rows) // PAGE_SIZE))
        page = min(max(pages.get(key, 0), 0), pages_total - 1)
        shown = rows[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        where = f" (page {page + 1} of {pages_total})" if pages_total > 1 else ""
        blocks.append(section(f"*{title}* · {len(rows)}{where}"))
        if not shown:
            blocks.append(context(empty))
        for tip, version, detail in shown:
            blocks.append(_tip_line(tip, detail))
            blocks.append(_tip_actions(tip, version))
        nav = []
        if page > 0:
            nav.append(_button("← Previous", PAGE_ACTION, f"{key}:{page - 1}"))
        if page + 1 < pages_total:
            nav.append(_button("Next →", PAGE_ACTION, f"{key}:{page + 1}"))
        if nav:
            blocks.append({"type": "actions", "block_id": f"lib:page:{key}", "elements": nav})
    return blocks
