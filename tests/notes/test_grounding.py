"""Every tip stands on its note: `bot.notes.grounding` and `python -m bot knowledge check`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.core import knowledge
from bot.notes.grounding import check_grounding, missing_passages, normalize, passages
from tests.helpers.notes import ROOT, run_cli_at  # noqa: F401

SEEDS = ROOT / "seeds"
SEED_FILE = "ai-product-management-and-its-future.yaml"
IKEA_LINE = (
    "Successful AI products often leave some control to the user, similar to the Betty "
    "Crocker cake mix example where adding eggs made the product more appealing."
)


@pytest.fixture
def base_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped knowledge folder."""
    target = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", target)
    return target


def edit_tip(folder: Path, tip_id: str, edit) -> None:
    path = folder / SEED_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    (tip,) = [t for t in data["tips"] if t["id"] == tip_id]
    edit(tip)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_the_shipped_base_stands_on_its_note():
    base = knowledge.load(ROOT / "knowledge")
    assert check_grounding(base, SEEDS) == []
    assert all(t.kind in knowledge.KINDS and t.source.quote for t in base)
    ikea = base.get("the-ikea-effect")
    assert ikea.source.url.endswith("&t=2411s") and ikea.source.timestamp == "40:11"


def test_quote_passages_and_normalizing():
    assert passages("one two three … four five six...seven") == [
        "one two three",
        "four five six",
        "seven",
    ]
    assert normalize("it’s  “magic” .") == 'it\'s "magic".'
    words = 'Be curious. It\'s a "magic" product. Ship it.'
    assert missing_passages("It’s a “magic” product … Ship it.", words) == []
    assert missing_passages("Be curious … Ship it now.", words) == ["Ship it now."]


def test_a_quote_the_note_does_not_say_is_named_by_file_tip_and_field(base_copy):
    edit_tip(
        base_copy, "the-ikea-effect", lambda t: t["source"].update(quote=IKEA_LINE + " Always.")
    )
    (problem,) = check_grounding(knowledge.load(base_copy), SEEDS)
    assert problem.tip_id == "the-ikea-effect"
    assert problem.field == "source.quote"
    assert problem.file == str(base_copy / SEED_FILE)
    assert problem.line > 1
    assert f"not found in {SEEDS / '000_0913ffb8f7ee8db0.txt'}" in problem.message
    assert "word for word" in problem.message


def test_two_passages_joined_by_an_ellipsis_pass(base_copy):
    quote = f"{IKEA_LINE} … People feel more empowered when they have an impact"
    edit_tip(base_copy, "the-ikea-effect", lambda t: t["source"].update(quote=quote))
    assert check_grounding(knowledge.load(base_copy), SEEDS) == []


def test_missing_quote_and_kind_are_reported_but_gone_tips_are_skipped(base_copy):
    edit_tip(base_copy, "hackathons", lambda t: (t["source"].pop("quote"), t.pop("kind")))
    edit_tip(base_copy, "be-a-wanderer", lambda t: t.update(status="gone", kind="concept"))
    edit_tip(base_copy, "be-a-wanderer", lambda t: t["source"].update(quote="gone from the note"))
    problems = check_grounding(knowledge.load(base_copy), SEEDS)
    assert [(p.tip_id, p.field) for p in problems] == [
        ("hackathons", "kind"),
        ("hackathons", "source.quote"),
    ]
    assert "missing" in problems[1].message and "word for word" in problems[1].message


def test_a_note_that_is_not_in_the_notes_folder_names_coach_seeds(base_copy, tmp_path):
    problems = check_grounding(knowledge.load(base_copy), tmp_path / "nowhere")
    assert len(problems) == len(knowledge.load(base_copy))
    assert {p.field for p in problems} == {"source.note"}
    assert "does not exist" in problems[0].message and "COACH_SEEDS" in problems[0].message


def test_knowledge_check_fails_on_a_bad_quote_and_writes_nothing(base_copy, tmp_path):
    edit_tip(base_copy, "hackathons", lambda t: t["source"].update(quote="Hackathons are fun."))
    before = (base_copy / SEED_FILE).read_bytes()
    result = run_cli_at(["knowledge", "check"], tmp_path, COACH_KNOWLEDGE=str(base_copy))
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{base_copy / SEED_FILE}:")
    assert "tip 'hackathons' field 'source.quote': not found in seeds/" in first
    assert "1 problem(s)" in result.stderr
    assert (base_copy / SEED_FILE).read_bytes() == before


def test_knowledge_check_fails_on_an_unknown_kind_listing_the_allowed_ones(base_copy, tmp_path):
    edit_tip(base_copy, "hackathons", lambda t: t.update(kind="tactic"))
    result = run_cli_at(["knowledge", "check"], tmp_path, COACH_KNOWLEDGE=str(base_copy))
    assert result.returncode == 1
    assert (
        "tip 'hackathons' field 'kind': unknown kind 'tactic': use one of practice, concept, "
        "career" in result.stderr
    )


def test_knowledge_check_finds_notes_through_coach_seeds(base_copy, tmp_path):
    elsewhere = tmp_path / "notes"
    shutil.copytree(SEEDS, elsewhere)
    ok = run_cli_at(
        ["knowledge", "check"],
        tmp_path,
        COACH_KNOWLEDGE=str(base_copy),
        COACH_SEEDS=str(elsewhere),
    )
    assert ok.returncode == 0, ok.stderr
    assert "27 tips OK, every quote found in its note" in ok.stdout
    missing = run_cli_at(
        ["knowledge", "check"],
        tmp_path,
        COACH_KNOWLEDGE=str(base_copy),
        COACH_SEEDS=str(tmp_path / "empty"),
    )
    assert missing.returncode == 1
    assert "set COACH_SEEDS" in missing.stderr


@pytest.mark.parametrize("quote", ["…", " … ", "...", ". . .", "… …"])
def test_a_quote_of_nothing_but_ellipses_is_missing_not_found(base_copy, quote):
    # '…' split into no passages, so every passage "was found": the check passed.
    edit_tip(base_copy, "the-ikea-effect", lambda t: t["source"].update(quote=quote))
    problems = check_grounding(knowledge.load(base_copy), SEEDS)
    assert [(p.tip_id, p.field) for p in problems] == [("the-ikea-effect", "source.quote")]


def test_a_quote_in_decomposed_unicode_is_found_in_a_composed_note():
    # An editor that saves NFD ('e' + combining accent) must not make a verbatim quote fail.
    note = "The café team shipped it. Über-fast."
    decomposed = "The cafe\u0301 team shipped it. U\u0308ber-fast."
    assert missing_passages(decomposed, note) == []
    assert missing_passages(note, decomposed) == []
