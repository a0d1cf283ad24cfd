"""App Home with many subscriptions: every channel is accounted for, no line is cut in half."""

from __future__ import annotations

import re

from bot.core import subscriptions


def home_text(bot) -> str:
    bot.slack.event({"type": "app_home_opened", "user": "U1", "tab": "home"})
    (call,) = bot.calls("views.publish", at_least=1)
    return "\n".join(
        b["text"]["text"] for b in call.params["view"]["blocks"] if b["type"] == "section"
    )


def test_eighty_subscriptions_show_whole_lines_and_say_how_many_more(running_bot):
    for i in range(80):
        subscriptions.subscribe(
            running_bot.store,
            f"C{i:08d}",
            "09:00 Europe/Berlin mon,wed,fri",
            user="U1",
            default_tz=lambda: "UTC",
        )
    text = home_text(running_bot)
    shown = re.findall(r"<#(C\d{8})>", text)
    assert text.count("<#") == len(shown), "a channel mention was cut in half"
    lines = [line for line in text.splitlines() if line.startswith("• Daily tip")]
    assert all(line.endswith(")") for line in lines), "a subscription line was cut in half"
    assert f"and {80 - len(shown)} more" in text, text[-300:]
    assert len(shown) >= 20


def test_app_home_says_what_the_base_covers_and_where_privacy_is_explained(running_bot):
    from bot.core.coverage import coverage

    cov = coverage(running_bot.coach.library.base)
    running_bot.slack.event({"type": "app_home_opened", "user": "U1", "tab": "home"})
    (call,) = running_bot.calls("views.publish", at_least=1)
    dumped = str(call.params["view"]["blocks"])
    assert f"{cov.tips} tips from" in dumped
    assert "What the coach stores" in dumped and "docs/privacy.md" in dumped


def test_app_home_links_the_privacy_note_when_its_url_is_set(fake_slack, knowledge_dir, db_path):
    from tests.conftest import make_settings, start_bot

    url = "https://github.example/acme/aipm-coach/blob/main/docs/privacy.md"
    bot = start_bot(make_settings(fake_slack, knowledge_dir, db_path, privacy_url=url), fake_slack)
    try:
        bot.slack.event({"type": "app_home_opened", "user": "U1", "tab": "home"})
        (call,) = bot.calls("views.publish", at_least=1)
        assert f"<{url}|What the coach stores" in str(call.params["view"]["blocks"])
    finally:
        bot.stop()
