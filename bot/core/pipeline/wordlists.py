"""The pipeline's word lists, read from data files under `bot/core/data/`.

* `stopwords.txt`: words that never decide a match;
* `synonyms.yaml`: groups of words and phrases that mean the same thing, and related groups;
* `decline_topics.yaml`: subjects the base has no advice on, each with example messages (for
  the semantic signal) and trigger phrases (matched on normalised terms).

Each loader raises `WordListError` naming the file and entry for a malformed file. Lists are
plain values, so a test or an ablation can pass its own (`WordLists.replace`).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent.parent / "data"


class WordListError(ValueError):
    """A word-list file is unreadable or malformed; the message names the file and entry."""


@dataclass(frozen=True)
class DeclineTopic:
    """A subject the base has no advice on: its name, example messages and trigger phrases."""

    name: str
    examples: tuple[str, ...] = ()
    triggers: tuple[str, ...] = ()


@dataclass(frozen=True)
class WordLists:
    """Every list the pipeline uses, as plain values."""

    stop_words: frozenset[str] = frozenset()
    synonym_groups: tuple[tuple[str, ...], ...] = ()
    related: dict[str, tuple[str, ...]] = field(default_factory=dict)
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


def load_stop_words(path: Path = DATA / "stopwords.txt") -> frozenset[str]:
    """One lowercase word per line; `#` starts a comment."""
    words = []
    for number, line in enumerate(_read(path).splitlines(), 1):
        word = line.split("#", 1)[0].strip()
        if not word:
            continue
        if word != word.lower() or " " in word:
            raise WordListError(f"{path}:{number}: {word!r}: one lowercase word per line")
        words.append(word)
    return frozenset(words)


def load_synonyms(
    path: Path = DATA / "synonyms.yaml",
) -> tuple[tuple[tuple[str, ...], ...], dict[str, tuple[str, ...]]]:
    """The synonym groups and the related-groups table."""
    data = _yaml(path)
    groups = data.get("groups") or []
    if not isinstance(groups, list):
        raise WordListError(f"{path}: groups: must be a list of lists")
    out = tuple(_strings(path, f"groups[{i}]", g) for i, g in enumerate(groups))
    related = data.get("related") or {}
    if not isinstance(related, dict):
        raise WordListError(f"{path}: related: must map a group to a list of groups")
    table = {str(k): _strings(path, f"related[{k}]", v) for k, v in related.items()}
    return out, table


def load_decline_topics(path: Path = DATA / "decline_topics.yaml") -> tuple[DeclineTopic, ...]:
    """The not-covered subjects, in file order."""
    data = _yaml(path)
    topics = data.get("topics")
    if not isinstance(topics, dict):
        raise WordListError(f"{path}: topics: must map a subject's name to its entries")
    out = []
    for name, entry in topics.items():
        if not isinstance(entry, dict):
            raise WordListError(f"{path}: topics[{name}]: must hold examples and/or triggers")
        unknown = set(entry) - {"examples", "triggers"}
        if unknown:
            raise WordListError(f"{path}: topics[{name}]: unknown field(s) {sorted(unknown)}")
        examples = _strings(path, f"topics[{name}].examples", entry.get("examples") or [])
        triggers = _strings(path, f"topics[{name}].triggers", entry.get("triggers") or [])
        if not examples and not triggers:
            raise WordListError(f"{path}: topics[{name}]: needs examples or triggers")
        out.append(DeclineTopic(str(name), examples, triggers))
    return tuple(out)


@cache
def shipped() -> WordLists:
    """The lists shipped with the bot, read once."""
    groups, related = load_synonyms()
    return WordLists(
        stop_words=load_stop_words(),
        synonym_groups=groups,
        related=related,
        decline_topics=load_decline_topics(),
    )


def fingerprint(lists: WordLists) -> str:
    """A short digest of the lists that decide a normalised key (stop words and synonyms)."""
    text = repr((sorted(lists.stop_words), lists.synonym_groups, sorted(lists.related.items())))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
