"""The playground's simulated workspace: one channel, three people, the bot.

Built on the one in-memory Web API (`bot.fakeslack.web_api`), closed like a real
workspace: unknown channels, people and tokens are refused as Slack refuses them.
"""

from __future__ import annotations

from bot.fakeslack.web_api import WebAPI
from bot.playground import CHANNEL_ID

TEAM = {"id": "T0PLAYGRND", "domain": "aipm-playground", "name": "AI PM Playground"}
# `serve --playground --workspaces 2`: a second workspace with the same people and channel.
SECOND_TEAM = {"id": "T0PLAYSCND", "domain": "aipm-playground-2", "name": "Second Team"}
BOT = {
    "id": "U0PGCOACH",
    "bot_id": "B0PGCOACH",
    "app_id": "A0PGCOACH",
    "name": "aipm_coach",
    "real_name": "AI PM Coach",
}
CHANNEL = {"id": CHANNEL_ID, "name": "product-team"}
PEOPLE = (
    {
        "id": "U0PGANA01",
        "name": "ana",
        "real_name": "Ana",
        "tz": "Europe/Berlin",
        "is_admin": True,
        "is_owner": True,
    },
    {
        "id": "U0PGBEN02",
        "name": "ben",
        "real_name": "Ben",
        "tz": "America/New_York",
        "is_admin": False,
    },
    {
        "id": "U0PGCHEN3",
        "name": "chen",
        "real_name": "Chen",
        "tz": "Asia/Singapore",
        "is_admin": False,
    },
)
SLACKBOT = {"id": "USLACKBOT", "name": "slackbot", "real_name": "Slackbot"}


def new_workspace(token: str) -> WebAPI:
    """A fresh playground workspace whose Web API accepts only `token`."""
    return WebAPI(token=token, team=TEAM, bot=BOT, people=PEOPLE, channels=[CHANNEL])
