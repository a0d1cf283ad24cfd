"""The tip base: load, validate and hold the curated tips from the knowledge folder.

A knowledge folder holds YAML files, each a mapping with a `tips:` list (and an
optional `note:` naming the note it was built from). Every problem is reported as
a `Problem` naming the file, the line (and column) and, for schema errors, the tip
id and the field, so a curator can jump straight to it.

Only curated tips are served (`KnowledgeBase.live_tips`): drafts wait for review and
gone tips left their note. Whether each quote really stands in its note is checked by
`bot.notes.grounding`, which needs the notes themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeGuard, cast

import yaml

from bot.core.links import link_problem

MAX_TEXT = 600
MAX_TITLE = 150  # Slack's header block limit: a longer title could not be shown whole
MIN_QUESTIONS = 3
# Every question is matched on every ask and every tag listed, so both lists stay small:
# 30,000 questions saved from the form once slowed every answer fourfold.
MAX_QUESTIONS = 50
MAX_QUESTION_CHARS = 300  # an example may be a whole Slack message someone asks about
MAX_TAGS = 20
MAX_TAG_CHARS = 40
# Direction controls (U+202E right-to-left override and its kin) make shown text read
# differently from what it holds, e.g. a title that looks like another tip's.
DIRECTION_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
TIP_FIELDS = {"id", "title", "text", "tags", "questions", "source", "status", "kind"}
REQUIRED_FIELDS = ("id", "title", "text", "tags", "questions", "source")
SOURCE_FIELDS = {"note", "timestamp", "url", "quote"}
FILE_FIELDS = {"note", "tips"}
STATUSES = ("draft", "curated", "gone")
# practice: something a PM can do this week; concept: an idea to understand; career: about
# the job itself (roles, getting hired, growing).
KINDS = ("practice", "concept", "career")
# The `source.note` of tips the team wrote in Slack (`python -m bot knowledge export`): they
# stand on their link (a Slack message, a doc), not on a seed note, so grounding checks
# their kind and link instead of a quote.
TEAM_NOTE = "Team tip"
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Slack mrkdwn that notifies people when the tip is posted: @channel/@here/@everyone and the
# older @group, user groups, and mentions of people (U, W) and bots (B). A tip is posted to
# whole channels, so no field shown in Slack may hold one.
PING_PATTERN = re.compile(
    r"<\s*(?:!(?:channel|here|everyone|group|subteam\^)|@[UWB])", re.IGNORECASE
)
PING_MESSAGE = "would notify people (<!channel>, <!here>, <@user>...): remove the mention"


@dataclass(frozen=True)
class Source:
    """Where a tip comes from: the note's title, the moment ('40:11') and a link to it when
    the note has them ('' otherwise), and the note's words the tip stands on."""

    note: str
    timestamp: str = ""
    url: str = ""
    quote: str = ""


@dataclass(frozen=True)
class Tip:
    """One piece of curated advice."""

    id: str
    title: str
    text: str
    tags: tuple[str, ...]
    questions: tuple[str, ...]
    source: Source
    status: str = "curated"
    file: str = ""
    kind: str | None = None
    line: int = 0

    def as_dict(self) -> dict:
        """The tip as plain JSON-ready values (the `knowledge list --json` shape)."""
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "kind": self.kind,
            "text": self.text,
            "tags": list(self.tags),
            "questions": list(self.questions),
            "source": {
                "note": self.source.note,
                "timestamp": self.source.timestamp,
                "url": self.source.url,
                "quote": self.source.quote,
            },
        }


def source_text(tip: Tip) -> str:
    """A tip's source as plain terminal lines: note, moment and link, then what the note says."""
    source = tip.source
    line = f"Source: {source.note}"
    if source.timestamp:
        line += f" at {source.timestamp}"
    if source.url:
        line += f" ({source.url})"
    if source.quote:
        line += f'\nWhat the source says: "{source.quote}"'
    return line


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge base, located as precisely as we can."""

    file: str
    line: int
    column: int | None
    message: str
    tip_id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        if self.column is not None:
            where += f":{self.column}"
        subject = ""
        if self.tip_id is not None:
            subject += f"tip '{self.tip_id}'"
        if self.field is not None:
            subject += f"{' ' if subject else ''}field '{self.field}'"
        return f"{where}: {subject + ': ' if subject else ''}{self.message}"


class KnowledgeError(Exception):
    """The knowledge base is invalid; `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class KnowledgeBase:
    """All valid tips, in file order, with lookup by id."""

    tips: list[Tip]
    folder: str = ""
    signature: tuple = field(default=(), compare=False)

    def __post_init__(self) -> None:
        self._by_id = {tip.id: tip for tip in self.tips}

    def get(self, tip_id: str) -> Tip | None:
        """The tip with this id, or None (e.g. a tip removed from the base)."""
        return self._by_id.get(tip_id)

    def served(self, tip_id: str) -> Tip | None:
        """The tip with this id when it may be served (curated), else None.

        Use it wherever a tip id arrives from outside (a button made before the tip was
        retired, a forged value): a draft or gone tip must never be shown or posted.
        """
        tip = self._by_id.get(tip_id)
        return tip if tip is not None and tip.status == "curated" else None

    def __len__(self) -> int:
        return len(self.tips)

    def __iter__(self):
        return iter(self.tips)

    @property
    def live_tips(self) -> list[Tip]:
        """Tips that may be served (answers, the rotation, `tip`): the curated ones only.

        Drafts wait for a curator's review and gone tips left their note.
        """
        return [tip for tip in self.tips if tip.status == "curated"]

    @property
    def kinds(self) -> dict[str, str | None]:
        """tip id -> kind for the served tips (what the rotation's first cycle orders by)."""
        return {tip.id: tip.kind for tip in self.live_tips}

    @property
    def drafts(self) -> list[Tip]:
        """Tips waiting for review (status: draft), never served."""
        return [tip for tip in self.tips if tip.status == "draft"]


def knowledge_files(folder: Path) -> list[Path]:
    """The YAML files of a knowledge folder, sorted by name."""
    folder = Path(folder)
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def folder_signature(folder: Path) -> tuple:
    """A cheap fingerprint (names, sizes, mtimes) that changes when any knowledge file does."""
    try:
        files = knowledge_files(folder)
    except OSError:
        return ()
    out = []
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((path.name, st.st_size, st.st_mtime_ns))
    return tuple(out)


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers where each mapping started and where each key sits."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = _LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {
        loader.construct_object(key, deep=True): key.start_mark.line + 1
        for key, _ in node.value
        if isinstance(key, yaml.ScalarNode)
    }
    return mapping


class _LineDict(dict):
    line: int = 0
    key_lines: dict = {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _is_text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip())


def check_tip(raw: dict, *, file: str, line: int = 0) -> tuple[Tip | None, list[Problem]]:
    """Validate one tip given as plain values (the YAML shape), as `knowledge check` does.

    Returns the Tip and no problems, or None and every problem (each naming its field).
    Used by the Slack form so a tip written there obeys exactly the rules of YAML tips.
    """
    problems: list[Problem] = []
    tip = _check_tip(raw, 0, file, line, problems)
    return tip, problems


def _direction_control(values: object) -> str | None:
    """The first direction control character in a list of strings, or None."""
    if not isinstance(values, list):
        return None
    for value in values:
        if isinstance(value, str) and not DIRECTION_CONTROLS.isdisjoint(value):
            return next(c for c in value if c in DIRECTION_CONTROLS)
    return None


def _check_tip(
    raw: object, index: int, file: str, line: int, problems: list[Problem]
) -> Tip | None:
    """Validate one raw tip; append problems and return the Tip when it is valid."""
    if not isinstance(raw, dict):
        problems.append(Problem(file, line, None, f"tip #{index + 1} must be a mapping"))
        return None
    line = getattr(raw, "line", line)
    raw_id = raw.get("id")
    tip_id = raw_id if _is_text(raw_id) else f"#{index + 1}"
    start = len(problems)

    def bad(fld: str, message: str) -> None:
        at = raw.line_of(fld) if isinstance(raw, _LineDict) else line
        if fld.startswith("source.") and isinstance(raw.get("source"), _LineDict):
            at = raw["source"].line_of(fld.removeprefix("source."))
        problems.append(Problem(file, at, None, message, tip_id=tip_id, field=fld))

    for key in raw:
        if key not in TIP_FIELDS:
            bad(str(key), f"unknown field (allowed: {', '.join(sorted(TIP_FIELDS))})")
    for fld in REQUIRED_FIELDS:
        if fld not in raw or raw[fld] is None:
            bad(fld, "missing")
    if _is_text(raw_id):
        if not ID_PATTERN.match(raw_id):
            bad("id", "must be a lowercase slug like 'ikea-effect'")
    elif "id" in raw and raw_id is not None:
        bad("id", "must be a non-empty string")
    for fld in ("title", "text"):
        if fld in raw and raw[fld] is not None and not _is_text(raw[fld]):
            bad(fld, "must be a non-empty string")
    if _is_text(raw.get("text")) and len(raw["text"]) > MAX_TEXT:
        bad("text", f"too long: {len(raw['text'])} characters (at most {MAX_TEXT})")
    if _is_text(raw.get("title")) and len(raw["title"].strip()) > MAX_TITLE:
        bad("title", f"too long: {len(raw['title'].strip())} characters (at most {MAX_TITLE})")
    for fld in ("title", "text", "tags", "questions"):
        value = raw.get(fld)
        found = _direction_control([value] if isinstance(value, str) else value)
        if found:
            bad(
                fld,
                f"holds the direction control U+{ord(found):04X}, which makes text read "
                "differently from what it says: remove it",
            )
    for fld in ("title", "text"):
        if _is_text(raw.get(fld)) and PING_PATTERN.search(raw[fld]):
            bad(fld, PING_MESSAGE)
    for fld in ("tags", "questions"):
        value = raw.get(fld)
        if isinstance(value, list) and any(
            isinstance(v, str) and PING_PATTERN.search(v) for v in value
        ):
            bad(fld, PING_MESSAGE)
    for fld, minimum in (("tags", 1), ("questions", MIN_QUESTIONS)):
        value = raw.get(fld)
        if value is None:
            continue
        if not isinstance(value, list) or not all(_is_text(v) for v in value):
            bad(fld, "must be a list of non-empty strings")
        elif len(value) < minimum:
            bad(
                fld,
                f"needs at least {minimum} entr{'y' if minimum == 1 else 'ies'}, has {len(value)}",
            )
        else:
            most, chars = (
                (MAX_TAGS, MAX_TAG_CHARS)
                if fld == "tags"
                else (
                    MAX_QUESTIONS,
                    MAX_QUESTION_CHARS,
                )
            )
            longest = max(len(v.strip()) for v in value)
            if len(value) > most:
                bad(fld, f"too many: {len(value)} entries (at most {most})")
            elif longest > chars:
                bad(
                    fld,
                    f"an entry is too long: {longest} characters (at most {chars} characters each)",
                )
    source = raw.get("source")
    if source is not None:
        if not isinstance(source, dict):
            bad("source", "must be a mapping with note, quote and optionally timestamp, url")
        else:
            for key in source:
                if key not in SOURCE_FIELDS:
                    bad(
                        f"source.{key}",
                        f"unknown field (allowed: {', '.join(sorted(SOURCE_FIELDS))})",
                    )
            for key in sorted(SOURCE_FIELDS):
                value = source.get(key)
                if key not in source and key != "note":
                    continue  # timestamp and url are optional; `knowledge check` wants quote
                if not _is_text(value):
                    message = "missing" if key not in source else "must be a non-empty string"
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        # YAML 1.1 reads an unquoted 40:11:03 as the number 144663.
                        message += f" (got the number {value}: put the value in quotes)"
                    bad(f"source.{key}", message)
            url = source.get("url")
            if _is_text(url) and (problem := link_problem(url.strip())):
                bad("source.url", problem)
    status = raw.get("status", "curated")
    if status not in STATUSES:
        bad("status", f"must be one of {', '.join(STATUSES)}")
    kind = raw.get("kind")
    if "kind" in raw and kind not in KINDS:
        bad(
            "kind",
            f"unknown kind {kind!r}: use one of {', '.join(KINDS)} "
            "(practice: something a PM can do this week; concept: an idea to understand; "
            "career: about the job itself)",
        )
    if len(problems) > start:
        return None
    source = cast(dict, source)  # required, and checked to be a mapping above
    return Tip(
        id=cast(str, raw_id),
        title=raw["title"].strip(),
        text=raw["text"].strip(),
        tags=tuple(t.strip() for t in raw["tags"]),
        questions=tuple(q.strip() for q in raw["questions"]),
        source=Source(
            note=str(source["note"]).strip(),
            timestamp=str(source.get("timestamp") or "").strip(),
            url=str(source.get("url") or "").strip(),
            quote=" ".join(str(source.get("quote") or "").split()),
        ),
        status=status,
        file=file,
        kind=kind,
        line=line,
    )


DEEP = "nested too deeply (lists or mappings inside each other hundreds of levels deep): a tip needs a few levels at most"


def parse_file(path: Path, *, display: str | None = None) -> tuple[list[Tip], list[Problem]]:
    """Parse and validate one knowledge file; returns its valid tips and every problem."""
    name = display or str(path)
    try:
        content = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return [], [Problem(name, 1, None, f"not UTF-8 text ({exc.reason})")]
    except OSError as exc:
        return [], [Problem(name, 1, None, f"cannot read: {exc.strerror}")]
    return parse_text(content, display=name)


def parse_text(content: str, *, display: str) -> tuple[list[Tip], list[Problem]]:
    """Parse and validate knowledge YAML given as text (see `parse_file`)."""
    try:
        data = yaml.load(content, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = exc.problem or exc.context or "invalid YAML"
        return [], [Problem(display, line, col, f"YAML syntax error: {message}")]
    except yaml.YAMLError as exc:
        return [], [Problem(display, 1, 1, f"YAML syntax error: {exc}")]
    except RecursionError:
        return [], [Problem(display, 1, None, DEEP)]
    if data is None:
        return [], []
    if not isinstance(data, _LineDict):  # _LineLoader builds every mapping as one
        return [], [Problem(display, 1, None, "must be a mapping with a 'tips:' list")]
    problems: list[Problem] = []
    for key in data:
        if key not in FILE_FIELDS:
            problems.append(
                Problem(
                    display,
                    data.line_of(key),
                    None,
                    f"unknown top-level field '{key}' (allowed: note, tips)",
                )
            )
    raw_tips = data.get("tips")
    if not isinstance(raw_tips, list):
        problems.append(
            Problem(display, data.line_of("tips"), None, "'tips' must be a list of tips")
        )
        return [], problems
    tips = []
    try:
        for index, raw in enumerate(raw_tips):
            tip = _check_tip(raw, index, display, data.line_of("tips"), problems)
            if tip is not None:
                tips.append(tip)
    except RecursionError:
        return [], [*problems, Problem(display, 1, None, DEEP)]
    return tips, problems


def load(folder: Path | str) -> KnowledgeBase:
    """Load and validate every file of a knowledge folder.

    Raises KnowledgeError listing every problem (syntax, schema, duplicate ids) when the
    base is invalid or empty, so a caller can refuse to start with a precise message.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise KnowledgeError(
            [
                Problem(
                    str(folder),
                    0,
                    None,
                    "knowledge folder not found: run aipm-coach in the project's folder (the "
                    "checkout holding knowledge/ and seeds/) or set COACH_KNOWLEDGE to it",
                )
            ]
        )
    signature = folder_signature(folder)
    tips: list[Tip] = []
    problems: list[Problem] = []
    seen: dict[str, Tip] = {}
    for path in knowledge_files(folder):
        file_tips, file_problems = parse_file(path)
        problems.extend(file_problems)
        occurrences: dict[str, int] = {}
        for tip in file_tips:
            occurrence = occurrences[tip.id] = occurrences.get(tip.id, -1) + 1
            if tip.id in seen:
                first = seen[tip.id]
                problems.append(
                    Problem(
                        tip.file,
                        _tip_line(path, tip.id, occurrence),
                        None,
                        f"duplicate id (also in {first.file})",
                        tip_id=tip.id,
                        field="id",
                    )
                )
                continue
            seen[tip.id] = tip
            tips.append(tip)
    if not tips and not problems:
        problems.append(
            Problem(str(folder), 0, None, "no tips found (run `aipm-coach knowledge build`)")
        )
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(tips=tips, folder=str(folder), signature=signature)


def _tip_line(path: Path, tip_id: str, occurrence: int = 0) -> int:
    """The line where `id: <tip_id>` appears in a file for the `occurrence`-th time (0-based),
    for duplicate-id messages."""
    pattern = re.compile(rf"^\s*-?\s*id:\s*['\"]?{re.escape(tip_id)}['\"]?\s*$")
    found = 1
    for number, text in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if pattern.match(text):
            found = number
            if occurrence == 0:
                return number
            occurrence -= 1
    return found
