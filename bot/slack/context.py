"""What the Slack listeners share: the core, the poster and a few quick Slack look-ups.

A global middleware (`SlackContext.attach`) puts one SlackContext into every request's
Bolt `context`; callbacks read it back with `SlackContext.of(context)`. Look-ups happen while Slack waits for our answer (3 seconds at most), so they use
`lookup`, a client with a short timeout and no retries, and degrade when it fails.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.coach import Coach
from bot.daily.posting import Poster
from bot.store import StoreError

log = logging.getLogger(__name__)
LOOKUP_TIMEOUT = 2
CONTEXT_KEY = "aipm"


def acknowledge(ack: Ack) -> None:
    """Answer Slack at once with an empty 200: the ack of every listener whose work follows
    in a lazy listener (or that has nothing to say, like a closed form)."""
    ack()


def lookup_client(client: WebClient) -> WebClient:
    """A copy of `client` for look-ups inside Slack's 3-second window: short timeout, no retries."""
    return WebClient(token=client.token, base_url=client.base_url, timeout=LOOKUP_TIMEOUT)


@dataclass
class SlackContext:
    """The services every listener needs, shared by all requests (never copied)."""

    coach: Coach
    poster: Poster
    lookup: WebClient

    def attach(self, context: dict, next: Callable[[], None]) -> None:
        """Bolt global middleware: make this SlackContext available as `context["aipm"]`."""
        context[CONTEXT_KEY] = self
        next()

    @staticmethod
    def of(context: Mapping) -> SlackContext:
        """The SlackContext a listener was given; KeyError when `attach` did not run."""
        return context[CONTEXT_KEY]

    def __deepcopy__(self, memo: dict) -> SlackContext:
        # Bolt deep-copies the context for lazy listeners; they must share the same
        # database, poster and client, not copies of them.
        return self

    @property
    def command(self) -> str:
        """The configured slash command, e.g. /aipm."""
        return self.coach.settings.command

    def user_info(self, user: str) -> dict:
        """Slack's users.info for a user, or {} when Slack cannot tell in time (logged)."""
        try:
            return self.lookup.users_info(user=user).get("user") or {}
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user, exc.response.get("error"))
        except Exception as exc:  # network trouble must not break the command
            log.warning("users.info failed for %s: %s", user, type(exc).__name__)
        return {}

    def is_admin(self, user: str) -> bool:
        """Workspace admins/owners and COACH_ADMINS may see others' questions."""
        if user in self.coach.settings.admins:
            return True
        info = self.user_info(user)
        return bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))

    def first_delivery(self, body: dict, *, payload: dict | None = None) -> bool:
        """Claim an event's id before acting on it: False when it was handled before (a retry).

        With `payload` (what a restart needs to act on the event again: the answer to a
        mention or DM waits in its channel's lane), the claim stays pending until
        `finish_event`, leased like daily posts; a shutdown releases it unanswered
        (`release_event`), a crash lets its lease run out, and either way the redelivery or
        the next start answers it (`unanswered_events`).

        Callers run after Slack got its 200, so Slack will not deliver the event again: when
        the database cannot record the claim (locked by another process for longer than the
        busy timeout, read-only, gone) this answers True, logged, because acting twice on a
        rare retry beats never acting at all.
        """
        event_id = body.get("event_id")
        if not event_id:
            return True
        try:
            if payload is None:
                return self.coach.store.claim_event(str(event_id))
            return self.coach.store.claim_event(
                str(event_id),
                lease=self.poster.lease,
                payload=json.dumps(payload, ensure_ascii=False),
                owner=self.poster.owner,
            )
        except (sqlite3.Error, StoreError) as exc:
            log.warning("could not record event %s (%s); handling it anyway", event_id, exc)
            return True

    def finish_event(self, event_id: str | None) -> None:
        """The event claimed with a payload was acted on: a redelivery does nothing."""
        if event_id:
            try:
                self.coach.store.finish_event(str(event_id))
            except (sqlite3.Error, StoreError) as exc:
                log.warning("could not mark event %s answered: %s", event_id, exc)

    def release_event(self, event_id: str | None) -> None:
        """Give up the claim of an event not acted on (shutting down): the next taker does."""
        if event_id:
            try:
                self.coach.store.release_event(str(event_id))
            except (sqlite3.Error, StoreError) as exc:
                log.warning("could not release event %s: %s", event_id, exc)
