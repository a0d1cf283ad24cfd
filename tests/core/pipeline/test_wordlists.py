"""The word lists under bot/core/data/: every entry does something, none is there twice.

An entry that changes nothing is a line nobody can safely remove later, so each kind of list
is checked for its own kind of no-op: a stop word the normaliser never sees, a synonym the
group would fold in anyway, a trigger whose terms another trigger already has.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from bot.core.pipeline import normalise, wordlists
from bot.core.pipeline.normalise import Normaliser
from bot.core.pipeline.wordlists import WordListError

LISTS = wordlists.shipped()
N = Normaliser(LISTS)
WORD = re.compile(r"^[^\W_]+(?:'[^\W_]+)*$")


def test_every_stop_word_is_a_word_the_normaliser_can_see():
    raw = [w for w in (wordlists.DATA / "stopwords.txt").read_text().split() if w != "#"]
    lines = [
        line.split("#")[0].strip()
        for line in (wordlists.DATA / "stopwords.txt").read_text().splitlines()
    ]
    entries = [e for e in lines if e]
    assert raw, "the list is read"
    dupes = [w for w, n in Counter(entries).items() if n > 1]
    assert dupes == [], f"duplicate stop words: {dupes}"
    unseen = [w for w in entries if not WORD.match(w) or normalise.words(w) != [w]]
    assert unseen == [], f"stop words words() never yields, so they change nothing: {unseen}"
    short = [w for w in entries if len(w) < 2 and not w.isdecimal()]
    assert short == [], f"one-letter words are dropped anyway: {short}"


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


def test_every_related_source_and_target_names_a_group():
    names = {N.group_of(g[0]) for g in LISTS.synonym_groups}
    for source, targets in LISTS.related.items():
        assert N.group_of(source) in names, f"related source {source!r} names no group"
        for target in targets:
            assert N.group_of(target) in names, f"{source!r} -> {target!r} names no group"
            assert N.group_of(target) != N.group_of(source), f"{source!r} related to itself"


def test_every_decline_trigger_has_terms_of_its_own():
    seen: dict[tuple[str, ...], str] = {}
    problems = []
    for topic in LISTS.decline_topics:
        for trigger in topic.triggers:
            terms = tuple(N.term_list(trigger))
            if not terms:
                problems.append(f"{trigger!r} ({topic.name}) is only stop words")
            elif terms in seen:
                problems.append(f"{trigger!r} ({topic.name}) normalises like {seen[terms]!r}")
            else:
                seen[terms] = trigger
    assert problems == [], problems


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
    stop = tmp_path / "stop.txt"
    stop.write_text("the\nTwo Words\n", encoding="utf-8")
    with pytest.raises(WordListError, match=r"stop.txt:2: 'Two Words'"):
        wordlists.load_stop_words(stop)
    topics = tmp_path / "topics.yaml"
    topics.write_text("topics:\n  pricing: {colour: red}\n", encoding="utf-8")
    with pytest.raises(WordListError, match=r"topics\[pricing\]: unknown field"):
        wordlists.load_decline_topics(topics)
    with pytest.raises(WordListError, match="cannot read"):
        wordlists.load_stop_words(tmp_path / "missing.txt")


def test_the_fingerprint_follows_the_lists_that_make_keys():
    same = wordlists.fingerprint(LISTS)
    assert wordlists.fingerprint(LISTS.replace()) == same
    fewer = LISTS.replace(stop_words=LISTS.stop_words - {"the"})
    assert wordlists.fingerprint(fewer) != same
    # Decline topics do not make keys: changing them keeps learned pairs' keys.
    assert wordlists.fingerprint(LISTS.replace(decline_topics=())) == same
