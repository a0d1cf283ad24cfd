"""`pip install .` brings what the bot needs at run time, and only that.

Every module under bot/ imports only the standard library, bot itself and the runtime
dependencies in pyproject.toml: a dev tool imported at run time would make the runtime
install (README: `pipx install .`) fail with ModuleNotFoundError.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# Distribution name -> the module it is imported as, where they differ.
IMPORT_NAMES = {"slack-bolt": "slack_bolt", "slack-sdk": "slack_sdk", "pyyaml": "yaml"}


def _modules(requirements: list[str]) -> set[str]:
    names = set()
    for requirement in requirements:
        dist = re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower()
        names.add(IMPORT_NAMES.get(dist, dist.replace("-", "_")))
    return names


def test_bot_imports_only_the_standard_library_and_runtime_dependencies():
    runtime = _modules(PYPROJECT["project"]["dependencies"])
    problems = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top != "bot" and top not in runtime:
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert problems == [], "not a runtime dependency:\n" + "\n".join(problems)


def test_dev_tools_are_extras_and_the_command_is_aipm_coach():
    runtime = _modules(PYPROJECT["project"]["dependencies"])
    extras = PYPROJECT["project"]["optional-dependencies"]
    for tool in ("pytest", "hypothesis", "ruff", "wordfreq", "psutil", "playwright"):
        assert tool not in runtime
        assert any(tool in _modules(reqs) for reqs in extras.values())
    assert PYPROJECT["project"]["scripts"] == {"aipm-coach": "bot.cli:main"}
