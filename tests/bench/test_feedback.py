"""The feedback replay's logic (not its timing): clicks, learning, and the check that can fail."""

from __future__ import annotations

import json
from dataclasses import replace

from benchmarks.feedback import Ask, asks_from, open_coach, replay_stream, variant
from bot.core import levels
from tests.conftest import sure_with_alternatives

IKEA_Q = "what is the ikea effect"


def is_tip(tip_id: str):
    return lambda tip: tip.id == tip_id


def test_a_wrong_sure_answer_is_clicked_away_and_never_comes_back(knowledge_dir, tmp_path):
    coach = open_coach(knowledge_dir, tmp_path)
    try:
        question, first_id, _ = sure_with_alternatives(coach.library.base.tips)
        result = replay_stream(coach, [Ask(question, is_tip("no-such-tip"))])
        # "Not what I asked", then "None of these" on the tips offered after it.
        assert result.mismatches == 2 and result.violations == []
        rejected = {p["tip_id"] for p in coach.store.learned(verdict="mismatch")}
        assert first_id in rejected and len(rejected) > 1
        for asked in (question, variant(question)):
            first = coach.ask(asked, record_gap=False).matches
            assert not first or first[0][0].id != first_id
    finally:
        coach.close()


def test_a_right_tip_offered_is_picked_and_answers_next_time(knowledge_dir, tmp_path):
    coach = open_coach(knowledge_dir, tmp_path)
    try:
        question, _, _ = sure_with_alternatives(coach.library.base.tips)
        answer = coach.ask(question, record_gap=False)
        assert levels.level(answer) == levels.SURE and len(answer.matches) > 1
        second = answer.matches[1][0].id  # offered under "Also relevant"
        result = replay_stream(coach, [Ask(question, is_tip(second))])
        assert (result.top1_before, result.top1_after, result.picks) == (0, 1, 1)
        assert result.top1_variant == 1, "a near-identical question learns too"
    finally:
        coach.close()


def test_a_right_answer_gets_no_clicks_and_off_topic_ones_are_counted(knowledge_dir, tmp_path):
    coach = open_coach(knowledge_dir, tmp_path)
    try:
        result = replay_stream(
            coach,
            [Ask(IKEA_Q, is_tip("the-ikea-effect")), Ask("recipe for banana bread", None)],
        )
        assert (result.answerable, result.off_topic) == (1, 1)
        assert (result.top1_before, result.top1_after) == (1, 1)
        assert result.mismatches == result.picks == 0
        assert coach.store.learned() == []
    finally:
        coach.close()


def test_the_check_fails_when_nothing_is_learned(knowledge_dir, tmp_path):
    coach = open_coach(knowledge_dir, tmp_path)
    coach.settings = replace(coach.settings, log_questions=False)  # clicks are not kept
    try:
        result = replay_stream(coach, [Ask(IKEA_Q, is_tip("hackathons"))])
        assert result.violations and "the-ikea-effect" in result.violations[0]
    finally:
        coach.close()


def test_a_question_set_becomes_a_stream_in_file_order(tmp_path):
    path = tmp_path / "set.yaml"
    path.write_text(
        "groups:\n  IKEA: 'ikea'\ncases:\n  - q: ikea?\n    want: IKEA\n  - q: banana\n    none: true\n"
    )
    asks = asks_from(path)
    assert [a.question for a in asks] == ["ikea?", "banana"]
    assert asks[1].right is None and asks[0].right is not None


def test_the_command_replays_a_set_and_exits_0_when_the_check_holds(tmp_path, capsys):
    from benchmarks.feedback import main

    path = tmp_path / "set.yaml"
    path.write_text(
        "groups:\n  HACK: 'hackathon'\ncases:\n  - q: what is the ikea effect\n    want: HACK\n"
        "  - q: recipe for banana bread\n    none: true\n"
    )
    assert main(["--questions", str(path), "--pairs", "50", "--json"]) == 0
    out = capsys.readouterr().out
    report = json.loads(out[out.index("{") :])
    [figures] = report["sets"]
    assert figures["answerable"] == 1 and figures["violations"] == []
    assert report["lookup"]["pairs"] == 50
