"""A bare Bolt app (one command listener that only acks) on the bot's own HTTP server.

    python -m benchmarks.bare_app   (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL, PORT)

The load benchmark runs it beside the real bot so the bot's overhead is a ratio from one run.
"""

from __future__ import annotations

import os
import signal

from slack_bolt import App
from slack_sdk import WebClient

from bot.slack.http import HttpServer, SlackWSGI


def main() -> None:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = App(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=True,
    )

    @app.command("/aipm")
    def only_ack(ack) -> None:
        ack()

    wsgi = SlackWSGI(
        app, signing_secret=os.environ["SLACK_SIGNING_SECRET"], health=lambda: {"ok": True}
    )
    server = HttpServer(wsgi, host="127.0.0.1", port=int(os.environ["PORT"]))
    signal.signal(signal.SIGTERM, lambda *_: server.request_stop())
    server.serve()


if __name__ == "__main__":
    main()
