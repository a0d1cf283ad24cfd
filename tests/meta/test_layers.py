"""The layers hold both ways: each package of bot/ imports only what its row of LAYERS allows.

Walks every module under bot/ with `ast` (an import inside a function counts too) and checks
each import of a `bot` module against an allow-matrix, most specific row first:

- Every layer may import the BASE modules (`bot.digits`), which import nothing of bot.
- `bot.store` and `bot.settings` import nothing of bot but themselves; `bot.core` imports
  the store and the settings; `bot.notes` the core and `bot.store.files` (it reads and
  writes tip files, never the database); `bot.daily` the core and the store; `bot.slack`
  the core, daily posting, the store and the settings.
- `bot.fakeslack` (the local Slack stand-in) imports nothing of bot: it is infrastructure
  for the tests, the playground and the benchmarks, so the adapter never imports it
  either, and the production process (`bot.serve`) never ships it.
- Entry points import anything: `bot.cli`, `bot.__main__`, `bot.playground` (a local
  workspace around the whole bot) and `bot.health`; `bot.serve` anything but the CLI, the
  playground and the fake.
- Listeners are the top of the Slack side: `bot.slack.listeners.X` never imports
  `bot.slack.listeners.Y` (what two listeners share lives beside them, e.g.
  `bot/slack/home.py`); of the rest of `bot.slack`, only `bot.slack.app` (the one
  registration point) imports `bot.slack.listeners`.
- The inner layers (core, daily, store, notes, settings) never import slack_sdk or
  slack_bolt.

Function-level imports: an import of a `bot` module inside a function body fails anywhere
but in the entry points (`ENTRY_POINTS`), where lazy imports keep start-up fast (`python
-m bot knowledge check` need not load Bolt). Elsewhere a lazy import is either a cycle
dodged (the cycle is the bug) or needless, so the rule needs no judgement of which.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"
ANY = ("bot",)
# Modules every layer may import: small, Slack-free, and importing nothing of bot themselves.
BASE = ("bot.digits",)
# Module (or package) -> the bot modules and packages it may import besides itself.
LAYERS: dict[str, tuple[str, ...]] = {
    "bot": (),
    "bot.digits": (),
    "bot.store": (),
    "bot.settings": (),
    "bot.cli_types": (),
    "bot.core": ("bot.store", "bot.settings"),
    "bot.notes": ("bot.core", "bot.store.files"),
    "bot.daily": ("bot.core", "bot.store"),
    "bot.slack": ("bot.core", "bot.daily", "bot.store", "bot.settings"),
    "bot.fakeslack": (),
    "bot.health": ANY,
    "bot.cli": ANY,
    "bot.__main__": ANY,
    "bot.playground": ANY,
    "bot.serve": (
        "bot.core",
        "bot.daily",
        "bot.notes",
        "bot.store",
        "bot.settings",
        "bot.slack",
        "bot.health",
    ),
}
INNER = ("bot.core", "bot.daily", "bot.store", "bot.notes", "bot.settings")
THIRD_PARTY_FORBIDDEN = ("slack_bolt", "slack_sdk")
LISTENERS = "bot.slack.listeners"
REGISTRATION = "bot.slack.app"
ENTRY_POINTS = ("bot.cli", "bot.__main__", "bot.serve", "bot.playground", "bot.health")


def module_name(path: Path) -> str:
    """`bot/core/coach.py` -> `bot.core.coach`; a package's `__init__.py` names the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def layer_of(module: str) -> str | None:
    """The LAYERS row that governs `module`: its longest matching key (None if none)."""
    rows = [key for key in LAYERS if _within(module, key) and key != "bot"]
    if module == "bot":
        return "bot"
    return max(rows, key=len) if rows else None


class _Imports(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[int, ast.Import | ast.ImportFrom, bool]] = []
        self._depth = 0

    def _function(self, node: ast.AST) -> None:
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_Import(self, node: ast.Import) -> None:
        self.found.append((node.lineno, node, self._depth > 0))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.found.append((node.lineno, node, self._depth > 0))


def imported(source: str, *, module: str, is_package: bool = False) -> list[tuple[int, str, bool]]:
    """Every (line, dotted name, inside a function) that `source` imports, relative
    imports resolved. `from a import b` yields both `a` and `a.b`, since `b` may be a module.
    """
    visitor = _Imports()
    visitor.visit(ast.parse(source))
    found: list[tuple[int, str, bool]] = []
    for line, node, lazy in visitor.found:
        if isinstance(node, ast.Import):
            found += [(line, alias.name, lazy) for alias in node.names]
            continue
        base = node.module or ""
        if node.level:
            package = module.split(".") if is_package else module.split(".")[:-1]
            package = package[: len(package) - (node.level - 1)]
            base = ".".join([*package, base] if base else package)
        found.append((line, base, lazy))
        found += [(line, f"{base}.{alias.name}", lazy) for alias in node.names]
    return found


def imported_names(source: str, *, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """Every (line, dotted name) that `source` imports (see `imported`)."""
    return [
        (line, name) for line, name, _ in imported(source, module=module, is_package=is_package)
    ]


def _refusal(module: str, name: str, *, lazy: bool) -> str | None:
    """Why `module` may not import `name`, or None when it may."""
    layer = layer_of(module)
    if layer in INNER and any(_within(name, bad) for bad in THIRD_PARTY_FORBIDDEN):
        return "an inner layer imports the Slack SDK"
    if not _within(name, "bot") or name == "bot":
        return None
    if layer is None:
        return "the module has no row in LAYERS"
    entry = any(_within(module, e) for e in ENTRY_POINTS)
    if lazy and not entry:
        return "a function-level import of a bot module outside the entry points"
    if _within(name, LISTENERS) and _within(module, "bot.slack"):
        if _within(module, LISTENERS) and module != LISTENERS and not _within(name, module):
            return "a listener imports another listener"
        if not _within(module, LISTENERS) and module != REGISTRATION:
            return "only the registration point imports the listeners"
    if _within(name, layer):
        return None
    if any(_within(name, allowed) for allowed in (*LAYERS[layer], *BASE)):
        return None
    return f"{layer} may import only {', '.join(LAYERS[layer]) or 'itself'}"


def violations(source: str, *, module: str, is_package: bool = False) -> list[str]:
    """'module:line imports name (why)' for each import the allow-matrix refuses."""
    out = []
    for line, name, lazy in imported(source, module=module, is_package=is_package):
        why = _refusal(module, name, lazy=lazy)
        if why:
            out.append(f"{module}:{line} imports {name} ({why})")
    return sorted(set(out))


def bot_modules() -> list[Path]:
    return sorted(BOT.rglob("*.py"))


def _check(path: Path) -> list[str]:
    return violations(
        path.read_text(encoding="utf-8"),
        module=module_name(path),
        is_package=path.name == "__init__.py",
    )


def test_every_import_is_allowed_by_the_matrix():
    problems = [problem for path in bot_modules() for problem in _check(path)]
    assert problems == [], "imports the layers do not allow:\n" + "\n".join(problems)


def test_every_module_has_a_row():
    assert [module_name(p) for p in bot_modules() if layer_of(module_name(p)) is None] == []


def test_every_inner_layer_has_modules_to_check():
    names = {module_name(p) for p in bot_modules()}
    for layer in INNER:
        assert any(_within(n, layer) for n in names), layer


def test_every_row_names_modules_that_exist():
    names = {module_name(p) for p in bot_modules()}
    for row in [*LAYERS, *(n for targets in LAYERS.values() for n in targets)]:
        assert any(_within(n, row) for n in names), row


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
        "from bot.daily.scheduler import Scheduler\n",
        "from bot.notes import parser\n",
        "def later():\n    from bot.store import Store\n",
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
        "def later():\n    import json\n",
    ],
)
def test_the_checker_allows_inward_imports(source):
    assert violations(source, module="bot.core.example") == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("bot.store.example", "from bot.core.knowledge import Tip\n"),
        ("bot.store.example", "from bot.settings import Settings\n"),
        ("bot.settings", "from bot.store import Store\n"),
        ("bot.notes.example", "from bot.store import Store\n"),
        ("bot.notes.example", "from bot.daily import posting\n"),
        ("bot.daily.example", "from bot.slack import blocks\n"),
        ("bot.daily.example", "from bot.notes import build\n"),
        ("bot.slack.example", "from bot.fakeslack.web_api import WebAPI\n"),
        ("bot.slack.example", "from bot.playground import server\n"),
        ("bot.slack.example", "from bot import serve\n"),
        ("bot.slack.blocks", "from bot.slack.listeners import events\n"),
        ("bot.slack.listeners.events", "from bot.slack.listeners import curation\n"),
        ("bot.slack.listeners.events", "from bot.slack.listeners.curation import x\n"),
        ("bot.slack.listeners.events", "from . import curation\n"),
        ("bot.slack.listeners.events", "import bot.slack.listeners\n"),
        ("bot.slack.listeners.curation", "def republish():\n    from bot.slack import home\n"),
        ("bot.fakeslack.example", "from bot.core.knowledge import Tip\n"),
        ("bot.serve", "from bot.playground import server\n"),
        ("bot.serve", "from bot.fakeslack.server import FakeSlack\n"),
        ("bot.newpackage.example", "from bot.core import coach\n"),
    ],
)
def test_each_row_refuses_what_it_does_not_allow(module, source):
    assert violations(source, module=module) != []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("bot.store.example", "from bot.store.db import Connection\n"),
        ("bot.settings", "from bot.digits import is_number\n"),
        ("bot.notes.example", "from bot.store.files import atomic_write\n"),
        ("bot.daily.example", "from bot.core.knowledge import Tip\n"),
        ("bot.slack.example", "from bot.daily.posting import Poster\n"),
        ("bot.slack.example", "from bot.settings import Settings\n"),
        ("bot.slack.app", "from bot.slack.listeners import register_listeners\n"),
        ("bot.slack.listeners", "from bot.slack.listeners import events\n"),
        ("bot.slack.listeners.events", "from bot.slack.home import publish_home\n"),
        ("bot.playground.server", "from bot.fakeslack.server import FakeSlack\n"),
        ("bot.cli", "def run():\n    from bot.serve import serve\n"),
        ("bot.serve", "def run():\n    from bot.slack.app import build_app\n"),
    ],
)
def test_each_row_allows_what_it_lists(module, source):
    assert violations(source, module=module) == []


def test_outer_layers_may_import_slack():
    assert violations("import slack_sdk\n", module="bot.slack.app") == []
    assert violations("import slack_sdk\n", module="bot.cli") == []


def test_injecting_slack_into_a_real_core_module_is_caught():
    path = BOT / "core" / "coach.py"
    source = path.read_text(encoding="utf-8") + "\nimport slack_sdk\n"
    assert violations(source, module=module_name(path)) != []


def test_a_cycle_dodged_inside_a_real_listener_is_caught():
    path = BOT / "slack" / "listeners" / "curation.py"
    source = path.read_text(encoding="utf-8") + (
        "\n\ndef later():\n    from bot.slack.listeners.events import publish\n"
    )
    assert violations(source, module=module_name(path)) != []


def test_serve_does_not_depend_on_the_playground():
    path = BOT / "serve.py"
    names = [n for _, n in imported_names(path.read_text(encoding="utf-8"), module="bot.serve")]
    assert not [n for n in names if n == "bot.playground" or n.startswith("bot.playground.")]
