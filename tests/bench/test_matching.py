"""The matching benchmark runs end to end on a tiny question set (no timing assertions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import matching

ROOT = Path(__file__).resolve().parents[2]

QUESTIONS = """
groups:
  IKEA: 'ikea'
  HACK: 'hackathon'
cases:
  - {q: "what is the ikea effect", want: IKEA}
  - {q: "hack day for the team", want: [HACK, IKEA]}
  - {q: "recipe for banana bread", none: true}
"""


@pytest.fixture
def question_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(QUESTIONS, encoding="utf-8")
    return path


def test_benchmark_prints_every_figure(question_file, capsys):
    code = matching.main(
        [
            "--questions",
            str(question_file),
            "--knowledge",
            str(ROOT / "knowledge"),
            "--sizes",
            "60",
            "--repeat",
            "1",
            "--list-misses",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    for name in (
        "top-1 accuracy",
        "top-3 accuracy",
        "off-topic declined",
        "wrong-decline",
        "latency median ms",
        "latency p99 ms",
        "ours/BM25 top-1 ratio",
        "build s",
        "p99 ms",
        "index RSS MB",
        "ours",
        "BM25",
        "rapidfuzz",
    ):
        assert name in out


def test_benchmark_json_has_figures(question_file, capsys):
    report = matching.run(
        [
            "--questions",
            str(question_file),
            "--knowledge",
            str(ROOT / "knowledge"),
            "--no-scale",
            "--repeat",
            "1",
            "--json",
        ]
    )
    printed = capsys.readouterr().out
    assert json.loads(printed[printed.index("{") :]) == json.loads(json.dumps(report))
    ours = report["sets"][0]["results"][0]
    assert ours["system"] == "ours"
    assert 0 <= ours["top1"] <= 1 and 0 <= ours["top3"] <= 1
    assert report["sets"][0]["results"][1]["off_topic_declined"] is None  # BM25: n/a


def test_bad_question_file_is_reported_not_raised(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("cases:\n  - {q: 'x', want: NOPE}\n", encoding="utf-8")
    assert matching.main(["--questions", str(bad), "--no-scale"]) == 2
    assert "NOPE" in capsys.readouterr().err


def test_synthetic_bases_are_deterministic_and_sized():
    from bot.core import knowledge

    real = knowledge.load(ROOT / "knowledge").live_tips
    a = matching.synthetic_tips(real, 80)
    b = matching.synthetic_tips(real, 80)
    assert len(a) == 80
    assert [t.text for t in a] == [t.text for t in b]
    assert len({t.id for t in a}) == 80


def test_holdout_keeps_every_blind_question_unchanged_and_in_order():
    import yaml

    qdir = ROOT / "benchmarks" / "questions"
    raw = yaml.safe_load((qdir / "holdout_raw.yaml").read_text(encoding="utf-8"))["cases"]
    labelled = yaml.safe_load((qdir / "holdout.yaml").read_text(encoding="utf-8"))["cases"]
    assert [c["q"] for c in labelled] == [c["q"] for c in raw]
    for before, after in zip(raw, labelled, strict=True):
        assert {k: after[k] for k in before} == before  # about, quote, kind kept as written
        if before["kind"] == "answerable":
            assert after["ids"] and "expect" not in after
        else:
            assert after["expect"] == "decline" and "ids" not in after


def test_holdout_labels_name_live_tips():
    from bot.core import knowledge

    ids = {t.id for t in knowledge.load(ROOT / "knowledge").live_tips}
    qs = matching.load_questions(ROOT / "benchmarks" / "questions" / "holdout.yaml", ids)
    kinds = [c.kind for c in qs.cases]
    assert kinds.count("answerable") >= 80 and kinds.count("not_covered") >= 20
    assert kinds.count("off_topic") >= 5


def test_unknown_tip_id_in_a_question_set_is_named(tmp_path):
    path = tmp_path / "ids.yaml"
    path.write_text('cases:\n  - {q: "ikea", kind: answerable, ids: [no-such-tip]}\n')
    with pytest.raises(matching.QuestionSetError, match=r"ids.yaml: case #1 .*no-such-tip"):
        matching.load_questions(path, {"the-ikea-effect"})


def test_loqo_set_takes_each_question_off_its_own_tip():
    from bot.core import knowledge

    tips = knowledge.load(ROOT / "knowledge").live_tips
    qs = matching.loqo_set(tips)
    assert len(qs.cases) == sum(len(t.questions) for t in tips)
    for case, base in zip(qs.cases, qs.bases, strict=True):
        owner = next(t for t in base if t.id == case.want_ids[0])
        assert case.q not in owner.questions
