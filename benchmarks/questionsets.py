"""The question sets the answer benchmarks and fits read, and which of them are held out.

Held out (NEVER tuned on; their figures are the headline, one table per surface):

* blind.yaml: 176 Slack messages, 44 per surface, written by a helper that had read only the
  note (no tips, no code), labelled with tip ids afterwards by another that changed no
  character (blind_raw.yaml is the file as written; a test checks the two agree);
* holdout.yaml: 130 `/aipm` questions written the same way an earlier round; older
  sessions read parts of it, so it is reported, not headlined.

Tuning (fit and tune on these freely):

* tuning.yaml: 226 Slack messages of the same four surfaces, written blind like blind.yaml;
* dev.yaml, own.yaml (marker groups) and tune.yaml (tip ids): `/aipm` questions;
* curated (LOQO): every curated question, asked of a base where it was taken off its tip.

A case: `q` (the message as typed), `surface` (slash, mention, dm, shortcut; slash when
absent), `kind` (answerable, not_covered, off_topic) and, for an answerable one, `ids` (the
right tips) or `want` (marker groups: regular expressions a right tip's title + text match).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from bot.core.knowledge import Tip
from bot.core.pipeline.answer import SLASH, SURFACES
from bot.slack.message_text import plain_question

QUESTIONS = Path(__file__).resolve().parent / "questions"
HELD_OUT = (QUESTIONS / "blind.yaml", QUESTIONS / "holdout.yaml")
HEADLINE = QUESTIONS / "blind.yaml"
TUNING = (
    QUESTIONS / "tuning.yaml",
    QUESTIONS / "dev.yaml",
    QUESTIONS / "own.yaml",
    QUESTIONS / "tune.yaml",
)
LOQO = "curated (LOQO)"
BOT_USER = "U0COACH"  # how the question sets write the bot's mention
KINDS = ("answerable", "not_covered", "off_topic")


class QuestionSetError(ValueError):
    """A question file is unreadable or malformed; the message names the file and case."""


@dataclass(frozen=True)
class Case:
    """One message and what a right answer to it is."""

    q: str
    surface: str = SLASH
    kind: str = "answerable"
    ids: tuple[str, ...] = ()
    want: tuple[re.Pattern, ...] = ()
    base: int | None = None  # LOQO: which per-case base this case is asked of

    @property
    def text(self) -> str:
        """The message as the bot reads it after the Slack adapter (`plain_question`)."""
        return plain_question(self.q, bot_user=BOT_USER)

    @property
    def answerable(self) -> bool:
        """Whether the note has advice for it (else the bot should decline)."""
        return self.kind == "answerable"

    def right(self, tip: Tip) -> bool:
        """Whether `tip` is a right answer."""
        if self.ids:
            return tip.id in self.ids
        body = f"{tip.title}\n{tip.text}"
        return any(p.search(body) for p in self.want)


@dataclass
class QuestionSet:
    """A named list of cases; a LOQO set also carries one base per case."""

    name: str
    cases: list[Case]
    held_out: bool = False
    bases: list[list[Tip]] | None = None

    def surfaces(self) -> list[str]:
        """The surfaces its cases come from, in SURFACES order."""
        present = {c.surface for c in self.cases}
        return [s for s in SURFACES if s in present]


def _case(path: Path, number: int, raw: object, groups: dict[str, re.Pattern]) -> Case:
    if not isinstance(raw, dict) or not isinstance(raw.get("q"), str):
        raise QuestionSetError(f"{path}: case #{number}: needs a 'q' string")
    q = raw["q"]
    surface = raw.get("surface", SLASH)
    if surface not in SURFACES:
        raise QuestionSetError(f"{path}: case #{number}: surface must be one of {SURFACES}")
    kind = raw.get("kind", "off_topic" if raw.get("none") else "answerable")
    if kind not in KINDS:
        raise QuestionSetError(f"{path}: case #{number} ({q!r}): kind must be one of {KINDS}")
    if kind != "answerable":
        return Case(q=q, surface=surface, kind=kind)
    if "ids" in raw:
        ids = raw["ids"]
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise QuestionSetError(f"{path}: case #{number} ({q!r}): ids must list tip ids")
        return Case(q=q, surface=surface, ids=tuple(ids))
    want = raw.get("want")
    names = [want] if isinstance(want, str) else list(want or [])
    unknown = [n for n in names if n not in groups]
    if not names or unknown:
        raise QuestionSetError(f"{path}: case #{number} ({q!r}): unknown groups {unknown}")
    return Case(q=q, surface=surface, want=tuple(groups[n] for n in names))


def load(path: Path, tip_ids: set[str] | None = None) -> QuestionSet:
    """Load one question set; with `tip_ids`, a case naming an unknown tip is an error.

    Raises QuestionSetError naming the file and case.
    """
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise QuestionSetError(f"{path}: cannot read question set: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise QuestionSetError(f"{path}: must be a mapping with a 'cases' list")
    groups = {}
    for name, pattern in (data.get("groups") or {}).items():
        try:
            groups[name] = re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise QuestionSetError(f"{path}: group {name}: bad regex: {exc}") from exc
    cases = [_case(path, n, raw, groups) for n, raw in enumerate(data["cases"], 1)]
    if tip_ids is not None:
        for number, case in enumerate(cases, 1):
            missing = [i for i in case.ids if i not in tip_ids]
            if missing:
                raise QuestionSetError(f"{path}: case #{number}: no live tip with id {missing}")
    held = Path(path).resolve() in {p.resolve() for p in HELD_OUT}
    return QuestionSet(name=Path(path).name, cases=cases, held_out=held)


def loqo(tips: list[Tip]) -> QuestionSet:
    """Every curated question, each asked of the base with that question taken off its tip."""
    cases: list[Case] = []
    bases: list[list[Tip]] = []
    for i, tip in enumerate(tips):
        for j, question in enumerate(tip.questions):
            held = replace(tip, questions=tip.questions[:j] + tip.questions[j + 1 :])
            cases.append(Case(q=question, ids=(tip.id,), base=len(bases)))
            bases.append(tips[:i] + [held] + tips[i + 1 :])
    return QuestionSet(name=LOQO, cases=cases, bases=bases)


def tuning_sets(tips: list[Tip]) -> list[QuestionSet]:
    """Every tuning set, LOQO last."""
    ids = {t.id for t in tips}
    return [load(p, ids) for p in TUNING] + [loqo(tips)]


def held_out_sets(tips: list[Tip]) -> list[QuestionSet]:
    """The held-out sets, headline first."""
    ids = {t.id for t in tips}
    return [load(p, ids) for p in HELD_OUT]
