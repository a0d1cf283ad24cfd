"""Argument types for the command line: each refuses a bad value saying what is accepted.

argparse turns the ArgumentTypeError into `error: argument --days: ...` and exit 2.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path

_CHANNEL = re.compile(r"[CGD][A-Z0-9]+")
_USER = re.compile(r"[UW][A-Z0-9]{2,}")


def int_range(low: int, high: int, *, example: int) -> Callable[[str], int]:
    """A type accepting whole numbers from `low` to `high` (e.g. `--days`: 1 to 36500)."""

    def parse(text: str) -> int:
        raw = text.strip()
        if not re.fullmatch(r"[+-]?[0-9]{1,30}", raw):
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a whole number: use {low} to {high}, e.g. {example}"
            )
        value = int(raw)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range: use {low} to {high}")
        return value

    return parse


def channel_id(text: str) -> str:
    """A Slack channel id such as C0123456 (not a #name, not empty)."""
    raw = text.strip()
    if not _CHANNEL.fullmatch(raw):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a channel id: use the id (e.g. C0123456) from the channel's "
            "details in Slack, not its #name"
        )
    return raw


def output_file(text: str) -> str:
    """A file to write: its folder must exist and it must not be a folder ('' means stdout)."""
    if not text:
        return text
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text} is a folder: give a file name, e.g. {path}/export.json"
        )
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(
            f"folder {path.parent} does not exist: create it or give another path"
        )
    return text


def pair_ref(text: str) -> str:
    """A learned pair's ref: the 8 hex digits `aipm-coach learned` prints in brackets."""
    raw = text.strip().strip("[]").lower()
    if not re.fullmatch(r"[0-9a-f]{8}", raw):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a pair ref: use the 8 hex digits `aipm-coach learned` shows, "
            "e.g. 3f2a9c1b"
        )
    return raw


def user_id(text: str) -> str:
    """A Slack member id such as U0123ABCD (not a name or an email address)."""
    raw = text.strip()
    if not _USER.fullmatch(raw):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a Slack member id: use the id (e.g. U0123ABCD) from the person's "
            "profile, ⋮ menu > Copy member ID"
        )
    return raw


def team_id(text: str) -> str:
    """A Slack team (workspace) id such as T0123ABCD, or an enterprise id (E...)."""
    raw = text.strip()
    if not re.fullmatch(r"[TE][A-Z0-9]{2,}", raw):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a Slack team id: use e.g. T0123ABCD (`aipm-coach workspaces` "
            "lists the installed ones)"
        )
    return raw
