"""App Home: the tab each person sees (subscriptions, favourites, their ratings) and, for
curators, the Library, published with views.publish.

Opening the tab, a Library click and a saved tip all republish it through `publish_home`.
"""

from __future__ import annotations

import datetime as dt

from slack_sdk import WebClient

from bot.core import ratings
from bot.core.coverage import coverage
from bot.core.schedule import ScheduleError, time_in_zone
from bot.slack import blocks
from bot.slack import curation_blocks as cb
from bot.slack.context import SlackContext
from bot.slack.curators import is_curator, taught_pairs
from bot.slack.mrkdwn import escape

HOME_STATS_DAYS = 30


def publish_home(
    ctx: SlackContext,
    client: WebClient,
    user: str,
    *,
    pages: dict[str, int] | None = None,
    notice: str = "",
) -> None:
    """Publish this person's App Home tab; curators also get the Library (`pages` of it).

    `notice` (mrkdwn) is shown at the top, e.g. why a Library click did nothing.
    """
    store, base = ctx.coach.store, ctx.coach.library.base
    rows = store.subscriptions()
    viewer_tz = ctx.user_info(user).get("tz") if rows else None
    now = dt.datetime.now(dt.UTC)
    subs = [
        blocks.subscription_line(
            row,
            where=f"in <#{escape(row['channel'])}>",
            your_time=_your_time(row, viewer_tz, now),
        )
        for row in rows
    ]
    rated = []
    for row in store.user_ratings(user)[:10]:
        tip = base.get(row["tip_id"])
        rated.append((tip.title if tip else row["tip_id"], row["value"]))
    view = blocks.home_view(
        command=ctx.command,
        subscriptions=subs,
        favourites=ratings.top(store, base, limit=5),
        rated=rated,
        cov=coverage(base),
        privacy_url=ctx.coach.settings.privacy_url,
    )
    if notice:
        view["blocks"].insert(1, blocks.section(notice))
    view["blocks"].extend(library_section(ctx, user, pages=pages or {}))
    client.views_publish(user_id=user, view=view)


def library_section(ctx: SlackContext, user: str, *, pages: dict[str, int]) -> list[dict]:
    """The Library blocks of App Home for a curator; [] for everyone else."""
    if not is_curator(ctx, user):
        return []
    questions = ratings.stats(ctx.coach.store, ctx.coach.library.base, days=HOME_STATS_DAYS)
    # The same figures as `/aipm stats`, as text: App Home has no table block.
    lines = blocks.stats_message(questions, days=HOME_STATS_DAYS)["text"]
    stats = [blocks.section(f"*What the team asked*\n{lines}"[: blocks.SECTION_LIMIT])]
    snapshot = ctx.coach.library.current
    lists: dict[str, list] = {"drafts": [], "team": [], "base": []}
    for tip in snapshot.base:
        if tip.status == "gone":
            continue
        row = snapshot.team_row(tip.id)
        version = int(row["version"]) if row else 0
        detail = f" · v{version} by <@{escape(row['updated_by'] or '')}>" if row else ""
        if tip.status == "draft":
            lists["drafts"].append((tip, version, detail))
        elif row and row["origin"] == "team":
            lists["team"].append((tip, version, detail, row["updated_at"] or ""))
        else:
            lists["base"].append((tip, version, detail))
    # Newest team tips first: the ones a curator is most likely to revisit.
    lists["team"] = [t[:3] for t in sorted(lists["team"], key=lambda t: t[3], reverse=True)]
    return stats + cb.library_blocks(
        lists,
        pages=pages,
        gaps=ctx.coach.store.open_gaps(limit=cb.HOME_GAPS),
        command=ctx.command,
        pairs=taught_pairs(ctx, limit=cb.HOME_PAIRS),
        curators=ctx.coach.store.curators(),
    )


def _your_time(row: dict, viewer_tz: str | None, now: dt.datetime) -> str | None:
    # The viewer's clock only when it differs from the subscription's own.
    if not viewer_tz:
        return None
    try:
        seen = time_in_zone(row, viewer_tz, now)
    except (ScheduleError, ValueError, KeyError):
        return None  # an unusual Slack zone name: show the subscription's time alone
    return None if seen == row["at"] else seen
