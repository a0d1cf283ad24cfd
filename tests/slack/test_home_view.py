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
