"""A tiny in-memory Slack workspace answering the Web API methods the bot calls.

The playground points the real bot's WebClient here. State: one channel, a few people,
the bot user, channel messages (with ts, metadata and reactions), ephemeral messages per
person, App Home views per person, and the response URLs handed out with commands and
clicks. All methods are thread-safe; `version` grows with every change so the page can
poll cheaply.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot.playground import CHANNEL_ID

TEAM = {"id": "T0PLAYGRND", "domain": "aipm-playground", "name": "AI PM Playground"}
BOT = {
    "id": "U0PGCOACH",
    "bot_id": "B0PGCOACH",
    "app_id": "A0PGCOACH",
    "name": "aipm_coach",
    "real_name": "AI PM Coach",
}
CHANNEL = {"id": CHANNEL_ID, "name": "product-team"}
PEOPLE = (
    {"id": "U0PGANA01", "name": "ana", "real_name": "Ana", "tz": "Europe/Berlin", "is_admin": True},
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
MAX_TEXT = 40_000
MAX_BLOCKS = 50
RESPONSE_URL_USES = 5
_JSON_FIELDS = ("blocks", "attachments", "metadata", "view")


class SlackAPI:
    """The workspace state and the Web API methods over it (see `call`)."""

    def __init__(self, token: str):
        self.token = token
        self.lock = threading.RLock()
        self.version = 0
        self._version_changed = threading.Condition(threading.Lock())
        self.people = {p["id"]: p for p in PEOPLE}
        self.messages: list[dict] = []
        self.ephemerals: list[dict] = []
        self.homes: dict[str, dict] = {}
        self.calls: list[str] = []
        self._response_urls: dict[str, dict] = {}
        self._last_ts = 0.0
        self._methods: dict[str, Callable[[dict], dict]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "chat.delete": self._delete,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "conversations.history": self._history,
            "conversations.info": self._conversations_info,
            "conversations.open": self._conversations_open,
        }

    # -- the Web API -------------------------------------------------------------------

    def call(self, method: str, args: dict, *, authorization: str = "") -> dict:
        """Answer one Web API call as Slack would: `{"ok": true, ...}` or `{"ok": false, "error": ...}`.

        `args` are the merged query, form and JSON fields; JSON-encoded `blocks`,
        `metadata` and `view` strings are decoded. The bot token must come as a Bearer
        header or a `token` field.
        """
        with self.lock:
            self.calls.append(method)
        handler = self._methods.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        token = authorization.removeprefix("Bearer ").strip() or str(args.get("token") or "")
        if not token:
            return {"ok": False, "error": "not_authed"}
        if token != self.token:
            return {"ok": False, "error": "invalid_auth"}
        try:
            args = {k: _decode(k, v) for k, v in args.items()}
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        with self.lock:
            return handler(args)

    def _auth_test(self, args: dict) -> dict:
        return {
            "ok": True,
            "url": f"https://{TEAM['domain']}.slack.com/",
            "team": TEAM["name"],
            "user": BOT["name"],
            "team_id": TEAM["id"],
            "user_id": BOT["id"],
            "bot_id": BOT["bot_id"],
            "is_enterprise_install": False,
        }

    def _post_message(self, args: dict) -> dict:
        channel = self.resolve_channel(str(args.get("channel") or ""))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        problem = _check_content(args)
        if problem:
            return {"ok": False, "error": problem}
        message = self._bot_message(args)
        message["channel"] = channel
        self.messages.append(message)
        self._changed()
        return {
            "ok": True,
            "channel": channel,
            "ts": message["ts"],
            "message": _public(message, True),
        }

    def _post_ephemeral(self, args: dict) -> dict:
        channel = self.resolve_channel(str(args.get("channel") or ""))
        user = str(args.get("user") or "")
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if user not in self.people:
            return {"ok": False, "error": "user_not_in_channel"}
        problem = _check_content(args)
        if problem:
            return {"ok": False, "error": problem}
        entry = self.add_ephemeral(user, channel, args, author=BOT)
        return {"ok": True, "message_ts": entry["ts"]}

    def _update(self, args: dict) -> dict:
        message = self.find_message(str(args.get("channel") or ""), str(args.get("ts") or ""))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if message.get("user") != BOT["id"]:
            return {"ok": False, "error": "cant_update_message"}
        problem = _check_content(args)
        if problem:
            return {"ok": False, "error": problem}
        for key in ("text", "blocks", "metadata"):
            if key in args:
                message[key] = args[key]
        message["edited"] = {"user": BOT["id"], "ts": self.next_ts()}
        self._changed()
        return {
            "ok": True,
            "channel": message["channel"],
            "ts": message["ts"],
            "text": message.get("text", ""),
        }

    def _delete(self, args: dict) -> dict:
        message = self.find_message(str(args.get("channel") or ""), str(args.get("ts") or ""))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if message.get("user") != BOT["id"]:
            return {"ok": False, "error": "cant_delete_message"}
        self.messages.remove(message)
        self._changed()
        return {"ok": True, "channel": message["channel"], "ts": message["ts"]}

    def _views_publish(self, args: dict) -> dict:
        user = str(args.get("user_id") or "")
        view = args.get("view")
        if user not in self.people:
            return {"ok": False, "error": "user_not_found"}
        if (
            not isinstance(view, dict)
            or view.get("type") != "home"
            or not isinstance(view.get("blocks"), list)
        ):
            return {"ok": False, "error": "invalid_arguments"}
        if len(view["blocks"]) > 100:
            return {"ok": False, "error": "invalid_blocks"}
        published = {
            "id": f"V{secrets.token_hex(5).upper()}",
            "team_id": TEAM["id"],
            "app_id": BOT["app_id"],
            "bot_id": BOT["bot_id"],
            "hash": secrets.token_hex(8),
            **view,
        }
        self.homes[user] = published
        self._changed()
        return {"ok": True, "view": published}

    def _users_info(self, args: dict) -> dict:
        user = str(args.get("user") or "")
        if user == BOT["id"]:
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "team_id": TEAM["id"],
                    "name": BOT["name"],
                    "real_name": BOT["real_name"],
                    "is_bot": True,
                    "tz": "UTC",
                },
            }
        person = self.people.get(user)
        if person is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user_object(person)}

    def _history(self, args: dict) -> dict:
        channel = self.resolve_channel(str(args.get("channel") or ""))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        inclusive = str(args.get("inclusive", "")).lower() in ("1", "true")
        latest = _float(args.get("latest"), float("inf"))
        oldest = _float(args.get("oldest"), 0.0)
        metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        limit = max(1, min(int(_float(args.get("limit"), 100)), 999))
        start = int(_float(args.get("cursor"), 0))

        def inside(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return oldest < ts < latest

        found = [
            m for m in reversed(self.messages) if m["channel"] == channel and inside(float(m["ts"]))
        ]
        page = found[start : start + limit]
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": [_public(m, metadata) for m in page],
            "has_more": more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _conversations_info(self, args: dict) -> dict:
        channel = self.resolve_channel(str(args.get("channel") or ""))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if channel == CHANNEL["id"]:
            return {
                "ok": True,
                "channel": {
                    "id": channel,
                    "name": CHANNEL["name"],
                    "is_channel": True,
                    "is_member": True,
                    "is_archived": False,
                },
            }
        return {"ok": True, "channel": {"id": channel, "is_im": True, "user": "U" + channel[1:]}}

    def _conversations_open(self, args: dict) -> dict:
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if len(users) != 1 or users[0] not in self.people:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": dm_channel(users[0])}}

    # -- response URLs -----------------------------------------------------------------

    def new_response_url(self, user: str, channel: str, *, source: dict | None = None) -> str:
        """A response-URL token for a command (no source) or a click on `source`.

        `source` is {"ephemeral": id} or {"ts": message ts}.
        """
        token = secrets.token_urlsafe(16)
        with self.lock:
            self._response_urls[token] = {
                "user": user,
                "channel": channel,
                "source": source or {},
                "uses": 0,
            }
        return token

    def respond(self, token: str, body: dict) -> tuple[int, dict]:
        """Apply a message the bot POSTed to a response URL; returns (HTTP status, JSON)."""
        with self.lock:
            entry = self._response_urls.get(token)
            if entry is None:
                return 404, {"ok": False, "error": "expired_url"}
            if entry["uses"] >= RESPONSE_URL_USES:
                return 404, {"ok": False, "error": "used_url"}
            entry["uses"] += 1
            source = self._source(entry)
            if body.get("delete_original"):
                if source is not None:
                    (self.ephemerals if "id" in source else self.messages).remove(source)
                    self._changed()
                return 200, {"ok": True}
            problem = _check_content(body)
            if problem:
                return 400, {"ok": False, "error": problem}
            if body.get("replace_original") and source is not None:
                source["text"] = body.get("text", "")
                source["blocks"] = body.get("blocks") or []
                self._changed()
            elif body.get("response_type") == "in_channel":
                message = self._bot_message(body)
                message["channel"] = entry["channel"]
                self.messages.append(message)
                self._changed()
            else:
                self.add_ephemeral(entry["user"], entry["channel"], body, author=BOT)
        return 200, {"ok": True}

    def _source(self, entry: dict) -> dict | None:
        source = entry["source"]
        if "ephemeral" in source:
            return next((e for e in self.ephemerals if e["id"] == source["ephemeral"]), None)
        if "ts" in source:
            return self.find_message(entry["channel"], source["ts"])
        return None

    # -- what the page does --------------------------------------------------------------

    def add_ephemeral(
        self, user: str, channel: str, message: dict, *, author: dict, command: str | None = None
    ) -> dict:
        """Show a message only `user` sees (a command's answer, a Slackbot notice)."""
        with self.lock:
            entry = {
                "id": f"e{len(self.ephemerals) + 1}-{secrets.token_hex(3)}",
                "user": user,
                "channel": channel,
                "ts": self.next_ts(),
                "author": author["id"],
                "text": str(message.get("text") or ""),
                "blocks": message.get("blocks") or [],
                "command": command,
            }
            self.ephemerals.append(entry)
            self._changed()
            return entry

    def add_user_message(self, user: str, text: str) -> dict:
        """A person's plain message in the channel (the bot does not listen to these)."""
        with self.lock:
            message = {
                "type": "message",
                "channel": CHANNEL["id"],
                "user": user,
                "text": text,
                "ts": self.next_ts(),
                "team": TEAM["id"],
            }
            self.messages.append(message)
            self._changed()
            return message

    def react(self, user: str, channel: str, ts: str, name: str, *, add: bool) -> str | None:
        """Add or remove `user`'s reaction; returns None when it changed, else Slack's error."""
        with self.lock:
            message = self.find_message(channel, ts)
            if message is None:
                return "message_not_found"
            reactions = message.setdefault("reactions", [])
            entry = next((r for r in reactions if r["name"] == name), None)
            if add:
                if entry and user in entry["users"]:
                    return "already_reacted"
                if entry is None:
                    entry = {"name": name, "users": [], "count": 0}
                    reactions.append(entry)
                entry["users"].append(user)
            else:
                if not entry or user not in entry["users"]:
                    return "no_reaction"
                entry["users"].remove(user)
                if not entry["users"]:
                    reactions.remove(entry)
            if entry in reactions:
                entry["count"] = len(entry["users"])
            self._changed()
            return None

    def timeline(self, user: str) -> list[dict]:
        """The channel as `user` sees it: messages and their own ephemerals, oldest first."""
        with self.lock:
            items = [
                {"kind": "message", **_public(m, True)}
                for m in self.messages
                if m["channel"] == CHANNEL["id"]
            ]
            items += [
                {"kind": "ephemeral", **e}
                for e in self.ephemerals
                if e["user"] == user and e["channel"] == CHANNEL["id"]
            ]
        return json.loads(json.dumps(sorted(items, key=lambda m: float(m["ts"]))))

    def find_message(self, channel: str, ts: str) -> dict | None:
        """The channel message at (channel, ts), or None."""
        with self.lock:
            return next(
                (m for m in self.messages if m["channel"] == channel and m["ts"] == ts), None
            )

    def find_ephemeral(self, ephemeral_id: str) -> dict | None:
        """The ephemeral message with this id, or None."""
        with self.lock:
            return next((e for e in self.ephemerals if e["id"] == ephemeral_id), None)

    def resolve_channel(self, name: str) -> str | None:
        """The channel id for an id, `#name`, a DM id or a user id (which opens a DM)."""
        if name in (CHANNEL["id"], f"#{CHANNEL['name']}", CHANNEL["name"]):
            return CHANNEL["id"]
        if name in self.people:
            return dm_channel(name)
        if name.startswith("D") and "U" + name[1:] in self.people:
            return name
        return None

    def next_ts(self) -> str:
        """A fresh message ts, strictly increasing like Slack's."""
        with self.lock:
            self._last_ts = max(time.time(), self._last_ts + 0.000001)
            return f"{self._last_ts:.6f}"

    def _bot_message(self, args: dict) -> dict:
        message = {
            "type": "message",
            "user": BOT["id"],
            "bot_id": BOT["bot_id"],
            "app_id": BOT["app_id"],
            "text": str(args.get("text") or ""),
            "blocks": args.get("blocks") or [],
            "ts": self.next_ts(),
            "team": TEAM["id"],
        }
        if isinstance(args.get("metadata"), dict):
            message["metadata"] = args["metadata"]
        return message

    def _changed(self) -> None:
        with self._version_changed:
            self.version += 1
            self._version_changed.notify_all()

    def wait_for_change(self, since: int, timeout: float) -> bool:
        """Wait until `version` passes `since` (e.g. the bot's update after a click)."""
        with self._version_changed:
            return self._version_changed.wait_for(lambda: self.version > since, timeout)


def user_object(person: dict) -> dict:
    """A users.info `user` object for one simulated person."""
    offset = ZoneInfo(person["tz"]).utcoffset(dt.datetime.now())
    seconds = int(offset.total_seconds()) if offset else 0
    return {
        "id": person["id"],
        "team_id": TEAM["id"],
        "name": person["name"],
        "real_name": person["real_name"],
        "deleted": False,
        "is_bot": False,
        "is_admin": person["is_admin"],
        "is_owner": person["is_admin"],
        "is_primary_owner": False,
        "tz": person["tz"],
        "tz_label": person["tz"],
        "tz_offset": seconds,
        "profile": {"real_name": person["real_name"], "display_name": person["name"]},
    }


def dm_channel(user: str) -> str:
    """The id of the bot's direct-message channel with `user`."""
    return "D" + user[1:]


def _decode(key: str, value: object) -> object:
    if key in _JSON_FIELDS and isinstance(value, str):
        return json.loads(value) if value else None
    return value


def _check_content(args: dict) -> str | None:
    text, blocks = args.get("text"), args.get("blocks")
    if blocks is not None and not isinstance(blocks, list):
        return "invalid_blocks"
    if not text and not blocks:
        return "no_text"
    if len(str(text or "")) > MAX_TEXT:
        return "msg_too_long"
    if blocks and len(blocks) > MAX_BLOCKS:
        return "invalid_blocks"
    return None


def _public(message: dict, with_metadata: bool) -> dict:
    out = {
        k: v for k, v in message.items() if k != "channel" and (with_metadata or k != "metadata")
    }
    return json.loads(json.dumps(out))


def _float(value: object, default: float) -> float:
    try:
        return float(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default
