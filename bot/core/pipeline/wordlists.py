"""The pipeline's word lists, read from data files under `bot/core/data/`.

* `synonyms.yaml`: groups of words and phrases that mean the same thing;
* `decline_topics.yaml`: subjects the base has no advice on, each with example messages that
  the sentence encoder compares with a message.

A stop-word list, related groups and trigger phrases were measured and removed: on the tuning
sets each cost more right answers than it earned (docs/benchmarks.md, the ablation).

Each loader raises `WordListError` naming the file and entry for a malformed file. Lists are
plain values, so a test or an ablation can pass its own (`WordLists.replace`).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent.parent / "data"


class WordListError(ValueError):
    """A word-list file is unreadable or malformed; the message names the file and entry."""


@dataclass(frozen=True)
class DeclineTopic:
    """A subject the base has no advice on: its name and example messages about it."""

    name: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class WordLists:
    """Every list the pipeline uses, as plain values."""

    synonym_groups: tuple[tuple[str, ...], ...] = ()
    decline_topics: tuple[DeclineTopic, ...] = ()

    def replace(self, **changes) -> WordLists:
        """A copy with some lists replaced (for tests and ablations)."""
        return dataclasses.replace(self, **changes)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WordListError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(_read(path))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise WordListError(f"{path}{where}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise WordListError(f"{path}: must be a mapping")
    return data


def _strings(path: Path, where: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise WordListError(f"{path}: {where}: must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def load_synonyms(path: Path = DATA / "synonyms.yaml") -> tuple[tuple[str, ...], ...]:
    """The synonym groups, each a tuple of words or phrases (the first names the group)."""
    data = _yaml(path)
    unknown = set(data) - {"groups"}
    if unknown:
        raise WordListError(f"{path}: unknown field(s) {sorted(unknown)}")
    groups = data.get("groups") or []
    if not isinstance(groups, list):
        raise WordListError(f"{path}: groups: must be a list of lists")
    return tuple(_strings(path, f"groups[{i}]", g) for i, g in enumerate(groups))


def load_decline_topics(path: Path = DATA / "decline_topics.yaml") -> tuple[DeclineTopic, ...]:
    """The not-covered subjects, in file order."""
    data = _yaml(path)
    topics = data.get("topics")
    if not isinstance(topics, dict):
        raise WordListError(f"{path}: topics: must map a subject's name to its entries")
    out = []
    for name, entry in topics.items():
        if not isinstance(entry, dict):
            raise WordListError(f"{path}: topics[{name}]: must hold examples")
        unknown = set(entry) - {"examples"}
        if unknown:
            raise WordListError(f"{path}: topics[{name}]: unknown field(s) {sorted(unknown)}")
        examples = _strings(path, f"topics[{name}].examples", entry.get("examples") or [])
        if not examples:
            raise WordListError(f"{path}: topics[{name}]: needs examples")
        out.append(DeclineTopic(str(name), examples))
    return tuple(out)


@cache
def shipped() -> WordLists:
    """The lists shipped with the bot, read once."""
    return WordLists(synonym_groups=load_synonyms(), decline_topics=load_decline_topics())


def fingerprint(lists: WordLists) -> str:
    """A short digest of the lists that decide a normalised key (the synonym groups)."""
    text = repr(lists.synonym_groups)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
