"""Knowledge folders for tests: the small test base, and the same with an exact twin tip."""

from __future__ import annotations

import shutil
from pathlib import Path

SMALL = Path(__file__).resolve().parents[1] / "data" / "knowledge"
TWINS = ("host-a-hackathon", "run-a-hackathon")
TWIN_QUESTION = "is a hackathon worth it"


def twin_base(tmp_path: Path) -> Path:
    """The small base plus `run-a-hackathon`, a word-for-word copy of `host-a-hackathon`.

    The two tie exactly on every question, so only the team's ratings can order them.
    """
    folder = tmp_path / "twin-knowledge"
    shutil.copytree(SMALL, folder)
    twin = (folder / "small.yaml").read_text().split("  - id: host-a-hackathon")[1]
    twin = twin.split("  - id: a-draft-tip")[0]
    (folder / "twin.yaml").write_text("note: Test playbook\ntips:\n  - id: run-a-hackathon" + twin)
    return folder


def rate(store, tip_id: str, value: int, *, people: int = 6) -> None:
    """`people` distinct users rate `tip_id` as `value` (+1 useful, -1 not useful)."""
    for n in range(people):
        store.record_vote(
            user=f"U{n}",
            tip_id=tip_id,
            channel="C1",
            message_ts="button",
            reaction="button",
            value=value,
        )
