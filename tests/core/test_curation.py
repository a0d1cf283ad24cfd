"""Curation: forms checked with knowledge check's rules, saves served at once, gaps closed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.core import curation, knowledge
from bot.core.curation import TipForm
from bot.core.library import Library
from bot.store import StaleTipError

URL = "https://acme.slack.com/app_redirect?app=A1"
PRICING = TipForm(
    title="Price AI features on outcomes",
    text="Charge for the *result* the customer gets, not for tokens.",
    questions="how should I price an AI feature\nwhat pricing model for LLM features\n"
    "how do we charge for AI",
    tags="pricing, monetisation",
    kind="practice",
)
QUESTION = "how do I price my AI feature"


@pytest.fixture
def library(knowledge_dir, store):
    return Library(knowledge_dir, team=store)


def _check(library, form, **kw):
    return curation.check_form(form, library.current, default_url=URL, **kw)


def test_a_valid_form_becomes_a_tip_with_a_fresh_id_and_team_source(library):
    result = _check(library, PRICING, today=dt.date(2026, 11, 28))
    assert result.errors == {}
    tip = result.tip
    assert tip.id == "price-ai-features-on-outcomes"
    assert tip.tags == ("pricing", "monetisation")
    assert (tip.source.note, tip.source.timestamp, tip.source.url) == (
        "Team tip",
        "2026-11-28",
        URL,
    )


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"title": ""}, "title", "non-empty"),
        ({"title": "x" * 151}, "title", "at most 150"),
        ({"text": ""}, "text", "non-empty"),
        ({"text": "y" * 601}, "text", "at most 600"),
        ({"questions": "one\ntwo"}, "questions", "at least 3"),
        ({"text": "Tell <!channel> now"}, "text", "notify"),
        ({"title": "Hi <@U123>"}, "title", "notify"),
        ({"link": "ftp://nope"}, "link", "http"),
        ({"kind": ""}, "kind", "Pick one"),
        ({"kind": "opinion"}, "kind", "Unknown kind"),
        ({"title": "Set up evals before you ship"}, "title", "already has this title"),
    ],
)
def test_bad_fields_are_named(library, changes, field, words):
    base = {**PRICING.__dict__, **changes}
    if field == "title" and "already" in words:
        base["title"] = next(iter(library.current.base)).title.upper()
    result = _check(library, TipForm(**base))
    assert result.tip is None
    assert field in result.errors
    assert words in result.errors[field]


def test_the_same_rules_as_knowledge_check(library):
    too_long = TipForm(**{**PRICING.__dict__, "text": "z" * 601})
    form_error = _check(library, too_long).errors["text"]
    _, problems = knowledge.check_tip(
        {
            "id": "a",
            "title": "t",
            "text": "z" * 601,
            "tags": ["x"],
            "questions": ["a", "b", "c"],
            "source": {"note": "n", "timestamp": "1", "url": "https://x"},
        },
        file="f",
    )
    assert problems[0].message.lower() == form_error.lower()


def test_a_saved_tip_answers_at_once_and_survives_a_restart(knowledge_dir, store, library):
    assert not library.engine.answer(QUESTION).answered
    tip = _check(library, PRICING).tip
    snapshot = curation.save(store, library, tip, user="U1", expected_version=0)
    answer = library.engine.answer(QUESTION)
    assert answer.answered and answer.matches[0][0].id == tip.id
    assert snapshot.is_team(tip.id)
    restarted = Library(knowledge_dir, team=store)
    assert restarted.engine.answer(QUESTION).matches[0][0].id == tip.id
    assert tip.id in [t.id for t in restarted.base.live_tips]


def test_another_process_save_is_noticed_by_changed(knowledge_dir, store, library):
    other = Library(knowledge_dir, team=store)
    assert not other.changed()
    curation.save(store, library, _check(library, PRICING).tip, user="U1", expected_version=0)
    assert other.changed()
    assert other.reload_if_changed()
    assert other.engine.answer(QUESTION).answered


def test_editing_a_yaml_tip_overrides_it_and_keeps_its_source(store, library):
    yaml_tip = next(iter(library.current.base))
    form = TipForm.from_tip(yaml_tip, link=False)
    form = TipForm(**{**form.__dict__, "text": "A sharper version of the advice."})
    result = _check(library, form, tip_id=yaml_tip.id)
    assert result.errors == {}
    curation.save(store, library, result.tip, user="U9", expected_version=0)
    served = library.base.get(yaml_tip.id)
    assert served.text == "A sharper version of the advice."
    assert served.source == yaml_tip.source
    assert [t.id for t in library.base].count(yaml_tip.id) == 1
    assert store.team_tip(yaml_tip.id)["origin"] == "yaml"


def test_retire_stops_serving_and_a_stale_edit_is_refused(store, library):
    tip = _check(library, PRICING).tip
    curation.save(store, library, tip, user="U1", expected_version=0)
    edit = _check(library, PRICING, tip_id=tip.id).tip
    curation.retire(store, library, tip.id, user="U2", expected_version=1)
    assert tip.id not in [t.id for t in library.base.live_tips]
    assert library.engine.answer(QUESTION).matches[:1] == [] or (
        library.engine.answer(QUESTION).matches[0][0].id != tip.id
    )
    with pytest.raises(StaleTipError):
        curation.save(store, library, edit, user="U1", expected_version=1)
    assert store.team_tip(tip.id)["status"] == "gone"
    assert "retired" in _check(library, PRICING, tip_id=tip.id).errors["title"]


def test_a_new_tip_tells_everyone_waiting_once_and_closes_the_gap(store, library):
    store.add_gap("how do I price my AI feature", "ai featur price")
    curation.wait_for_tip(store, "How do I price my AI feature?", "U1")
    curation.wait_for_tip(store, "how do i price my ai feature", "U2")
    curation.wait_for_tip(store, "what is the best pizza", "U3")
    tip = _check(library, PRICING).tip
    snapshot = curation.save(store, library, tip, user="U9", expected_version=0)
    notices = curation.close_answered_gaps(store, snapshot, tip)
    assert sorted(n.user for n in notices) == ["U1", "U2"]
    assert all(n.tip.id == tip.id for n in notices)
    sent = []
    told = curation.tell_waiters(
        store, notices, lambda n: sent.append(n.user) or True, owner="A", lease=60
    )
    assert told == 2 and sorted(sent) == ["U1", "U2"]
    again = curation.close_answered_gaps(store, snapshot, tip)
    assert curation.tell_waiters(store, again, lambda n: True, owner="A", lease=60) == 0
    assert [r["question"] for r in store.open_gaps()] == ["what is the best pizza"]


def test_a_dm_surely_not_sent_leaves_the_person_waiting(store, library):
    curation.wait_for_tip(store, "How do I price my AI feature?", "U1")
    tip = _check(library, PRICING).tip
    snapshot = curation.save(store, library, tip, user="U9", expected_version=0)
    notices = curation.close_answered_gaps(store, snapshot, tip)
    assert curation.tell_waiters(store, notices, lambda n: False, owner="A", lease=60) == 0
    assert [n.user for n in curation.waiting_notices(store, snapshot)] == ["U1"]


def test_export_passes_knowledge_check_and_is_not_served_twice(knowledge_dir, store, library):
    tip = _check(library, PRICING).tip
    curation.save(store, library, tip, user="U1", expected_version=0)
    yaml_tip = next(iter(library.current.base))
    edit = _check(library, TipForm.from_tip(yaml_tip), tip_id=yaml_tip.id).tip
    curation.save(store, library, edit, user="U1", expected_version=0)
    text, count = curation.export_yaml(store)
    assert count == 1
    (knowledge_dir / "team.yaml").write_text(text, encoding="utf-8")
    loaded = knowledge.load(knowledge_dir)
    assert loaded.get(tip.id) is not None
    merged = Library(knowledge_dir, team=store)
    ids = [t.id for t in merged.base]
    assert ids.count(tip.id) == 1 and ids.count(yaml_tip.id) == 1
    assert len(merged.engine.tips) == len(set(t.id for t in merged.engine.tips))


def test_a_yaml_tip_taking_a_team_tips_id_is_logged(knowledge_dir, store, library, caplog):
    tip = _check(library, PRICING).tip
    curation.save(store, library, tip, user="U1", expected_version=0)
    text, _ = curation.export_yaml(store)
    (knowledge_dir / "clash.yaml").write_text(text.replace(tip.title, "Something else"))
    Library(knowledge_dir, team=store)
    assert f"team tip '{tip.id}' hides a different YAML tip" in caplog.text


def test_exported_team_tips_stand_on_their_link_not_a_seed_note(knowledge_dir, store, library):
    from bot.notes.grounding import check_grounding

    tip = _check(library, PRICING).tip
    curation.save(store, library, tip, user="U1", expected_version=0)
    text, _ = curation.export_yaml(store)
    (knowledge_dir / "team.yaml").write_text(text, encoding="utf-8")
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    assert check_grounding(knowledge.load(knowledge_dir), seeds) == []
    (knowledge_dir / "team.yaml").write_text(text.replace(f"url: {URL}", ""), encoding="utf-8")
    [problem] = check_grounding(knowledge.load(knowledge_dir), seeds)
    assert (problem.tip_id, problem.field) == (tip.id, "source.url")


def test_retiring_twice_changes_nothing_the_second_time(store, library):
    tip = _check(library, PRICING).tip
    curation.save(store, library, tip, user="U1", expected_version=0)
    assert curation.retire(store, library, tip.id, user="U1", expected_version=1) is not None
    assert curation.retire(store, library, tip.id, user="U1", expected_version=2) is None
    assert len(store.team_tip_versions(tip.id)) == 2
