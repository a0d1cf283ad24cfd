"""One install serving two workspaces, over signed HTTP against the fake Slack's grid.

Both install through Slack's OAuth flow (the install page, Slack's approval, the redirect
with the code and the state cookie); then each subscribes, asks, rates, adds a team tip,
teaches a pair and leaves a gap, under the same channel and user ids, and neither sees the
other's data anywhere: answers, App Home, /aipm gaps and stats, the CLI with --team, the
messages each workspace received.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from urllib.error import HTTPError

import pytest

from bot.fakeslack.grid import browser_get as get
from bot.slack import modals
from bot.slack.blocks import FEEDBACK_ACTION, read_value
from tests.helpers.workspaces import TEAMS, start_fleet

IKEA_Q = "what is the ikea effect"
IKEA = "the-ikea-effect"
ADMIN = "UADMIN"
ACME, GLOBEX = "TACME", "TGLOBEX"
OWN = {  # each workspace's own tip, gap wording and subscription time
    ACME: ("Price AI features on outcomes", "how do we charge for AI", "acme printer", "08:15"),
    GLOBEX: ("Staff an evals guild", "who owns evals in a guild", "globex coffee", "10:45"),
}


@pytest.fixture
def fleet(tmp_path, knowledge_dir):
    running = start_fleet(tmp_path, knowledge_dir)
    for team in TEAMS:
        status, page = running.install(team)
        assert status == 200 and "Thank you" in page, page
        running.api(team).add_user(ADMIN, is_admin=True)
    yield running
    running.stop()


def buttons(body: dict) -> list[dict]:
    return [e for b in body.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


def first_tip(body: dict) -> str | None:
    found = [e for e in buttons(body) if e["action_id"] == "not_what_i_asked"]
    return read_value(found[0]["value"]).tip if found else None


def feedback(body: dict) -> dict:
    (block,) = [b for b in body["blocks"] if b["type"] == "context_actions"]
    return block["elements"][0]


def add_tip(fleet, team: str, title: str, question: str) -> None:
    slack, api = fleet.slack(team), fleet.api(team)
    before = len(api.modals)
    assert slack.command("add", user=ADMIN).status == 200
    assert len(api.modals) == before + 1
    form = {
        "title": title,
        "text": f"{title}: the one practice {team} keeps.",
        "questions": f"{question}\n{question} please\nwhat about {question}",
        "tags": "team",
        "kind": "practice",
        "link": "",
    }
    reply = slack.submit(
        api.modals[-1], {k: {modals.VALUE: v} for k, v in form.items()}, user=ADMIN
    )
    assert reply.status == 200, reply.body


def use_each_workspace(fleet) -> None:
    """Everything a team does, in each workspace, with the same ids in both."""
    for team, (title, question, gap, at) in OWN.items():
        slack = fleet.slack(team)
        assert slack.command(f"subscribe {at} UTC daily", user="U1", channel="C1").status == 200
        answer = slack.command(IKEA_Q, user="U1").json()
        side = "positive_button" if team == ACME else "negative_button"  # Acme up, Globex down
        vote = feedback(answer)[side]
        assert slack.action(FEEDBACK_ACTION, vote["value"], user="U1").status == 200
        if team == ACME:  # only Acme's U1 says the Ikea tip is not what they asked
            (mismatch,) = [e for e in buttons(answer) if e["action_id"] == "not_what_i_asked"]
            assert slack.action(mismatch["action_id"], mismatch["value"], user="U1").status == 200
        assert slack.command(f"how do I fix the {gap}", user="U2").status == 200
        add_tip(fleet, team, title, question)


def store(fleet, team: str):
    workspace = fleet.runtime.workspaces.get(team)
    assert workspace is not None
    return workspace.store


def test_two_workspaces_install_through_the_oauth_flow(fleet, tmp_path):
    rows = {row["team"]: row for row in fleet.runtime.install.workspaces()}
    assert {team: (row["state"], row["team_name"]) for team, row in rows.items()} == {
        ACME: ("active", "Acme"),
        GLOBEX: ("active", "Globex"),
    }
    # Bolt's installation store holds each workspace's own token, the one Slack issued.
    for team in TEAMS:
        bot = fleet.runtime.workspaces.installations.find_bot(enterprise_id=None, team_id=team)
        assert bot is not None and bot.bot_token == fleet.grid.token(team)
        assert (tmp_path / "teams" / f"{team}.db").is_file()
    assert fleet.grid.token(ACME) != fleet.grid.token(GLOBEX)


def test_an_install_without_its_state_cookie_or_with_a_used_code_is_refused(fleet):
    status, headers, page = get(f"{fleet.base}/slack/install")
    state = page.split("state=", 1)[1].split("&", 1)[0].split('"', 1)[0]
    code = fleet.grid.authorize("TACME")
    # Someone else's browser (no cookie) cannot finish the install with a leaked link.
    status, _, _ = get(f"{fleet.base}/slack/oauth_redirect?code={code}&state={state}")
    assert status == 400
    assert [e["ok"] for e in fleet.grid.exchanges][-1] is True, "the two installs only"
    # A code already exchanged cannot be exchanged again.
    used = fleet.grid.exchanges[0]["code"]
    status, headers, page = get(f"{fleet.base}/slack/install")
    state = page.split("state=", 1)[1].split("&", 1)[0].split('"', 1)[0]
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    status, _, _ = get(
        f"{fleet.base}/slack/oauth_redirect?code={used}&state={state}", cookie=cookie
    )
    assert status >= 400
    assert fleet.grid.exchanges[-1] == {"code": used, "ok": False, "error": "invalid_code"}
    # The install paths are pages a browser GETs; nothing else is served there.
    request = urllib.request.Request(f"{fleet.base}/slack/install", data=b"x", method="POST")
    with pytest.raises(HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 405
    assert len(fleet.runtime.install.workspaces()) == 2


def test_neither_workspace_sees_the_others_data(fleet, tmp_path, cli):
    use_each_workspace(fleet)
    acme, globex = store(fleet, ACME), store(fleet, GLOBEX)
    # Subscriptions: the same channel id, each workspace's own time.
    assert acme.subscription("C1")["at"] == "08:15"
    assert globex.subscription("C1")["at"] == "10:45"
    # Ratings: the same person id voted up in Acme and down in Globex; each kept apart.
    assert acme.tip_tallies() == {IKEA: (1, 0)}
    assert globex.tip_tallies() == {IKEA: (0, 1)}
    # Learned pairs: Acme's U1 no longer gets the Ikea tip; Globex's U1 (same id) still does.
    assert first_tip(fleet.slack(ACME).command(IKEA_Q, user="U1").json()) != IKEA
    assert first_tip(fleet.slack(GLOBEX).command(IKEA_Q, user="U1").json()) == IKEA
    assert [t["tip_id"] for t in acme.teachings()] == [IKEA]
    assert globex.teachings() == []
    # Team tips: each workspace's question finds its own tip there and not in the other.
    for team, other in ((ACME, GLOBEX), (GLOBEX, ACME)):
        title, question, *_ = OWN[team]
        mine = fleet.slack(team).command(question, user="U3").json()
        theirs = fleet.slack(other).command(question, user="U3").json()
        assert title in json.dumps(mine)
        assert title not in json.dumps(theirs)
    # Gaps and stats in Slack: an admin sees their own workspace's questions only.
    for team, other in ((ACME, GLOBEX), (GLOBEX, ACME)):
        gaps = json.dumps(fleet.slack(team).command("gaps", user=ADMIN).json())
        assert OWN[team][2] in gaps and OWN[other][2] not in gaps
        stats = json.dumps(fleet.slack(team).command("stats", user=ADMIN).json())
        assert OWN[other][2] not in stats
    # App Home: each curator's Library lists their own team tip, published in their own
    # workspace only.
    for team, other in ((ACME, GLOBEX), (GLOBEX, ACME)):
        api = fleet.api(team)
        before = len(api.calls("views.publish"))
        fleet.slack(team).event({"type": "app_home_opened", "user": ADMIN, "tab": "home"})
        deadline = time.monotonic() + 10
        while len(api.calls("views.publish")) == before and time.monotonic() < deadline:
            time.sleep(0.02)
        home = json.dumps(api.calls("views.publish")[-1].params["view"])
        assert OWN[team][0] in home and OWN[other][0] not in home
    # Every message a workspace received came from its own token: no other workspace's
    # tip title reached it.
    for team, other in ((ACME, GLOBEX), (GLOBEX, ACME)):
        seen = json.dumps([c.params for c in fleet.api(team).calls()])
        assert OWN[other][0] not in seen and OWN[other][2] not in seen
    # The CLI, with --team, reads one workspace's database.
    env = {"COACH_DB": str(tmp_path / "coach.db")}
    out = cli("--team", ACME, "gaps", **env)
    assert out.code == 0 and OWN[ACME][2] in out.out and OWN[GLOBEX][2] not in out.out
    listed = cli("--team", GLOBEX, "knowledge", "list", **env)
    assert OWN[GLOBEX][0] in listed.out and OWN[ACME][0] not in listed.out
    unknown = cli("--team", "TNOBODY", "gaps", **env)
    assert unknown.code == 2 and "No data for workspace TNOBODY" in unknown.err
    hostile = cli("--team", "../coach", "gaps", **env)
    assert hostile.code == 2 and "not a Slack team id" in hostile.err


def test_a_workspace_that_never_installed_gets_nothing_and_leaves_nothing(fleet, tmp_path):
    intruder = fleet.slack(ACME)
    intruder.team = {"id": "TEVIL", "domain": "evil", "name": "Evil"}
    reply = intruder.command(IKEA_Q, user="U1")
    assert reply.status in (200, 401) and "Ikea" not in reply.body
    assert not (tmp_path / "teams" / "TEVIL.db").exists()
    assert fleet.runtime.install.workspace("TEVIL") is None
    # A team id that is not one (a path) never becomes a file name.
    intruder.team = {"id": "../../etc", "domain": "x", "name": "x"}
    reply = intruder.command(IKEA_Q, user="U1")
    assert reply.status < 500
    assert sorted(p.name for p in (tmp_path / "teams").glob("*.db")) == ["TACME.db", "TGLOBEX.db"]


def posts(api, channel: str) -> list:
    return [c for c in api.calls("chat.postMessage") if c.params.get("channel") == channel]


def subscribe_now(fleet, team: str, channel: str) -> None:
    # Due at once (a subscription made in Slack waits for its next scheduled time).
    store(fleet, team).save_subscription(channel, at="00:00", tz="UTC", days="daily")


def test_daily_tips_post_once_per_workspace_channel_and_day(fleet):
    for team in TEAMS:
        subscribe_now(fleet, team, "CDAILY")  # the same channel id in both workspaces
    done = fleet.runtime.fleet.tick()
    assert {team: [r.status for r in results] for team, results in done.items()} == {
        ACME: ["posted"],
        GLOBEX: ["posted"],
    }
    for team in TEAMS:
        assert len(posts(fleet.api(team), "CDAILY")) == 1
        assert store(fleet, team).daily_post("CDAILY", done[team][0].local_date).status == "posted"
    # A second tick, and a second process's fleet on the same databases, post nothing more.
    fleet.runtime.fleet.tick()
    assert [len(posts(fleet.api(team), "CDAILY")) for team in TEAMS] == [1, 1]


def test_two_processes_on_one_install_post_each_tip_once(fleet, knowledge_dir):
    import threading

    from bot.core.library import Library
    from bot.serve import FleetRuntime

    for team in TEAMS:
        for n in range(5):
            subscribe_now(fleet, team, f"CDAILY{n}")
    other = FleetRuntime(fleet.settings, Library(knowledge_dir))
    try:
        ticks = [fleet.runtime.fleet.tick, other.fleet.tick]
        threads = [threading.Thread(target=tick) for tick in ticks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        for team in TEAMS:
            channels = [c.params["channel"] for c in fleet.api(team).calls("chat.postMessage")]
            assert sorted(channels) == [f"CDAILY{n}" for n in range(5)], team
    finally:
        other.stop_background()


def test_a_revoked_token_pauses_its_workspace_and_spares_the_other(fleet):
    for team in TEAMS:
        subscribe_now(fleet, team, "CDAILY")
    fleet.grid.revoke(ACME)  # an admin revoked it; no event reached the app
    done = fleet.runtime.fleet.tick()
    assert [r.status for r in done[GLOBEX]] == ["posted"]
    assert fleet.runtime.install.workspace(ACME)["state"] == "paused"
    assert fleet.runtime.install.workspace(ACME)["reason"] == "token_revoked"
    calls = len(fleet.api(ACME).calls())
    fleet.runtime.fleet.tick()
    assert ACME not in fleet.runtime.fleet.tick()
    assert len(fleet.api(ACME).calls()) == calls, "a paused workspace gets no more calls"
    # Installing again gives a new token and posts again.
    assert fleet.install(ACME)[0] == 200
    assert fleet.runtime.install.workspace(ACME)["state"] == "active"
    assert [r.status for r in fleet.runtime.fleet.tick()[ACME]] == ["posted"]


def test_uninstalling_stops_posts_and_deletes_the_data_after_the_grace_period(
    tmp_path, knowledge_dir
):
    grace = 1.5 / 86400  # COACH_DELETE_AFTER_DAYS of a second and a half
    fleet = start_fleet(tmp_path, knowledge_dir, delete_after_days=grace)
    try:
        for team in TEAMS:
            assert fleet.install(team)[0] == 200
            subscribe_now(fleet, team, "CDAILY")
        acme_file = tmp_path / "teams" / "TACME.db"
        removed = fleet.grid.uninstall(ACME)
        reply = fleet.slack(ACME).signed(json.dumps(removed), "application/json")
        assert reply.status == 200
        row = fleet.runtime.install.workspace(ACME)
        assert row["state"] == "removed" and row["delete_after"] > row["removed_at"]
        assert (
            fleet.runtime.workspaces.installations.find_bot(enterprise_id=None, team_id=ACME)
            is None
        )
        done = fleet.runtime.fleet.tick()
        assert list(done) == [GLOBEX], "no post, no call, in a removed workspace"
        assert fleet.api(ACME).calls("chat.postMessage") == []
        assert acme_file.is_file(), "kept through the grace period"
        # Slack redelivering the event changes nothing.
        assert fleet.slack(ACME).signed(json.dumps(removed), "application/json").status == 200
        assert fleet.runtime.install.workspace(ACME)["delete_after"] == row["delete_after"]
        time.sleep(1.6)
        fleet.runtime.fleet.tick()
        assert not acme_file.exists() and not list((tmp_path / "teams").glob("TACME.db*"))
        assert fleet.runtime.install.workspace(ACME)["state"] == "deleted"
        assert fleet.runtime.install.workspace(ACME)["team_name"] == ""
        assert (tmp_path / "teams" / "TGLOBEX.db").is_file()
    finally:
        fleet.stop()


def test_data_is_deleted_on_schedule_even_with_the_scheduler_off(tmp_path, knowledge_dir):
    # COACH_SCHEDULER=0 (cron posts the tips): the catch-up thread does the deletions.
    fleet = start_fleet(tmp_path, knowledge_dir, delete_after_days=0.2 / 86400)
    try:
        assert fleet.install(ACME)[0] == 200
        subscribe_now(fleet, ACME, "CDAILY")
        removed = fleet.grid.uninstall(ACME)
        assert fleet.slack(ACME).signed(json.dumps(removed), "application/json").status == 200
        assert (tmp_path / "teams" / "TACME.db").is_file()
        time.sleep(0.3)
        fleet.runtime.start_background()
        deadline = time.monotonic() + 10
        # The deletion's last step is the registry's record of it: wait for that.
        while (
            fleet.runtime.install.workspace(ACME)["state"] != "deleted"
            and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        assert fleet.runtime.install.workspace(ACME)["state"] == "deleted"
        assert not (tmp_path / "teams" / "TACME.db").exists()
        assert not fleet.runtime.fleet.running, "the daily tips stay off"
    finally:
        fleet.stop()


def test_a_workspace_file_deleted_under_the_running_bot_starts_afresh_loudly(
    fleet, tmp_path, caplog
):
    slack = fleet.slack(ACME)
    for team in TEAMS:
        reply = fleet.slack(team).command("subscribe 09:00 UTC daily", user="U1", channel="C1")
        assert reply.status == 200
    for path in (tmp_path / "teams").glob("TACME.db*"):
        path.unlink()  # a careless admin
    assert "Ikea" in slack.command(IKEA_Q, user="U1").body
    assert (tmp_path / "teams" / "TACME.db").is_file(), "what happens now is kept"
    assert store(fleet, ACME).subscriptions() == []
    assert "was deleted while the bot ran" in caplog.text
    assert [row["channel"] for row in store(fleet, GLOBEX).subscriptions()] == ["C1"]


def test_an_uninstall_redelivered_after_a_reinstall_removes_nothing(fleet):
    removed = fleet.grid.uninstall(ACME)
    removed["event_time"] -= 10  # Slack retries an event from before the reinstall
    assert fleet.install(ACME)[0] == 200
    reply = fleet.slack(ACME).signed(json.dumps(removed), "application/json")
    assert reply.status == 200
    assert fleet.runtime.install.workspace(ACME)["state"] == "active"
    found = fleet.runtime.workspaces.installations.find_bot(enterprise_id=None, team_id=ACME)
    assert found is not None and found.bot_token == fleet.grid.token(ACME)
    assert "Ikea" in fleet.slack(ACME).command(IKEA_Q, user="U1").body
    # The same event sent fresh (no reinstall after it) does remove the workspace.
    removed = fleet.grid.uninstall(ACME)
    assert fleet.slack(ACME).signed(json.dumps(removed), "application/json").status == 200
    assert fleet.runtime.install.workspace(ACME)["state"] == "removed"


@pytest.mark.parametrize("tokens", [["bot"], "UBOT", {"bot": "UBOT"}, None])
def test_a_tokens_revoked_event_of_any_shape_gets_a_200_or_a_400(fleet, tokens):
    event = fleet.grid.uninstall(GLOBEX)
    event["event"] = {"type": "tokens_revoked", "tokens": tokens}
    reply = fleet.slack(GLOBEX).signed(json.dumps(event), "application/json")
    assert reply.status in (200, 400)
    state = fleet.runtime.install.workspace(GLOBEX)["state"]
    assert state == ("removed" if isinstance(tokens, dict) else "active")


def test_a_grid_orgs_workspace_installs_on_its_own_and_leaves_no_token(fleet):
    fleet.grid.add_team("TORGONE", "Org One", enterprise="EORG")
    assert fleet.install("TORGONE")[0] == 200
    store = fleet.runtime.workspaces.installations
    assert fleet.runtime.install.workspace("TORGONE")["enterprise"] == "EORG"
    assert store.find_bot(enterprise_id="EORG", team_id="TORGONE") is not None
    subscribe_now(fleet, "TORGONE", "CDAILY")
    assert [r.status for r in fleet.runtime.fleet.tick()["TORGONE"]] == ["posted"]
    removed = fleet.grid.uninstall("TORGONE")
    assert removed["enterprise_id"] == "EORG"
    assert fleet.slack("TORGONE").signed(json.dumps(removed), "application/json").status == 200
    assert fleet.runtime.install.workspace("TORGONE")["state"] == "removed"
    assert store.find_bot(enterprise_id="EORG", team_id="TORGONE") is None, "its token is gone"


def test_an_org_wide_install_is_refused_and_keeps_nothing(fleet, tmp_path):
    fleet.grid.add_team("TORGTWO", "Org Two", enterprise="EWIDE")
    status, page = fleet.grid.walk_install(fleet.base, "TORGTWO", org_wide=True)
    assert status == 400 and "each workspace" in page
    store = fleet.runtime.workspaces.installations
    assert store.find_bot(enterprise_id="EWIDE", team_id=None, is_enterprise_install=True) is None
    assert fleet.runtime.install.workspace("EWIDE") is None
    assert fleet.runtime.install.workspace("TORGTWO") is None
    assert not list((tmp_path / "teams").glob("E*"))


def test_install_links_nobody_used_are_pruned_and_a_live_one_still_works(fleet, tmp_path):
    from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore

    lapsed = SQLite3OAuthStateStore(database=str(tmp_path / "coach.db"), expiration_seconds=-5)
    for _ in range(20):  # a page hammering /slack/install, long ago
        lapsed.issue()
    status, headers, page = get(f"{fleet.base}/slack/install")
    assert status == 200
    count = "SELECT COUNT(*) FROM oauth_states"
    assert fleet.runtime.install.db.execute(count).fetchone()[0] == 21
    fleet.runtime.fleet.tick()
    assert fleet.runtime.install.db.execute(count).fetchone()[0] == 1
    state = re.search(r"state=([A-Za-z0-9_-]+)", page).group(1)
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    code = fleet.grid.authorize(ACME)
    status, _, _ = get(
        f"{fleet.base}/slack/oauth_redirect?code={code}&state={state}", cookie=cookie
    )
    assert status == 200


def test_a_cron_posts_one_workspaces_tip_with_its_own_token_once(fleet, tmp_path, cli):
    subscribe_now(fleet, ACME, "CDAILY")
    env = {
        "COACH_DB": str(tmp_path / "coach.db"),
        "SLACK_CLIENT_ID": fleet.settings.client_id,
        "SLACK_CLIENT_SECRET": fleet.settings.client_secret,
        "SLACK_API_URL": fleet.fake.url,
    }
    out = cli("--team", ACME, "post-tip", "--channel", "CDAILY", **env)
    assert out.code == 0 and out.out.startswith("Posted"), out.err
    assert len(fleet.api(ACME).calls("chat.postMessage")) == 1
    assert fleet.api(GLOBEX).calls("chat.postMessage") == []
    assert (
        "already has its daily tip"
        in cli("--team", ACME, "post-tip", "--channel", "CDAILY", **env).out
    )
    done = fleet.runtime.fleet.tick()
    assert "posted" not in [r.status for r in done.get(ACME, [])], "serve does not post it again"
    assert len(fleet.api(ACME).calls("chat.postMessage")) == 1
    # A workspace that left has no token for a cron to use.
    removed = fleet.grid.uninstall(GLOBEX)
    assert fleet.slack(GLOBEX).signed(json.dumps(removed), "application/json").status == 200
    gone = cli("--team", GLOBEX, "post-tip", "--channel", "CDAILY", **env)
    assert gone.code == 2 and "has no installation" in gone.err
    assert fleet.api(GLOBEX).calls("chat.postMessage") == []


def test_the_operator_deletes_a_workspace_at_once_from_the_cli(fleet, tmp_path, cli):
    env = {"COACH_DB": str(tmp_path / "coach.db"), "SLACK_CLIENT_ID": fleet.settings.client_id}
    listed = cli("workspaces", **env)
    assert listed.code == 0 and "TACME  active  Acme" in listed.out
    out = cli("workspaces", "delete", ACME, "--now", **env)
    assert out.code == 0, out.err
    assert not (tmp_path / "teams" / "TACME.db").exists()
    assert fleet.runtime.install.workspace(ACME)["state"] == "deleted"
    # The running install stops serving it at once: no answer, nothing written.
    reply = fleet.slack(ACME).command(IKEA_Q, user="U1")
    assert "Ikea" not in reply.body
    assert not (tmp_path / "teams" / "TACME.db").exists()
    assert fleet.runtime.workspaces.get(GLOBEX) is not None
    assert cli("workspaces", "delete", "TNOBODY", **env).code == 2
