"""The JSON types Slack sends, checked before Bolt or a listener reads a field: one table each.

A signed event whose `user` is a list, a slash command without `user_id`, or a click whose
`user.id` is an object is Slack's bug or a leaked signing secret; either way no listener
should see it. `shape_problem` checks the envelope Bolt itself reads (the HTTP guard runs
it on the parsed body, before Bolt dispatches); `payload_problem` checks what the listeners
read (events, commands, interactions), as a middleware for HTTP and Socket Mode alike.
Both read their tables with `_typed`.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltResponse

_MESSAGE: dict[str, type] = {
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
_REACTION: dict[str, type] = {
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
    # `inputs` of another shape reaches the step, which fails it with a reason.
    "function_executed": {"function": dict, "function_execution_id": str},
}
# Slash commands arrive form-encoded: every value is a string, but these must be there.
COMMAND_FIELDS = ("user_id", "channel_id")
# Interactive payloads (clicks, shortcuts): dotted names reach one level into an object.
INTERACTION_FIELDS: dict[str, type] = {
    "user.id": str,
    "channel.id": str,
    "container.channel_id": str,
    "container.message_ts": str,
    "message.text": str,
    "message.ts": str,
}
_NAMES: dict[type, str] = {str: "a string", dict: "an object", list: "a list"}
# Top-level fields Bolt reads before any listener runs; a wrong type there makes Bolt's
# own code raise (a 500), so it is refused first. Strings first, then objects.
ENVELOPE_FIELDS: dict[str, type] = {
    **dict.fromkeys(("type", "command", "text", "trigger_id", "response_url", "callback_id"), str),
    **dict.fromkeys(("event", "user", "team", "channel", "view", "container", "message"), dict),
}
ENVELOPE_LISTS = ("actions", "authorizations")  # lists of objects


def shape_problem(payload: object) -> str | None:
    """Why a body Bolt parsed cannot be a Slack request, or None when it may be one.

    Checks the JSON types of the top-level fields Bolt itself reads (an `event` that is a
    string, `actions` that are not a list of objects, ...), not each listener's fields.
    """
    if not isinstance(payload, dict):
        return "body is not a JSON object"
    if not ({"type", "command", "ssl_check"} & payload.keys()):
        return "neither an event, an interaction nor a command"
    problem = _typed(payload, ENVELOPE_FIELDS, prefix="")
    if problem:
        return problem
    for key in ENVELOPE_LISTS:
        value = payload.get(key)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, dict) for v in value)
        ):
            return f"field {key!r} is not a list of objects"
    problem = _typed(payload, {"event.type": str}, prefix="")
    if problem:
        return problem
    if payload.get("type") in ("view_submission", "view_closed"):
        # Bolt's middleware reads view.type before any listener runs and raises without it.
        view = payload.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("type"), str):
            return "a view payload without a view"
    return None


def event_problem(event: dict) -> str | None:
    """Why this event's fields cannot be Slack's, or None when each has the documented type.

    Only the event types in EVENT_FIELDS are checked; others pass untouched.
    """
    return _typed(event, EVENT_FIELDS.get(str(event.get("type")), {}), prefix="event.")


def payload_problem(body: dict) -> str | None:
    """Why a signed command, event or interaction cannot be Slack's, or None when it may be.

    Commands need `user_id` and `channel_id`; interactions need `user.id` as a string and
    the other INTERACTION_FIELDS typed as documented; events are checked by `event_problem`.
    """
    if isinstance(body.get("event"), dict):
        return event_problem(body["event"])
    if body.get("command") is not None:
        for name in COMMAND_FIELDS:
            if not isinstance(body.get(name), str) or not body[name]:
                return f"field {name!r} is missing"
        return None
    if body.get("type") in ("block_actions", "message_action", "shortcut", "view_submission"):
        if not isinstance((body.get("user") or {}).get("id"), str):
            return "field 'user.id' is missing or not a string"
        problem = _typed(body, INTERACTION_FIELDS, prefix="")
        if problem:
            return problem
        for action in body.get("actions") or []:
            if action.get("value") is not None and not isinstance(action["value"], str):
                return "field 'actions[].value' is not a string"
    return None


def _typed(data: dict, fields: dict[str, type], *, prefix: str) -> str | None:
    for name, kind in fields.items():
        outer, _, inner = name.partition(".")
        value = data.get(outer)
        if inner:
            value = value.get(inner) if isinstance(value, dict) else None
        if value is not None and not isinstance(value, kind):
            return f"field '{prefix}{name}' is not {_NAMES[kind]}"
    return None


def clicker(body: dict) -> str | None:
    """The id of the person who clicked (a `block_actions` payload), or None."""
    user = (body.get("user") or {}).get("id")
    return user if isinstance(user, str) and user else None


def clicked_channel(body: dict) -> str | None:
    """The channel of the clicked message (`channel.id`, else `container.channel_id`), or None."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return channel if isinstance(channel, str) and channel else None


def clicked_value(body: dict) -> str | None:
    """The clicked element's value as Slack sent it back (None unless a string): to be
    checked, never trusted."""
    value = ((body.get("actions") or [{}])[0]).get("value")
    return value if isinstance(value, str) else None


def refuse_malformed(body: dict, logger, next: Callable[[], None]) -> BoltResponse | None:
    """Bolt global middleware: answer 400 to a payload of the wrong shape, before any listener."""
    problem = payload_problem(body)
    if problem is None:
        next()
        return None
    logger.warning("rejected a signed request: %s", problem)
    return BoltResponse(status=400, body=problem)
