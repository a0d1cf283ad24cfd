"""The layers hold: core, daily, store and notes never import the Slack side.

Walks every module under bot/ with `ast`, so an import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOT = ROOT / "bot"
INNER = ("bot.core", "bot.daily", "bot.store", "bot.notes")
FORBIDDEN = (
    "bot.slack",
    "bot.playground",
    "bot.fakeslack",
    "bot.cli",
    "bot.serve",
    "slack_bolt",
    "slack_sdk",
)


def module_name(path: Path) -> str:
    """`bot/core/coach.py` -> `bot.core.coach`; a package's `__init__.py` names the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(source: str, *, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """Every (line, dotted name) that `source` imports, relative imports resolved.

    `from a import b` yields both `a` and `a.b`, since `b` may be a module.
    """
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def violations(source: str, *, module: str, is_package: bool = False) -> list[str]:
    """'module:line imports name' for each forbidden import in an inner-layer module."""
    if not module.startswith(INNER):
        return []
    out = []
    for line, name in imported_names(source, module=module, is_package=is_package):
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN):
            out.append(f"{module}:{line} imports {name}")
    return sorted(set(out))


def bot_modules() -> list[Path]:
    return sorted(BOT.rglob("*.py"))


def test_inner_layers_never_import_the_slack_side():
    problems = []
    for path in bot_modules():
        problems += violations(
            path.read_text(encoding="utf-8"),
            module=module_name(path),
            is_package=path.name == "__init__.py",
        )
    assert problems == [], "inner layers import the adapter side:\n" + "\n".join(problems)


def test_every_inner_layer_has_modules_to_check():
    names = {module_name(p) for p in bot_modules()}
    for layer in INNER:
        assert any(n == layer or n.startswith(layer + ".") for n in names), layer


@pytest.mark.parametrize(
    "source",
    [
        "import slack_sdk\n",
        "import slack_sdk.errors as e\n",
        "from slack_bolt import App\n",
        "from bot.slack.mrkdwn import escape\n",
        "from bot.slack import blocks\n",
        "from bot import cli\n",
        "from bot import serve\n",
        "from bot.playground import CHANNEL_ID\n",
        "import bot.fakeslack\n",
        "def later():\n    import slack_sdk\n",
        "from ..slack import blocks\n",
    ],
)
def test_the_checker_catches_each_kind_of_forbidden_import(source):
    assert violations(source, module="bot.core.example") != []


@pytest.mark.parametrize(
    "source",
    [
        "import json\n",
        "from bot.core import text\n",
        "from bot.store import Store\n",
        "from . import text\n",
        "from bot.settings import Settings\n",
        "import slackish\n",
    ],
)
def test_the_checker_allows_inward_imports(source):
    assert violations(source, module="bot.core.example") == []


def test_outer_layers_may_import_slack():
    assert violations("import slack_sdk\n", module="bot.slack.app") == []
    assert violations("import slack_sdk\n", module="bot.cli") == []


def test_injecting_slack_into_a_real_core_module_is_caught():
    path = BOT / "core" / "coach.py"
    source = path.read_text(encoding="utf-8") + "\nimport slack_sdk\n"
    assert violations(source, module=module_name(path)) != []


def test_serve_does_not_depend_on_the_playground():
    path = BOT / "serve.py"
    names = [n for _, n in imported_names(path.read_text(encoding="utf-8"), module="bot.serve")]
    assert not [n for n in names if n == "bot.playground" or n.startswith("bot.playground.")]
