"""One link check for the tip form, YAML files and notes: plain http(s) URLs only."""

from __future__ import annotations

import pytest

from bot.core.links import MAX_URL, is_plain_link, link_problem

HOSTILE = [
    "https://evil.example/x> <!channel> <https://a.b",
    "https://e.x/|<@U0001>",
    "https://x y <!here>",
    "https://e.x/a\nb",
    "https://e.x/a\tb",
    "https://e.x/\u202eevil",
    "https://e.x/\u200b",
    "https://e.x/<b>",
    "javascript:alert(1)",
    "ftp://e.x/file",
    "https:/e.x/one-slash",
    "https://",
    "https://[::1",
    "e.x/no-scheme",
    "",
    None,
    42,
    "https://e.x/" + "a" * MAX_URL,
]


@pytest.mark.parametrize("url", HOSTILE)
def test_anything_but_a_plain_http_link_is_refused_with_a_reason(url):
    problem = link_problem(url)
    assert problem and not is_plain_link(url)
    assert "<!" not in problem


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com/watch?v=abc&t=2411s",
        "http://example.com",
        "HTTPS://Example.com/Path?q=1#frag",
        "https://t1.slack.com/archives/C1/p1700000000000200?thread_ts=1.2&cid=C1",
        "https://de.wikipedia.org/wiki/Käse",
    ],
)
def test_plain_http_links_pass(url):
    assert link_problem(url) is None
