"""Check that every tip stands on its note: a kind, and a quote found verbatim in the note.

A tip's `source.note` names its note by title; the note is looked up among the files of
the notes folder (`COACH_SEEDS`, default `seeds/`) by the `title:` of their front matter.
A quote is one passage of the note, or several joined by `…` (or `...`), each found word
for word in the note's text with the markup stripped (`parser.note_text`); only whitespace
and curly versus straight quotes may differ.
Gone tips are skipped: their advice has left the note.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.knowledge import KINDS, TEAM_NOTE, KnowledgeBase, Problem, Tip
from bot.notes.parser import NoteError, _read_text, note_text, read_meta

_JOIN = re.compile(r"\s*(?:…|\.\.\.)\s*")
_SPACE_BEFORE = re.compile(r"\s+([.,;:!?)])")
_CURLY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def normalize(text: str) -> str:
    """`text` in NFC, curly quotes made straight and whitespace collapsed, for comparing.

    NFC so a quote saved by an editor that decomposes accents ('e' + U+0301) still matches.
    """
    text = " ".join(unicodedata.normalize("NFC", text).translate(_CURLY).split())
    return _SPACE_BEFORE.sub(r"\1", text)


def passages(quote: str) -> list[str]:
    """The passages of a quote: the parts between `…` (or `...`) joins, trimmed."""
    return [p for p in (part.strip() for part in _JOIN.split(quote)) if p]


def missing_passages(quote: str, words: str) -> list[str]:
    """The passages of `quote` that are not in `words` (a note's `note_text`).

    Empty when the whole quote stands in the note.
    """
    haystack = normalize(words)
    return [p for p in passages(quote) if normalize(p) not in haystack]


@dataclass
class NoteIndex:
    """The notes of a folder by title (their `note_text`), and files that could not be read."""

    folder: Path
    words: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)


def index_notes(folder: Path | str) -> NoteIndex:
    """Every note file of `folder` (hidden files skipped) by its front matter title."""
    index = NoteIndex(folder=Path(folder))
    if not index.folder.is_dir():
        return index
    for path in sorted(p for p in index.folder.iterdir() if p.is_file()):
        if path.name.startswith("."):
            continue
        try:
            title = read_meta(path).get("title")
            text = _read_text(path)
        except NoteError as exc:
            index.unreadable.append(str(exc))
            continue
        if title is not None and not isinstance(title, (dict, list)):
            title = " ".join(str(title).split())
            index.words.setdefault(title, note_text(text))
            index.files.setdefault(title, str(path))
    return index


def check_grounding(base: KnowledgeBase, notes_dir: Path | str) -> list[Problem]:
    """Problems with tips that do not stand on their note, located by file, tip and field.

    Reports a missing `kind`, a missing `source.quote`, a note that is not in `notes_dir`
    and quote passages not found in the note. Gone tips are skipped; team tips (source note
    `TEAM_NOTE`) need a kind and a `source.url` instead of a quote.
    """
    index = index_notes(notes_dir)
    problems: list[Problem] = []
    for tip in base.tips:
        if tip.status == "gone":
            continue
        problems.extend(_tip_problems(tip, index))
    return problems


def _tip_problems(tip: Tip, index: NoteIndex) -> list[Problem]:
    def problem(fld: str, message: str) -> Problem:
        return Problem(tip.file, tip.line, None, message, tip_id=tip.id, field=fld)

    out = []
    if tip.kind is None:
        out.append(
            problem(
                "kind",
                f"missing: add `kind:` with one of {', '.join(KINDS)} (practice: "
                "something a PM can do this week)",
            )
        )
    if tip.source.note == TEAM_NOTE:
        # A tip the team wrote in Slack stands on its link, not on a seed note.
        if not tip.source.url:
            out.append(
                problem(
                    "source.url",
                    "missing: a team tip links to where it came from (a Slack message, a doc)",
                )
            )
        return out
    if not passages(tip.source.quote):  # '…' alone is no quote: it has no passage to check
        out.append(
            problem(
                "source.quote",
                "missing: add `quote:` under source with the note's sentence(s) this tip "
                "stands on, word for word (`…` may join two passages)",
            )
        )
        return out
    words = index.words.get(tip.source.note)
    if words is None:
        folder = index.folder
        where = (
            f"no note in {folder}/ has this title"
            if folder.is_dir()
            else (f"the notes folder {folder}/ does not exist")
        )
        out.append(
            problem(
                "source.note",
                f"note {tip.source.note!r} not found: {where}; set COACH_SEEDS to the folder "
                "of notes, or fix source.note to a note's title",
            )
        )
        return out
    for passage in missing_passages(tip.source.quote, words):
        message = (
            f"not found in {index.files[tip.source.note]}: {_clip(passage)!r}; copy the "
            "sentence(s) from the note word for word (markup left out)"
        )
        out.append(problem("source.quote", message))
    return out


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
