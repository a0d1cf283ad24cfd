"""A local, Slack-like page that drives the real bot: `python -m bot serve --playground`."""

# The simulated channel. It lives in the shared database, so `serve` must leave it alone.
CHANNEL_ID = "C0PLAYGRND"
