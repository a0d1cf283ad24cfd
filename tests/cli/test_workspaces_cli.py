"""`curators`, `workspaces adopt|list` and `--team` in the terminal, on real SQLite files."""

from __future__ import annotations

import json

from bot.store import Store


def test_curators_are_added_listed_and_removed(cli, tmp_path):
    Store.open(tmp_path / "coach.db").close()
    added = cli("curators", "--add", "U0ANA", "--by", "U0LEAD")
    assert added.code == 0 and "U0ANA is now a curator" in added.out
    assert "was already" in cli("curators", "--add", "U0ANA").out
    rows = json.loads(cli("curators", "--json").out)
    assert [(r["user"], r["added_by"]) for r in rows] == [("U0ANA", "U0LEAD")]
    listed = cli("curators", COACH_CURATORS="U0ENV")
    assert "U0ENV  (COACH_CURATORS)" in listed.out and "U0ANA  (added by U0LEAD" in listed.out
    assert "is no longer" in cli("curators", "--remove", "U0ANA").out
    assert json.loads(cli("curators", "--json").out) == []
    assert "was not" in cli("curators", "--remove", "U0ANA").out


def test_a_curator_must_be_a_member_id(cli):
    for bad in ("alice", "ana@example.com", "<@U0ANA>", "U"):
        result = cli("curators", "--add", bad)
        assert result.code == 2 and "member id" in result.err


def test_adopt_makes_the_single_workspaces_data_one_workspaces(cli, tmp_path):
    store = Store.open(tmp_path / "coach.db")
    store.save_subscription("C0GEN", at="09:00", tz="UTC", days="daily", user="U0ANA")
    store.add_curator("U0ANA", by="cli")
    store.close()
    adopted = cli("workspaces", "adopt", "T0ACME")
    assert adopted.code == 0, adopted.err
    assert (tmp_path / "teams" / "T0ACME.db").is_file()
    subs = json.loads(cli("--team", "T0ACME", "subscriptions", "--json").out)
    assert [s["channel"] for s in subs] == ["C0GEN"]
    assert "U0ANA" in cli("--team", "T0ACME", "curators").out
    again = cli("workspaces", "adopt", "T0ACME")
    assert again.code == 2 and "exists" in again.err
    assert [
        s["channel"] for s in json.loads(cli("--team", "T0ACME", "subscriptions", "--json").out)
    ] == ["C0GEN"]


def test_team_commands_never_reach_outside_the_teams_folder(cli, tmp_path):
    for bad in ("../coach", "T0/../../x", "acme"):
        result = cli("--team", bad, "stats")
        assert result.code == 2 and "team id" in result.err
    missing = cli("--team", "T0NOBODY", "stats")
    assert missing.code == 2 and "No data for workspace T0NOBODY" in missing.err
    assert not (tmp_path / "teams" / "T0NOBODY.db").exists()
    assert cli("--team", "T0ACME", "workspaces").code == 2


def test_an_install_without_workspaces_says_so(cli, tmp_path):
    Store.open(tmp_path / "coach.db").close()
    listed = cli("workspaces", "list")
    assert listed.code == 0 and "No workspace installed the app" in listed.out
    assert json.loads(cli("workspaces", "list", "--json").out) == []
    unnamed = cli("workspaces", "delete", "T0NOBODY")
    assert unnamed.code == 2 and "SLACK_CLIENT_ID is not set" in unnamed.err
    gone = cli("workspaces", "delete", "T0NOBODY", SLACK_CLIENT_ID="123.456")
    assert gone.code == 2 and "No workspace T0NOBODY" in gone.err
