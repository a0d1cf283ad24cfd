"""One settings object, read once from the environment and handed to everything else."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.digits import is_number

DEFAULT_USEFUL = ("+1", "thumbsup", "heart", "star", "fire", "100", "raised_hands", "clap", "bulb")
DEFAULT_NOT_USEFUL = ("-1", "thumbsdown")
SLACK_API_DEFAULT = "https://slack.com/api/"
# Below 0.1 s the scheduler spins; above an hour a daily post is late by more than that.
TICK_RANGE = (0.1, 3600.0)
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
PATH_EXAMPLES = {
    "COACH_DB": "/var/lib/aipm-coach/coach.db",
    "COACH_KNOWLEDGE": "knowledge",
    "COACH_SEEDS": "seeds",
    "COACH_TEAMS_DIR": "/var/lib/aipm-coach/teams",
}

WHERE = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-...) from your app's OAuth & Permissions page",
    "SLACK_SIGNING_SECRET": "the Signing Secret from your app's Basic Information page",
    "SLACK_APP_TOKEN": "an App-Level Token (xapp-...) with connections:write, from Basic Information",
    "SLACK_CLIENT_ID": "the Client ID from your app's Basic Information page (App Credentials)",
    "SLACK_CLIENT_SECRET": "the Client Secret from your app's Basic Information page",
}
TEAM_ID = re.compile(r"^[TE][A-Z0-9]{2,}$")
DELETE_AFTER_RANGE = (0.0, 3650.0)  # days a removed workspace's data is kept


class SettingsError(Exception):
    """One or more settings are missing or malformed; the message names each and the fix."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Settings:
    """Everything configurable, from the environment (see the README's configuration table)."""

    bot_token: str = ""
    signing_secret: str = ""
    app_token: str = ""
    client_id: str = ""
    client_secret: str = ""
    teams_dir: Path | None = None
    delete_after_days: float = 30.0
    api_url: str = SLACK_API_DEFAULT
    db_path: Path = Path("coach.db")
    knowledge_dir: Path = Path("knowledge")
    seeds_dir: Path = Path("seeds")
    port: int = 3000
    host: str = "0.0.0.0"
    health_port: int = 0
    privacy_url: str = ""
    command: str = "/aipm"
    admins: frozenset[str] = frozenset()
    curators: frozenset[str] = frozenset()
    log_questions: bool = True
    log_users: bool = False
    useful_reactions: frozenset[str] = frozenset(DEFAULT_USEFUL)
    not_useful_reactions: frozenset[str] = frozenset(DEFAULT_NOT_USEFUL)
    scheduler: bool = True
    tick_seconds: float = 30.0
    claim_lease: float = 120.0
    shutdown_seconds: float = 10.0
    max_question: int = 500

    @property
    def socket_mode(self) -> bool:
        """Socket Mode when an app-level token is set; HTTP mode otherwise."""
        return bool(self.app_token)

    @property
    def many_workspaces(self) -> bool:
        """Slack's OAuth install flow, one install for many workspaces: SLACK_CLIENT_ID and
        SLACK_CLIENT_SECRET set and no SLACK_BOT_TOKEN (a bot token means one workspace)."""
        return bool(self.client_id and self.client_secret and not self.bot_token)

    @property
    def workspaces_dir(self) -> Path:
        """The folder of the workspaces' databases (COACH_TEAMS_DIR; default `teams/` beside
        COACH_DB): one file a workspace, so no query can reach another's rows."""
        return self.teams_dir or self.db_path.parent / "teams"

    def for_team(self, team: str) -> Settings:
        """These settings with COACH_DB at the workspace's own database (for `--team`), and
        no COACH_CURATORS or COACH_ADMINS (each workspace has its own, in its database).

        Raises SettingsError unless `team` looks like a Slack team or enterprise id, so a
        path never comes from what someone typed or Slack sent.
        """
        from dataclasses import replace

        if not TEAM_ID.match(team):
            raise SettingsError(
                [f"{team!r} is not a Slack team id: use e.g. T0123ABCD (`workspaces list`)."]
            )
        # COACH_CURATORS and COACH_ADMINS name one workspace's people: not every workspace's.
        return replace(
            self,
            db_path=self.workspaces_dir / f"{team}.db",
            curators=frozenset(),
            admins=frozenset(),
        )

    def redact(self, text: str) -> str:
        """`text` with every secret replaced, for anything that may reach a log or a user."""
        for secret in (self.bot_token, self.signing_secret, self.app_token, self.client_secret):
            if secret and len(secret) >= 4:
                text = text.replace(secret, "[redacted]")
        return text

    def require_bot_token(self) -> None:
        """Raise SettingsError unless a bot token is set (for commands that post to Slack)."""
        if not self.bot_token:
            raise SettingsError([f"SLACK_BOT_TOKEN is not set: use {WHERE['SLACK_BOT_TOKEN']}."])

    def require_slack(self) -> None:
        """Raise SettingsError naming each Slack credential `serve` still needs."""
        if self.many_workspaces:
            self._require_oauth()
            return
        missing = []
        if not self.bot_token:
            missing.append("SLACK_BOT_TOKEN")
        problems = [f"{name} is not set: use {WHERE[name]}." for name in missing]
        if not self.socket_mode and not self.signing_secret:
            # Either credential connects the bot; name both, not only HTTP mode's.
            missing.append("SLACK_APP_TOKEN or SLACK_SIGNING_SECRET")
            problems.append(
                "Neither SLACK_APP_TOKEN nor SLACK_SIGNING_SECRET is set: for Socket Mode set "
                f"SLACK_APP_TOKEN to {WHERE['SLACK_APP_TOKEN']}; for HTTP mode set "
                f"SLACK_SIGNING_SECRET to {WHERE['SLACK_SIGNING_SECRET']}."
            )
        if self.bot_token and not self.bot_token.startswith("xoxb-"):
            problems.append(
                f"SLACK_BOT_TOKEN must start with 'xoxb-': use {WHERE['SLACK_BOT_TOKEN']}."
            )
        if self.app_token and not self.app_token.startswith("xapp-"):
            problems.append(
                f"SLACK_APP_TOKEN must start with 'xapp-': use {WHERE['SLACK_APP_TOKEN']}."
            )
        if bool(self.client_id) != bool(self.client_secret) and not self.bot_token:
            name = "SLACK_CLIENT_SECRET" if self.client_id else "SLACK_CLIENT_ID"
            problems.append(
                f"{name} is not set: for many workspaces set both SLACK_CLIENT_ID and "
                f"SLACK_CLIENT_SECRET ({WHERE[name]}); for one, set SLACK_BOT_TOKEN."
            )
        if problems:
            if missing:
                problems.append(
                    "Without Slack, try the bot locally: `aipm-coach serve --playground` "
                    'or `aipm-coach ask "what is the ikea effect"`.'
                )
            raise SettingsError(problems)

    def _require_oauth(self) -> None:
        problems = []
        if not self.signing_secret:
            problems.append(
                "SLACK_SIGNING_SECRET is not set: the OAuth install flow serves HTTP mode, use "
                f"{WHERE['SLACK_SIGNING_SECRET']}."
            )
        if self.app_token:
            problems.append(
                "SLACK_APP_TOKEN is set with SLACK_CLIENT_ID: one install for many workspaces "
                "serves HTTP mode (Slack lists no Socket Mode app), so unset SLACK_APP_TOKEN, "
                "or set SLACK_BOT_TOKEN to serve one workspace."
            )
        if problems:
            raise SettingsError(problems)


def _flag(env: Mapping[str, str], name: str, default: bool, problems: list[str]) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    problems.append(f"{name}={raw!r} is not a yes/no value: use 1 or 0.")
    return default


def _names(raw: str) -> frozenset[str]:
    return frozenset(part.strip().strip(":") for part in raw.split(",") if part.strip())


def _user_ids(env: Mapping[str, str], name: str, problems: list[str]) -> frozenset[str]:
    """A comma-separated list of Slack member ids (COACH_ADMINS, COACH_CURATORS)."""
    names = _names(env.get(name, ""))
    bad = sorted(n for n in names if not USER_ID.match(n))
    if bad:
        problems.append(
            f"{name} has {', '.join(repr(b) for b in bad)}, not Slack user ids: use "
            "comma-separated ids like U0123ABCD (a profile's ⋮ menu > Copy member ID)."
        )
    return names - frozenset(bad)


def _path(env: Mapping[str, str], name: str, default: str, problems: list[str]) -> Path:
    """A file or folder setting; set but empty is a mistake (it never means the default)."""
    raw = env.get(name)
    if raw is None:
        return Path(default)
    if not raw.strip():
        problems.append(
            f"{name} is set but empty: give it a path (e.g. {name}={PATH_EXAMPLES[name]}), "
            f"or unset it to use {default}."
        )
        return Path(default)
    return Path(raw.strip())


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from `env` (default: os.environ).

    Raises SettingsError naming every malformed variable and the accepted form; missing
    Slack credentials are only checked by `Settings.require_slack`, since most commands
    need none.
    """
    env = os.environ if env is None else env
    problems: list[str] = []
    port = 3000
    raw_port = env.get("PORT", "").strip()
    if raw_port:
        if is_number(raw_port) and 0 < int(raw_port) < 65536:
            port = int(raw_port)
        else:
            problems.append(f"PORT={raw_port!r} is not a port number: use 1-65535, e.g. PORT=3000.")
    health_port = 0
    raw_health = env.get("COACH_HEALTH_PORT", "").strip()
    if raw_health:
        if is_number(raw_health) and 0 < int(raw_health) < 65536:
            health_port = int(raw_health)
        else:
            problems.append(
                f"COACH_HEALTH_PORT={raw_health!r} is not a port number: use 1-65535, e.g. "
                "COACH_HEALTH_PORT=8081, or leave it unset."
            )
    privacy_url = env.get("COACH_PRIVACY_URL", "").strip()
    if privacy_url and (
        not privacy_url.startswith(("https://", "http://"))
        or _url_problem(privacy_url)
        or any(c in privacy_url for c in "<>| \n")
    ):
        problems.append(
            f"COACH_PRIVACY_URL={privacy_url!r} is not a plain http(s) URL: use e.g. "
            "https://github.com/your-org/aipm-coach/blob/main/docs/privacy.md, or leave it unset."
        )
        privacy_url = ""
    api_url = env.get("SLACK_API_URL", "").strip() or SLACK_API_DEFAULT
    if not api_url.startswith(("https://", "http://")):
        problems.append(
            f"SLACK_API_URL={api_url!r} is not an http(s) URL: use e.g. https://slack.com/api/ or leave it unset."
        )
    elif problem := _url_problem(api_url):
        problems.append(
            f"SLACK_API_URL={api_url!r} {problem}: use e.g. https://slack.com/api/ or leave it unset."
        )
    if not api_url.endswith("/"):
        api_url += "/"
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
    ):
        raw = env.get(name, "").strip()
        if raw and not (raw.isascii() and raw.isprintable() and " " not in raw):
            # Never echo it: a secret goes in no message, even a broken one.
            problems.append(
                f"{name} holds a space, a line break or a non-ASCII character (a paste "
                f"error?): copy it again from {WHERE[name]}, as one line."
            )
    command = env.get("COACH_COMMAND", "").strip() or "/aipm"
    if not command.startswith("/") or not command[1:].replace("-", "").replace("_", "").isalnum():
        problems.append(f"COACH_COMMAND={command!r} is not a slash command: use e.g. /aipm.")
    tick = _seconds(env, "COACH_TICK_SECONDS", 30.0, TICK_RANGE, problems)
    lease = _seconds(env, "COACH_CLAIM_LEASE_SECONDS", 120.0, (1.0, 3600.0), problems)
    shutdown = _seconds(env, "COACH_SHUTDOWN_SECONDS", 10.0, (0.0, 600.0), problems)
    useful = _names(env.get("COACH_USEFUL_REACTIONS", "")) or frozenset(DEFAULT_USEFUL)
    not_useful = _names(env.get("COACH_NOT_USEFUL_REACTIONS", "")) or frozenset(DEFAULT_NOT_USEFUL)
    if useful & not_useful:
        problems.append(
            "COACH_USEFUL_REACTIONS and COACH_NOT_USEFUL_REACTIONS share "
            f"{', '.join(sorted(useful & not_useful))}: use each reaction in one list only."
        )
    db_path = _path(env, "COACH_DB", "coach.db", problems)
    beside = str(db_path.parent / "teams")
    teams_dir = (
        _path(env, "COACH_TEAMS_DIR", beside, problems) if "COACH_TEAMS_DIR" in env else None
    )
    delete_after = _seconds(
        env,
        "COACH_DELETE_AFTER_DAYS",
        30.0,
        DELETE_AFTER_RANGE,
        problems,
        unit="days",
        hint=" (0 deletes a removed workspace's data at once)",
    )
    knowledge_dir = _path(env, "COACH_KNOWLEDGE", "knowledge", problems)
    seeds_dir = _path(env, "COACH_SEEDS", "seeds", problems)
    settings = Settings(
        bot_token=env.get("SLACK_BOT_TOKEN", "").strip(),
        signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip(),
        app_token=env.get("SLACK_APP_TOKEN", "").strip(),
        client_id=env.get("SLACK_CLIENT_ID", "").strip(),
        client_secret=env.get("SLACK_CLIENT_SECRET", "").strip(),
        teams_dir=teams_dir,
        delete_after_days=delete_after,
        api_url=api_url,
        db_path=db_path,
        knowledge_dir=knowledge_dir,
        seeds_dir=seeds_dir,
        port=port,
        host=env.get("COACH_HOST", "").strip() or "0.0.0.0",
        health_port=health_port,
        privacy_url=privacy_url,
        command=command,
        admins=_user_ids(env, "COACH_ADMINS", problems),
        curators=_user_ids(env, "COACH_CURATORS", problems),
        log_questions=_flag(env, "COACH_LOG_QUESTIONS", True, problems),
        log_users=_flag(env, "COACH_LOG_USERS", False, problems),
        useful_reactions=useful,
        not_useful_reactions=not_useful,
        scheduler=_flag(env, "COACH_SCHEDULER", True, problems),
        tick_seconds=tick,
        claim_lease=lease,
        shutdown_seconds=shutdown,
    )
    if problems:
        raise SettingsError(problems)
    return settings


def _url_problem(url: str) -> str | None:
    """What is wrong with an http(s) URL's host or port, or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:
        return "has a port that is not a number from 1 to 65535"
    return None if parts.hostname else "names no host"


def _seconds(
    env: Mapping[str, str],
    name: str,
    default: float,
    bounds: tuple[float, float],
    problems: list,
    *,
    unit: str = "seconds",
    hint: str = "",
) -> float:
    """A number of `unit` within `bounds` from `env[name]`, or `default` (noting a problem)."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not bounds[0] <= value <= bounds[1]:  # also refuses nan and inf
        problems.append(
            f"{name}={raw!r} is not a number of {unit} from {bounds[0]:g} to {bounds[1]:g}: "
            f"use e.g. {default:g}{hint}."
        )
        return default
    return value
