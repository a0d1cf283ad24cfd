"""Docs stay honest: help text, README, manifest and registered listeners agree."""

from __future__ import annotations

import re

import yaml

from bot.cli import build_parser
from bot.settings import from_env
from bot.slack.listeners.commands import SUBCOMMANDS
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_every_subcommand_has_a_handler_and_a_readme_line():
    for name, (help_text, handler) in SUBCOMMANDS.items():
        assert callable(handler) and help_text
        assert f"`/aipm {name}" in README, f"README lacks /aipm {name}"


def test_every_terminal_command_is_in_the_readme():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # argparse keeps them here
    for name in commands:
        assert f"python -m bot {name}" in README, f"README lacks python -m bot {name}"


def test_manifest_command_matches_the_default_command():
    commands = [c["command"] for c in MANIFEST["features"]["slash_commands"]]
    assert commands == [from_env({}).command]


def test_manifest_events_match_the_registered_event_listeners():
    source = (ROOT / "bot" / "slack" / "listeners" / "events.py").read_text()
    registered = set(re.findall(r'app\.event\("([a-z_]+)"\)', source))
    assert set(MANIFEST["settings"]["event_subscriptions"]["bot_events"]) == registered


def test_manifest_has_socket_mode_app_home_and_interactivity():
    settings = MANIFEST["settings"]
    assert (
        settings["socket_mode_enabled"] is True and settings["interactivity"]["is_enabled"] is True
    )
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "reactions:read", "users:read", "channels:history"} <= scopes


def test_every_environment_variable_is_documented():
    source = (ROOT / "bot" / "settings.py").read_text()
    names = set(re.findall(r'"((?:SLACK|COACH)_[A-Z_]+|PORT)"', source))
    for name in names:
        assert f"`{name}`" in README, f"README lacks {name}"


def test_manifest_shortcuts_match_the_registered_shortcuts():
    from bot.slack import curation_blocks

    shortcuts = MANIFEST["features"]["shortcuts"]
    registered = {curation_blocks.SAVE_SHORTCUT}
    assert {s["callback_id"] for s in shortcuts if s["type"] == "message"} >= registered
    source = (ROOT / "bot" / "slack" / "listeners" / "curation.py").read_text()
    assert "app.shortcut(cb.SAVE_SHORTCUT)" in source
    assert all(len(s["name"]) <= 25 for s in shortcuts)  # Slack's limit for a shortcut's name
