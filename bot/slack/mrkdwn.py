"""Make user-supplied text safe to echo in Slack mrkdwn."""

from __future__ import annotations

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: str) -> str:
    """Escape `&`, `<` and `>` so text can never become a link, a mention or `<!channel>`."""
    return text.translate(_ESCAPES)


def unescape(text: str) -> str:
    """Undo `escape` (for text the bot itself escaped into a button's value)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def quote(text: str, *, limit: int = 300) -> str:
    """Escape user text and cut it to `limit` characters (with an ellipsis) for display."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return escape(text)
