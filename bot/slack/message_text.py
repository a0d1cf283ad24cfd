"""Slack message text to the plain question it asks: mentions, links and escapes undone."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"<([^<>]*)>")
_UNESCAPE = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
_SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def plain_question(text: str, *, bot_user: str | None = None) -> str:
    """The question in a Slack message: the bot's own mentions dropped, the rest made plain.

    Slack sends `<@U123>` for a mention, `<!here>` for @here, `<#C1|name>` for a channel and
    `<https://x|label>` for a link, with `&`, `<` and `>` escaped. Other people's mentions
    become `@U123`, specials `@here`, channels `#name`, links their label (or URL); escapes
    are undone and spaces collapsed. The bot's own mention becomes a line break, as do the
    message's own, so the question after "…context. @coach how do we…" stands as a sentence
    of its own. The result is plain text: echo it through `mrkdwn.quote`, never as is.
    """

    def token(match: re.Match) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            user = target[1:]
            return "\n" if user == bot_user else f"@{label or user}"
        if target.startswith("!"):
            word = target[1:].split("^", 1)[0]
            return _SPECIAL.get(word) or "@" + (label or word).lstrip("@")
        if target.startswith("#"):
            return f"#{label or target[1:]}"
        return label or target

    text = _TOKEN.sub(token, text or "")
    for escaped, char in _UNESCAPE:
        text = text.replace(escaped, char)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
