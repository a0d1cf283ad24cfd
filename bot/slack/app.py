"""Build the Bolt app: one function, one registration point."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk import WebClient

from bot.core.coach import Coach
from bot.daily.posting import Poster
from bot.slack.context import SlackContext, lookup_client
from bot.slack.delivery import SlackDeliverer, make_client
from bot.slack.lazy_pool import BoundedPool
from bot.slack.listeners import register_listeners
from bot.slack.payload_shapes import refuse_malformed
from bot.slack.workspaces import BOT_SCOPES, Workspaces

log = logging.getLogger(__name__)
OAUTH_STATE_SECONDS = 600  # an install link works this long (Bolt's default)
ORG_WIDE_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>AI PM Coach</title></head><body>"
    "<h1>Install AI PM Coach in each workspace</h1><p>AI PM Coach keeps each workspace's "
    "tips, ratings and questions apart, so it installs in one workspace at a time, not "
    "across a whole Enterprise Grid organization. Nothing was installed: open the install "
    "link from each workspace that wants the coach.</p></body></html>"
)


def _our_client_wins(record: logging.LogRecord) -> bool:
    # Bolt also reads SLACK_BOT_TOKEN itself and warns that our client wins; it does, on purpose.
    return "will be unused" not in record.getMessage()


def build_app(
    coach: Coach,
    *,
    client: WebClient | None = None,
    poster: Poster | None = None,
    executor: ThreadPoolExecutor | None = None,
    token_verified: bool = False,
) -> App:
    """A Bolt app serving the coach's slash command, events and buttons.

    Listeners run before the HTTP response (`process_before_response`), so a 200 means
    the rating is recorded; work that waits on Slack (updating a message, sharing,
    App Home) runs after the answer, as lazy listeners on `executor`. A caller that
    passes its own executor shuts it down to let that work finish. `token_verified`
    says the caller already ran auth.test (`bot.slack.auth.verify_token`, which retries
    Slack's blips); otherwise Bolt calls it once here and raises on any failure.
    """
    settings = coach.settings
    client = client or make_client(settings)
    poster = poster or Poster(SlackDeliverer(client, command=settings.command), coach.store)
    bolt_log = logging.getLogger("bot.slack.bolt")
    bolt_log.addFilter(_our_client_wins)  # the same function object is only added once
    app = App(
        client=client,
        signing_secret=settings.signing_secret or None,
        process_before_response=True,
        raise_error_for_unhandled_request=True,
        request_verification_enabled=not settings.socket_mode,
        token_verification_enabled=not token_verified,
        logger=bolt_log,
        listener_executor=executor or BoundedPool(),
    )

    _handle_errors(app, settings)

    ctx = SlackContext(coach=coach, poster=poster, lookup=lookup_client(client))
    app.use(refuse_malformed)
    app.use(ctx.attach)
    register_listeners(app, command=settings.command)
    return app


def build_fleet_app(
    workspaces: Workspaces,
    *,
    executor: ThreadPoolExecutor | None = None,
    client: WebClient | None = None,
) -> App:
    """The Bolt app for one install serving many workspaces (HTTP mode, Slack's OAuth flow).

    Bolt serves /slack/install and /slack/oauth_redirect and keeps installations and
    OAuth states in COACH_DB (slack-sdk's SQLite stores); each request is authorized with
    its workspace's token and handed its workspace's SlackContext (`Workspaces.attach`).
    The same listeners as one workspace's app, plus the uninstall and revocation ones.
    """
    from slack_bolt.oauth.callback_options import CallbackOptions, SuccessArgs
    from slack_bolt.oauth.oauth_settings import OAuthSettings
    from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore

    settings = workspaces.settings

    def installed(args: SuccessArgs) -> BoltResponse:
        if not workspaces.installed(args.installation):
            return BoltResponse(
                status=400, body=ORG_WIDE_PAGE, headers={"Content-Type": "text/html; charset=utf-8"}
            )
        return args.default.success(args)

    oauth = OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        installation_store=workspaces.installations,
        installation_store_bot_only=True,
        state_store=SQLite3OAuthStateStore(
            database=str(settings.db_path), expiration_seconds=OAUTH_STATE_SECONDS
        ),
        callback_options=CallbackOptions(success=installed, failure=_install_failed),
    )
    bolt_log = logging.getLogger("bot.slack.bolt")
    app = App(
        client=client or make_client(settings),
        signing_secret=settings.signing_secret,
        oauth_settings=oauth,
        process_before_response=True,
        raise_error_for_unhandled_request=True,
        logger=bolt_log,
        listener_executor=executor or BoundedPool(),
    )

    _handle_errors(app, settings)

    app.use(refuse_malformed)
    app.use(workspaces.attach)
    register_listeners(app, command=settings.command)
    return app


def _handle_errors(app: App, settings) -> None:
    """What a request no listener takes (200, logged) and a failing listener (500) answer."""

    @app.error
    def on_error(error: Exception, body: dict) -> BoltResponse:
        if isinstance(error, BoltUnhandledRequestError):
            kind = (body.get("event") or {}).get("type") or body.get("type") or "unknown"
            log.info("ignored a request of type %s", kind)
            return BoltResponse(status=200, body="")
        log.error("listener failed: %s: %s", type(error).__name__, settings.redact(str(error)))
        return BoltResponse(status=500, body="")


def _install_failed(args) -> BoltResponse:
    log.warning("an install did not complete: %s", args.reason)
    return args.default.failure(args)
