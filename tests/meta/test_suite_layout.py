"""The suite's own layout: test modules import helpers from tests/helpers/, never each other.

A helper that two test files share lives in `tests/helpers/` (or a `conftest.py`), so a
test module can be moved, renamed or deleted without breaking another one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import TIERS

TESTS = Path(__file__).resolve().parents[1]


def imported_test_modules(source: str) -> list[str]:
    """The `tests.…test_*` modules that `source` imports, at any depth of the module."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        found += [
            n for n in names if n.startswith("tests.") and n.rsplit(".", 1)[-1].startswith("test_")
        ]
    return found


def test_no_module_of_the_suite_imports_a_test_module():
    offenders = {
        str(path.relative_to(TESTS)): imported
        for path in sorted(TESTS.rglob("*.py"))
        if (imported := imported_test_modules(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "source",
    [
        "from tests.test_serve import run_bot\n",
        "from tests.slack.listeners import test_share\n",
        "import tests.store.test_votes\n",
        "def later():\n    from tests.playground.test_server import Page\n",
    ],
)
def test_the_check_catches_each_way_of_importing_a_test_module(source):
    assert imported_test_modules(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "from tests.helpers.processes import run_bot\n",
        "from tests.conftest import SECRET\n",
        "from tests.slack.listeners.conftest import BOT_USER\n",
    ],
)
def test_the_check_allows_helpers_and_conftest(source):
    assert imported_test_modules(source) == []


def test_every_test_folder_is_a_tier():
    folders = {
        path.relative_to(TESTS).parts[0]
        for path in TESTS.rglob("test_*.py")
        if len(path.relative_to(TESTS).parts) > 1
    }
    assert folders <= set(TIERS), f"add {sorted(folders - set(TIERS))} to TIERS in conftest.py"


def test_only_settings_tests_live_at_the_top_level():
    # A new test goes beside the tests of the module it tests, in that module's tier.
    assert sorted(p.name for p in TESTS.glob("test_*.py")) == ["test_settings.py"]


def test_test_files_are_named_after_what_they_test_not_when_it_broke():
    wave_words = ("issue", "alone", "wave", "regression", "fixes", "bug")
    named = [p.name for p in TESTS.rglob("test_*.py") if any(w in p.stem for w in wave_words)]
    assert named == []
