"""The team_tips tables: versions kept with who made them, stale saves refused."""

from __future__ import annotations

import pytest

from bot.store import StaleTipError, Store


def _tip(**changes) -> dict:
    tip = {
        "id": "price-outcomes",
        "title": "Price on outcomes",
        "text": "Charge for the result, not the tokens.",
        "tags": ["pricing"],
        "questions": ["how to price", "what to charge", "pricing model"],
        "source": {"note": "Team tip", "timestamp": "2026-11-28", "url": "https://x.test/"},
        "status": "curated",
    }
    return tip | changes


def test_every_version_is_kept_with_its_editor(store):
    first = store.save_team_tip(_tip(), user="U1", expected_version=0)
    second = store.save_team_tip(_tip(text="Charge per outcome."), user="U2", expected_version=1)
    assert (first["version"], second["version"]) == (1, 2)
    current = store.team_tip("price-outcomes")
    assert current["text"] == "Charge per outcome."
    assert current["questions"] == ["how to price", "what to charge", "pricing model"]
    assert (current["created_by"], current["updated_by"]) == ("U1", "U2")
    versions = store.team_tip_versions("price-outcomes")
    assert [(v["version"], v["edited_by"], v["text"]) for v in versions] == [
        (1, "U1", "Charge for the result, not the tokens."),
        (2, "U2", "Charge per outcome."),
    ]


def test_a_stale_save_writes_nothing(store):
    store.save_team_tip(_tip(), user="U1", expected_version=0)
    store.save_team_tip(_tip(status="gone"), user="U2", expected_version=1)
    with pytest.raises(StaleTipError) as caught:
        store.save_team_tip(_tip(text="late edit"), user="U3", expected_version=1)
    assert caught.value.current["status"] == "gone"
    assert store.team_tip("price-outcomes")["status"] == "gone"
    assert len(store.team_tip_versions("price-outcomes")) == 2


def test_a_new_tip_cannot_overwrite_one_saved_meanwhile(store):
    store.save_team_tip(_tip(), user="U1", expected_version=0)
    with pytest.raises(StaleTipError):
        store.save_team_tip(_tip(title="Other"), user="U2", expected_version=0)
    assert store.team_tip("price-outcomes")["title"] == "Price on outcomes"


def test_tips_and_revision_survive_reopening(db_path):
    store = Store.open(db_path)
    before = store.team_tips_revision()
    store.save_team_tip(_tip(), user="U1", expected_version=0)
    after = store.team_tips_revision()
    store.close()
    reopened = Store.open(db_path)
    try:
        assert after != before
        assert reopened.team_tips_revision() == after
        assert [row["id"] for row in reopened.team_tips()] == ["price-outcomes"]
    finally:
        reopened.close()
