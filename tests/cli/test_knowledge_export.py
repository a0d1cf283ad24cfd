"""`knowledge export PATH` never replaces the live database, nor a device, pipe or socket."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.helpers.export import TARGETS
from tests.helpers.processes import bot_env, run_cli


@pytest.mark.parametrize("target", TARGETS.values(), ids=TARGETS.keys())
def test_knowledge_export_over_the_live_database_is_refused(tmp_path, target):
    env = bot_env(tmp_path)
    db = tmp_path / "coach.db"
    assert run_cli(["subscribe", "--channel", "C0123456"], env).returncode == 0
    result = run_cli(["knowledge", "export", str(target(db))], env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "live database" in result.stderr and "Traceback" not in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT channel FROM subscriptions").fetchall() == [("C0123456",)]


def test_knowledge_export_refuses_a_pipe_and_leaves_it_a_pipe(tmp_path):
    # A device (/dev/stdout, /dev/full) is the same case; a FIFO can be made safely in a test.
    env = bot_env(tmp_path)
    assert run_cli(["subscriptions"], env).returncode == 0
    pipe = tmp_path / "out.yaml"
    os.mkfifo(pipe)
    result = run_cli(["knowledge", "export", str(pipe)], env)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "not a regular file" in result.stderr
    assert Path(pipe).is_fifo()
    assert not (tmp_path / "out.yaml.partial").exists()


def test_a_team_tip_that_no_longer_passes_check_is_named_with_how_to_fix_it(tmp_path):
    # Rules tighten (Kind became required): a tip saved before then must not make export
    # blame the knowledge folder, and no half-valid file may be written.
    from bot.store import Store

    env = bot_env(tmp_path)
    store = Store.open(tmp_path / "coach.db")
    source = {"note": "Team tip", "timestamp": "2026-11-01", "url": "https://acme.slack.com/"}
    store.save_team_tip(
        {
            "id": "saved-before-kinds",
            "title": "Saved before kinds",
            "text": "Do the thing.",
            "tags": ["x"],
            "questions": ["how do I do it", "what is the thing", "should we do it"],
            "source": source,
            "status": "curated",
            "kind": None,
        },
        user="U1",
        expected_version=0,
    )
    store.close()
    out = tmp_path / "team.yaml"
    result = run_cli(["knowledge", "export", str(out)], env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "saved-before-kinds" in result.stderr and "Library" in result.stderr
    assert "knowledge base in" not in result.stderr and "Traceback" not in result.stderr
    assert not out.exists() and not (tmp_path / "team.yaml.partial").exists()


def _team_tip(store, tip_id: str = "our-first-tip") -> None:
    store.save_team_tip(
        {
            "id": tip_id,
            "title": "Our first tip",
            "text": "Write the failure cases first.",
            "tags": ["evals"],
            "questions": ["how do we start evals", "what to write first", "failure cases"],
            "source": {
                "note": "Team tip",
                "timestamp": "2026-11-01",
                "url": "https://a.slack.com/",
            },
            "status": "curated",
            "kind": "practice",
        },
        user="U1",
        expected_version=0,
    )


def test_export_over_a_shipped_knowledge_file_is_refused_without_force(cli, tmp_path):
    # Issue 20 item 3: 27 curated tips were silently replaced by 1 team tip.
    from bot.store import Store

    store = Store.open(tmp_path / "coach.db")
    _team_tip(store)
    store.close()
    shipped = tmp_path / "base.yaml"
    shipped.write_bytes(
        (
            Path(__file__).parents[2] / "knowledge/ai-product-management-and-its-future.yaml"
        ).read_bytes()
    )
    before = shipped.read_bytes()
    result = cli("knowledge", "export", shipped)
    assert result.code == 2, result.out + result.err
    assert "not exported team tips" in result.err and "--force" in result.err
    assert "Nothing was written" in result.err
    assert shipped.read_bytes() == before
    assert cli("knowledge", "export", shipped, "--force").code == 0
    assert "our-first-tip" in shipped.read_text() and "the-ikea-effect" not in shipped.read_text()


@pytest.mark.parametrize("content", ["just some notes\n- not: [knowledge\n", "a: 1\n", "tips: 3\n"])
def test_export_over_a_file_that_is_not_knowledge_is_refused(cli, tmp_path, content):
    from bot.store import Store

    Store.open(tmp_path / "coach.db").close()
    other = tmp_path / "notes.yaml"
    other.write_text(content)
    result = cli("knowledge", "export", other)
    assert result.code == 2 and "--force" in result.err
    assert other.read_text() == content


def test_export_replaces_an_earlier_export_of_team_tips(cli, tmp_path):
    from bot.store import Store

    store = Store.open(tmp_path / "coach.db")
    _team_tip(store)
    store.close()
    out = tmp_path / "team-tips.yaml"
    assert cli("knowledge", "export", out).code == 0
    first = out.read_text()
    store = Store.open(tmp_path / "coach.db")
    _team_tip(store, "our-second-tip")
    store.close()
    result = cli("knowledge", "export", out)
    assert result.code == 0, result.err
    assert "Exported 2 team tips" in result.out
    assert "our-second-tip" in out.read_text() and first != out.read_text()
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert cli("knowledge", "export", empty).code == 0
