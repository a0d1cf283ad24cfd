"""Everything the bot records, in one SQLite file through sqlite-utils.

Tables: `subscriptions` (daily tips per channel), `posts` (every tip message the bot
made), `votes` (each reaction or button press still standing), `ratings` (one current
opinion per person per tip, derived from votes), `events` (Slack event ids already
handled), `gaps` (questions without a tip), `notices` (one-off messages already sent),
`shares` (answers shared to a channel, once each), `served` (tips given to a person
on request), `teachings` (each person's verdicts on a question and a tip), `learned_pairs`
(curators' decisions on those for everyone), `offers` (what each answer offered, to whom),
`team_tips` and
`team_tip_versions` (tips written in Slack, every version kept), `gap_waiters` (who
asked to be told when a question gets a tip) and `asked` (each question answered in
Slack, by surface and outcome, for `stats`), `curators` (curators made in Slack) and, for
one install serving many workspaces, `workspaces` (who installed it; each workspace's
own data is in a file of its own, see bot/store/workspaces.py).

`Store` is composed of one class per table group (bot/store/posts.py, votes.py,
subscriptions.py, gaps.py, events.py, shares.py, served.py, learned.py, offers.py, tips.py,
waiters.py, privacy.py, asked.py, reports.py, workspaces.py), each extending `Connection` (bot/store/db.py: open, transactions,
backup); so call sites keep one object and one import, while each module holds only its
own tables' SQL. Schema changes go in bot/store/migrations.py.
"""

from __future__ import annotations

from bot.store.asked import AskedTable
from bot.store.db import BUSY_TIMEOUT_MS, Connection, StoreError, utcnow
from bot.store.events import EventsTable
from bot.store.gaps import GapsTable
from bot.store.learned import LearnedTable
from bot.store.migrations import migrations
from bot.store.offers import Offer, OffersTable
from bot.store.posts import Post, PostsTable
from bot.store.privacy import PrivacyTable
from bot.store.reports import Reports
from bot.store.served import ServedTable
from bot.store.shares import Share, SharesTable
from bot.store.subscriptions import SubscriptionsTable
from bot.store.tips import StaleTipError, TeamTipsTable
from bot.store.votes import VotesTable
from bot.store.waiters import WaitersTable
from bot.store.workspaces import CuratorsTable, WorkspacesTable

__all__ = [
    "BUSY_TIMEOUT_MS",
    "Connection",
    "Offer",
    "Post",
    "Share",
    "StaleTipError",
    "Store",
    "StoreError",
    "migrations",
    "utcnow",
]


class Store(
    SubscriptionsTable,
    PostsTable,
    VotesTable,
    EventsTable,
    SharesTable,
    GapsTable,
    ServedTable,
    LearnedTable,
    OffersTable,
    TeamTipsTable,
    WaitersTable,
    PrivacyTable,
    AskedTable,
    Reports,
    WorkspacesTable,
    CuratorsTable,
):
    """The bot's database. Open with `Store.open(path)`; safe to share across threads."""
