"""`app_uninstalled` and `tokens_revoked`: the app was removed from a workspace.

One install for many workspaces (`context["aipm_workspaces"]`, see bot/slack/workspaces.py):
the workspace's tokens are forgotten, its daily posts stop, and its data is deleted after
COACH_DELETE_AFTER_DAYS. One workspace: SLACK_BOT_TOKEN no longer works, and the log says
so and what to do (nothing is deleted: the operator owns that database).
"""

from __future__ import annotations

import logging

from slack_bolt import App

from bot.slack.workspaces import WORKSPACES_KEY, team_key

log = logging.getLogger(__name__)


def register(app: App) -> None:
    """Listen for the app's removal from a workspace and for its bot token's revocation."""
    app.event("app_uninstalled")(uninstalled)
    app.event("tokens_revoked")(revoked)


def uninstalled(body: dict, context) -> None:
    """The app was uninstalled from the workspace."""
    _removed(body, context, "uninstalled")


def revoked(body: dict, event: dict, context) -> None:
    """Tokens were revoked: only the bot's matter (the coach keeps no user token)."""
    tokens = event.get("tokens")
    if isinstance(tokens, dict) and tokens.get("bot"):
        _removed(body, context, "tokens revoked")


def _removed(body: dict, context, reason: str) -> None:
    workspaces = context.get(WORKSPACES_KEY)
    team = team_key(context.get("team_id"), context.get("enterprise_id"))
    if workspaces is None:
        log.error(
            "Slack says the app was %s in %s: SLACK_BOT_TOKEN no longer works. Reinstall the "
            "app and set the new Bot User OAuth Token, or stop the bot.",
            reason,
            team or "this workspace",
        )
        return
    if team:
        workspaces.remove(team, reason, happened=body.get("event_time"))
