"""One listener called alone: a real Coach over a temp database, a fake `ack`, no Bolt app."""

from __future__ import annotations

import pytest
from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.core.coach import Coach
from bot.daily.posting import Poster
from bot.slack.context import SlackContext, lookup_client
from bot.slack.delivery import SlackDeliverer
from tests.conftest import BOT_TOKEN, make_settings

BOT_USER = "UBOT"


class Recorder:
    """Stands in for Bolt's `ack` or `respond`: records each call's arguments."""

    def __init__(self) -> None:
        self.calls: list[tuple[tuple, dict]] = []

    def __call__(self, *args, **kwargs) -> None:
        self.calls.append((args, kwargs))

    @property
    def payloads(self) -> list:
        """The first positional argument of each call (what was sent), or None."""
        return [args[0] if args else None for args, _ in self.calls]


@pytest.fixture
def slack_ctx(fake_slack, knowledge_dir, db_path):
    """The SlackContext `build_app` would make, over a fresh database and the fake Slack."""
    coach = Coach.open(make_settings(fake_slack, knowledge_dir, db_path))
    client = WebClient(token=BOT_TOKEN, base_url=fake_slack.url)
    yield SlackContext(
        coach=coach,
        poster=Poster(SlackDeliverer(client), coach.store),
        lookup=lookup_client(client),
    )
    coach.close()


@pytest.fixture
def context(slack_ctx) -> BoltContext:
    """A Bolt context as a listener receives it, filled by the same middleware the app runs."""
    ctx = BoltContext({"bot_user_id": BOT_USER})
    slack_ctx.attach(ctx, lambda: None)
    return ctx


@pytest.fixture
def ack() -> Recorder:
    return Recorder()


@pytest.fixture
def respond() -> Recorder:
    return Recorder()
