"""The JSON types Slack sends for the event fields our listeners read, checked before them.

A signed event whose `user` is a list or whose `item` is a string is Slack's bug or a
leaked signing secret; either way no listener should see it. The HTTP guard checks the
envelope Bolt reads; this checks inside `event`, for HTTP and Socket Mode alike.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltResponse

_MESSAGE = {
    "user": str,
    "channel": str,
    "channel_type": str,
    "ts": str,
    "thread_ts": str,
    "subtype": str,
    "text": str,
    "bot_id": str,
    "files": list,
    "message": dict,
    "previous_message": dict,
}
_REACTION = {
    "user": str,
    "reaction": str,
    "item_user": str,
    "item": dict,
    "item.type": str,
    "item.channel": str,
    "item.ts": str,
}
# Dotted names reach one level into an object field; absent or null fields always pass.
EVENT_FIELDS: dict[str, dict[str, type]] = {
    "message": _MESSAGE,
    "app_mention": _MESSAGE,
    "reaction_added": _REACTION,
    "reaction_removed": _REACTION,
    "app_home_opened": {"user": str, "tab": str, "channel": str},
    "assistant_thread_started": {
        "assistant_thread": dict,
        "assistant_thread.channel_id": str,
        "assistant_thread.thread_ts": str,
        "assistant_thread.user_id": str,
    },
    "function_executed": {"inputs": dict, "function": dict, "function_execution_id": str},
}
_NAMES = {str: "a string", dict: "an object", list: "a list"}


def event_problem(event: dict) -> str | None:
    """Why this event's fields cannot be Slack's, or None when each has the documented type.

    Only the event types in EVENT_FIELDS are checked; others pass untouched.
    """
    for name, kind in EVENT_FIELDS.get(str(event.get("type")), {}).items():
        outer, _, inner = name.partition(".")
        value = event.get(outer)
        if inner:
            value = value.get(inner) if isinstance(value, dict) else None
        if value is not None and not isinstance(value, kind):
            return f"field 'event.{name}' is not {_NAMES[kind]}"
    return None


def refuse_malformed_events(body: dict, logger, next: Callable[[], None]) -> BoltResponse | None:
    """Bolt global middleware: answer 400 to an event of the wrong shape, before any listener."""
    event = body.get("event")
    problem = event_problem(event) if isinstance(event, dict) else None
    if problem is None:
        next()
        return None
    logger.warning("rejected a signed event: %s", problem)
    return BoltResponse(status=400, body=problem)
