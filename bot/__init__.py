"""AI PM Coach: a Slack bot that coaches a product team on AI product management."""

__version__ = "0.1.0"
