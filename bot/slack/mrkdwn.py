"""Make user-supplied text safe to echo in Slack mrkdwn."""

from __future__ import annotations

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: str) -> str:
    """Escape `&`, `<` and `>` so text can never become a link, a mention or `<!channel>`."""
    return text.translate(_ESCAPES)


def unescape(text: str) -> str:
    """Undo `escape` (for text the bot itself escaped into a button's value)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def shorten(text: str, limit: int) -> str:
    """`text` on one line, cut to at most `limit` characters at a word boundary, with '…'.

    When the last word boundary would drop more than half of the room (a long URL or run of
    letters after a short word), the cut falls inside that word instead.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if cut.rfind(" ") >= limit // 2:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


def quote(text: str, *, limit: int = 300) -> str:
    """Escape user text and cut it to `limit` characters (with an ellipsis) for display."""
    return escape(shorten(text, limit))
