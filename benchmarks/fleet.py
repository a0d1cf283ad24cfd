"""One install, many workspaces: how long the 09:00 wave takes, memory, database size.

    .venv/bin/python -m benchmarks.fleet [--workspaces 1000] [--subs 5000] [--zones 20] [--json]

Builds the install as `serve` keeps it: COACH_DB with Bolt's installation store and the
`workspaces` table, one database file per workspace (copied from one migrated file), and
`--subs` daily subscriptions at 09:00 spread over the workspaces and `--zones` time zones.
The fake Slack is the grid of fake workspaces over HTTP, each token answered by its own
workspace, with Slack's per-workspace limits on chat.postMessage and conversations.history.

Two waves are timed with the real `Fleet` (every workspace's own scheduler and poster):
the start-up tick at 12:30 UTC, when every zone already past 09:00 is due at once (the
worst case: a process starting mid-day), then the next zone's 09:00 (the daily case: a
twentieth of the subscriptions). Then a second tick at that instant posts nothing
(exactly once per team, channel and day).
Reported: posts a second, seconds per wave, the tick that finds nothing due, peak memory
(RSS) and the files' size. Exit 1 when a post is missing or doubled.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore

from bot.core.library import Library
from bot.fakeslack.grid import Grid
from bot.fakeslack.server import FakeSlack
from bot.settings import Settings
from bot.slack.workspaces import Fleet, Workspaces
from bot.store import Store

ROOT = Path(__file__).resolve().parents[1]
ZONES = (
    "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Denver",
    "America/Chicago", "America/New_York", "America/Sao_Paulo", "Atlantic/Azores", "UTC",
    "Europe/London", "Europe/Berlin", "Europe/Athens", "Europe/Moscow", "Asia/Dubai",
    "Asia/Kolkata", "Asia/Bangkok", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney",
    "Pacific/Auckland",
)  # fmt: skip
CLIENT_ID = "1.2"


def build(folder: Path, grid: Grid, api_url: str, workspaces: int, subs: int, zones: int):
    """The install's files and the fake workspaces; returns (settings, Workspaces)."""
    settings = Settings(
        client_id=CLIENT_ID,
        client_secret=grid.client_secret,
        signing_secret="bench",
        api_url=api_url,
        db_path=folder / "coach.db",
        knowledge_dir=ROOT / "knowledge",
        scheduler=False,
    )
    install = Store.open(settings.db_path)
    installations = SQLite3InstallationStore(database=str(settings.db_path), client_id=CLIENT_ID)
    teams_dir = settings.workspaces_dir
    teams_dir.mkdir()
    template = folder / "template.db"
    Store.open(template).close()
    teams = [f"T{n:06d}" for n in range(workspaces)]
    for n, team in enumerate(teams):
        grid.add_team(team, f"Workspace {n}", max_calls=None)
        answer = grid.install(team)
        installations.save(
            Installation(
                app_id=answer["app_id"],
                team_id=team,
                team_name=answer["team"]["name"],
                bot_token=answer["access_token"],
                bot_id=f"B{team[1:]}",
                bot_user_id=answer["bot_user_id"],
                bot_scopes=answer["scope"],
                user_id="UINSTALLER",
                installed_at=time.time(),
            )
        )
        install.record_install(team, enterprise=None, team_name=answer["team"]["name"])
        shutil.copyfile(template, teams_dir / f"{team}.db")
    for n in range(subs):
        team = teams[n % workspaces]
        store = Store.open(teams_dir / f"{team}.db")
        zone = ZONES[n % zones]
        store.save_subscription(f"C{n:06d}", at="09:00", tz=zone, days="daily")
        store.close()
    library = Library(settings.knowledge_dir)
    return settings, Workspaces(settings, install, library, installations)


def next_nine(zone: str, after: dt.datetime) -> dt.datetime:
    """The first 09:01 in `zone` after `after`, as an aware UTC instant."""
    tz = ZoneInfo(zone)
    day = after.astimezone(tz).date()
    for offset in range(3):
        local = dt.datetime.combine(day + dt.timedelta(days=offset), dt.time(9, 1), tzinfo=tz)
        if local.astimezone(dt.UTC) > after:
            return local.astimezone(dt.UTC)
    raise AssertionError("unreachable: a 09:01 comes every day")


def wave(fleet: Fleet, workspaces: Workspaces, now: dt.datetime) -> tuple[float, Counter]:
    """One tick of the fleet at `now`: its seconds and the outcome of every post it tried."""
    for workspace in workspaces.active():
        workspace.scheduler.now = lambda: now
    started = time.perf_counter()
    done = fleet.tick()
    seconds = time.perf_counter() - started
    return seconds, Counter(r.status for results in done.values() for r in results)


def _positive(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspaces", type=_positive, default=1000)
    parser.add_argument("--subs", type=_positive, default=5000)
    parser.add_argument("--zones", type=int, default=20, choices=range(1, len(ZONES) + 1))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="fleet-"))
    grid = Grid(max_calls=None)
    # Slack's limits per workspace: chat.postMessage about one a second per channel with
    # bursts (several hundred a minute per workspace); conversations.history for an app
    # outside the Marketplace, one a minute.
    grid.limit("chat.postMessage", calls=600, per=60)
    grid.limit("conversations.history", calls=1, per=60)
    try:
        with FakeSlack(grid) as fake:  # type: ignore[arg-type]
            started = time.perf_counter()
            settings, workspaces = build(
                folder, grid, fake.url, args.workspaces, args.subs, args.zones
            )
            built = time.perf_counter() - started
            fleet = Fleet(workspaces, tick_seconds=settings.tick_seconds)
            zones = ZONES[: args.zones]
            # Start-up: the zones already past 09:00 today are all due in the first tick.
            start = dt.datetime(2026, 12, 7, 12, 30, tzinfo=dt.UTC)
            catch_up, catch_up_status = wave(fleet, workspaces, start)
            # Then the day goes on: the next zone to reach 09:00 is the only one due.
            nine = min(next_nine(zone, start) for zone in zones)
            zone = next(z for z in zones if next_nine(z, start) == nine)
            one, one_status = wave(fleet, workspaces, nine)
            again, again_status = wave(fleet, workspaces, nine)
            posted = sum(len(api.calls("chat.postMessage")) for api in grid.teams.values())
            per_channel = Counter(
                (team, c.params["channel"])
                for team, api in grid.teams.items()
                for c in api.calls("chat.postMessage")
            )
            workspaces.close()
            workspaces.install.close()
    finally:
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        shutil.rmtree(folder, ignore_errors=True)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    in_zone = sum(1 for n in range(args.subs) if ZONES[n % args.zones] == zone)
    report = {
        "workspaces": args.workspaces,
        "subscriptions": args.subs,
        "zones": args.zones,
        "build_seconds": round(built, 1),
        "catch_up": {
            "posted": catch_up_status["posted"],
            "seconds": round(catch_up, 2),
            "posts_per_second": round(catch_up_status["posted"] / catch_up, 1),
            "outcomes": dict(catch_up_status),
        },
        "nine_am": {
            "zone": zone,
            "due": in_zone,
            "seconds": round(one, 2),
            "posts_per_second": round(one_status["posted"] / one, 1) if one else None,
            "outcomes": dict(one_status),
        },
        "tick_with_nothing_due_seconds": round(again, 2),
        "second_tick_outcomes": dict(again_status),
        "posted": posted,
        "doubled": sum(1 for n in per_channel.values() if n > 1),
        "peak_rss_mb": round(rss_mb, 1),
        "files_mb": round(size / 1e6, 1),
        "per_workspace_kb": round(size / 1e3 / max(args.workspaces, 1), 1),
    }
    ok = (
        one_status["posted"] == in_zone
        and posted == catch_up_status["posted"] + in_zone
        and report["doubled"] == 0
        and not again_status
    )
    report["ok"] = ok
    if args.json:
        print(json.dumps(report))
    else:
        print(f"{args.workspaces} workspaces, {args.subs} subscriptions in {args.zones} zones")
        print(f"  built in {report['build_seconds']} s")
        part = report["catch_up"]
        print(
            f"  start-up catch-up: {part['posted']} posted in {part['seconds']} s "
            f"({part['posts_per_second']} posts/s) {part['outcomes']}"
        )
        part = report["nine_am"]
        print(
            f"  09:00 in {part['zone']}: {part['due']} due, posted in {part['seconds']} s "
            f"({part['posts_per_second']} posts/s) {part['outcomes']}"
        )
        print(f"  a tick with nothing due: {report['tick_with_nothing_due_seconds']} s")
        print(f"  posted {posted}, doubled {report['doubled']}, second tick {dict(again_status)}")
        print(f"  peak RSS {report['peak_rss_mb']} MB; files {report['files_mb']} MB")
        print("  OK" if ok else "  FAILED: a post is missing or doubled")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
