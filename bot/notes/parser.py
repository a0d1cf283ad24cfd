"""Parse a Markdown note (a podcast note or a team's own playbook) into pieces of advice.

A note has YAML front matter with a `title` (required) and optionally a YouTube `videoId`
or a `url`, then ordinary Markdown: headings, paragraphs, bullets with or without a bold
lead, nested bullets, `> [!TIP] Title` callouts, `[[target|label]]` wikilinks and
timestamp anchors (`<a class="yt-timestamp" data-t="40:11:03">`). Every distinct piece of
advice becomes one `Advice`:

- a bold-lead bullet with text of its own (its plain sub-bullets join its text);
- each plain sub-bullet of a bold-lead bullet that has no text of its own;
- each nested bold-lead bullet, and each top-level plain bullet of a section;
- the prose paragraphs of a section (or of the intro before the first heading), joined.

Timestamps follow `resolve_stamps` (the seed's `MM:SS:hh` stamps, hours once a stamp is
clearly past the hour). Each Advice carries `quote`, its words as they stand in the note
with the markup stripped, so `note_text(...)` contains it verbatim. Malformed input raises
`NoteError` naming the file and line, never anything else.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import yaml

from bot.core import knowledge
from bot.core.links import link_problem

MAX_ID = 48
# A child id keeps this much of its parent's slug so the child's own words stay visible.
MAX_PARENT_PREFIX = 24
YOUTUBE_WATCH = "https://www.youtube.com/watch?v="

# Filler words that make poor ids for sub-bullets.
_FILLER = (
    "a an and are as at be been but by can do does for from has have how if in into is it "
    "its just many more most much not of often on or rather so such than that the their them "
    "then there these they this those to too very was were what when where which while who "
    "why will with would you your also may might should could similarly common best"
)
_STOPWORDS = frozenset(_FILLER.split())

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(?P<title>.*?)[ \t#]*$")
_BULLET = re.compile(r"^(?P<indent> *)(?P<marker>[*+-]|\d{1,9}[.)])(?:[ \t]+(?P<body>.*))?$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_QUOTE = re.compile(r"^ {0,3}>[ ]?(?P<content>.*)$")
_CALLOUT = re.compile(r"^\[!(?P<kind>[A-Za-z0-9_-]+)\][+-]?[ \t]*(?P<title>.*)$")
_BOLD_LEAD = re.compile(r"^\*\*(?P<lead>[^*]+?(?:\*(?!\*)[^*]*?)*)\*\*(?P<rest>.*)$")
_FROM = re.compile(r"^From:\s", re.IGNORECASE)

# Character classes stop at the next "<" (or "[", "(") so that an unclosed tag repeated
# through a note costs linear time, not quadratic (60 KB of "<a>" took 15 s to parse).
_ANCHOR = re.compile(r"<a(?:\s[^<>]*)?>[^<]*(?:<(?!/?a[\s>])[^<]*)*</a\s*>", re.IGNORECASE)
_DATA_T = re.compile(
    r"<a\b[^<>]*\bdata-t\s*=\s*[\"']?(?P<t>\d{1,4}(?::\d{1,2}){0,2})[\"']?", re.IGNORECASE
)
_DATA_S = re.compile(r"<a\b[^<>]*\bdata-s=\"(?P<s>\d+)\"", re.IGNORECASE)
_WIKILINK = re.compile(r"\[\[(?P<target>[^\[\]|]*)(?:\|(?P<label>[^\[\]]*))?\]\]")
_IMAGE = re.compile(r"!\[[^\[\]]*\]\([^()]*\)")
_MDLINK = re.compile(r"\[(?P<label>[^\[\]]*)\]\([^()]*\)")
_TIME_LABEL = re.compile(r"\[\d{1,4}(?::\d{1,2}){1,2}\]")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_QUOTED = re.compile(r"[\"“”]([^\"“”]{2,60})[\"“”]")


class NoteError(Exception):
    """A note that cannot be parsed; `file` and `line` say where."""

    def __init__(self, file: str, line: int, message: str):
        self.file = file
        self.line = line
        self.message = message
        super().__init__(f"{file}:{line}: {message}")


# A stamp is read as hours:minutes:seconds only when the stamp before it was this late in
# the hour and the hour reading carries on from it within HOUR_RUN seconds.
LATE_IN_HOUR = 50 * 60
HOUR_RUN = 15 * 60
STAMP_FORMATS = ("MM:SS:hh", "H:MM:SS")


@dataclass(frozen=True)
class Advice:
    """One distinct piece of advice from a note, as plain text with its place in the source.

    `timestamp` is the display form ('40:11', '1:00:27'; '' when the note has no stamps),
    `seconds` the same moment in seconds (None without stamps), `url` the link to it (None
    when the note has no videoId or url), `quote` the advice's own words in the note.
    """

    id: str
    title: str
    text: str
    section: str
    timestamp: str
    url: str | None
    line: int = 0
    seconds: int | None = None
    quote: str = ""


@dataclass(frozen=True)
class Note:
    """A parsed note: title, YouTube id and/or url (None when absent), slug, advice in order."""

    title: str
    video_id: str | None
    slug: str
    advice: list[Advice] = field(default_factory=list)
    file: str = ""
    url: str | None = None
    words: str = ""  # the note's text without markup (`note_text`), where quotes are found


def slugify(text: str, *, limit: int = MAX_ID) -> str:
    """A lowercase ASCII slug of `text`: non-alphanumerics become '-', at most `limit` chars.

    Long slugs are cut at a dash and lose trailing filler words ('the', 'and', ...).
    Returns '' when `text` has no ASCII letters or digits.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = re.sub(r"['’]", "", ascii_text.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) <= limit:
        return slug
    cut = slug[: limit + 1]
    slug = cut[: cut.rfind("-")] if "-" in cut else slug[:limit]
    parts = slug.split("-")
    while len(parts) > 1 and parts[-1] in _STOPWORDS:
        parts.pop()
    return "-".join(parts)


def plain_text(markdown: str) -> str:
    """Markdown/HTML of a note reduced to plain text.

    Wikilinks become their label (or target), timestamp anchors and `[hh:mm:ss]` labels
    and HTML tags go, emphasis markers go, entities are decoded, whitespace collapses.
    """
    text = _ANCHOR.sub(" ", markdown)
    text = _WIKILINK.sub(_wikilink_label, text)
    text = _IMAGE.sub(" ", text)
    text = _MDLINK.sub(lambda m: m.group("label"), text)
    text = _TIME_LABEL.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = re.sub(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"\s+([.,;:!?)])", r"\1", text)


def timestamp_seconds(timestamp: str) -> int:
    """Seconds of an 'H:MM:SS' (or 'M:SS', or 'S') display timestamp."""
    seconds = 0
    for part in timestamp.split(":"):
        seconds = seconds * 60 + int(part)
    return seconds


def resolve_stamps(stamps: list[str], *, stamp_format: str = "MM:SS:hh") -> list[int]:
    """Seconds of each of a note's stamps, given in document order.

    The rule: `A:B` is minutes:seconds and `A` seconds. `A:B:C` is minutes:seconds:
    hundredths (the seed's format; hundredths dropped) unless it is clearly past the hour:
    the stamp before it lies in the hour's last ten minutes (>= 50:00, or is itself past
    the hour) and reading `A:B:C` as hours:minutes:seconds carries on from it by at most
    15 minutes, as `01:00:27` does after `59:09:07` (3627 s, not 60 s). A note whose front
    matter says `timestamps: H:MM:SS` has every three-part stamp read as hours instead.
    """
    out: list[int] = []
    previous: int | None = None
    for stamp in stamps:
        parts = [int(p) for p in stamp.split(":")]
        if len(parts) == 1:
            seconds = parts[0]
        elif len(parts) == 2:
            seconds = parts[0] * 60 + parts[1]
        else:
            a, b, c = parts
            as_hours = a * 3600 + b * 60 + c
            clearly_past_the_hour = (
                previous is not None
                and previous >= LATE_IN_HOUR
                and a >= 1
                and b < 60
                and c < 60
                and previous <= as_hours <= previous + HOUR_RUN
            )
            hours = stamp_format == "H:MM:SS" or clearly_past_the_hour
            seconds = as_hours if hours else a * 60 + b
        out.append(seconds)
        previous = seconds
    return out


def display_time(seconds: int) -> str:
    """The way a video player shows a moment: '0:08', '40:11', '1:00:27'."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def video_url(video_id: str, seconds: int) -> str:
    """The YouTube link to `seconds` into the video."""
    return f"{YOUTUBE_WATCH}{video_id}&t={seconds}s"


def read_note(path: Path | str) -> Note:
    """Read and parse the note at `path`; NoteError if it is unreadable or malformed."""
    path = Path(path)
    return parse_note(_read_text(path), str(path))


def parse_note(text: str, filename: str) -> Note:
    """Parse a note's text; `filename` names it in errors.

    Raises NoteError (with file and line) for binary content, broken front matter, a
    missing title, a malformed videoId, url or timestamps setting, or a note with no
    advice at all.
    """
    lines = _lines(without_direction_controls(text), filename)
    meta, body_start = _front_matter(lines, filename)
    title = _meta_str(meta, "title", filename)
    if title is None:
        raise NoteError(filename, 1, _no_title_message(lines, body_start))
    video_id = _meta_str(meta, "videoId", filename)
    if video_id is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", video_id):
        raise NoteError(filename, 1, f"videoId {video_id!r} is not a YouTube video id")
    url = _meta_str(meta, "url", filename)
    if url is not None and (problem := link_problem(url)):
        raise NoteError(filename, 1, f"url {url!r} is not an http(s) link: the link {problem}")
    stamp_format = _meta_str(meta, "timestamps", filename) or STAMP_FORMATS[0]
    if stamp_format not in STAMP_FORMATS:
        raise NoteError(
            filename,
            1,
            f"timestamps {stamp_format!r} is not a stamp format: use "
            f"{' or '.join(STAMP_FORMATS)} (or leave it out for the seed's MM:SS:hh)",
        )
    slug = slugify(title) or slugify(_title_from_filename(filename)) or "note"
    body = _resolve_anchors(lines[body_start:], stamp_format, filename, first_line=body_start + 1)
    sections = _sections(lines[:body_start] + body, body_start, title)
    words = note_text(text)
    advice = _advice(sections, video_id, url, words)
    if not advice:
        raise NoteError(filename, body_start + 1, "no advice found (no headings, bullets or text)")
    return Note(
        title=title,
        video_id=video_id,
        slug=slug,
        advice=advice,
        file=filename,
        url=url,
        words=words,
    )


def read_meta(path: Path | str) -> dict:
    """Only the front matter of the note at `path` (cheap: the body is not parsed).

    Raises NoteError like `read_note` for unreadable files or broken front matter.
    """
    lines = _lines(_read_text(Path(path)), str(path))
    meta, _ = _front_matter(lines, str(path))
    return meta


def note_text(text: str) -> str:
    """A note's words with all markup stripped, for finding quotes in it.

    Front matter, heading hashes, bullet and quote markers, callout markers, anchors,
    wikilink brackets and emphasis go; whitespace collapses to single spaces. Every
    `Advice.quote` of the note is a substring of this text.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    try:
        _, start = _front_matter(lines, "")
    except NoteError:
        start = 0
    out = []
    for raw in lines[start:]:
        line = raw.expandtabs(4)
        while True:
            quote = _QUOTE.match(line)
            if quote is None:
                break
            line = quote.group("content")
        callout = _CALLOUT.match(line.strip())
        if callout is not None:
            line = callout.group("title")
        heading = _HEADING.match(line)
        if heading is not None:
            line = heading.group("title")
        bullet = _BULLET.match(line)
        if bullet is not None:
            line = bullet.group("body") or ""
        if _RULE.match(line):
            line = ""
        out.append(line)
    return plain_text("\n".join(out))


MAX_NOTE_BYTES = 5_000_000  # a long episode's note is ~50 KB; more is not a note


_NO_DIRECTION = str.maketrans({c: None for c in knowledge.DIRECTION_CONTROLS})


def without_direction_controls(text: str) -> str:
    """The text without direction controls (U+202E and kin): a note's words as they read.

    A tip may not hold them (`knowledge.DIRECTION_CONTROLS`), so a note's are dropped where
    it is read, for the tips built from it and the quotes checked against it alike.
    """
    return text.translate(_NO_DIRECTION)


def _read_text(path: Path) -> str:
    """A note's text. NoteError for what is not a readable, regular, note-sized UTF-8 file.

    A device or pipe (/dev/zero, /dev/stdin) is refused before reading: reading one would
    never end or would fill memory.
    """
    try:
        if not path.is_dir() and path.exists() and not path.is_file():
            # Checked before opening: opening a pipe waits for a writer.
            raise NoteError(
                str(path), 0, "cannot read: not a regular file (a device or pipe); give a note"
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_NOTE_BYTES + 1)
    except OSError as exc:
        raise NoteError(str(path), 0, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_NOTE_BYTES:
        raise NoteError(
            str(path),
            0,
            f"too big for a note (over {MAX_NOTE_BYTES:,} bytes): split it into several notes",
        )
    try:
        return without_direction_controls(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise NoteError(str(path), line, "not UTF-8 text (is this a Markdown note?)") from None


def _lines(text: str, filename: str) -> list[str]:
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise NoteError(filename, line, "contains NUL bytes: binary data, not a Markdown note")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _no_title_message(lines: list[str], body_start: int) -> str:
    """What to do about a note without a title, suggesting its first heading if it has one."""
    suggestion = "Your note's title"
    for line in lines[body_start:]:
        heading = _HEADING.match(line)
        if heading is not None and plain_text(heading.group("title")):
            suggestion = plain_text(heading.group("title"))
            break
    return (
        "no title: every note needs front matter with a title; start the file with "
        f"'---', 'title: {suggestion}', '---'"
    )


_DATA_T_VALUE = re.compile(r"\bdata-t\s*=\s*[\"']?(?P<raw>[^\"'\s>]*)", re.IGNORECASE)
_STAMP_FIELDS = {2: (None, 60), 3: (None, 60, 100)}  # upper bounds after the first field


def _check_stamp(raw: str, stamp: str, filename: str, line: int) -> None:
    """NoteError unless a data-t value is a whole stamp with fields in range (no 99:99:99)."""
    parts = stamp.split(":")
    bounds = _STAMP_FIELDS.get(len(parts), (None,))
    if raw == stamp and all(b is None or int(p) < b for p, b in zip(parts, bounds, strict=False)):
        return
    raise NoteError(
        filename,
        line,
        f"timestamp {raw!r} is not a time: write MM:SS:hh (minutes, seconds, hundredths) "
        "or H:MM:SS, with seconds below 60",
    )


def _resolve_anchors(
    lines: list[str], stamp_format: str, filename: str = "<note>", *, first_line: int = 1
) -> list[str]:
    """The body lines with each stamp's resolved seconds added to its anchor as data-s.

    NoteError, naming the line, for a stamp that is not a time (a seconds field of 60 or
    more, more than four digits, anything after the digits): guessing made links to
    nowhere ('99:99:99' became 1:40:39, '999999:00:00' became 2:46:39).
    """
    found = [(i, m) for i, line in enumerate(lines) for m in _DATA_T.finditer(line)]
    for index, match in found:
        value = _DATA_T_VALUE.search(lines[index], match.start())
        raw = value.group("raw") if value else match.group("t")
        _check_stamp(raw, match.group("t"), filename, first_line + index)
    seconds = resolve_stamps([m.group("t") for _, m in found], stamp_format=stamp_format)
    out = list(lines)
    # Replace from the end so earlier match offsets on the same line stay valid.
    for (index, match), second in reversed(list(zip(found, seconds, strict=True))):
        line = out[index]
        out[index] = f'{line[: match.end()]} data-s="{second}"{line[match.end() :]}'
    return out


def _front_matter(lines: list[str], filename: str) -> tuple[dict, int]:
    """The front matter mapping and the 0-based index of the first body line."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        raise NoteError(filename, 1, "front matter opened with '---' but never closed")
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else 1
        raise NoteError(filename, line, f"front matter: {exc.problem or 'invalid YAML'}") from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise NoteError(filename, 1, f"front matter: invalid YAML ({exc})") from None
    if meta is None:
        return {}, end + 1
    if not isinstance(meta, dict):
        raise NoteError(filename, 2, "front matter must be a mapping like 'title: ...'")
    return meta, end + 1


def _meta_str(meta: dict, key: str, filename: str) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise NoteError(filename, 1, f"front matter '{key}' must be text")
    value = re.sub(r"\s+", " ", without_direction_controls(str(value))).strip()
    return value or None


def _title_from_filename(filename: str) -> str:
    stem = Path(filename).stem if filename else ""
    return re.sub(r"[_\s]+", " ", stem).strip() or "Untitled note"


def _wikilink_label(match: re.Match) -> str:
    label = match.group("label")
    if label is not None and label.strip():
        return label
    return match.group("target").replace("_", " ")


@dataclass
class _Item:
    indent: int
    line: int
    lines: list[str]
    children: list[_Item] = field(default_factory=list)

    @property
    def raw(self) -> str:
        return " ".join(self.lines)

    def raw_all(self) -> str:
        """This item's text followed by its plain descendants' text (bold-lead ones are
        advice of their own)."""
        plain = [c.raw_all() for c in self.children if _split_lead(c.raw) is None]
        return " ".join([self.raw, *plain])


@dataclass
class _Section:
    title: str
    line: int
    paragraphs: list[tuple[str, int]] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)


class _Builder:
    """Turns note lines into sections of paragraphs and bullet trees."""

    def __init__(self, note_title: str):
        self.sections = [_Section(title=note_title, line=1)]
        self.current = self.sections[0]
        self.outer: _Section | None = None  # the section a callout interrupted
        self.stack: list[_Item] = []
        self.para: list[str] = []
        self.para_line = 0
        self.blank = True

    def flush_paragraph(self) -> None:
        if self.para:
            self.current.paragraphs.append((" ".join(self.para), self.para_line))
            self.para = []

    def close_all(self) -> None:
        self.flush_paragraph()
        self.stack = []

    def start_section(self, title: str, line: int) -> None:
        self.close_all()
        self.current = _Section(title=title, line=line)
        self.sections.append(self.current)

    def feed(self, raw: str, number: int) -> None:
        line = raw.expandtabs(4).rstrip()
        quote = _QUOTE.match(line)
        if self.outer is not None and quote is None:
            self.close_all()
            self.current, self.outer = self.outer, None
        if quote is not None:
            content = quote.group("content")
            callout = _CALLOUT.match(content.strip())
            if callout is not None:
                outer = self.outer or self.current
                title = plain_text(callout.group("title")) or callout.group("kind").capitalize()
                self.start_section(title, number)
                self.outer = outer
                self.blank = True
                return
            line = content
        self.feed_line(line, number)

    def feed_line(self, line: str, number: int) -> None:
        if not line.strip():
            self.flush_paragraph()
            self.blank = True
            return
        was_blank, self.blank = self.blank, False
        heading = _HEADING.match(line)
        if heading is not None:
            self.start_section(plain_text(heading.group("title")), number)
            self.blank = True
            return
        if _RULE.match(line):
            self.close_all()
            self.blank = True
            return
        bullet = _BULLET.match(line)
        if bullet is not None:
            self.flush_paragraph()
            body = (bullet.group("body") or "").strip()
            if not body:
                return
            item = _Item(indent=len(bullet.group("indent")), line=number, lines=[body])
            while self.stack and self.stack[-1].indent >= item.indent:
                self.stack.pop()
            if self.stack:
                self.stack[-1].children.append(item)
            else:
                self.current.items.append(item)
            self.stack.append(item)
            return
        indent = len(line) - len(line.lstrip(" "))
        if self.stack and (not was_blank or indent > self.stack[0].indent):
            owner = self.stack[-1]
            for item in reversed(self.stack):
                if item.indent < indent:
                    owner = item
                    break
            owner.lines.append(line.strip())
            return
        self.stack = []
        if self.current is self.sections[0] and _FROM.match(line.strip()):
            return
        if not self.para:
            self.para_line = number
        self.para.append(line.strip())


def _sections(lines: list[str], start: int, note_title: str) -> list[_Section]:
    builder = _Builder(note_title)
    for index in range(start, len(lines)):
        builder.feed(lines[index], index + 1)
    builder.close_all()
    return builder.sections


def _first_seconds(raw: str) -> int | None:
    """The resolved seconds of the first timestamp anchor in `raw` (see _resolve_anchors)."""
    match = _DATA_S.search(raw)
    return int(match.group("s")) if match else None


def _split_lead(raw: str) -> tuple[str, str] | None:
    """(bold lead, rest) of a bullet that starts with **bold**, else None."""
    match = _BOLD_LEAD.match(raw)
    if match is None:
        return None
    lead = plain_text(match.group("lead")).rstrip(":").strip()
    if not lead:
        return None
    return lead, match.group("rest")


def _body(rest: str) -> str:
    return re.sub(r"^[\s:.\-–—]+", "", plain_text(rest))


def _distinctive(raw: str) -> str:
    """A few words that tell a sub-bullet apart: a short quoted phrase, a link label, or
    its first content words."""
    text = plain_text(raw)
    for phrase in _QUOTED.findall(text):
        if 1 <= len(phrase.split()) <= 4 and slugify(phrase):
            return phrase.strip()
    for match in _WIKILINK.finditer(raw):
        label = _wikilink_label(match)
        if 1 <= len(label.split()) <= 4 and slugify(label):
            return label.strip()
    words = [
        w
        for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9'’-]*", text)
        if w.lower() not in _STOPWORDS and len(w) > 2
    ]
    return " ".join(words[:3]) or " ".join(text.split()[:3])


class _Entry(NamedTuple):
    """Advice before it gets a unique id; `raw` is searched for its timestamp, `pieces` are
    its words in note order (body, sub-bullets), from which its quote is made."""

    line: int
    base_id: str
    title: str
    text: str
    raw: str
    pieces: tuple[str, ...] = ()


class _Parent(NamedTuple):
    """The bold bullet (or section) a sub-bullet belongs to."""

    title: str
    slug: str
    raw: str


def _advice(
    sections: list[_Section], video_id: str | None, url: str | None, words: str
) -> list[Advice]:
    """Every entry of every section as Advice; `words` is the note's `note_text`."""
    advice: list[Advice] = []
    used: set[str] = set()
    has_stamps = any(
        _first_seconds(" ".join([p for p, _ in s.paragraphs] + [i.raw_all() for i in s.items]))
        is not None
        for s in sections
    )
    for section in sections:
        raw_all = [p for p, _ in section.paragraphs] + [i.raw_all() for i in section.items]
        section_time = _first_seconds(" ".join(raw_all))
        heading = _Parent(section.title, slugify(section.title), "")
        entries: list[_Entry] = []
        prose, pieces = _prose(section)
        if prose:
            raw = " ".join(p for p, _ in section.paragraphs)
            entries.append(
                _Entry(section.paragraphs[0][1], heading.slug, section.title, prose, raw, pieces)
            )
        for item in section.items:
            entries.extend(_item_entries(item, None, heading))
        for entry in sorted(entries, key=lambda e: e.line):
            advice_id = _unique(entry.base_id or "advice", used)
            seconds = _first_seconds(entry.raw)
            if seconds is None:
                seconds = section_time
            if seconds is None and has_stamps:
                seconds = 0
            link = video_url(video_id, seconds or 0) if video_id else url
            advice.append(
                Advice(
                    id=advice_id,
                    title=entry.title,
                    text=entry.text or entry.title,
                    section=section.title,
                    timestamp=display_time(seconds) if seconds is not None else "",
                    url=link,
                    line=entry.line,
                    seconds=seconds,
                    quote=_quote(entry.pieces or (entry.text or entry.title,), words),
                )
            )
    return advice


def _quote(pieces: tuple[str, ...], words: str) -> str:
    """The pieces as they stand in the note: adjacent ones joined by a space, pieces that
    are apart in the note joined by ' … '; pieces not found in `words` are left out."""
    runs: list[str] = []
    run = ""
    for piece in (p for p in pieces if p):
        if run and f"{run} {piece}" in words:
            run = f"{run} {piece}"
            continue
        if run:
            runs.append(run)
        run = piece if piece in words else ""
    if run:
        runs.append(run)
    return " … ".join(runs)


def _unique(base_id: str, used: set[str]) -> str:
    """`base_id`, or `base_id-2`, `-3`... whichever is not in `used` yet (then marked used)."""
    candidate, n = base_id, 1
    while candidate in used:
        n += 1
        candidate = f"{base_id[: MAX_ID - len(str(n)) - 1].rstrip('-')}-{n}"
    used.add(candidate)
    return candidate


def _prose(section: _Section) -> tuple[str, tuple[str, ...]]:
    """The section's paragraphs as one text, and as the pieces of its quote; a trailing
    'include:' lead-in is dropped (and a lone paragraph's colon becomes a full stop in
    the text, while the quote keeps the note's words without it)."""
    texts = [plain_text(p) for p, _ in section.paragraphs]
    texts = [t for t in texts if t]
    if len(texts) > 1 and texts[-1].endswith(":"):
        texts.pop()
    pieces = list(texts)
    if texts and texts[-1].endswith(":"):
        pieces[-1] = texts[-1][:-1].rstrip()
        texts[-1] = pieces[-1] + "."
    return " ".join(texts), tuple(pieces)


def _item_entries(item: _Item, parent: _Parent | None, heading: _Parent) -> list[_Entry]:
    """Advice entries of one bullet and its sub-bullets; `parent` is the enclosing bold
    bullet (None at top level)."""
    lead = _split_lead(item.raw)
    if lead is None:
        # A top-level plain bullet stands alone; deeper ones belong to their parent's text.
        return _child_entries(item, heading, heading) if parent is None else []
    title, rest = lead
    body = _body(rest)
    plain_children = [c for c in item.children if _split_lead(c.raw) is None]
    bold_children = [c for c in item.children if _split_lead(c.raw) is not None]
    own = _Parent(title, slugify(title), item.raw)
    entries: list[_Entry] = []
    if body:
        pieces = (body, *(p for c in plain_children for p in _pieces(c)))
        text = " ".join([body, *(plain_text(c.raw_all()) for c in plain_children)])
        raw = " ".join([item.raw, *(c.raw_all() for c in plain_children)])
        entries.append(_Entry(item.line, own.slug, title, text, raw, pieces))
    elif plain_children:
        for child in plain_children:
            entries.extend(_child_entries(child, own, heading))
    elif not bold_children:
        entries.append(_Entry(item.line, own.slug, title, title, item.raw, (title,)))
    for child in bold_children:
        entries.extend(_item_entries(child, own, heading))
    return entries


def _short_title(text: str, limit: int = 60) -> str:
    """The first sentence of `text`, cut to about `limit` characters at a word."""
    sentence = re.split(r"(?<=[.!?:;])\s", text, maxsplit=1)[0].rstrip(".!?:;")
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"


def _pieces(item: _Item) -> list[str]:
    """The plain text of a plain bullet and of its plain descendants, in note order."""
    return [
        plain_text(item.raw),
        *(p for c in item.children if _split_lead(c.raw) is None for p in _pieces(c)),
    ]


def _child_entries(item: _Item, parent: _Parent, heading: _Parent) -> list[_Entry]:
    """A plain bullet as its own advice, named after its parent plus its own words."""
    text = plain_text(item.raw_all())
    if not text:
        return []
    words = _distinctive(item.raw)
    word_slug = slugify(words, limit=MAX_ID - MAX_PARENT_PREFIX - 1)
    prefix = slugify(parent.slug, limit=MAX_PARENT_PREFIX)
    base_id = "-".join(p for p in (prefix, word_slug) if p)
    if parent.raw:
        title = f"{parent.title} ({words})" if words else parent.title
    else:
        # A bullet straight under a heading: its own first words say more than the heading.
        title = _short_title(text) or parent.title
    # Without a timestamp of its own, a sub-bullet points where its parent does.
    raw = f"{item.raw_all()} {parent.raw}"
    entries = [_Entry(item.line, base_id, title, text, raw, tuple(_pieces(item)))]
    for child in item.children:
        if _split_lead(child.raw) is not None:
            entries.extend(_item_entries(child, parent, heading))
    return entries
