"""The word lists under bot/core/data/: every entry does something, none is there twice.

An entry that changes nothing is a line nobody can safely remove later: a synonym the group
would fold in anyway, an example listed twice. What each entry earns is in the ablation.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.core.pipeline import normalise, wordlists
from bot.core.pipeline.normalise import Normaliser
from bot.core.pipeline.wordlists import WordListError

LISTS = wordlists.shipped()
N = Normaliser(LISTS)


def test_no_synonym_phrase_is_listed_twice():
    phrases = [tuple(normalise.words(p)) for g in LISTS.synonym_groups for p in g]
    dupes = [" ".join(p) for p, n in Counter(phrases).items() if n > 1]
    assert dupes == [], f"listed twice (in one group or two): {dupes}"


def test_every_synonym_entry_changes_what_its_words_become():
    # Without the entry, its words must no longer land on the group's term; else it is
    # folded in anyway (a plural of another entry, a form the group already matches).
    noops = []
    for gi, group in enumerate(LISTS.synonym_groups):
        canonical = N.group_of(group[0])
        for pi, phrase in enumerate(group):
            if pi == 0:
                continue
            fewer = list(LISTS.synonym_groups)
            fewer[gi] = tuple(p for j, p in enumerate(group) if j != pi)
            without = Normaliser(LISTS.replace(synonym_groups=tuple(fewer)))
            if without.term_list(phrase) == [canonical]:
                noops.append(f"{phrase!r} in group {group[0]!r}")
    assert noops == [], f"entries that change nothing: {noops}"


def test_every_decline_topic_has_examples_and_none_is_repeated():
    examples = [e.lower() for t in LISTS.decline_topics for e in t.examples]
    assert [e for e, n in Counter(examples).items() if n > 1] == []
    assert all(t.examples for t in LISTS.decline_topics), "each subject needs example messages"
    names = [t.name for t in LISTS.decline_topics]
    assert len(names) == len(set(names))


def test_a_malformed_list_file_names_the_file_and_the_entry(tmp_path: Path):
    bad = tmp_path / "synonyms.yaml"
    bad.write_text("groups:\n  - [llm, 5]\n", encoding="utf-8")
    with pytest.raises(WordListError, match=r"synonyms.yaml: groups\[0\]"):
        wordlists.load_synonyms(bad)
    bad.write_text("groups: [\n", encoding="utf-8")
    with pytest.raises(WordListError, match=r"synonyms.yaml:\d+:\d+: not valid YAML"):
        wordlists.load_synonyms(bad)
    topics = tmp_path / "topics.yaml"
    topics.write_text("topics:\n  pricing: {colour: red}\n", encoding="utf-8")
    with pytest.raises(WordListError, match=r"topics\[pricing\]: unknown field"):
        wordlists.load_decline_topics(topics)
    topics.write_text("topics:\n  pricing: {}\n", encoding="utf-8")
    with pytest.raises(WordListError, match=r"topics\[pricing\]: needs examples"):
        wordlists.load_decline_topics(topics)
    with pytest.raises(WordListError, match="cannot read"):
        wordlists.load_synonyms(tmp_path / "missing.yaml")


def test_the_fingerprint_follows_the_lists_that_make_keys():
    same = wordlists.fingerprint(LISTS)
    assert wordlists.fingerprint(LISTS.replace()) == same
    fewer = LISTS.replace(synonym_groups=LISTS.synonym_groups[1:])
    assert wordlists.fingerprint(fewer) != same
    # Decline topics do not make keys: changing them keeps learned pairs' keys.
    assert wordlists.fingerprint(LISTS.replace(decline_topics=())) == same
