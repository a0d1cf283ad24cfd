"""The tip form as a Slack modal: build it (new, prefilled or editing), read it back, its errors.

The form's fields are the modal's input blocks, one per `curation.FORM_FIELDS` name, so
`curation.check_form`'s errors map straight onto `response_action: errors`. What the
modal is editing (tip id and the version the curator saw) rides in `private_metadata`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.core.curation import KIND_HINTS, TipForm
from bot.core.knowledge import (
    KINDS,
    MAX_QUESTION_CHARS,
    MAX_QUESTIONS,
    MAX_TAGS,
    MAX_TEXT,
    MAX_TITLE,
    MIN_QUESTIONS,
)

CALLBACK_ID = "aipm_tip_form"
VALUE = "value"  # the action_id of every input's element
MAX_INITIAL = 3000  # Slack's limit for a plain-text input's initial value
LABELS = {
    "title": "Title",
    "kind": "Kind",
    "text": "Tip",
    "questions": "Questions",
    "tags": "Tags",
    "link": "Source link",
}
HINTS = {
    "title": f"A short headline, at most {MAX_TITLE} characters.",
    "kind": "What the tip is: the daily rotation starts a channel with practice tips.",
    "text": f"The advice, in Slack mrkdwn (*bold*, _italic_, <https://…|links>); at most "
    f"{MAX_TEXT} characters, no @channel or mentions.",
    "questions": f"One per line, {MIN_QUESTIONS} to {MAX_QUESTIONS} of at most "
    f"{MAX_QUESTION_CHARS} characters: the ways a PM would ask for this.",
    "tags": f"Optional, comma-separated (at most {MAX_TAGS}), e.g. evals, launch.",
    "link": "Optional: where the advice comes from (a message, a doc, a talk).",
}
MULTILINE = {"text", "questions"}
OPTIONAL = {"tags", "link"}


@dataclass(frozen=True)
class Editing:
    """What a modal edits: a tip id and the stored version the curator saw (None: a new tip)."""

    tip_id: str | None = None
    version: int = 0

    def dump(self) -> str:
        """As `private_metadata`."""
        return json.dumps({"tip": self.tip_id, "v": self.version})

    @classmethod
    def load(cls, raw: str | None) -> Editing:
        """From `private_metadata`; anything unreadable is treated as a new tip."""
        try:
            data = json.loads(raw or "{}")
            tip_id = data.get("tip")
            version = int(data.get("v") or 0)
        except (ValueError, TypeError, AttributeError):
            return cls()
        return cls(tip_id if isinstance(tip_id, str) and tip_id else None, max(version, 0))


def _option(kind: str) -> dict:
    return {
        "text": {"type": "plain_text", "text": f"{kind.title()}: {KIND_HINTS[kind]}"},
        "value": kind,
    }


def _input(name: str, initial: str) -> dict:
    if name == "kind":
        element: dict = {
            "type": "static_select",
            "action_id": VALUE,
            "placeholder": {"type": "plain_text", "text": "Pick a kind"},
            "options": [_option(k) for k in KINDS],
        }
        if initial in KINDS:
            element["initial_option"] = _option(initial)
        return {
            "type": "input",
            "block_id": name,
            "label": {"type": "plain_text", "text": LABELS[name]},
            "hint": {"type": "plain_text", "text": HINTS[name]},
            "element": element,
        }
    element = {"type": "plain_text_input", "action_id": VALUE}
    if name in MULTILINE:
        element["multiline"] = True
    if initial:
        element["initial_value"] = initial[:MAX_INITIAL]
    return {
        "type": "input",
        "block_id": name,
        "optional": name in OPTIONAL,
        "label": {"type": "plain_text", "text": LABELS[name]},
        "hint": {"type": "plain_text", "text": HINTS[name]},
        "element": element,
    }


def tip_modal(
    form: TipForm | None = None, *, editing: Editing | None = None, note: str = ""
) -> dict:
    """The tip form: empty, prefilled with `form`, or editing a stored tip (`editing`).

    `note` is shown above the inputs (mrkdwn; the caller escapes user text in it).
    """
    form = form or TipForm()
    editing = editing or Editing()
    blocks: list[dict] = []
    if note:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note[:2000]}]})
    values = {
        "title": form.title,
        "kind": form.kind,
        "text": form.text,
        "questions": form.questions,
        "tags": form.tags,
        "link": form.link,
    }
    blocks.extend(_input(name, values[name]) for name in LABELS)
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": {"type": "plain_text", "text": "Edit a tip" if editing.tip_id else "Add a tip"},
        "submit": {"type": "plain_text", "text": "Save tip"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": editing.dump(),
        "blocks": blocks,
    }


def read_form(view: dict) -> TipForm:
    """The form as submitted; missing, null or malformed inputs read as empty (never raises)."""
    state = view.get("state") if isinstance(view, dict) else None
    values = state.get("values") if isinstance(state, dict) else None
    values = values if isinstance(values, dict) else {}

    def value(name: str) -> str:
        block = values.get(name)
        field = block.get(VALUE) if isinstance(block, dict) else None
        if not isinstance(field, dict):
            return ""
        raw = field.get("value")
        if isinstance(field.get("selected_option"), dict):  # the Kind select
            raw = field["selected_option"].get("value")
        return raw if isinstance(raw, str) else ""

    return TipForm(**{name: value(name) for name in LABELS})


def errors(field_errors: dict[str, str]) -> dict:
    """The view_submission answer that shows each message under its input."""
    return {
        "response_action": "errors",
        "errors": {name: message[:2000] for name, message in field_errors.items()},
    }


def done(title: str, text: str) -> dict:
    """The view_submission answer that replaces the form with a short confirmation."""
    return {
        "response_action": "update",
        "view": {
            "type": "modal",
            "callback_id": f"{CALLBACK_ID}_done",
            "title": {"type": "plain_text", "text": title[:24]},
            "close": {"type": "plain_text", "text": "Close"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}],
        },
    }
