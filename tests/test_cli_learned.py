"""`python -m bot learned`, `gaps` and `ask` in a subprocess, over what people taught the bot."""

from __future__ import annotations

import json

from bot.core import learned
from bot.store import Store
from tests.test_serve import bot_env, run_bot

IKEA_Q = "what is the ikea effect"


def teach(tmp_path, *pairs: tuple[str, str, str]) -> None:
    store = Store.open(tmp_path / "coach.db")
    for question, tip_id, verdict in pairs:
        learned.record(store, question, tip_id, verdict, user=None)
    store.close()


def test_learned_lists_pairs_for_curators_and_clears_them(tmp_path):
    env = bot_env(tmp_path)
    teach(
        tmp_path,
        (IKEA_Q, "the-ikea-effect", "mismatch"),
        ("what should I read", "information-synthesis", "match"),
    )
    rows = json.loads(run_bot(["learned", "--json"], env).stdout)
    assert {(r["question"], r["tip_id"], r["verdict"]) for r in rows} == {
        (IKEA_Q, "the-ikea-effect", "mismatch"),
        ("what should I read", "information-synthesis", "match"),
    }
    candidate = next(r for r in rows if r["verdict"] == "match")
    assert "add it to the tip's questions" in candidate["advice"]
    assert candidate["title"]
    text = run_bot(["learned"], env).stdout
    assert "2 learned pair(s)" in text and "'what should I read'" in text
    cleared = run_bot(["learned", "--clear"], env)
    assert cleared.returncode == 0 and "Forgot 2" in cleared.stdout
    assert json.loads(run_bot(["learned", "--json"], env).stdout) == []


def test_gaps_shows_answers_marked_wrong_and_candidate_questions(tmp_path):
    env = bot_env(tmp_path)
    teach(
        tmp_path,
        (IKEA_Q, "the-ikea-effect", "mismatch"),
        ("what should I read", "information-synthesis", "match"),
    )
    rows = json.loads(run_bot(["gaps", "--json"], env).stdout)
    kinds = {(r["kind"], r["tip_id"]) for r in rows}
    assert kinds == {
        ("answered wrongly", "the-ikea-effect"),
        ("candidate question", "information-synthesis"),
    }
    text = run_bot(["gaps"], env).stdout
    assert "Answered wrongly" in text and f"'{IKEA_Q}' got the-ikea-effect" in text


def test_ask_in_the_terminal_applies_learned_pairs(tmp_path):
    env = bot_env(tmp_path)
    before = json.loads(run_bot(["ask", "--json", IKEA_Q], env).stdout)
    assert (before["matches"][0]["id"], before["confidence"]) == ("the-ikea-effect", "sure")
    teach(tmp_path, (IKEA_Q, "the-ikea-effect", "mismatch"))
    after = json.loads(run_bot(["ask", "--json", "What is the IKEA effect?"], env).stdout)
    assert "the-ikea-effect" not in [m["id"] for m in after["matches"]]
    assert after["confidence"] in ("unsure", "none")
    teach(tmp_path, (IKEA_Q, "information-synthesis", "match"))
    picked = json.loads(run_bot(["ask", "--json", IKEA_Q], env).stdout)
    assert (picked["matches"][0]["id"], picked["confidence"]) == ("information-synthesis", "sure")
