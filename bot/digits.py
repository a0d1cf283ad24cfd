"""The one check that a string is a number written in ASCII digits, for every layer.

`str.isdigit()` alone also accepts '²', '¹' and '٣', which `int()` refuses or reads as a
number nobody typed; ports, counts, pages, versions and Slack's timestamps are plain
ASCII digits or nothing.
"""

from __future__ import annotations


def is_number(text: str) -> bool:
    """True when `text` is one or more ASCII digits (0-9), so `int(text)` reads it as typed.

    Signs, spaces, underscores and other scripts' digits are not numbers here.
    """
    return text.isascii() and text.isdigit()
