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
