"""A tip's link: one check for every way a link comes in (the tip form, a YAML file, a note).

Slack shows a link as `<URL|label>` in mrkdwn, so `>` ends it, `|` starts its label and
`<` opens another one: `https://evil.example/x> <!channel> <https://a.b` would put a live
`<!channel>` into every post of the tip. A link is therefore a plain http(s) URL: a scheme,
a host, at most MAX_URL characters, and no whitespace, control or format character (a
line break, a right-to-left override) and none of `<`, `>`, `|`. The Slack side renders
only links that pass `link_problem`, and escapes them even then.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

MAX_URL = 2000
_MARKUP = frozenset("<>|")


def link_problem(url: object) -> str | None:
    """Why `url` cannot be a tip's link (a phrase that follows "the link ..."), or None.

    Accepts only plain http(s) URLs (see the module docstring); never raises.
    """
    if not isinstance(url, str) or not url:
        return "must be an http(s) link, e.g. https://example.com/talk"
    if len(url) > MAX_URL:
        return f"is too long: {len(url)} characters (at most {MAX_URL})"
    for char in url:
        if char in _MARKUP:
            return f"holds {char!r}, which Slack reads as markup: use a plain http(s) link"
        if unicodedata.category(char)[0] in "CZ":
            return (
                f"holds a space, line break or invisible character (U+{ord(char):04X}): "
                "use one plain http(s) link"
            )
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "is not a valid http(s) link"
    if parts.scheme.lower() not in ("http", "https") or not url[len(parts.scheme) :].startswith(
        "://"
    ):
        return "must be an http(s) link, e.g. https://example.com/talk"
    if not host:
        return "names no host: use e.g. https://example.com/talk"
    return None


def is_plain_link(url: object) -> bool:
    """True when `url` passes `link_problem`."""
    return link_problem(url) is None
