"""Who changed a channel's daily tip and how, so the channel can be told.

Plain values in and out: the Slack layer renders the notice and posts it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.schedule import Schedule, as_schedule


@dataclass(frozen=True)
class ScheduleChange:
    """One change to a channel's daily tip: 'changed' (before and after) or 'stopped' (before)."""

    channel: str
    user: str | None
    action: str
    before: Schedule
    after: Schedule | None = None
    resumed: bool = False  # the subscription was paused before this change


def schedule_change(
    channel: str, before: Mapping | None, after: Mapping | None, *, user: str | None
) -> ScheduleChange | None:
    """The change from row `before` to row `after` (None: no subscription), or None.

    None when there was no subscription before (a new one is announced to its creator)
    or when nothing the channel would notice changed.
    """
    if before is None:
        return None
    old = as_schedule(before)
    if after is None:
        return ScheduleChange(channel, user, "stopped", old)
    new = as_schedule(after)
    paused = bool(before.get("paused"))
    if new == old and not paused:
        return None
    return ScheduleChange(channel, user, "changed", old, new, resumed=paused)
