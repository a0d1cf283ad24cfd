"""One in-memory Slack workspace answering the Web API methods the bot calls.

    api = WebAPI()                       # open: any channel, any user, any token
    api = WebAPI(token="xoxb-t", people=[...], channels=[...])   # closed, like a real workspace

`handle(method, args, headers)` is the whole Web API call as served over HTTP (scripted
failures, then the answer, then the call recorded); `call(method, args)` only answers.
State: channel and DM messages (ts, metadata, reactions), ephemeral messages, App Home
views, response URLs. Every method is thread-safe; `version` grows with every change so
a page can poll cheaply (`wait_for_change`).

Failures are scripted per method, first in first out:

    api.fail_next("chat.postMessage", status=429, headers={"Retry-After": "1"})
    api.fail_next("chat.postMessage", status=500)
    api.fail_next("chat.postMessage", error="channel_not_found")
    api.fail_next("chat.postMessage", status=500, post_anyway=True)   # posted, then 500
    api.fail_next("chat.postMessage", delay=2.0, post_anyway=True)    # slow: client times out

Methods answered: auth.test, chat.postMessage, chat.postEphemeral, chat.update,
chat.delete, views.publish, users.info, conversations.history, conversations.info,
conversations.open, assistant.threads.setStatus / setSuggestedPrompts / setTitle (the
agent surface: state in `assistant`), functions.completeSuccess / completeError (workflow
steps: state in `functions`), views.open, views.update, chat.getPermalink;
`respond_fixed(method, payload)` sets a fixed answer for any other. A channel given with
`"is_member": False` is one the bot is not in: posts there answer `not_in_channel`.
Workflow-step tokens (`xwfp-...`) are accepted like the bot's. Modals opened with
views.open are kept in `modals` (newest last); `issue_trigger(user)` hands out a trigger
id tied to a person.
Unknown methods get `unknown_method`. Response URLs (what Bolt's `respond` posts to)
are answered by `response_url`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

TEAM = {"id": "T1", "domain": "t1", "name": "Team One"}
BOT = {
    "id": "UBOT",
    "bot_id": "BBOT",
    "app_id": "A1",
    "name": "coach",
    "real_name": "AI PM Coach",
}
MAX_TEXT = 40_000
MAX_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_MODAL_BLOCKS = 100
MAX_MODAL_TITLE = 24  # Slack's limit for a modal's title, submit and close labels
MAX_PRIVATE_METADATA = 3000
RESPONSE_URL_USES = 5
DROPPED = 0  # the status of an answer never sent: the connection is closed instead
MAX_CALLS = 10_000  # recorded calls kept, newest last: a long playground run stays small
RESPONSE_URL = "response_url"  # the method name response-URL posts are recorded under
_JSON_FIELDS = ("blocks", "attachments", "metadata", "view", "prompts", "outputs")
FUNCTION_TOKEN_PREFIX = "xwfp-"  # what Slack hands a workflow step's handler
MAX_PROMPTS = 4


@dataclass(frozen=True)
class Call:
    """One Web API request the workspace received (the token itself is never kept)."""

    method: str
    params: dict
    headers: dict
    token_present: bool
    status: int = 200
    response: dict = field(default_factory=dict)
    at: float = 0.0  # time.time() when the request arrived (latency from an event to a post)


@dataclass(frozen=True)
class Answer:
    """What to send back over HTTP for one request."""

    status: int
    headers: dict
    body: bytes


@dataclass
class _Script:
    status: int = 200
    error: str | None = None
    headers: dict = field(default_factory=dict)
    post_anyway: bool = False
    delay: float = 0.0
    body: str | None = None
    drop: bool = False


class WebAPI:
    """The workspace state and the Web API methods over it.

    `token`: the bot token every call must carry (None accepts any or none). `people` /
    `channels`: the workspace's members and channels as dicts with at least "id" (and
    "name"; people may add "real_name", "tz", "is_admin", "is_owner"); None means open:
    every user id is a member (in `default_tz`) and every channel exists with the bot in it.
    `max_calls`: how many recorded calls to keep (None keeps every one, for a benchmark
    that counts them all).
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        team: dict = TEAM,
        bot: dict = BOT,
        people: Iterable[dict] | None = None,
        channels: Iterable[dict] | None = None,
        default_tz: str = "UTC",
        max_calls: int | None = MAX_CALLS,
    ):
        self.token = token
        self.team = dict(team)
        self.bot = dict(bot)
        self.default_tz = default_tz
        self.open_people = people is None
        self.open_channels = channels is None
        self.people: dict[str, dict] = {p["id"]: dict(p) for p in people or ()}
        self.channels: dict[str, dict] = {c["id"]: dict(c) for c in channels or ()}
        self.lock = threading.RLock()
        self.version = 0
        self._version_changed = threading.Condition(threading.Lock())
        self._messages: list[dict] = []
        self.ephemerals: list[dict] = []
        self.homes: dict[str, dict] = {}
        self._calls: deque[Call] = deque(maxlen=max_calls)
        self._scripts: dict[str, deque[_Script]] = defaultdict(deque)
        self._fixed: dict[str, dict] = {}
        self._response_urls: dict[str, dict] = {}
        # Agent-surface state per (channel, thread_ts); thread_ts '' for a whole DM's prompts.
        self.assistant: dict[tuple[str, str], dict] = {}
        self.agent_app = True  # the app declares features.agent_view (see manifest.yml)
        self.bot_posts = 0  # messages chat.postMessage has posted (see `wait_for_post`)
        # Slack's limits for a distributed app outside the Marketplace, off unless set:
        # conversations.history returns at most `history_limit` messages a call, and takes
        # one call per `history_window` seconds (a 429 with Retry-After otherwise).
        self.history_limit: int | None = None
        self.history_window: float | None = None
        self._history_at: float | None = None
        self._first_post: dict[str, float] = {}
        self.functions: dict[str, dict] = {}
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
            "assistant.threads.setStatus": self._assistant_status,
            "assistant.threads.setSuggestedPrompts": self._assistant_prompts,
            "assistant.threads.setTitle": self._assistant_title,
            "functions.completeSuccess": self._function_success,
            "functions.completeError": self._function_error,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "chat.getPermalink": self._get_permalink,
        }
        self.modals: list[dict] = []
        self._triggers: dict[str, str | None] = {}  # trigger id -> user; None once used

    # -- scripting and inspection --------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        headers: dict | None = None,
        post_anyway: bool = False,
        delay: float = 0.0,
        body: str | None = None,
        times: int = 1,
        drop: bool = False,
    ) -> None:
        """Make the next `times` calls of `method` fail.

        status 429 answers `ratelimited` (add headers={"Retry-After": "1"}); a 5xx status
        answers an error; `error` answers HTTP 200 with ok=false and that error;
        `post_anyway` does the real work first (the message exists) and then fails;
        `delay` waits before answering (to make a client time out); `body` replaces the
        answer's bytes; `drop` closes the connection without an answer (as a reset link or a
        crashed proxy does), with nothing done unless `post_anyway`. Raises ValueError when
        none of status, error, delay or drop is given.
        """
        if status == 200 and error is None and not delay and not drop:
            raise ValueError("fail_next needs a status, an error, a delay or drop")
        with self.lock:
            for _ in range(times):
                self._scripts[method].append(
                    _Script(status, error, dict(headers or {}), post_anyway, delay, body, drop)
                )

    def respond_fixed(self, method: str, payload: dict) -> None:
        """Answer every call of `method` with this payload (ok=true unless it says otherwise)."""
        with self.lock:
            self._fixed[method] = {"ok": True, **payload}

    def add_user(
        self,
        user: str,
        *,
        tz: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        **extra,
    ) -> None:
        """Add or redefine a member (what users.info says about them)."""
        with self.lock:
            self.people[user] = {
                "id": user,
                "tz": tz or self.default_tz,
                "is_admin": is_admin,
                "is_owner": is_owner,
                **extra,
            }

    def calls(self, method: str | None = None) -> list[Call]:
        """Every recorded call (of one method), oldest first."""
        with self.lock:
            return [c for c in self._calls if method is None or c.method == method]

    def first_post(self, channel: str) -> float | None:
        """When the bot first posted in `channel` (time.time()), or None; cheap to poll."""
        with self.lock:
            return self._first_post.get(channel)

    def messages(self, channel: str | None = None) -> list[dict]:
        """Copies of the messages in a channel (or all, each with its "channel"), oldest first."""
        with self.lock:
            if channel is None:
                return json.loads(json.dumps(self._messages))
            return [_public(m, True) for m in self._messages if m["channel"] == channel]

    # -- serving -------------------------------------------------------------------------

    def handle(self, method: str, args: dict, headers: dict) -> Answer:
        """One Web API request as served over HTTP: scripted failure, answer, recorded call.

        `args` are the merged query and body fields (see `parse_args`); `headers` the
        request's headers (any case). May sleep when a delay is scripted.
        """
        lower = {k.lower(): v for k, v in headers.items()}
        authorization = lower.get("authorization", "")
        token_present = (authorization.startswith("Bearer ") and len(authorization) > 7) or bool(
            args.get("token")
        )
        return self._serve(
            method,
            {k: _decode_lenient(k, v) for k, v in args.items() if k != "token"},
            {k: v for k, v in headers.items() if k.lower() != "authorization"},
            token_present,
            lambda: self.call(method, args, authorization=authorization),
        )

    def call(self, method: str, args: dict, *, authorization: str = "") -> dict:
        """Answer one Web API call as Slack would: `{"ok": true, ...}` or `{"ok": false, "error": ...}`.

        JSON-encoded `blocks`, `attachments`, `metadata` and `view` strings are decoded.
        When the workspace has a token, it must come as a Bearer `authorization` or a
        `token` field. Nothing is recorded (see `handle`).
        """
        with self.lock:
            if method in self._fixed:
                return dict(self._fixed[method])
        handler = self._methods.get(method)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        if self.token is not None:
            token = authorization.removeprefix("Bearer ").strip() or str(args.get("token") or "")
            if not token:
                return {"ok": False, "error": "not_authed"}
            if token != self.token and not token.startswith(FUNCTION_TOKEN_PREFIX):
                return {"ok": False, "error": "invalid_auth"}
        try:
            args = {k: _decode(k, v) for k, v in args.items()}
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        with self.lock:
            return handler(args)

    def response_url(self, token: str, body: dict, headers: dict | None = None) -> Answer:
        """Apply what the bot POSTed to a response URL, recorded as a `response_url` call.

        A token from `new_response_url` replaces, deletes or adds to the message it came
        from (at most RESPONSE_URL_USES times); an open workspace accepts any other token
        and only records it, a closed one answers 404 `expired_url`.
        """
        headers = {k: v for k, v in (headers or {}).items() if k.lower() != "authorization"}
        return self._serve(
            RESPONSE_URL, dict(body), headers, False, lambda: self._respond(token, body)
        )

    def _serve(
        self, method: str, params: dict, headers: dict, token_present: bool, answer
    ) -> Answer:
        arrived = time.time()
        with self.lock:
            queue = self._scripts.get(method)
            script = queue.popleft() if queue else None
            limited = self._history_rate(method, arrived) if script is None else None
        if limited is not None:
            with self.lock:
                self._calls.append(Call(method, params, headers, token_present, 429, {}, arrived))
            refused = json.dumps({"ok": False, "error": "ratelimited"}).encode()
            return Answer(429, {"Retry-After": str(limited)}, refused)
        if script and script.delay and not script.post_anyway:
            time.sleep(script.delay)
        status, body = 200, {}
        if script is None or script.post_anyway:
            body = answer()
            if isinstance(body, tuple):
                status, body = body
        if script and script.delay and script.post_anyway:
            time.sleep(script.delay)  # done, but the answer comes too late
        reply_headers: dict = {}
        if script is not None:
            status, reply_headers = script.status, script.headers
            if script.error:
                body = {"ok": False, "error": script.error}
            elif status == 429:
                body = {"ok": False, "error": "ratelimited"}
            elif status >= 500:
                body = {"ok": False, "error": "internal_error"}
        if script is not None and script.drop:
            status, body = DROPPED, {}
        with self.lock:
            self._calls.append(Call(method, params, headers, token_present, status, body, arrived))
        raw = script.body if script and script.body is not None else json.dumps(body)
        return Answer(status, reply_headers, raw.encode())

    def _history_rate(self, method: str, now: float) -> int | None:
        """Seconds to wait (Retry-After) when a history call comes too soon, else None."""
        if method != "conversations.history" or self.history_window is None:
            return None
        if self._history_at is not None and now - self._history_at < self.history_window:
            return max(1, math.ceil(self.history_window - (now - self._history_at)))
        self._history_at = now
        return None

    # -- the Web API methods (called with the lock held) ----------------------------------

    def _auth_test(self, args: dict) -> dict:
        return {
            "ok": True,
            "url": f"https://{self.team['domain']}.slack.com/",
            "team": self.team["name"],
            "user": self.bot["name"],
            "team_id": self.team["id"],
            "user_id": self.bot["id"],
            "bot_id": self.bot["bot_id"],
            "is_enterprise_install": False,
        }

    def _post_message(self, args: dict) -> dict:
        channel = self.resolve_channel(str(args.get("channel") or ""))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        if not self.bot_is_in(channel):
            return {"ok": False, "error": "not_in_channel"}
        problem = _check_content(args)
        if problem:
            return {"ok": False, "error": problem}
        message = self._bot_message(args)
        message["channel"] = channel
        self._messages.append(message)
        self._first_post.setdefault(channel, time.time())
        self.bot_posts += 1
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
        if not self.bot_is_in(channel):
            return {"ok": False, "error": "not_in_channel"}
        if not self.is_member(user):
            return {"ok": False, "error": "user_not_in_channel"}
        problem = _check_content(args)
        if problem:
            return {"ok": False, "error": problem}
        entry = self.add_ephemeral(user, channel, args, author=self.bot)
        return {"ok": True, "message_ts": entry["ts"]}

    def _update(self, args: dict) -> dict:
        message = self.find_message(self._channel_arg(args), str(args.get("ts") or ""))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if message.get("user") != self.bot["id"]:
            return {"ok": False, "error": "cant_update_message"}
        problem = _check_content({**message, **args})
        if problem:
            return {"ok": False, "error": problem}
        for key in ("text", "blocks", "metadata"):
            if key in args:
                message[key] = args[key]
        message["edited"] = {"user": self.bot["id"], "ts": self.next_ts()}
        self._changed()
        return {
            "ok": True,
            "channel": message["channel"],
            "ts": message["ts"],
            "text": message.get("text", ""),
            "message": _public(message, True),
        }

    def _delete(self, args: dict) -> dict:
        message = self.find_message(self._channel_arg(args), str(args.get("ts") or ""))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if message.get("user") != self.bot["id"]:
            return {"ok": False, "error": "cant_delete_message"}
        self._messages.remove(message)
        self._changed()
        return {"ok": True, "channel": message["channel"], "ts": message["ts"]}

    def _views_publish(self, args: dict) -> dict:
        user = str(args.get("user_id") or "")
        view = args.get("view")
        if not self.is_member(user):
            return {"ok": False, "error": "user_not_found"}
        if (
            not isinstance(view, dict)
            or view.get("type") != "home"
            or not isinstance(view.get("blocks"), list)
        ):
            return {"ok": False, "error": "invalid_arguments"}
        if len(view["blocks"]) > MAX_HOME_BLOCKS or _check_blocks(
            view["blocks"], HOME_BLOCKS, HOME_ELEMENTS
        ):
            return {"ok": False, "error": "invalid_blocks"}
        published = {
            "id": f"V{secrets.token_hex(5).upper()}",
            "team_id": self.team["id"],
            "app_id": self.bot["app_id"],
            "bot_id": self.bot["bot_id"],
            "hash": secrets.token_hex(8),
            **view,
        }
        self.homes[user] = published
        self._changed()
        return {"ok": True, "view": published}

    def _users_info(self, args: dict) -> dict:
        user = str(args.get("user") or "")
        if user == self.bot["id"]:
            return {
                "ok": True,
                "user": {
                    "id": user,
                    "team_id": self.team["id"],
                    "name": self.bot["name"],
                    "real_name": self.bot["real_name"],
                    "is_bot": True,
                    "deleted": False,
                    "tz": "UTC",
                },
            }
        if not self.is_member(user):
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": self.user_object(user)}

    def _history(self, args: dict) -> dict:
        channel = self.resolve_channel(str(args.get("channel") or ""))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        inclusive = _flag(args.get("inclusive"))
        latest = _float(args.get("latest"), float("inf"))
        oldest = _float(args.get("oldest"), 0.0)
        metadata = _flag(args.get("include_all_metadata"))
        limit = max(1, min(int(_float(args.get("limit"), 100)), 999, self.history_limit or 999))
        start = int(_float(args.get("cursor"), 0))

        def inside(ts: float) -> bool:
            return oldest <= ts <= latest if inclusive else oldest < ts < latest

        found = [
            m
            for m in reversed(self._messages)
            if m["channel"] == channel and inside(float(m["ts"]))
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
        if channel.startswith("D"):
            return {
                "ok": True,
                "channel": {"id": channel, "is_im": True, "is_member": True, "user": channel[1:]},
            }
        known = self.channels.get(channel, {})
        return {
            "ok": True,
            "channel": {
                "id": channel,
                "name": known.get("name", channel.lower()),
                "is_channel": True,
                "is_member": self.bot_is_in(channel),
                "is_archived": False,
            },
        }

    def _conversations_open(self, args: dict) -> dict:
        users = args.get("users") or args.get("user") or ""
        if isinstance(users, str):
            users = [u for u in users.split(",") if u]
        if len(users) != 1 or not self.is_member(users[0]):
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": dm_channel(users[0])}}

    def _assistant_thread(
        self, args: dict, *, channels: bool = False, thread_optional: bool = False
    ) -> tuple[str, str] | dict:
        """Where an assistant.threads call lands: (channel, thread_ts), or Slack's error.

        DMs with the app always; channel threads too for `channels` (setStatus, with
        chat:write, since March 2026); no `thread_ts` for `thread_optional` (an agent
        app's suggested prompts, which belong to the whole DM).
        """
        channel = str(args.get("channel_id") or "")
        thread_ts = str(args.get("thread_ts") or "")
        if not channel or not (thread_ts or thread_optional):
            return {"ok": False, "error": "invalid_arguments"}
        if not (channel.startswith("D") or (channels and channel[:1] in "CG" and thread_ts)):
            return {"ok": False, "error": "channel_not_found"}
        return channel, thread_ts

    def _assistant_status(self, args: dict) -> dict:
        where = self._assistant_thread(args, channels=True)
        if isinstance(where, dict):
            return where
        self.assistant.setdefault(where, {})["status"] = str(args.get("status") or "")
        self._changed()
        return {"ok": True}

    def _assistant_prompts(self, args: dict) -> dict:
        where = self._assistant_thread(args, thread_optional=True)
        if isinstance(where, dict):
            return where
        prompts = args.get("prompts")
        if (
            not isinstance(prompts, list)
            or not 1 <= len(prompts) <= MAX_PROMPTS
            or not all(isinstance(p, dict) and p.get("title") and p.get("message") for p in prompts)
        ):
            return {"ok": False, "error": "invalid_arguments"}
        if where[1] and self.agent_app:
            # Slack's documented trap: in an agent app, prompts set on a thread are accepted
            # and never shown. The fake answers ok and keeps nothing, as Slack does.
            return {"ok": True}
        entry = self.assistant.setdefault(where, {})
        entry["prompts"] = prompts
        if args.get("title"):
            entry["prompts_title"] = str(args["title"])
        self._changed()
        return {"ok": True}

    def _assistant_title(self, args: dict) -> dict:
        where = self._assistant_thread(args)
        if isinstance(where, dict):
            return where
        self.assistant.setdefault(where, {})["title"] = str(args.get("title") or "")
        self._changed()
        return {"ok": True}

    def _function_success(self, args: dict) -> dict:
        return self._complete_function(
            args, {"status": "completed", "outputs": args.get("outputs")}
        )

    def _function_error(self, args: dict) -> dict:
        if not args.get("error"):
            return {"ok": False, "error": "invalid_arguments"}
        return self._complete_function(args, {"status": "failed", "error": str(args["error"])})

    def _complete_function(self, args: dict, outcome: dict) -> dict:
        execution = str(args.get("function_execution_id") or "")
        if not execution:
            return {"ok": False, "error": "invalid_arguments"}
        if execution in self.functions:
            return {"ok": False, "error": "function_execution_not_found"}  # already finished
        self.functions[execution] = outcome
        self._changed()
        return {"ok": True}

    # -- modals ---------------------------------------------------------------------------

    def issue_trigger(self, user: str) -> str:
        """A fresh trigger id for something `user` did (a command, a click, a shortcut)."""
        trigger = f"{int(time.time())}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"
        with self.lock:
            self._triggers[trigger] = user
        return trigger

    def modal(self, view_id: str) -> dict | None:
        """The open modal with this id, or None."""
        with self.lock:
            return next((m for m in self.modals if m["id"] == view_id), None)

    def close_modal(self, view_id: str) -> None:
        """Forget a modal (the person submitted or closed it)."""
        with self.lock:
            self.modals = [m for m in self.modals if m["id"] != view_id]
            self._changed()

    def _check_modal(self, view: object) -> str | None:
        if not isinstance(view, dict) or view.get("type") != "modal":
            return "invalid_arguments"
        blocks = view.get("blocks")
        if not isinstance(blocks, list) or len(blocks) > MAX_MODAL_BLOCKS:
            return "invalid_blocks"
        for key in ("title", "submit", "close"):
            label = view.get(key)
            if key == "title" and not isinstance(label, dict):
                return "invalid_arguments"
            if isinstance(label, dict) and len(str(label.get("text") or "")) > MAX_MODAL_TITLE:
                return "invalid_arguments"
        if len(str(view.get("private_metadata") or "")) > MAX_PRIVATE_METADATA:
            return "invalid_arguments"
        block_ids = [b.get("block_id") for b in blocks if isinstance(b, dict) and b.get("block_id")]
        if len(block_ids) != len(set(block_ids)):
            return "invalid_blocks"
        return None

    def _views_open(self, args: dict) -> dict:
        trigger = str(args.get("trigger_id") or "")
        if not trigger:
            return {"ok": False, "error": "invalid_arguments"}
        if trigger in self._triggers and self._triggers[trigger] is None:
            return {"ok": False, "error": "exchanged_trigger_id"}
        if trigger not in self._triggers and not self.open_people:
            return {"ok": False, "error": "invalid_trigger_id"}
        problem = self._check_modal(args.get("view"))
        if problem:
            return {"ok": False, "error": problem}
        user = self._triggers.get(trigger)
        self._triggers[trigger] = None
        view = {
            "id": f"V{secrets.token_hex(5).upper()}",
            "team_id": self.team["id"],
            "app_id": self.bot["app_id"],
            "bot_id": self.bot["bot_id"],
            "hash": secrets.token_hex(8),
            "user": user,
            "trigger_id": trigger,
            **args["view"],
        }
        self.modals.append(view)
        self._changed()
        return {"ok": True, "view": {k: v for k, v in view.items() if k != "user"}}

    def _views_update(self, args: dict) -> dict:
        current = self.modal(str(args.get("view_id") or ""))
        if current is None:
            return {"ok": False, "error": "not_found"}
        if args.get("hash") and args["hash"] != current["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        problem = self._check_modal(args.get("view"))
        if problem:
            return {"ok": False, "error": problem}
        keep = {k: current[k] for k in ("id", "team_id", "app_id", "bot_id", "user", "trigger_id")}
        current.clear()
        current.update({**args["view"], **keep, "hash": secrets.token_hex(8)})
        self._changed()
        return {"ok": True, "view": {k: v for k, v in current.items() if k != "user"}}

    def _get_permalink(self, args: dict) -> dict:
        channel = self._channel_arg(args)
        ts = str(args.get("message_ts") or "")
        if not ts or self.resolve_channel(channel) is None:
            return {"ok": False, "error": "channel_not_found" if ts else "invalid_arguments"}
        link = f"https://{self.team['domain']}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    # -- response URLs -------------------------------------------------------------------

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

    def _respond(self, token: str, body: dict) -> tuple[int, dict]:
        with self.lock:
            entry = self._response_urls.get(token)
            if entry is None:
                if self.open_people:
                    return 200, {"ok": True}
                return 404, {"ok": False, "error": "expired_url"}
            if entry["uses"] >= RESPONSE_URL_USES:
                return 404, {"ok": False, "error": "used_url"}
            entry["uses"] += 1
            source = self._source(entry)
            if body.get("delete_original"):
                if source is not None:
                    (self.ephemerals if "id" in source else self._messages).remove(source)
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
                self._messages.append(message)
                self._changed()
            else:
                self.add_ephemeral(entry["user"], entry["channel"], body, author=self.bot)
        return 200, {"ok": True}

    def _source(self, entry: dict) -> dict | None:
        source = entry["source"]
        if "ephemeral" in source:
            return next((e for e in self.ephemerals if e["id"] == source["ephemeral"]), None)
        if "ts" in source:
            return self.find_message(entry["channel"], source["ts"])
        return None

    # -- what people do in the workspace -------------------------------------------------

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

    def add_user_message(
        self, user: str, channel: str, text: str, *, thread_ts: str | None = None
    ) -> dict:
        """A person's plain message in a channel (or a DM), optionally a reply in a thread."""
        with self.lock:
            message = {
                "type": "message",
                "channel": channel,
                "user": user,
                "text": text,
                "ts": self.next_ts(),
                "team": self.team["id"],
            }
            if thread_ts:
                message["thread_ts"] = thread_ts
            self._messages.append(message)
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

    def timeline(self, user: str, channel: str) -> list[dict]:
        """A channel as `user` sees it: messages and their own ephemerals, oldest first."""
        with self.lock:
            items = [
                {"kind": "message", **_public(m, True)}
                for m in self._messages
                if m["channel"] == channel
            ]
            items += [
                {"kind": "ephemeral", **e}
                for e in self.ephemerals
                if e["user"] == user and e["channel"] == channel
            ]
        return json.loads(json.dumps(sorted(items, key=lambda m: float(m["ts"]))))

    def find_message(self, channel: str, ts: str) -> dict | None:
        """The live message at (channel, ts), or None (changes to it change the workspace)."""
        with self.lock:
            return next(
                (m for m in self._messages if m["channel"] == channel and m["ts"] == ts), None
            )

    def find_ephemeral(self, ephemeral_id: str) -> dict | None:
        """The ephemeral message with this id, or None."""
        with self.lock:
            return next((e for e in self.ephemerals if e["id"] == ephemeral_id), None)

    def is_member(self, user: str) -> bool:
        """Whether `user` is a person in the workspace (any user id when it is open)."""
        if user in self.people:
            return True
        return self.open_people and user[:1] in ("U", "W") and user != self.bot["id"]

    def user_object(self, user: str) -> dict:
        """The users.info `user` object for a member."""
        with self.lock:
            person = self.people.get(user) or {"id": user}
        tz = person.get("tz") or self.default_tz
        offset = ZoneInfo(tz).utcoffset(dt.datetime.now())
        name = person.get("name") or user.lower()
        real_name = person.get("real_name") or f"User {user}"
        known = ("id", "name", "real_name", "tz", "is_admin", "is_owner")
        return {
            "id": user,
            "team_id": self.team["id"],
            "name": name,
            "real_name": real_name,
            "deleted": False,
            "is_bot": False,
            "is_admin": bool(person.get("is_admin")),
            "is_owner": bool(person.get("is_owner")),
            "is_primary_owner": False,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "profile": {"real_name": real_name, "display_name": name},
            **{k: v for k, v in person.items() if k not in known},
        }

    def bot_is_in(self, channel: str) -> bool:
        """Whether the bot may post in `channel` (False only for channels given `is_member: False`)."""
        with self.lock:
            return self.channels.get(channel, {}).get("is_member", True) is not False

    def add_channel(self, channel: str, *, name: str | None = None, is_member: bool = True) -> None:
        """Add or redefine a channel; `is_member=False` makes it one the bot is not in."""
        with self.lock:
            self.channels[channel] = {
                "id": channel,
                "name": name or channel.lower(),
                "is_member": is_member,
            }

    def resolve_channel(self, name: str) -> str | None:
        """The channel id for an id, `#name`, a DM id or a user id (a DM), or None."""
        with self.lock:
            for channel in self.channels.values():
                if name in (channel["id"], f"#{channel.get('name')}", channel.get("name")):
                    return channel["id"]
            if self.is_member(name):
                return dm_channel(name)
            if name.startswith("D") and self.is_member(name[1:]):
                return name
            if self.open_channels and name[:1] in ("C", "G", "D"):
                return name
        return None

    def next_ts(self) -> str:
        """A fresh message ts, strictly increasing like Slack's."""
        with self.lock:
            self._last_ts = max(time.time(), self._last_ts + 0.000001)
            return f"{self._last_ts:.6f}"

    def wait_for_change(self, since: int, timeout: float) -> bool:
        """Wait until `version` passes `since` (e.g. the bot's update after a click)."""
        with self._version_changed:
            return self._version_changed.wait_for(lambda: self.version > since, timeout)

    def wait_for_post(self, since: int, timeout: float) -> bool:
        """Wait until the bot has posted more than `since` messages (`posted()` counts them).

        A status line ("Finding a tip…") changes the state before the answer lands; a
        page waiting for the answer waits for this.
        """
        with self._version_changed:
            return self._version_changed.wait_for(lambda: self.posted() > since, timeout)

    def posted(self) -> int:
        """How many messages the bot has posted with chat.postMessage so far."""
        return self.bot_posts

    def _channel_arg(self, args: dict) -> str:
        name = str(args.get("channel") or "")
        return self.resolve_channel(name) or name

    def _bot_message(self, args: dict) -> dict:
        message = {
            "type": "message",
            "user": self.bot["id"],
            "bot_id": self.bot["bot_id"],
            "app_id": self.bot["app_id"],
            "text": str(args.get("text") or ""),
            "blocks": args.get("blocks") or [],
            "ts": self.next_ts(),
            "team": self.team["id"],
        }
        for key in ("attachments", "thread_ts"):
            if args.get(key):
                message[key] = args[key]
        if isinstance(args.get("metadata"), dict):
            message["metadata"] = args["metadata"]
        return message

    def _changed(self) -> None:
        with self._version_changed:
            self.version += 1
            self._version_changed.notify_all()


def dm_channel(user: str) -> str:
    """The id of the bot's direct-message channel with `user`."""
    return "D" + user


def parse_args(query: str, body: bytes, content_type: str) -> dict | None:
    """The merged query and body fields of a Web API request, or None when the JSON is bad."""
    args = dict(parse_qsl(query, keep_blank_values=True))
    text = body.decode("utf-8", "replace")
    if not text:
        return args
    if "json" in content_type:
        try:
            loaded = json.loads(text)
        except ValueError:
            return None
        args.update(loaded if isinstance(loaded, dict) else {})
    else:
        args.update(parse_qsl(text, keep_blank_values=True))
    return args


def _decode(key: str, value: object) -> object:
    if key in _JSON_FIELDS and isinstance(value, str):
        return json.loads(value) if value else None
    return value


def _decode_lenient(key: str, value: object) -> object:
    try:
        return _decode(key, value)
    except ValueError:
        return value


def _check_content(args: dict) -> str | None:
    text, blocks = args.get("text"), args.get("blocks")
    if blocks is not None and not isinstance(blocks, list):
        return "invalid_blocks"
    if not text and not blocks and not args.get("attachments"):
        return "no_text"
    if len(str(text or "")) > MAX_TEXT:
        return "msg_too_long"
    if blocks and len(blocks) > MAX_BLOCKS:
        return "invalid_blocks"
    return _check_blocks(blocks or [])


# The block types a message may hold, and the element types each interactive block takes.
MESSAGE_BLOCKS = {"header", "section", "context", "actions", "divider", "context_actions", "table"}
ELEMENTS = {
    "actions": {"button", "static_select", "overflow"},
    "context_actions": {"feedback_buttons", "icon_button"},
}
# App Home takes no tables and no feedback buttons, but pickers such as users_select.
HOME_BLOCKS = {"header", "section", "context", "actions", "divider", "image"}
HOME_ELEMENTS = {"actions": {"button", "static_select", "users_select", "overflow"}}
MAX_TABLE_ROWS, MAX_TABLE_CELLS = 100, 20


def _check_blocks(
    blocks: list, kinds: set[str] = MESSAGE_BLOCKS, takes: dict[str, set[str]] = ELEMENTS
) -> str | None:
    """Slack's `invalid_blocks` for what it would refuse: an unknown block or element type
    (of `kinds`, and the elements each of `takes` holds), a feedback button without text or
    value, more than one table, a table too big."""
    tables = 0
    for block in blocks:
        if not isinstance(block, dict) or block.get("type") not in kinds:
            return "invalid_blocks"
        kind = block["type"]
        if kind in takes:
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements:
                return "invalid_blocks"
            ids = [e.get("action_id") for e in elements if isinstance(e, dict)]
            if len(ids) != len(elements) or len(set(ids)) != len(ids):
                return "invalid_blocks"  # action ids are unique within a block
            for element in elements:
                if element.get("type") not in takes[kind]:
                    return "invalid_blocks"
                if element["type"] == "feedback_buttons" and not all(
                    isinstance(element.get(side), dict)
                    and element[side].get("value")
                    and (element[side].get("text") or {}).get("text")
                    for side in ("positive_button", "negative_button")
                ):
                    return "invalid_blocks"
        if kind == "table":
            tables += 1
            rows = block.get("rows")
            if (
                tables > 1
                or not isinstance(rows, list)
                or not 1 <= len(rows) <= MAX_TABLE_ROWS
                or any(not isinstance(r, list) or not 1 <= len(r) <= MAX_TABLE_CELLS for r in rows)
            ):
                return "invalid_blocks"
    return None


def _public(message: dict, with_metadata: bool) -> dict:
    out = {
        k: v for k, v in message.items() if k != "channel" and (with_metadata or k != "metadata")
    }
    return json.loads(json.dumps(out))


def _flag(value: object) -> bool:
    return str(value if value is not None else "").lower() in ("1", "true")


def _float(value: Any, default: float) -> float:
    try:
        return float(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default
