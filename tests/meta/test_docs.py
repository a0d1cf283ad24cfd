"""Docs stay honest: help text, README, docs/, manifest and registered listeners agree."""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

import yaml

from bot.cli import build_parser
from bot.settings import from_env
from bot.slack.listeners import register_listeners
from bot.slack.subcommands import SUBCOMMANDS

ROOT = Path(__file__).resolve().parents[2]
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


def test_the_oauth_install_asks_for_the_manifests_bot_scopes():
    from bot.slack.workspaces import BOT_SCOPES

    assert list(BOT_SCOPES) == MANIFEST["oauth_config"]["scopes"]["bot"]


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


def test_manifest_declares_the_agent_view_and_not_the_deprecated_assistant_view():
    features = MANIFEST["features"]
    assert features["agent_view"]["agent_description"].strip()
    assert len(features["agent_view"]["agent_description"]) <= 200
    assert "assistant_view" not in features
    events = MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    assert "assistant_thread_started" not in events and "app_home_opened" in events


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


DOCS = {
    path.relative_to(ROOT).as_posix(): path.read_text() for path in sorted(ROOT.glob("docs/*.md"))
}
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text()
# The pages the README points into (the house style's list).
LINKED_DOCS = (
    "docs/architecture.md",
    "docs/curating.md",
    "docs/operations.md",
    "docs/reliability.md",
    "docs/benchmarks.md",
    "docs/privacy.md",
)
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


def test_the_readme_links_every_page_of_docs_and_contributing():
    for name in (*LINKED_DOCS, "CONTRIBUTING.md"):
        assert (ROOT / name).is_file(), f"{name} is missing"
        assert f"]({name})" in README, f"README does not link {name}"


# -- docs/ behind the README -------------------------------------------------------------

ARCHITECTURE = DOCS["docs/architecture.md"]
EVERYTHING = "\n".join([README, CONTRIBUTING, *DOCS.values()])
# Pages written as wrapped prose (operations.md and privacy.md still keep a paragraph a line).
DOCS_LONG_LINES = ("docs/operations.md", "docs/privacy.md")
WRAPPED = ("README.md", "CONTRIBUTING.md", *(n for n in LINKED_DOCS if n not in DOCS_LONG_LINES))


def test_every_module_under_bot_is_named_in_architecture():
    missing = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        if path.name == "__init__.py":
            continue
        relative = path.relative_to(ROOT).as_posix()
        dotted = relative.removesuffix(".py").replace("/", ".")
        if relative not in ARCHITECTURE and f"`{dotted}`" not in ARCHITECTURE:
            missing.append(relative)
    assert missing == [], "docs/architecture.md names no " + ", ".join(missing)


def cli_commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    """(command words, its parser) for every command and subcommand, recursively."""
    for action in parser._actions:  # argparse keeps subcommands as a _SubParsersAction here
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name), sub
                yield from cli_commands(sub, (*prefix, name))


def backticked_commands(words: tuple[str, ...]) -> list[str]:
    """Every inline code span of the README and docs that starts with `aipm-coach WORDS`."""
    head = re.escape("aipm-coach " + " ".join(words))
    return re.findall(rf"`({head}(?:[ \n][^`]*)?)`", EVERYTHING)


def test_every_cli_command_and_subcommand_is_documented():
    commands = list(cli_commands(build_parser()))
    assert ("knowledge", "build") in [words for words, _ in commands]
    for words, _ in commands:
        assert backticked_commands(words), f"no `aipm-coach {' '.join(words)}` in README or docs"


def test_every_cli_option_is_documented_with_its_command():
    for words, parser in cli_commands(build_parser()):
        spans = " ".join(backticked_commands(words))
        for action in parser._actions:
            longs = [o for o in action.option_strings if o.startswith("--") and o != "--help"]
            if longs and not any(o in spans for o in longs):
                raise AssertionError(
                    f"`aipm-coach {' '.join(words)}` is documented without {longs[0]}"
                )


def test_every_test_and_test_file_the_docs_name_exists():
    defined = {
        node.name
        for path in (ROOT / "tests").rglob("test_*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }
    for name, text in {"README.md": README, "CONTRIBUTING.md": CONTRIBUTING, **DOCS}.items():
        for path in set(re.findall(r"\btests/[\w/]+\.py\b", text)):
            assert (ROOT / path).is_file(), f"{name} names {path}, which does not exist"
        for test in set(re.findall(r"\b(test_\w+)\b(?!\.py)", text)):
            assert test in defined, f"{name} names {test}, which no test file defines"


def test_architecture_has_a_guarantee_table_with_a_test_in_every_row():
    section = ARCHITECTURE.split("## Where each guarantee lives")[1]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[0] == "| guarantee | where | test |"
    assert len(rows) > 8
    for row in rows[1:]:
        assert re.search(r"`tests/[\w/]+\.py::test_\w+`", row), f"a guarantee without a test: {row}"


def test_the_readme_has_one_headline_row_per_surface():
    from bot.core.pipeline.answer import SURFACES

    header = (
        "| surface | top-1 | top-3 | answerable declined | not covered / off-topic answered "
        "| sure on those |"
    )
    section = README.split("## Benchmark")[1].split("\n## ")[0]
    lines = section.splitlines()
    assert section.count("| surface |") == 1 and header in lines, "one headline table, as specified"
    start = lines.index(header) + 2
    rows = [line.split("|")[1].strip() for line in lines[start:] if line.startswith("|")]
    assert rows == [*SURFACES, "all"]
    assert "## Figures" in DOCS["docs/benchmarks.md"]


def test_prose_is_wrapped_at_100_columns():
    for name in WRAPPED:
        code = False
        for number, line in enumerate((ROOT / name).read_text().splitlines(), 1):
            if line.startswith("```"):
                code = not code
            elif not code and not line.startswith("|"):
                assert len(line) <= 100, f"{name}:{number} is {len(line)} characters long"


# -- the held-out claims docs/benchmarks.md makes ----------------------------------------

QUESTIONS = ROOT / "benchmarks" / "questions"
LABELLED = {"blind.yaml": "blind_raw.yaml", "holdout.yaml": "holdout_raw.yaml"}
LABELLED["tuning.yaml"] = "tuning_raw.yaml"


def test_labelled_question_sets_keep_every_case_as_written_and_in_order():
    for labelled, raw in LABELLED.items():
        after = yaml.safe_load((QUESTIONS / labelled).read_text(encoding="utf-8"))["cases"]
        before = yaml.safe_load((QUESTIONS / raw).read_text(encoding="utf-8"))["cases"]
        assert len(after) == len(before), labelled
        for number, (was, now) in enumerate(zip(before, after, strict=True), 1):
            changed = {k for k, v in was.items() if now.get(k) != v}
            assert not changed, f"{labelled} case {number} changed {sorted(changed)}"
            assert set(now) - set(was) <= {"ids", "expect"}, (
                f"{labelled} case {number} gained fields"
            )


def test_labels_of_the_held_out_and_tuning_sets_name_live_tips():
    from bot.core import knowledge

    live = {tip.id for tip in knowledge.load(ROOT / "knowledge").live_tips}
    for labelled in LABELLED:
        cases = yaml.safe_load((QUESTIONS / labelled).read_text(encoding="utf-8"))["cases"]
        unknown = {i for case in cases for i in case.get("ids", [])} - live
        assert not unknown, f"{labelled} names tips that are not served: {sorted(unknown)}"


def test_the_fit_the_ablation_and_the_replay_never_name_a_held_out_set():
    held_out = ("held_out_sets", "HELD_OUT", "HEADLINE", "blind.yaml", "holdout.yaml")
    for name in ("fit_answers", "ablation", "feedback"):
        tree = ast.parse((ROOT / "benchmarks" / f"{name}.py").read_text(encoding="utf-8"))
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        used |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        used |= {
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
        found = [h for h in held_out if h in used or any(u.endswith(f"/{h}") for u in used)]
        assert found == [], f"benchmarks/{name}.py names {found}"
