"""A team's own Markdown playbook (no video) builds into drafts that wait for review."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from bot.core import knowledge
from bot.notes.build import build
from bot.notes.grounding import check_grounding
from bot.notes.parser import read_note
from tests.helpers.notes import ROOT, run_cli_at

PLAYBOOK = ROOT / "docs" / "example-playbook.md"
PLAYBOOK_FILE = "shipping-llm-features-our-team-playbook.yaml"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A notes folder with the seed and the example playbook."""
    folder = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", folder)
    shutil.copy(PLAYBOOK, folder)
    return folder


def test_the_example_playbook_parses_headings_bullets_and_paragraphs():
    note = read_note(PLAYBOOK)
    assert note.video_id is None and note.url == "https://wiki.example.com/ai/playbook"
    advice = {a.id: a for a in note.advice}
    # A bullet with a bold lead, one without, a numbered one, a paragraph section.
    assert advice["write-the-failure-cases-first"].text.startswith("list five answers")
    plain = advice["before-you-build-agree-one-metric"]
    assert plain.title == "Agree on one metric the feature should move before anyone…"
    assert advice["label-with-the-people-who-know"].section == "Evaluations"
    assert advice["evaluations"].text.startswith("Keep a small evaluation set")
    assert all(a.url == note.url and a.timestamp == "" for a in note.advice)


def test_playbook_drafts_cite_title_link_and_quote_and_pass_check(tmp_path, seeds):
    kdir = tmp_path / "knowledge"
    report = build([seeds / PLAYBOOK.name], kdir)
    assert report.ok, report.format()
    tips = yaml.safe_load((kdir / PLAYBOOK_FILE).read_text(encoding="utf-8"))["tips"]
    assert {t["status"] for t in tips} == {"draft"}
    human = {t["id"]: t for t in tips}["keep-a-human-in-the-loop-for-risky-actions"]
    assert human["source"] == {
        "note": "Shipping LLM features, our team playbook",
        "url": "https://wiki.example.com/ai/playbook",
        "quote": "anything that sends money or email needs a person to confirm.",
    }
    assert human["kind"] == "practice"
    base = knowledge.load(kdir)
    assert check_grounding(base, seeds) == []
    assert base.live_tips == [] and len(base.drafts) == len(tips)


def test_drafts_are_listed_as_waiting_and_never_answered(tmp_path, seeds):
    kdir = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", kdir)
    env = {"COACH_KNOWLEDGE": str(kdir), "COACH_SEEDS": str(seeds)}
    built = run_cli_at(["knowledge", "build"], tmp_path, **env)
    assert built.returncode == 0, built.stderr
    assert "9 added" in built.stdout

    check = run_cli_at(["knowledge", "check"], tmp_path, **env)
    assert check.returncode == 0, check.stderr
    assert "27 served, 9 draft(s) waiting for review" in check.stdout

    listed = run_cli_at(["knowledge", "list"], tmp_path, **env).stdout
    assert "write-the-failure-cases-first [draft: waiting for review]:" in listed
    assert "36 tips, 9 waiting for review (not served)" in listed

    asked = run_cli_at(
        ["ask", "--json", "should we write the failure cases first before building"],
        tmp_path,
        **env,
    )
    answer = json.loads(asked.stdout)
    drafts = {t.id for t in knowledge.load(kdir).drafts}
    assert not {m["id"] for m in answer["matches"]} & drafts

    tip = run_cli_at(["tip"], tmp_path, **env)
    assert tip.returncode == 0, tip.stderr
    served = {t.title for t in knowledge.load(kdir).live_tips}
    assert tip.stdout.splitlines()[0] in served


def test_a_base_of_drafts_only_answers_nothing_and_has_no_tip(tmp_path, seeds):
    kdir = tmp_path / "knowledge"
    assert build([seeds / PLAYBOOK.name], kdir).ok
    env = {"COACH_KNOWLEDGE": str(kdir), "COACH_SEEDS": str(seeds)}
    asked = run_cli_at(["ask", "--json", "write the failure cases first"], tmp_path, **env)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["answered"] is False
    tip = run_cli_at(["tip"], tmp_path, **env)
    assert tip.returncode == 1
    assert "no live tips" in tip.stderr


def test_a_playbook_without_a_title_is_refused_naming_the_file(tmp_path):
    note = tmp_path / "playbook.md"
    note.write_text(PLAYBOOK.read_text(encoding="utf-8").split("---\n", 2)[2], encoding="utf-8")
    result = run_cli_at(
        ["knowledge", "build", str(note)], tmp_path, COACH_KNOWLEDGE=str(tmp_path / "k")
    )
    assert result.returncode == 1
    assert f"{note}:1: no title" in result.stdout + result.stderr
    assert "title: Shipping LLM features" in result.stdout + result.stderr
    assert not (tmp_path / "k").exists() or not list((tmp_path / "k").iterdir())
