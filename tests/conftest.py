"""Shared fixtures: a fresh database, the shipped knowledge, a fake Slack, the running bot."""

from __future__ import annotations

import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from bot.core.coach import Coach
from bot.daily.posting import Poster
from bot.fakeslack.sender import SlackSender
from bot.fakeslack.server import FakeSlack
from bot.settings import Settings
from bot.slack.app import build_app
from bot.slack.delivery import SlackDeliverer, make_client
from bot.slack.http import HttpServer, SlackWSGI
from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
# The suite's tiers, by the folder a test lives in (see CONTRIBUTING.md); each is a marker.
TIERS = {
    "core": "unit",
    "store": "unit",
    "daily": "unit",
    "notes": "unit",
    "fakeslack": "unit",
    "slack": "slack",
    "playground": "slack",
    "cli": "cli",
    "process": "process",
    "bench": "process",
    "meta": "meta",
}
SHIPPED_KNOWLEDGE = ROOT / "knowledge"
SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-test-token-0123456789"


def tier_of(path: Path) -> str:
    """The tier of the test module at `path`: its first folder's, "unit" at the top level."""
    parts = path.resolve().relative_to(TESTS).parts
    return TIERS[parts[0]] if len(parts) > 1 else "unit"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(tier_of(Path(item.path)))


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    """A private copy of the shipped knowledge folder (tests may edit it)."""
    target = tmp_path / "knowledge"
    shutil.copytree(SHIPPED_KNOWLEDGE, target, ignore=shutil.ignore_patterns(".*"))
    return target


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a fresh database file goes."""
    return tmp_path / "coach.db"


@pytest.fixture
def store(db_path: Path):
    """A fresh, migrated database."""
    s = Store.open(db_path)
    yield s
    s.close()


@pytest.fixture
def fake_slack():
    """A running local fake of the Slack Web API that records every call."""
    with FakeSlack() as fake:
        yield fake


@dataclass
class RunningBot:
    """The bot served over HTTP on 127.0.0.1, plus handles to inspect it."""

    url: str
    coach: Coach
    server: HttpServer
    slack: SlackSender
    fake: FakeSlack
    executor: ThreadPoolExecutor
    poster: Poster

    def stop(self) -> None:
        """Stop serving, let work handed off after answers finish, close the database."""
        self.server.request_stop()
        self.executor.shutdown(wait=True)
        self.poster.lanes.drain(timeout=30)
        self.coach.close()

    @property
    def store(self) -> Store:
        return self.coach.store

    def responses(self, *, at_least: int = 0, timeout: float = 5.0) -> list[dict]:
        """What the bot sent to response_url, oldest first, waiting for `at_least` of them.

        Message updates run after the bot answers Slack (lazy listeners), so they may
        arrive a moment after the click's HTTP response.
        """
        return wait_until(
            lambda: [c.params for c in self.fake.calls("response_url")], at_least, timeout
        )

    def calls(self, method: str, *, at_least: int = 0, timeout: float = 5.0) -> list:
        """The fake Slack's recorded calls of `method`, waiting for `at_least` of them."""
        return wait_until(lambda: self.fake.calls(method), at_least, timeout)


def wait_until(read, at_least: int, timeout: float) -> list:
    """Poll `read()` until it returns at least `at_least` items or `timeout` passes."""
    deadline = time.monotonic() + timeout
    items = read()
    while len(items) < at_least and time.monotonic() < deadline:
        time.sleep(0.01)
        items = read()
    return items


def make_settings(fake: FakeSlack, knowledge: Path, db: Path, **changes) -> Settings:
    """Settings pointing the bot at the fake Slack and a test database."""
    base = Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SECRET,
        api_url=fake.url,
        db_path=db,
        knowledge_dir=knowledge,
        host="127.0.0.1",
        port=0,
        scheduler=False,
    )
    return replace(base, **changes)


def start_bot(settings: Settings, fake: FakeSlack, *, sleep=time.sleep) -> RunningBot:
    """Serve the real app (Bolt + our HTTP layer on waitress) in a thread.

    `sleep` is what the poster waits on (pacing, backoff), for tests that hold it.
    """
    coach = Coach.open(settings)
    executor = ThreadPoolExecutor(max_workers=4)
    poster = Poster(
        SlackDeliverer(make_client(settings), command=settings.command), coach.store, sleep=sleep
    )
    app = build_app(coach, executor=executor, poster=poster)
    wsgi = SlackWSGI(
        app,
        signing_secret=settings.signing_secret,
        health=lambda: {
            "ok": True,
            "database": coach.store.health(),
            "knowledge": coach.library.health(),
        },
    )
    server = HttpServer(wsgi, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.port}/slack/events"
    sender = SlackSender(url, settings.signing_secret, response_url=fake.response_url)
    return RunningBot(
        url=url,
        coach=coach,
        server=server,
        slack=sender,
        fake=fake,
        executor=executor,
        poster=poster,
    )


@pytest.fixture
def running_bot(fake_slack: FakeSlack, knowledge_dir: Path, db_path: Path):
    """The bot over real HTTP against the fake Slack, with a fresh database."""
    bot = start_bot(make_settings(fake_slack, knowledge_dir, db_path), fake_slack)
    yield bot
    bot.stop()


def sure_with_alternatives(tips) -> tuple[str, str, str]:
    """A curated question answered "sure" that also offers another tip: (q, first, second).

    Found by asking the pipeline, not hard-coded, so tests keep their meaning when tips change.
    """
    from bot.core.pipeline.engine import Engine

    engine = Engine.build(tips)
    for tip in tips:
        for question in tip.questions:
            answer = engine.answer(question)
            if answer.level == "sure" and len(answer.matches) > 1:
                return question, answer.matches[0][0].id, answer.matches[1][0].id
    raise AssertionError("no curated question is answered sure with another tip offered")


@dataclass
class CliResult:
    """What one in-process command printed, and its exit code."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(monkeypatch, tmp_path: Path, capsys):
    """`run(*argv, **env)`: `bot.cli.main(argv)` in process, on `tmp_path/coach.db` and the
    shipped knowledge (env overrides settings); returns a CliResult."""
    import os

    from bot.cli import main

    for name in list(os.environ):
        if name.startswith(("SLACK_", "COACH_")) or name == "PORT":
            monkeypatch.delenv(name)
    monkeypatch.setenv("COACH_DB", str(tmp_path / "coach.db"))
    monkeypatch.setenv("COACH_KNOWLEDGE", str(SHIPPED_KNOWLEDGE))
    monkeypatch.setenv("COACH_SEEDS", str(ROOT / "seeds"))

    def run(*argv: str, **env: str) -> CliResult:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def served(tmp_path, fake_slack):
    """Start `python -m bot serve` processes (`start(**env)`); each is killed after the test."""
    from tests.helpers.processes import Served

    procs: list[Served] = []

    def start(**extra: str) -> Served:
        s = Served(tmp_path, fake_slack, **extra)
        procs.append(s)
        return s

    yield start
    for s in procs:
        if s.proc.poll() is None:
            s.proc.kill()
            s.proc.wait()
