"""Who curates, and the curator's tools every surface shares: the tip form, taught pairs.

Used by the curation listeners, the `/aipm add` and `/aipm gaps` subcommands and App Home's
Library; none of them imports another listener for these.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.core import learned
from bot.core.curation import TipForm
from bot.slack import modals
from bot.slack.context import SlackContext

log = logging.getLogger(__name__)
NOT_CURATOR = (
    "Sorry, only curators can add or edit tips: workspace admins and owners, and the people "
    "they made curators (App Home), or COACH_CURATORS. Ask one of them to add you."
)
NO_FORM = "Sorry, Slack would not open the form just now. Please try again."


def is_curator(ctx: SlackContext, user: str | None) -> bool:
    """Workspace admins/owners, the curators they made in Slack, COACH_CURATORS and
    COACH_ADMINS curate the tips."""
    if not user:
        return False
    settings = ctx.coach.settings
    if user in settings.curators:
        return True
    return ctx.coach.store.is_listed_curator(user) or ctx.is_admin(user)


def open_form(
    ctx: SlackContext,
    trigger_id: str,
    form: TipForm | None = None,
    *,
    editing: modals.Editing | None = None,
    note: str = "",
) -> bool:
    """Open the tip form with views.open; False (logged) when Slack refused or timed out."""
    try:
        ctx.lookup.views_open(
            trigger_id=trigger_id, view=modals.tip_modal(form, editing=editing, note=note)
        )
        return True
    except SlackApiError as exc:
        log.warning("views.open failed: %s", exc.response.get("error"))
    except Exception as exc:  # network trouble: the person is told, nothing breaks
        log.warning("views.open failed: %s", type(exc).__name__)
    return False


def taught_pairs(ctx: SlackContext, *, limit: int | None = None) -> list:
    """What people taught, for curators (`bot.core.learned.Pair`s), most recent first."""
    return learned.for_curators(
        ctx.coach.store,
        ctx.coach.library.base,
        agree_users=ctx.coach.config.agree_users,
        limit=limit,
    )
