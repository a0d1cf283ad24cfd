"""One install serving two fake workspaces over real HTTP: the OAuth flow, signed requests."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.library import Library
from bot.fakeslack.grid import Grid
from bot.fakeslack.sender import SlackSender
from bot.fakeslack.server import FakeSlack
from bot.fakeslack.web_api import WebAPI
from bot.serve import FleetRuntime
from bot.settings import Settings
from bot.slack.http import HttpServer, SlackWSGI

SECRET = "fleet-signing-secret-0123456789"
CLIENT_ID = "1234.5678"
CLIENT_SECRET = "fleet-client-secret"
TEAMS = {"TACME": "Acme", "TGLOBEX": "Globex"}


@dataclass
class Fleet:
    """The install served on 127.0.0.1 with the grid of fake workspaces behind it."""

    grid: Grid
    fake: FakeSlack
    runtime: FleetRuntime
    server: HttpServer
    base: str
    settings: Settings
    senders: dict[str, SlackSender] = field(default_factory=dict)

    def api(self, team: str) -> WebAPI:
        """The fake workspace `team` (its messages, calls, modals)."""
        return self.grid.teams[team]

    def install(self, team: str, *, user: str = "UINSTALLER") -> tuple[int, str]:
        """Walk Slack's OAuth flow for `team` (see `install`)."""
        return install(self.base, self.grid, team, user=user)

    def slack(self, team: str) -> SlackSender:
        """Slack sending signed requests from `team` (its team id, its bot user)."""
        if team not in self.senders:
            self.senders[team] = sender(self.base, self.fake, self.grid, team)
        return self.senders[team]

    def stop(self) -> None:
        self.server.request_stop()
        self.runtime.stop_background()
        self.fake.stop()


def install(base: str, grid: Grid, team: str, *, user: str = "UINSTALLER") -> tuple[int, str]:
    """Walk Slack's OAuth flow for `team` against the install at `base` (`Grid.walk_install`)."""
    return grid.walk_install(base, team, user=user)


def sender(base: str, fake: FakeSlack, grid: Grid, team: str) -> SlackSender:
    """Slack sending signed requests from `team` (its team id, its bot user) to `base`."""
    api = grid.teams[team]
    return SlackSender(
        f"{base}/slack/events",
        SECRET,
        response_url=f"{fake.base}/response/any",
        bot_user=api.bot["id"],
        team={"id": team, "domain": team.lower(), "name": api.team["name"]},
    )


def start_fleet(tmp_path: Path, knowledge_dir: Path, **changes) -> Fleet:
    """Two fake workspaces (none installed yet) and the install serving HTTP for them."""
    grid = Grid(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    for team, name in TEAMS.items():
        grid.add_team(team, name)
    fake = FakeSlack(grid).start()  # type: ignore[arg-type]
    settings = Settings(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        signing_secret=SECRET,
        api_url=fake.url,
        db_path=tmp_path / "coach.db",
        knowledge_dir=knowledge_dir,
        host="127.0.0.1",
        port=0,
        scheduler=False,
        **changes,
    )
    runtime = FleetRuntime(settings, Library(knowledge_dir))
    wsgi = SlackWSGI(runtime.app, signing_secret=SECRET, health=runtime.public_health)
    server = HttpServer(wsgi, host="127.0.0.1", port=0)
    threading.Thread(target=server.serve, daemon=True).start()
    return Fleet(grid, fake, runtime, server, f"http://127.0.0.1:{server.port}", settings)
