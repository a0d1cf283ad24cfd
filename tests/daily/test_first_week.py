"""A new channel's first week through the real scheduler, poster and a fake Slack over HTTP:
practice tips first, drafts never, the quote under every post, topics respected."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.core import knowledge
from bot.daily.posting import Poster
from bot.daily.scheduler import Scheduler
from bot.fakeslack.server import FakeSlack
from bot.notes.build import build
from bot.slack.delivery import SlackDeliverer
from bot.store import Store

ROOT = Path(__file__).resolve().parents[2]
MONDAY = dt.datetime(2024, 4, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def kdir(tmp_path: Path) -> Path:
    """The shipped base plus the example playbook's fresh drafts."""
    folder = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", folder)
    assert build([ROOT / "docs" / "example-playbook.md"], folder).ok
    return folder


def posted_tip_ids(fake: FakeSlack, channel: str) -> list[str]:
    return [m["metadata"]["event_payload"]["tip_id"] for m in fake.messages(channel)]


def run_days(store: Store, kb, fake: FakeSlack, days: int) -> None:
    clock = {"now": MONDAY}
    poster = Poster(
        SlackDeliverer(WebClient(token="xoxb-t", base_url=fake.url)), store, sleep=lambda s: 0
    )
    scheduler = Scheduler(store, lambda: kb, poster, now=lambda: clock["now"])
    for day in range(days):
        clock["now"] = MONDAY + dt.timedelta(days=day)
        scheduler.tick()


def test_a_new_channels_first_five_daily_tips_are_practice_and_no_draft(tmp_path, kdir):
    kb = knowledge.load(kdir)
    assert kb.drafts  # the playbook's drafts are in the base, waiting for review
    store = Store.open(tmp_path / "coach.db")
    store.save_subscription("C1", at="09:00", tz="UTC", days="daily")
    with FakeSlack() as fake:
        run_days(store, kb, fake, len(kb.live_tips))
        ids = posted_tip_ids(fake, "C1")
        messages = fake.messages("C1")
    store.close()
    assert len(ids) == len(kb.live_tips) == len(set(ids))  # one a day, each tip once
    assert [kb.get(t).kind for t in ids[:5]] == ["practice"] * 5
    assert not set(ids) & {t.id for t in kb.drafts}
    first = kb.get(ids[0])
    contexts = [
        e["text"] for b in messages[0]["blocks"] if b["type"] == "context" for e in b["elements"]
    ]
    assert any(c.startswith(":speech_balloon: What the source says:") for c in contexts)
    assert first.source.quote[:40] in " ".join(contexts)


def test_a_channel_on_topics_gets_only_tips_with_those_tags(tmp_path, kdir):
    kb = knowledge.load(kdir)
    store = Store.open(tmp_path / "coach.db")
    store.save_subscription("C2", at="09:00", tz="UTC", days="daily", topics="ux,strategy")
    with FakeSlack() as fake:
        run_days(store, kb, fake, 8)
        ids = posted_tip_ids(fake, "C2")
    store.close()
    assert len(ids) == 8
    assert all({"ux", "strategy"} & set(kb.get(t).tags) for t in ids)
    # Six tips carry those tags: each once, then the rotation repeats among them only.
    assert len(set(ids)) == 6
