"""One settings object from the environment, with messages that name the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, from_env


def test_defaults():
    s = from_env({})
    assert (s.db_path, s.knowledge_dir, s.port, s.command) == (
        Path("coach.db"),
        Path("knowledge"),
        3000,
        "/aipm",
    )
    assert s.api_url == "https://slack.com/api/" and s.log_questions and not s.log_users
    assert not s.socket_mode


def test_everything_configurable():
    s = from_env(
        {
            "SLACK_APP_TOKEN": "xapp-1",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "COACH_DB": "/d/x.db",
            "COACH_KNOWLEDGE": "/k",
            "PORT": "8080",
            "COACH_COMMAND": "/coach",
            "COACH_ADMINS": "U0ADM1, U0ADM2",
            "COACH_LOG_QUESTIONS": "0",
            "COACH_LOG_USERS": "1",
            "COACH_USEFUL_REACTIONS": "tada,:rocket:",
        }
    )
    assert s.socket_mode and s.api_url == "http://127.0.0.1:9/api/" and s.port == 8080
    assert s.command == "/coach" and s.admins == {"U0ADM1", "U0ADM2"}
    assert not s.log_questions and s.log_users and s.useful_reactions == {"tada", "rocket"}


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"PORT": "0"}, "PORT"),
        ({"PORT": "http"}, "PORT"),
        ({"PORT": "²"}, "PORT"),
        ({"PORT": "፩"}, "PORT"),
        ({"SLACK_API_URL": "slack.com"}, "SLACK_API_URL"),
        ({"COACH_COMMAND": "aipm"}, "COACH_COMMAND"),
        ({"COACH_LOG_USERS": "sometimes"}, "COACH_LOG_USERS"),
        ({"COACH_TICK_SECONDS": "-1"}, "COACH_TICK_SECONDS"),
        ({"COACH_TICK_SECONDS": "nan"}, "COACH_TICK_SECONDS"),
        ({"COACH_TICK_SECONDS": "inf"}, "COACH_TICK_SECONDS"),
        ({"COACH_TICK_SECONDS": "-inf"}, "COACH_TICK_SECONDS"),
        ({"COACH_TICK_SECONDS": "1e300"}, "COACH_TICK_SECONDS"),
        ({"COACH_TICK_SECONDS": "1e-9"}, "COACH_TICK_SECONDS"),
        ({"COACH_USEFUL_REACTIONS": "-1"}, "COACH_NOT_USEFUL_REACTIONS"),
    ],
)
def test_malformed_values_name_the_variable(env, needle):
    with pytest.raises(SettingsError) as err:
        from_env(env)
    assert needle in str(err.value) and "use" in str(err.value)


def test_serve_needs_both_http_credentials():
    with pytest.raises(SettingsError) as err:
        from_env({}).require_slack()
    message = str(err.value)
    assert (
        "SLACK_BOT_TOKEN" in message
        and "SLACK_SIGNING_SECRET" in message
        and "playground" in message
    )


def test_socket_mode_needs_no_signing_secret():
    from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}).require_slack()


def test_wrong_token_kinds_are_named():
    with pytest.raises(SettingsError) as err:
        from_env({"SLACK_BOT_TOKEN": "xapp-oops", "SLACK_SIGNING_SECRET": "s"}).require_slack()
    assert "xoxb-" in str(err.value)


def test_redact_hides_every_secret():
    s = from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-secret-1",
            "SLACK_SIGNING_SECRET": "sign-2",
            "SLACK_APP_TOKEN": "xapp-3",
        }
    )
    assert s.redact("a xoxb-secret-1 b sign-2 c xapp-3") == "a [redacted] b [redacted] c [redacted]"


def test_curators_are_slack_user_ids():
    assert from_env({"COACH_CURATORS": "U0CUR1, W0CUR2"}).curators == {"U0CUR1", "W0CUR2"}
    with pytest.raises(SettingsError) as err:
        from_env({"COACH_CURATORS": "U0CUR1, @alice"})
    assert "COACH_CURATORS" in str(err.value) and "'@alice'" in str(err.value)


def test_a_privacy_url_must_be_a_plain_http_url():
    from bot.settings import SettingsError, from_env

    url = "https://github.example/acme/aipm-coach/blob/main/docs/privacy.md"
    assert from_env({"COACH_PRIVACY_URL": url}).privacy_url == url
    for bad in ("docs/privacy.md", "https://x.example/a> <!channel>", "javascript:alert(1)"):
        try:
            from_env({"COACH_PRIVACY_URL": bad})
        except SettingsError as exc:
            assert "COACH_PRIVACY_URL" in str(exc) and "https://" in str(exc)
        else:
            raise AssertionError(f"{bad!r} was accepted")


def test_admins_are_slack_user_ids_like_curators():
    assert from_env({"COACH_ADMINS": "U0ADM1, W0ADM2"}).admins == {"U0ADM1", "W0ADM2"}
    with pytest.raises(SettingsError) as err:
        from_env({"COACH_ADMINS": "ana@example.com"})
    message = str(err.value)
    assert "COACH_ADMINS" in message and "'ana@example.com'" in message
    assert "U0123ABCD" in message and "Copy member ID" in message


@pytest.mark.parametrize("name", ["COACH_DB", "COACH_KNOWLEDGE", "COACH_SEEDS"])
def test_a_path_setting_set_but_empty_is_named(name):
    with pytest.raises(SettingsError) as err:
        from_env({name: "  "})
    assert name in str(err.value) and "unset" in str(err.value)


def test_only_a_bot_token_names_both_ways_to_connect():
    with pytest.raises(SettingsError) as err:
        from_env({"SLACK_BOT_TOKEN": "xoxb-1"}).require_slack()
    message = str(err.value)
    assert "SLACK_APP_TOKEN" in message and "Socket Mode" in message
    assert "SLACK_SIGNING_SECRET" in message and "HTTP mode" in message
    assert "SLACK_BOT_TOKEN is not set" not in message


# -- one install for many workspaces ------------------------------------------------------

OAUTH = {
    "SLACK_CLIENT_ID": "123.456",
    "SLACK_CLIENT_SECRET": "c1ientsecret",
    "SLACK_SIGNING_SECRET": "s",
}


def test_client_id_and_secret_without_a_bot_token_mean_many_workspaces():
    s = from_env({**OAUTH, "COACH_DB": "/d/install.db"})
    assert s.many_workspaces and s.workspaces_dir == Path("/d/teams")
    assert s.delete_after_days == 30
    s.require_slack()
    assert not from_env({**OAUTH, "SLACK_BOT_TOKEN": "xoxb-1"}).many_workspaces


def test_a_workspace_gets_its_own_file_and_none_of_the_single_workspace_people():
    s = from_env(
        {**OAUTH, "COACH_TEAMS_DIR": "/t", "COACH_CURATORS": "U0A1", "COACH_ADMINS": "U0B2"}
    )
    team = s.for_team("T0ACME")
    assert team.db_path == Path("/t/T0ACME.db")
    assert team.curators == frozenset() and team.admins == frozenset()


@pytest.mark.parametrize("team", ["../etc", "T0/../../x", "acme", "", "T", "t0acme", "T0ACME.db"])
def test_a_team_id_that_could_be_a_path_is_refused(team):
    with pytest.raises(SettingsError) as err:
        from_env(OAUTH).for_team(team)
    assert "not a Slack team id" in str(err.value)


@pytest.mark.parametrize("value", ["-1", "3651", "soon", "nan", "inf"])
def test_a_bad_grace_period_names_the_variable_and_its_range(value):
    with pytest.raises(SettingsError) as err:
        from_env({**OAUTH, "COACH_DELETE_AFTER_DAYS": value})
    assert "COACH_DELETE_AFTER_DAYS" in str(err.value) and "use" in str(err.value)


@pytest.mark.parametrize("missing", ["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"])
def test_half_the_client_credentials_name_the_other_half(missing):
    env = {k: v for k, v in OAUTH.items() if k != missing}
    with pytest.raises(SettingsError) as err:
        from_env(env).require_slack()
    assert f"{missing} is not set" in str(err.value) and "SLACK_BOT_TOKEN" in str(err.value)


def test_many_workspaces_need_the_signing_secret_and_refuse_socket_mode():
    without = {k: v for k, v in OAUTH.items() if k != "SLACK_SIGNING_SECRET"}
    with pytest.raises(SettingsError) as err:
        from_env(without).require_slack()
    assert "SLACK_SIGNING_SECRET" in str(err.value)
    with pytest.raises(SettingsError) as err:
        from_env({**OAUTH, "SLACK_APP_TOKEN": "xapp-1"}).require_slack()
    assert "unset SLACK_APP_TOKEN" in str(err.value)


def test_the_client_secret_is_redacted_and_never_echoed():
    s = from_env(OAUTH)
    assert s.redact("oops c1ientsecret") == "oops [redacted]"
    with pytest.raises(SettingsError) as err:
        from_env({**OAUTH, "SLACK_CLIENT_SECRET": "bad secret\n"})
    assert "SLACK_CLIENT_SECRET" in str(err.value) and "bad secret" not in str(err.value)
