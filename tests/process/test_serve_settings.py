"""Pasted secrets with a line break or a space, and Slack URLs with an impossible port.

A token with a newline made `serve` print "Unexpected error ... Invalid header value
b'Bearer xoxb-...'": the token itself, in a message that calls it a bug. A paste error is a
configuration problem: name the variable, never echo the secret, exit 2.
"""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, from_env
from tests.conftest import BOT_TOKEN, SECRET
from tests.helpers.processes import bot_env, run_bot

PASTE_ERRORS = {
    "newline": "xoxb-123456-abcdef\nghijkl",
    "inner-space": "xoxb-123456 abcdef",
    "tab": "xoxb-123456\tabcdef",
    "non-ascii": "xoxb-123456-abcdéf",
}


@pytest.mark.parametrize("token", PASTE_ERRORS.values(), ids=PASTE_ERRORS.keys())
@pytest.mark.parametrize("name", ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"])
def test_a_secret_with_whitespace_is_a_settings_error_that_does_not_echo_it(name, token):
    value = token.replace("xoxb-", "xapp-") if name == "SLACK_APP_TOKEN" else token
    with pytest.raises(SettingsError) as raised:
        from_env({name: value})
    message = str(raised.value)
    assert name in message
    assert "123456" not in message and "abcd" not in message


def test_serve_with_a_newline_in_the_token_exits_2_without_printing_it(tmp_path, fake_slack):
    env = bot_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-123456-abcdef\nghijkl",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake_slack.url,
        COACH_SCHEDULER="0",
    )
    result = run_bot(["serve"], env)
    assert result.returncode == 2, result.stderr
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert "abcdef" not in result.stderr + result.stdout and "This is a bug" not in result.stderr


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:99999/api/", "http://127.0.0.1:x/api/", "https:///api/"]
)
def test_a_slack_api_url_with_an_impossible_port_or_no_host_is_a_settings_error(url):
    with pytest.raises(SettingsError, match="SLACK_API_URL"):
        from_env({"SLACK_API_URL": url, "SLACK_BOT_TOKEN": BOT_TOKEN})


def test_make_run_with_client_credentials_serves_the_install_not_the_playground(tmp_path):
    # `make run` is `serve --auto-playground`: with SLACK_CLIENT_ID it is the real install,
    # which needs the signing secret, and says so instead of opening a local page.
    env = bot_env(tmp_path, SLACK_CLIENT_ID="123.456", SLACK_CLIENT_SECRET="c1ientsecret")
    result = run_bot(["serve", "--auto-playground"], env, timeout=30)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "SLACK_SIGNING_SECRET" in result.stderr and "playground:" not in result.stdout
    assert "c1ientsecret" not in result.stdout + result.stderr


def test_workspaces_is_refused_outside_the_playground(tmp_path):
    env = bot_env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET)
    result = run_bot(["serve", "--workspaces", "2"], env, timeout=30)
    assert result.returncode == 2 and "--workspaces is for the playground" in result.stderr
    bad = run_bot(["serve", "--playground", "--workspaces", "3"], env, timeout=30)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
