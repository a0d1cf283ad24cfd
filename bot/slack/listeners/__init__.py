"""Register every listener group on a Bolt app (the one registration point)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.context import SlackContext
from bot.slack.listeners import actions, commands, events, functions, messages, shortcuts


def register_listeners(app: App, ctx: SlackContext) -> None:
    """Attach the command, event and action listeners to `app`."""
    commands.register(app, ctx)
    events.register(app, ctx)
    actions.register(app, ctx)
    messages.register(app)
    shortcuts.register(app)
    functions.register(app)
