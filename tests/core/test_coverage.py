"""`coverage`: how many tips the base serves, from which sources, on which topics."""

from __future__ import annotations

from bot.core import knowledge
from bot.core.coverage import coverage


def _tip(tip_id: str, note: str, tags: str, status: str = "curated") -> str:
    return (
        f"  - id: {tip_id}\n    title: Title {tip_id}\n    status: {status}\n    kind: practice\n"
        f"    tags: [{tags}]\n    text: Do {tip_id}.\n"
        "    questions: [how do I do it, what should I do, is it worth it]\n"
        f"    source: {{note: {note}, quote: Do it., url: 'https://example.com/{tip_id}'}}\n"
    )


def test_counts_served_tips_by_source_and_their_most_used_tags(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "tips:\n"
        + _tip("one", "Episode A", "evals, ux")
        + _tip("two", "Episode A", "evals")
        + _tip("three", "Playbook", "evals, hiring")
        + _tip("draft", "Playbook", "secret", status="draft")
        + _tip("ours", "Team tip", "ux")
    )
    cov = coverage(knowledge.load(tmp_path), topics=2)
    assert cov.tips == 4
    assert cov.sources == [("Episode A", 2), ("Playbook", 1)]
    assert cov.team == 1
    assert cov.topics == ["evals", "ux"]
