"""Docs stay honest: help text, README, manifest and registered listeners agree."""

from __future__ import annotations

import re

import yaml

from bot.cli import build_parser
from bot.settings import from_env
from bot.slack.listeners import register_listeners
from bot.slack.subcommands import SUBCOMMANDS
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
        assert f"aipm-coach {name}" in README, f"README lacks aipm-coach {name}"


def test_manifest_command_matches_the_default_command():
    commands = [c["command"] for c in MANIFEST["features"]["slash_commands"]]
    assert commands == [from_env({}).command]


class Registrations:
    """Stands in for Bolt's App in `register_listeners`: notes what each group listens for."""

    def __init__(self) -> None:
        self.seen: dict[str, set[str]] = {}

    def __getattr__(self, kind: str):
        def listen(key, *args, **kwargs):
            self.seen.setdefault(kind, set()).add(key if isinstance(key, str) else str(key))
            return lambda *callbacks, **lazy: None

        return listen


def registered() -> dict[str, set[str]]:
    app = Registrations()
    register_listeners(app, command=from_env({}).command)
    return app.seen


def test_manifest_events_match_the_registered_event_listeners():
    # Slack's event names carry a channel kind (`message.im`); Bolt listens for `message`.
    subscribed = {
        e.split(".")[0] for e in MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    }
    function_events = {"function_executed"} if registered().get("function") else set()
    assert subscribed == registered()["event"] | function_events


def test_manifest_shortcuts_match_the_registered_shortcut_listeners():
    shortcuts = MANIFEST["features"]["shortcuts"]
    assert {s["callback_id"] for s in shortcuts if s["type"] == "message"} == registered()[
        "message_shortcut"
    ]
    assert {s["callback_id"] for s in shortcuts if s["type"] == "global"} == registered().get(
        "global_shortcut", set()
    )


def test_manifest_functions_match_the_registered_workflow_steps():
    assert set(MANIFEST["functions"]) == registered()["function"]
    assert MANIFEST["settings"]["function_runtime"] == "remote"
    assert MANIFEST["settings"]["org_deploy_enabled"] is True
    step = MANIFEST["functions"]["send_aipm_tip"]
    assert set(step["output_parameters"]) == {"tip_id", "tip_title"}
    assert step["input_parameters"]["channel"]["is_required"] is True


def test_manifest_scopes_cover_mentions_dms_and_the_agent_surface():
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {"app_mentions:read", "im:history", "chat:write", "assistant:write"} <= scopes
    assert MANIFEST["features"]["app_home"]["messages_tab_enabled"] is True


def test_readme_names_every_event_scope_and_shortcut():
    events = MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    scopes = MANIFEST["oauth_config"]["scopes"]["bot"]
    names = [s["name"] for s in MANIFEST["features"]["shortcuts"]]
    for item in [*events, *scopes, *names, *(f["title"] for f in MANIFEST["functions"].values())]:
        assert f"`{item}`" in README or f"*{item}*" in README, f"README lacks {item}"


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


DOCS = {name: (ROOT / name).read_text() for name in ("docs/operations.md", "docs/privacy.md")}
# The service user's name (the cron line's user field, `sudo -u`) precedes shell words.
NOT_COMMANDS = {"cd", "env"}  # also `sudo -u aipm-coach env ...`


def documented_commands() -> list[str]:
    """Every `aipm-coach ...` command in a fenced code block of the README and docs/, in
    docs/'s inline code and in the systemd unit (comments and `&&` tails cut off)."""
    texts = [README, *DOCS.values()]
    blocks = [b for text in texts for b in re.findall(r"```[a-z]*\n(.*?)```", text, re.S)]
    blocks.append((ROOT / "deploy" / "aipm-coach.service").read_text())
    # docs/ writes whole commands in inline code too (the README's tables use placeholders).
    blocks += [span for text in DOCS.values() for span in re.findall(r"`([^`\n]+)`", text)]
    found = []
    for block in blocks:
        for line in block.splitlines():
            if line.lstrip().startswith("#"):
                continue
            # A lookahead finds every occurrence, also the one inside `sudo -u aipm-coach env ...`.
            found += re.findall(r"(?=(?:^|[\s/])aipm-coach\s+([a-z][^\n&|;#]*))", line)
    return found


def test_every_aipm_coach_command_in_the_docs_parses():
    import shlex

    parser = build_parser()
    commands = documented_commands()
    assert len(commands) >= 10
    for command in commands:
        argv = shlex.split(command)
        if argv[0] in NOT_COMMANDS:
            continue
        try:
            parser.parse_args(argv)
        except SystemExit:
            raise AssertionError(
                f"the docs give a command that does not parse: {command}"
            ) from None


def test_the_readmes_first_screen_says_what_the_shipped_base_covers():
    from bot.core import knowledge
    from bot.core.coverage import coverage

    cov = coverage(knowledge.load(ROOT / "knowledge"))
    first_screen = README.split("## Quick start")[0]
    numbers = {1: "one"}
    assert f"**{cov.tips} tips from {numbers[len(cov.sources)]} podcast episode**" in first_screen
    assert f"*{cov.sources[0][0]}*" in first_screen
    assert "/aipm add" in first_screen and "*Save as AI-PM tip*" in first_screen
    assert "knowledge build" in first_screen and "docs/privacy.md" in first_screen


def test_the_free_plan_caveat_comes_before_pasting_the_manifest():
    setup = README.split("## Slack set-up")[1]
    assert setup.index("free Slack plan") < setup.index("paste `manifest.yml`")
    assert "Copy member ID" in setup


def test_the_privacy_note_names_every_table_and_column(tmp_path):
    from bot.store import Store

    store = Store.open(tmp_path / "coach.db")
    try:
        for table in store.db.table_names():
            if table.startswith("sqlite_"):
                continue
            assert f"`{table}`" in DOCS["docs/privacy.md"], f"privacy.md lacks table {table}"
            for column in store.db[table].columns_dict:
                assert f"`{column}`" in DOCS["docs/privacy.md"], (
                    f"privacy.md lacks {table}.{column}"
                )
    finally:
        store.close()


def test_the_readme_links_the_operations_and_privacy_docs():
    for name in DOCS:
        assert f"]({name})" in README, f"README does not link {name}"
