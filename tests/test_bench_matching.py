"""The matching benchmark runs end to end on a tiny question set (no timing assertions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import matching

ROOT = Path(__file__).resolve().parents[1]

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
