"""Curating the base from Slack: check a tip form, save or retire a tip, close the gaps it answers.

Slack-free: the Slack layer turns a modal into a `TipForm`, and turns `FormResult.errors`
(keyed by form field) into `response_action: errors`. Validation is `knowledge.check_tip`,
the very rules `knowledge check` applies to YAML tips, plus what only a form can get wrong
(a title already in use, a title too long for a Slack header).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import yaml

from bot.core import gaps, knowledge
from bot.core.knowledge import KINDS, MIN_QUESTIONS, TEAM_NOTE, Tip
from bot.core.library import Library, Snapshot
from bot.core.pipeline.answer import SURE
from bot.store import StaleTipError, Store

MAX_ID = 60
DEFAULT_TAG = "team"
FORM_FILE = "the tip form"
GAP_SCAN_LIMIT = 1000  # open topics re-asked after a save; older ones wait for the next
FORM_FIELDS = ("title", "kind", "text", "questions", "tags", "link")
KIND_HINTS = {
    "practice": "something a PM can do this week",
    "concept": "an idea to understand",
    "career": "about the job itself",
}
_FIELD_OF_PROBLEM = {
    "title": "title",
    "id": "title",
    "text": "text",
    "questions": "questions",
    "tags": "tags",
    "source": "link",
    "source.url": "link",
    "kind": "kind",
}

__all__ = ["StaleTipError"]


@dataclass(frozen=True)
class TipForm:
    """What a curator typed: questions one per line, tags separated by commas."""

    title: str = ""
    text: str = ""
    questions: str = ""
    tags: str = ""
    link: str = ""
    kind: str = ""

    @classmethod
    def from_tip(cls, tip: Tip, *, link: bool = True) -> TipForm:
        """The form prefilled with a tip, for editing it."""
        return cls(
            kind=tip.kind or "",
            title=tip.title,
            text=tip.text,
            questions="\n".join(tip.questions),
            tags=", ".join(tip.tags),
            link=tip.source.url if link else "",
        )

    def question_list(self) -> list[str]:
        """The non-empty lines of the questions field."""
        return [line.strip() for line in self.questions.splitlines() if line.strip()]

    def tag_list(self) -> list[str]:
        """The tags, split on commas and new lines, without repeats."""
        out: list[str] = []
        for part in re.split(r"[,\n]", self.tags):
            tag = part.strip().lstrip("#").strip()
            if tag and tag.lower() not in (t.lower() for t in out):
                out.append(tag)
        return out


@dataclass(frozen=True)
class FormResult:
    """A checked form: the tip to save, or errors keyed by form field (never both)."""

    tip: Tip | None
    errors: dict[str, str] = field(default_factory=dict)


def slug(title: str) -> str:
    """A lowercase id from a title ('Evals before launch!' -> 'evals-before-launch')."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > MAX_ID:
            break
        out = candidate
    return out or "team-tip"


def new_id(title: str, taken: set[str]) -> str:
    """A slug of the title unused by any tip, YAML or team ('-2', '-3'... when needed)."""
    base = slug(title)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def check_form(
    form: TipForm,
    snapshot: Snapshot,
    *,
    tip_id: str | None = None,
    default_url: str,
    today: dt.date | None = None,
) -> FormResult:
    """Check a form as `knowledge check` checks YAML; `tip_id` when editing an existing tip.

    A new tip gets a fresh id from its title and a source naming the team and today's date,
    linked to the form's link or `default_url`. An edit keeps the tip's id and source
    (the link replaced when given) and makes the tip curated.
    """
    base = snapshot.base
    existing = base.get(tip_id) if tip_id else None
    if tip_id and (existing is None or existing.status == "gone"):
        return FormResult(
            None, {"title": "This tip has been retired or removed: reopen the Library."}
        )
    link = form.link.strip()
    if existing is not None:
        source = {
            "note": existing.source.note,
            "timestamp": existing.source.timestamp,
            "url": link or existing.source.url,
            "quote": existing.source.quote,
        }
        source = {key: value for key, value in source.items() if value}  # optional when empty
        new_tip_id = existing.id
    else:
        source = {
            "note": TEAM_NOTE,
            "timestamp": (today or dt.datetime.now(dt.UTC).date()).isoformat(),
            "url": link or default_url,
        }
        new_tip_id = new_id(form.title, {t.id for t in base})
    raw = {
        "id": new_tip_id,
        "title": form.title,
        "text": form.text,
        "tags": form.tag_list() or [DEFAULT_TAG],
        "questions": form.question_list(),
        "source": source,
        "status": "curated",
    }
    if form.kind.strip():
        raw["kind"] = form.kind.strip()
    tip, problems = knowledge.check_tip(raw, file=FORM_FILE)
    errors: dict[str, str] = {}
    for problem in problems:
        name = _FIELD_OF_PROBLEM.get(problem.field or "", "text")
        message = problem.message
        if name == "questions":
            message = (
                f"Write at least {MIN_QUESTIONS} questions, one per line "
                f"(the ways a PM would ask); you wrote {len(raw['questions'])}."
                if "at least" in message
                else message
            )
        errors.setdefault(name, message[:1].upper() + message[1:])
    if not form.kind.strip():
        # `knowledge check` wants every served tip's kind (the rotation orders by it).
        errors["kind"] = "Pick one: " + "; ".join(f"{k} ({KIND_HINTS[k]})" for k in KINDS) + "."
    title = form.title.strip()
    if title:
        for other in base:
            if other.id != new_tip_id and other.status != "gone" and same_title(other.title, title):
                errors.setdefault("title", f"Another tip already has this title ({other.id}).")
                break
    if errors:
        return FormResult(None, errors)
    return FormResult(tip)


def same_title(a: str, b: str) -> bool:
    """Whether two titles read the same: compared after NFKC, casefolding and collapsing
    whitespace, so 'Ｅｖａｌｓ ｆｉｒｓｔ' (full-width) is 'Evals first'."""
    return _title_key(a) == _title_key(b)


def _title_key(title: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", title).casefold().split())


def tip_row(tip: Tip) -> dict:
    """A tip as the plain values the store keeps (the YAML shape plus its status)."""
    data = tip.as_dict()
    data["status"] = tip.status
    return data


def save(store: Store, library: Library, tip: Tip, *, user: str, expected_version: int) -> Snapshot:
    """Store a checked tip as the next version and serve it at once; returns the new snapshot.

    `expected_version` is the version the editor saw (0 for a new tip or an unedited YAML
    tip). Raises StaleTipError, storing nothing, when it changed or was retired since.
    """
    origin = "yaml" if library.current.yaml_base.get(tip.id) is not None else "team"
    store.save_team_tip(tip_row(tip), user=user, expected_version=expected_version, origin=origin)
    return library.refresh()


def retire(
    store: Store, library: Library, tip_id: str, *, user: str, expected_version: int
) -> Tip | None:
    """Mark a tip `gone` (never served; its ratings stay); returns it, or None if unknown or
    already gone.

    Raises StaleTipError when someone changed it since `expected_version`.
    """
    tip = library.current.base.get(tip_id)
    if tip is None or tip.status == "gone":
        return None
    gone = replace(tip, status="gone")
    save(store, library, gone, user=user, expected_version=expected_version)
    return gone


def version_of(snapshot: Snapshot, tip_id: str) -> int:
    """The stored version an editor sees for a tip (0: never saved from Slack)."""
    row = snapshot.team_row(tip_id)
    return int(row["version"]) if row else 0


@dataclass(frozen=True)
class Notice:
    """One person to tell that `tip` now answers the question they asked."""

    user: str
    question: str
    tip: Tip
    topic: str = ""


def close_answered_gaps(store: Store, snapshot: Snapshot, tip: Tip) -> list[Notice]:
    """After saving `tip`: close the open questions it now answers; who waits on them.

    "Answers" means the pipeline is sure and `tip` comes first; an unsure match leaves the
    question open (a guess is no reason to tell someone). People still waiting (a DM that
    failed before, a crash mid-way) are told about whichever tip now answers surely.
    Nobody is claimed here: `tell_waiters` claims each one just before their own DM.
    """
    notices: list[Notice] = []
    for row in store.open_gaps(limit=GAP_SCAN_LIMIT):
        if not row.get("question"):
            continue
        answer = snapshot.engine.answer(row["question"], limit=1)
        if answer.level != SURE:
            continue
        first = answer.matches[0][0]
        if row["waiting"]:
            # Any tip that is sure will do: a waiter whose DM failed earlier waits on an
            # older tip, and is told on the next save rather than never.
            store.close_gap(row["topic"], first.id)
            notices += [
                Notice(w["user"], w["question"], first, row["topic"])
                for w in store.waiters(row["topic"])
            ]
        elif first.id == tip.id:
            store.close_gap(row["topic"], tip.id)
    return notices


def waiting_notices(store: Store, snapshot: Snapshot) -> list[Notice]:
    """Everyone still waiting on a question the base now answers surely (e.g. at start-up,
    after a crash stopped the DMs of a save half-way)."""
    notices: list[Notice] = []
    for row in store.waiting_topics():
        answer = snapshot.engine.answer(row["question"] or "", limit=1)
        if answer.level == SURE:
            first = answer.matches[0][0]
            notices += [
                Notice(w["user"], w["question"], first, row["topic"])
                for w in store.waiters(row["topic"])
            ]
    return notices


def tell_waiters(
    store: Store,
    notices: list[Notice],
    send: Callable[[Notice], bool],
    *,
    owner: str,
    lease: float,
    keep_going: Callable[[], bool] = lambda: True,
) -> int:
    """The one rule for "Tell me" DMs: claim each waiter just before their own DM, then settle.

    `send(notice)` DMs one person and returns True when they must not be sent it again
    (delivered, maybe delivered, or unreachable) and False when Slack surely delivered
    nothing: they wait again for the next save or start. A waiter claimed elsewhere (another
    thread or process, within its lease) is skipped, so each gets one DM; a process killed
    mid-way leaves everyone it had not claimed waiting, and its one claim lapses after
    `lease` seconds. Stops before the next claim once `keep_going()` is False (shutting
    down). Returns how many were told.
    """
    told = 0
    for notice in notices:
        if not keep_going():
            break
        if not store.claim_waiter(
            notice.topic, notice.user, notice.tip.id, owner=owner, lease=lease
        ):
            continue
        if send(notice):
            store.mark_told(notice.topic, notice.user, owner=owner)
            told += 1
        else:
            store.release_waiter(notice.topic, notice.user)
    return told


def wait_for_tip(store: Store, question: str, user: str) -> bool:
    """Remember, with the person's consent, to tell `user` when `question` gets a tip."""
    return store.add_waiter(gaps.topic(question), question.strip(), user)


def export_yaml(store: Store) -> tuple[str, int]:
    """The team's own tips as a knowledge YAML file (text, tip count).

    Edits of YAML tips are not included (their home is their own file), so the result
    can sit next to the base in a knowledge folder and pass `knowledge check`.
    """
    tips = []
    for row in store.team_tips():
        if row["origin"] != "team":
            continue
        entry = {
            "id": row["id"],
            "title": row["title"],
            "kind": row.get("kind"),
            "text": row["text"],
            "tags": list(row["tags"]),
            "questions": list(row["questions"]),
            "source": {key: value for key, value in row["source"].items() if value},
        }
        if not entry["kind"]:
            del entry["kind"]
        if row["status"] != "curated":
            entry["status"] = row["status"]
        tips.append(entry)
    text = yaml.safe_dump(
        {"note": "Tips the team wrote in Slack", "tips": tips},
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    parsed, problems = knowledge.parse_text(text, display="export")
    problems = [
        *problems,
        *(  # what `knowledge check` adds for a team tip: a kind (its link is checked above)
            knowledge.Problem("export", t.line, None, "missing `kind:`", t.id, "kind")
            for t in parsed
            if t.status != "gone" and t.kind not in KINDS
        ),
    ]
    if problems:  # rows saved under older rules: never write a file that fails check
        raise ExportError(problems)
    return text, len(tips)


def not_an_export(text: str) -> str | None:
    """Why a file holding `text` is more than an earlier export of team tips, or None.

    `knowledge export` replaces only an empty file or one whose every tip is a team tip
    (`source.note: Team tip`): anything else (the shipped base, a note's tips, a file that
    is not knowledge YAML) would be lost, so it needs `--force`.
    """
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError):
        return "it is not a knowledge YAML file"
    if data is None:
        return None
    if (
        not isinstance(data, dict)
        or set(data) - {"note", "tips"}
        or not isinstance(data.get("tips", []), list)
    ):
        return "it is not a knowledge YAML file (a mapping with a 'tips:' list)"
    others = []
    for entry in data.get("tips") or []:
        source = entry.get("source") if isinstance(entry, dict) else None
        if not (isinstance(source, dict) and source.get("note") == TEAM_NOTE):
            others.append(str(entry.get("id", "?")) if isinstance(entry, dict) else "?")
    if not others:
        return None
    shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
    return f"it holds {len(others)} tip(s) that are not exported team tips ({shown})"


class ExportError(Exception):
    """Team tips in the database that would not pass `knowledge check`; nothing was written."""

    def __init__(self, problems: list[knowledge.Problem]):
        self.problems = problems
        lines = [f"  team tip '{p.tip_id}' field '{p.field}': {p.message}" for p in problems]
        super().__init__(
            f"{len(problems)} problem(s) in the team's tips (saved under older rules):\n"
            + "\n".join(lines)
            + "\nEdit these tips in App Home > Library (or retire them), then export again."
        )
