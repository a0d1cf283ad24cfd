"""The command line as a user runs it: `bot.cli.main` in this process, one real process for stdin."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys

import pytest

from bot.core import gaps
from bot.daily.posting import Poster
from bot.slack.delivery import SlackDeliverer
from tests.conftest import BOT_TOKEN, ROOT
from tests.helpers.processes import bot_env, run_cli


def test_ask_json_answers_the_ikea_question(tmp_path):
    result = run_cli(["ask", "--json", "what is the ikea effect"], bot_env(tmp_path))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["question"] == "what is the ikea effect"
    assert data["answered"] is True
    assert data["matches"][0]["id"] == "the-ikea-effect"
    assert set(data["matches"][0]) == {"id", "title", "text", "score", "url"}
    scores = [m["score"] for m in data["matches"]]
    assert scores == sorted(scores, reverse=True)


def test_ask_json_declines_banana_bread(tmp_path):
    data = json.loads(
        run_cli(["ask", "--json", "recipe for banana bread"], bot_env(tmp_path)).stdout
    )
    assert data["answered"] is False


def test_ask_reads_questions_from_stdin_one_json_per_line(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "--limit", "2", "-"],
        cwd=ROOT,
        env=bot_env(tmp_path),
        input="ikea\n\nbest pizza near the office\nhackaton\n",
        capture_output=True,
        text=True,
        timeout=30,
    )
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [d["answered"] for d in lines] == [True, False, True]
    assert all(len(d["matches"]) <= 2 for d in lines)
    assert lines[2]["matches"][0]["id"] == "hackathons"


def test_ask_refuses_an_invalid_base_with_file_and_line(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "bad.yaml").write_text("tips:\n  - id: ok-id\n    title: T\n")
    result = run_cli(["ask", "ikea"], bot_env(tmp_path, COACH_KNOWLEDGE=str(kb)))
    assert result.returncode == 1
    assert (
        f"{kb / 'bad.yaml'}:2" in result.stderr
        and "ok-id" in result.stderr
        and "'text'" in result.stderr
    )


def test_knowledge_check_passes_on_the_shipped_base(tmp_path):
    result = run_cli(["knowledge", "check"], bot_env(tmp_path))
    assert result.returncode == 0
    assert "tips OK" in result.stdout


def test_knowledge_check_reports_yaml_syntax_errors_with_line_and_column(tmp_path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "broken.yaml").write_text('tips:\n  - id: a\n    title: "unclosed\n')
    result = run_cli(["knowledge", "check"], bot_env(tmp_path, COACH_KNOWLEDGE=str(kb)))
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    file, line, column, _ = first.split(":", 3)
    assert file == str(kb / "broken.yaml") and line.isdigit() and column.isdigit()


def test_knowledge_list_json_has_the_documented_fields(tmp_path):
    data = json.loads(run_cli(["knowledge", "list", "--json"], bot_env(tmp_path)).stdout)
    assert len(data) >= 20
    fields = {"id", "title", "status", "kind", "text", "tags", "questions", "source"}
    assert all(set(t) == fields for t in data)
    assert all(t["source"]["quote"] for t in data)
    assert len({t["id"] for t in data}) == len(data)


def test_stats_json_counts_exactly_what_the_signed_events_said(running_bot, tmp_path):
    from slack_sdk import WebClient

    poster = Poster(
        SlackDeliverer(WebClient(token=BOT_TOKEN, base_url=running_bot.fake.url)), running_bot.store
    )
    base = running_bot.coach.library.base
    ikea = poster.post_tip("C1", base.get("the-ikea-effect"), kind="shared").ts
    hack = poster.post_tip("C1", base.get("hackathons"), kind="shared").ts
    s = running_bot.slack
    s.reaction("+1", user="U1", channel="C1", ts=ikea, event_id="E1")
    s.reaction("+1", user="U1", channel="C1", ts=ikea, event_id="E1", retry=1)  # retry: no change
    s.reaction("heart", user="U2", channel="C1", ts=ikea, event_id="E2")
    s.reaction("-1", user="U3", channel="C1", ts=ikea, event_id="E3")
    s.reaction("-1", user="U3", channel="C1", ts=ikea, event_id="E4", removed=True)  # U3 withdraws
    s.reaction("-1", user="U1", channel="C1", ts=hack, event_id="E5")
    s.reaction("+1", user="U2", channel="C1", ts=hack, event_id="E6")
    s.reaction("-1", user="U2", channel="C1", ts=hack, event_id="E7")  # U2's latest: not useful
    s.action("rate_useful", "hackathons", user="U4")
    env = bot_env(tmp_path, COACH_DB=str(running_bot.store.path))
    data = json.loads(run_cli(["stats", "--json"], env).stdout)
    tips = {t["id"]: (t["useful"], t["not_useful"]) for t in data["tips"]}
    assert tips == {"the-ikea-effect": (2, 0), "hackathons": (1, 2)}
    assert data["posts"] == 2 and data["ratings"] == 5
    assert set(data) == {"posts", "ratings", "tips", "questions", "most_asked"}
    assert data["questions"] == {} and data["most_asked"] == [], "no question was asked"


def test_export_csv_and_json_hold_every_post_and_rating(running_bot, tmp_path):
    running_bot.slack.action("rate_useful", "the-ikea-effect", user="U1")
    running_bot.slack.action("share_tip", "the-ikea-effect", user="U1", channel="C5")
    running_bot.responses(at_least=2)  # the share posts after Slack's 200, in a lazy listener
    env = bot_env(tmp_path, COACH_DB=str(running_bot.store.path))
    data = json.loads(run_cli(["export", "--format", "json"], env).stdout)
    assert len(data["posts"]) == 1 and len(data["ratings"]) == 1 and len(data["votes"]) == 1
    rows = list(csv.DictReader(io.StringIO(run_cli(["export", "--format", "csv"], env).stdout)))
    assert sorted(r["record"] for r in rows) == ["post", "rating", "vote"]


def test_gaps_lists_unanswered_topics(running_bot, tmp_path):
    for _ in range(2):
        running_bot.slack.command("how do I fix my printer")
    running_bot.slack.command("best pizza near the office")
    env = bot_env(tmp_path, COACH_DB=str(running_bot.store.path))
    rows = json.loads(run_cli(["gaps", "--json"], env).stdout)
    assert rows[0]["count"] == 2 and "printer" in rows[0]["example"]
    assert rows[0]["topic"] == gaps.topic("how do I fix my printer")


def test_question_logging_can_be_turned_off(fake_slack, knowledge_dir, db_path):
    from tests.conftest import make_settings, start_bot

    bot = start_bot(
        make_settings(fake_slack, knowledge_dir, db_path, log_questions=False), fake_slack
    )
    try:
        bot.slack.command("how do I fix my printer")
        assert bot.store.gaps() == []
    finally:
        bot.stop()


def test_user_ids_are_kept_only_with_coach_log_users(fake_slack, knowledge_dir, db_path):
    from tests.conftest import make_settings, start_bot

    bot = start_bot(make_settings(fake_slack, knowledge_dir, db_path, log_users=True), fake_slack)
    try:
        bot.slack.command("how do I fix my printer", user="U42")
        assert [r["user"] for r in bot.store.db["gaps"].rows] == ["U42"]
    finally:
        bot.stop()


def test_backup_is_a_consistent_copy(running_bot, tmp_path):
    running_bot.slack.action("rate_useful", "the-ikea-effect", user="U1")
    target = tmp_path / "backup.db"
    env = bot_env(tmp_path, COACH_DB=str(running_bot.store.path))
    result = run_cli(["backup", str(target)], env)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM ratings").fetchone()[0] == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["subscribe", "--channel", "C1", "--at", "25:00"], "HH:MM"),
        (["subscribe", "--channel", "C1", "--tz", "Mars/Base"], "IANA"),
        (["subscribe", "--channel", "C1", "--days", "funday"], "weekdays"),
    ],
)
def test_subscribe_rejects_bad_values_and_stores_nothing(tmp_path, args, words):
    env = bot_env(tmp_path)
    result = run_cli(args, env)
    assert result.returncode == 2
    assert words in result.stderr
    assert json.loads(run_cli(["subscriptions", "--json"], env).stdout) == []


def test_subscribe_then_list_as_json(tmp_path):
    env = bot_env(tmp_path)
    assert (
        run_cli(
            [
                "subscribe",
                "--channel",
                "C123",
                "--at",
                "09:30",
                "--tz",
                "Europe/Berlin",
                "--days",
                "mon,wed,fri",
            ],
            env,
        ).returncode
        == 0
    )
    data = json.loads(run_cli(["subscriptions", "--json"], env).stdout)
    assert data == [
        {
            "channel": "C123",
            "at": "09:30",
            "tz": "Europe/Berlin",
            "days": "mon,wed,fri",
            "paused": False,
            "topics": [],
        }
    ]
    assert run_cli(["unsubscribe", "--channel", "C123"], env).returncode == 0
    assert json.loads(run_cli(["subscriptions", "--json"], env).stdout) == []


def test_post_tip_twice_posts_once(tmp_path, fake_slack):
    env = bot_env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=fake_slack.url)
    first = run_cli(["post-tip", "--channel", "C77"], env)
    second = run_cli(["post-tip", "--channel", "C77"], env)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert "already" in second.stdout
    assert len(fake_slack.calls("chat.postMessage")) == 1
    forced = run_cli(["post-tip", "--channel", "C77", "--force"], env)
    assert forced.returncode == 0
    assert len(fake_slack.calls("chat.postMessage")) == 2


def test_tip_prints_a_tip_locally(tmp_path):
    result = run_cli(["tip"], bot_env(tmp_path))
    assert result.returncode == 0
    assert "youtube.com" in result.stdout


def test_post_tip_without_a_token_says_what_to_set(tmp_path):
    result = run_cli(["post-tip", "--channel", "C1"], bot_env(tmp_path))
    assert result.returncode == 2 and "SLACK_BOT_TOKEN" in result.stderr


def test_knowledge_build_writes_drafts_that_pass_check(tmp_path):
    kb = tmp_path / "kb"
    env = bot_env(tmp_path, COACH_KNOWLEDGE=str(kb))
    built = run_cli(["knowledge", "build", str(ROOT / "seeds" / "000_0913ffb8f7ee8db0.txt")], env)
    assert built.returncode == 0, built.stderr
    assert [p.name for p in kb.iterdir()] == ["ai-product-management-and-its-future.yaml"]
    assert run_cli(["knowledge", "check"], env).returncode == 0
    first = (kb / "ai-product-management-and-its-future.yaml").read_bytes()
    assert run_cli(["knowledge", "build", "--seeds", str(ROOT / "seeds")], env).returncode == 0
    assert (kb / "ai-product-management-and-its-future.yaml").read_bytes() == first


def test_shipped_base_survives_a_rebuild_byte_for_byte(tmp_path):
    import shutil

    kb = tmp_path / "kb"
    shutil.copytree(ROOT / "knowledge", kb)
    before = {p.name: p.read_bytes() for p in kb.iterdir()}
    result = run_cli(["knowledge", "build"], bot_env(tmp_path, COACH_KNOWLEDGE=str(kb)))
    assert result.returncode == 0, result.stderr
    assert {p.name: p.read_bytes() for p in kb.iterdir()} == before


def test_ask_in_the_terminal_ranks_with_the_teams_ratings(tmp_path):
    from bot.store import Store
    from tests.helpers.knowledge import TWIN_QUESTION, TWINS, rate, twin_base

    env = bot_env(tmp_path, COACH_KNOWLEDGE=str(twin_base(tmp_path)))
    before = json.loads(run_cli(["ask", "--json", TWIN_QUESTION], env).stdout)
    first, second = before["matches"][0]["id"], before["matches"][1]["id"]
    assert {first, second} == set(TWINS)
    store = Store.open(tmp_path / "coach.db")
    rate(store, second, +1)
    rate(store, first, -1)
    store.close()
    after = json.loads(run_cli(["ask", "--json", TWIN_QUESTION], env).stdout)
    assert after["matches"][0]["id"] == second
    assert Store.open(tmp_path / "coach.db").gaps(limit=5) == []  # a try is not a gap


def test_ask_json_reports_the_level_and_topic(tmp_path):
    env = bot_env(tmp_path)
    sure = json.loads(run_cli(["ask", "--json", "what is the ikea effect"], env).stdout)
    assert sure["level"] == "sure" and sure["answered"] is True and sure["reason"] == "model"
    assert sure["topic"] is None and sure["surface"] == "slash"
    topic = json.loads(run_cli(["ask", "--json", "how should we price our AI feature"], env).stdout)
    assert topic["level"] == "none" and topic["answered"] is False
    assert topic["topic"] == "pricing"
    text = run_cli(["ask", "how should we price our AI feature"], env).stdout
    assert "I have no tip on pricing yet." in text
    long = json.loads(
        run_cli(["ask", "--json", "--surface", "shortcut", "what is the ikea effect"], env).stdout
    )
    assert long["surface"] == "shortcut"


def test_knowledge_export_names_what_is_wrong_and_writes_nothing(tmp_path):
    env = bot_env(tmp_path)
    missing = run_cli(["knowledge", "export", str(tmp_path / "team.yaml")], env)
    assert missing.returncode == 2 and "COACH_DB" in missing.stderr
    from bot.store import Store

    Store.open(tmp_path / "coach.db").close()
    folder = run_cli(["knowledge", "export", str(tmp_path)], env)
    assert folder.returncode == 2 and "is a folder" in folder.stderr
    nowhere = run_cli(["knowledge", "export", str(tmp_path / "no" / "team.yaml")], env)
    assert nowhere.returncode == 2 and "does not exist" in nowhere.stderr
    empty = run_cli(["knowledge", "export", str(tmp_path / "team.yaml")], env)
    assert empty.returncode == 0 and "Exported 0 team tips" in empty.stdout
    assert list(tmp_path.glob("*.partial")) == []


def test_knowledge_list_marks_team_tips(tmp_path):
    from bot.store import Store

    store = Store.open(tmp_path / "coach.db")
    store.save_team_tip(
        {
            "id": "team-only",
            "title": "A tip from the team",
            "text": "Write it down.",
            "tags": ["team"],
            "questions": ["a", "b", "c"],
            "source": {"note": "Team tip", "timestamp": "2026-11-28", "url": "https://x.test/"},
            "status": "curated",
        },
        user="U1",
        expected_version=0,
    )
    store.close()
    listed = run_cli(["knowledge", "list"], bot_env(tmp_path))
    assert "team-only [team]: A tip from the team" in listed.stdout
