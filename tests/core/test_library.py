"""The live tip base: reloads only a valid folder, keeps the last good one otherwise."""

from __future__ import annotations

import pytest

from bot.core.knowledge import KnowledgeError
from bot.core.library import Library

EXTRA = """tips:
  - id: sourdough
    title: Sourdough starters
    text: Feed it daily.
    tags: [baking]
    questions: [how do I feed a sourdough starter, sourdough tips, keep a starter alive]
    source: {note: Baking, timestamp: '00:01:00', url: 'https://example.com/bake'}
"""


def test_reload_picks_up_a_new_valid_file(knowledge_dir):
    library = Library(knowledge_dir)
    before = len(library.base)
    (knowledge_dir / "extra.yaml").write_text(EXTRA)
    assert library.changed()
    assert library.reload_if_changed() is True
    assert len(library.base) == before + 1
    assert (
        library.engine.answer("how do I feed a sourdough starter").matches[0][0].id == "sourdough"
    )


def test_invalid_edit_keeps_the_last_good_base(knowledge_dir, caplog):
    library = Library(knowledge_dir)
    good = library.current
    (knowledge_dir / "extra.yaml").write_text("tips:\n  - id: [oops\n")
    assert library.reload() is False
    assert library.current is good
    assert library.health()["ok"] is False
    assert any(f"{knowledge_dir / 'extra.yaml'}:" in r.getMessage() for r in caplog.records)
    (knowledge_dir / "extra.yaml").write_text(EXTRA)
    assert library.reload() is True and library.health()["ok"] is True


def test_start_refuses_an_invalid_folder(tmp_path):
    (tmp_path / "bad.yaml").write_text("tips: 5\n")
    with pytest.raises(KnowledgeError) as err:
        Library(tmp_path)
    assert "bad.yaml:1" in str(err.value)


def test_a_draft_added_on_reload_is_not_answered(knowledge_dir):
    library = Library(knowledge_dir)
    (knowledge_dir / "extra.yaml").write_text(
        EXTRA.replace("title: Sourdough", "status: draft\n    title: Sourdough")
    )
    assert library.reload() is True
    assert library.base.get("sourdough").status == "draft"
    answer = library.engine.answer("how do I feed a sourdough starter")
    assert "sourdough" not in {tip.id for tip, _ in answer.matches}
    assert library.health()["drafts_waiting"] == 1
    assert library.health()["served"] == len(library.base) - 1
