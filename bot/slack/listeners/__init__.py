"""Register every listener group on a Bolt app (the one registration point)."""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import (
    actions,
    commands,
    curation,
    events,
    functions,
    messages,
    removal,
    shortcuts,
)


def register_listeners(app: App, *, command: str) -> None:
    """Attach the command, event, action, message, shortcut, workflow-step, curation and removal listeners.

    Callbacks find the coach and poster in `context` (see `SlackContext.attach`), so
    `build_app` installs that middleware first.
    """
    commands.register(app, command=command)
    events.register(app)
    actions.register(app)
    messages.register(app)
    shortcuts.register(app)
    functions.register(app)
    curation.register(app)
    removal.register(app)
