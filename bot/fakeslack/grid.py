"""Several fake workspaces behind one fake Slack, and the OAuth exchange that installs an app.

    grid = Grid(client_id="1.2", client_secret="s3cret")
    acme = grid.add_team("TACME", "Acme")       # a WebAPI of its own: messages, calls, people
    code = grid.authorize("TACME", user="UINSTALLER")   # what Slack puts in the redirect
    with FakeSlack(grid) as fake: ...          # oauth.v2.access turns the code into a token

Every call is answered by the workspace its token belongs to, so a message posted with one
workspace's token can only land in that workspace; a token Slack never issued answers
`invalid_auth`, a revoked one (`uninstall`, `revoke`) `token_revoked`, as Slack does.
`limit` makes a method answer 429 with Retry-After past a number of calls a minute per
workspace, as Slack's per-method tiers do.
"""

from __future__ import annotations

import base64
import json
import math
import re
import secrets
import threading
import time
import urllib.request
from collections import defaultdict, deque
from urllib.error import HTTPError

from bot.fakeslack.web_api import BOT, MAX_CALLS, Answer, WebAPI

SCOPES = "app_mentions:read,chat:write,commands"


class Grid:
    """Workspaces by team id, each a `WebAPI`; tokens are issued by `oauth.v2.access`."""

    def __init__(
        self,
        *,
        client_id: str = "1.2",
        client_secret: str = "fake-client-secret",
        default_tz: str = "UTC",
        max_calls: int | None = MAX_CALLS,
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.default_tz = default_tz
        self.max_calls = max_calls
        self.teams: dict[str, WebAPI] = {}
        self.enterprises: dict[str, str | None] = {}
        self._tokens: dict[str, str] = {}  # bot token -> team
        self._revoked: set[str] = set()
        self._codes: dict[str, tuple[str, str, bool]] = {}  # code -> (team, installer, org)
        self._limits: dict[str, tuple[int, float]] = {}  # method -> (calls, per seconds)
        self._seen: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self.exchanges: list[dict] = []  # each oauth.v2.access call: code, ok, error
        self.lock = threading.Lock()

    # -- setting up ----------------------------------------------------------------------

    def add_team(
        self, team: str, name: str, *, enterprise: str | None = None, **workspace
    ) -> WebAPI:
        """A new open workspace (see WebAPI for `people`, `channels`); its bot has its own ids."""
        bot = {
            **BOT,
            "id": f"U{team[1:]}BOT",
            "bot_id": f"B{team[1:]}",
        }
        api = WebAPI(
            token="",  # no token works until the app is installed
            team={"id": team, "domain": team.lower(), "name": name},
            bot=bot,
            default_tz=workspace.pop("default_tz", self.default_tz),
            max_calls=workspace.pop("max_calls", self.max_calls),
            **workspace,
        )
        with self.lock:
            self.teams[team] = api
            self.enterprises[team] = enterprise
        return api

    def authorize(self, team: str, *, user: str = "UINSTALLER", org_wide: bool = False) -> str:
        """The code Slack hands the app's redirect URL once `user` approves the install
        (`org_wide`: across the Enterprise Grid org `team` belongs to)."""
        code = f"code-{secrets.token_hex(8)}"
        with self.lock:
            self._codes[code] = (team, user, org_wide)
        return code

    def install(self, team: str, *, user: str = "UINSTALLER") -> dict:
        """What oauth.v2.access answers once `user` installed the app in `team`, without the
        browser round trip (a benchmark installing a thousand workspaces)."""
        return self._install(team, user)

    def walk_install(
        self, base: str, team: str, *, user: str = "UINSTALLER", org_wide: bool = False
    ) -> tuple[int, str]:
        """Install the app served at `base` into `team` as a browser and Slack would: its
        install page (which sets the state cookie), Slack's approval (a code), the redirect
        back with the code, the state and the cookie. Returns the redirect's (status, page)."""
        status, headers, page = browser_get(f"{base}/slack/install")
        state = re.search(r"state=([A-Za-z0-9_-]+)", page)
        if status != 200 or not state:
            return status, page
        cookie = headers.get("Set-Cookie", "").split(";", 1)[0]
        code = self.authorize(team, user=user, org_wide=org_wide)
        status, _, page = browser_get(
            f"{base}/slack/oauth_redirect?code={code}&state={state.group(1)}", cookie=cookie
        )
        return status, page

    def limit(self, method: str, *, calls: int, per: float = 60.0) -> None:
        """At most `calls` calls of `method` per workspace every `per` seconds; then 429."""
        self._limits[method] = (calls, per)

    def token(self, team: str) -> str | None:
        """The workspace's current bot token (None before an install or after a removal)."""
        return self.teams[team].token or None

    def revoke(self, team: str) -> str | None:
        """Slack revokes the workspace's token (an admin did, or the app was removed)."""
        with self.lock:
            api = self.teams[team]
            old, api.token = api.token, ""
            if old:
                self._revoked.add(old)
        return old or None

    def uninstall(self, team: str) -> dict:
        """The app is removed from `team`: its token is revoked; returns the `app_uninstalled`
        event callback Slack then sends the app (to be signed and POSTed by the caller)."""
        self.revoke(team)
        return {
            "type": "event_callback",
            "team_id": team,
            "enterprise_id": self.enterprises.get(team),
            "api_app_id": BOT["app_id"],
            "event": {"type": "app_uninstalled"},
            "event_id": f"Ev{secrets.token_hex(6).upper()}",
            "event_time": int(time.time()),
        }

    # -- serving (the interface FakeSlack serves: handle, response_url) --------------------

    def handle(self, method: str, args: dict, headers: dict) -> Answer:
        """Answer one Web API request with the workspace its token belongs to."""
        lower = {k.lower(): v for k, v in headers.items()}
        authorization = lower.get("authorization", "")
        if method == "oauth.v2.access":
            return _json(200, {}, self._exchange(args, authorization))
        token = authorization.removeprefix("Bearer ").strip() or str(args.get("token") or "")
        with self.lock:
            team = self._tokens.get(token)
            revoked = token in self._revoked
        if team is None or self.teams[team].token != token:
            error = "token_revoked" if revoked else ("not_authed" if not token else "invalid_auth")
            return _json(200, {}, {"ok": False, "error": error})
        wait = self._limited(team, method)
        if wait is not None:
            return _json(429, {"Retry-After": str(wait)}, {"ok": False, "error": "ratelimited"})
        return self.teams[team].handle(method, args, headers)

    def response_url(self, token: str, body: dict, headers: dict | None = None) -> Answer:
        """A response URL: answered by the workspace that issued it (or the first one)."""
        for api in self.teams.values():
            if token in api._response_urls:  # noqa: SLF001 - the fake's own bookkeeping
                return api.response_url(token, body, headers)
        return next(iter(self.teams.values())).response_url(token, body, headers)

    # -- internals -------------------------------------------------------------------------

    def _exchange(self, args: dict, authorization: str) -> dict:
        client_id, client_secret = (
            str(args.get("client_id") or ""),
            str(args.get("client_secret") or ""),
        )
        if authorization.startswith("Basic "):
            try:
                pair = base64.b64decode(authorization.removeprefix("Basic ")).decode()
            except ValueError:
                pair = ":"
            client_id, _, client_secret = pair.partition(":")
        code = str(args.get("code") or "")
        with self.lock:
            found = self._codes.pop(code, None)  # a code works once, as Slack's do
        if client_id != self.client_id or client_secret != self.client_secret:
            answer = {
                "ok": False,
                "error": "invalid_client_id"
                if client_id != self.client_id
                else "bad_client_secret",
            }
        elif found is None:
            answer = {"ok": False, "error": "invalid_code"}
        else:
            team, user, org_wide = found
            answer = self._install(team, user, org_wide=org_wide)
        self.exchanges.append({"code": code, "ok": answer["ok"], "error": answer.get("error")})
        return answer

    def _install(self, team: str, user: str, *, org_wide: bool = False) -> dict:
        api = self.teams[team]
        token = f"xoxb-{team.lower()}-{secrets.token_hex(6)}"
        with self.lock:
            if api.token:
                self._revoked.add(api.token)  # a reinstall replaces the token
            api.token = token
            self._tokens[token] = team
        enterprise = self.enterprises.get(team)
        return {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": SCOPES,
            "bot_user_id": api.bot["id"],
            "app_id": api.bot["app_id"],
            "team": None if org_wide else {"id": team, "name": api.team["name"]},
            "enterprise": {"id": enterprise, "name": enterprise} if enterprise else None,
            "is_enterprise_install": org_wide and bool(enterprise),
            "authed_user": {"id": user},
        }

    def _limited(self, team: str, method: str) -> int | None:
        rule = self._limits.get(method)
        if rule is None:
            return None
        calls, per = rule
        now = time.monotonic()
        with self.lock:
            seen = self._seen[(team, method)]
            while seen and now - seen[0] >= per:
                seen.popleft()
            if len(seen) >= calls:
                return max(1, math.ceil(per - (now - seen[0])))
            seen.append(now)
        return None


def browser_get(url: str, *, cookie: str = "") -> tuple[int, dict, str]:
    """A GET as a browser makes it: (status, headers, body)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def _json(status: int, headers: dict, body: dict) -> Answer:
    return Answer(status, headers, json.dumps(body).encode())
