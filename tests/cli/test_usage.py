"""Every CLI command refuses bad arguments with a clear message and exit 2, never a traceback.

In this process through `run_cli`, but for `serve` and the deep-YAML check, which run as real
processes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT
from tests.helpers.processes import bot_env, run_bot, run_cli


def deep_yaml(folder: Path) -> Path:
    kb = folder / "kb"
    kb.mkdir()
    (kb / "deep.yaml").write_text("tips: " + "[" * 5000 + "]" * 5000 + "\n")
    return kb


# (argv, words the message must contain); {tmp} is the test's folder.
CASES = [
    (["subscribe", "--channel", ""], ["--channel", "channel id"]),
    (["subscribe", "--channel", "#general"], ["--channel", "channel id"]),
    (["unsubscribe", "--channel", " "], ["--channel", "channel id"]),
    (["subscribe", "--channel", "C1", "--tz", "EST"], ["America/New_York"]),
    (["stats", "--days", "-5"], ["--days", "1 to"]),
    (["stats", "--days", "0"], ["--days", "1 to"]),
    (["stats", "--days", "999999999"], ["--days", "1 to"]),
    (["stats", "--days", "ten"], ["--days", "whole number"]),
    (["gaps", "--limit", "99999999999999999999999"], ["--limit", "1 to"]),
    (["ask", "x", "--limit", "-3"], ["--limit", "1 to"]),
    (["export", "-o", "/missing/dir/x.json"], ["/missing/dir", "does not exist"]),
    (["export", "-o", "{tmp}"], ["{tmp}", "is a folder"]),
    (["backup", "/proc/version"], ["/proc/version"]),
    (["backup", "/missing/dir/x.db"], ["/missing/dir", "does not exist"]),
    (["serve", "--port", "99999"], ["--port", "1 to 65535"]),
    (["serve", "--playground", "--port", "-1"], ["--port", "1 to 65535"]),
]


@pytest.mark.parametrize(("args", "words"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_each_bad_argument_is_refused_clearly(tmp_path, args, words):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    # `serve` runs as a real process (a check that let it through would start serving);
    # the rest call the same `main` in this process.
    result = (run_bot if args[0] == "serve" else run_cli)(args, bot_env(tmp_path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word.replace("{tmp}", str(tmp_path)) in result.stderr, result.stderr
    assert not (tmp_path / "coach.db").exists() or _no_subscription(tmp_path)


def _no_subscription(tmp_path: Path) -> bool:
    import sqlite3

    with sqlite3.connect(tmp_path / "coach.db") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        return (
            "subscriptions" not in tables
            or not conn.execute("SELECT COUNT(*) FROM subscriptions").fetchone()[0]
        )


def test_a_5000_deep_yaml_list_is_a_problem_report_not_a_crash(tmp_path):
    kb = deep_yaml(tmp_path)
    result = run_bot(["knowledge", "check"], bot_env(tmp_path, COACH_KNOWLEDGE=str(kb)))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{kb / 'deep.yaml'}:1" in result.stderr and "nested too deeply" in result.stderr


def test_valid_values_at_the_edges_still_work(tmp_path):
    env = bot_env(tmp_path)
    assert run_cli(["stats", "--days", "1"], env).returncode == 0
    assert run_cli(["stats", "--days", "36500"], env).returncode == 0
    assert run_cli(["gaps", "--limit", "1"], env).returncode == 0
    assert run_cli(["ask", "ikea", "--limit", "1"], env).returncode == 0
    out = tmp_path / "out.json"
    assert run_cli(["export", "-o", str(out)], env).returncode == 0 and out.exists()


GARBAGE = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "-", "--", "0", "-0", "1e9", "nan", "\x00", "💥", "9" * 400]),
)


@pytest.mark.parametrize(
    "template",
    [
        ["stats", "--days", "{}"],
        ["gaps", "--limit", "{}"],
        ["ask", "ikea", "--limit", "{}"],
        ["subscribe", "--channel", "{}"],
        ["subscribe", "--channel", "C1", "--at", "{}"],
        ["subscribe", "--channel", "C1", "--tz", "{}"],
        ["subscribe", "--channel", "C1", "--days", "{}"],
        ["unsubscribe", "--channel", "{}"],
        ["tip", "--channel", "{}"],
    ],
    ids=lambda t: " ".join(t),
)
def test_garbage_arguments_never_crash(tmp_path_factory, template):
    folder = tmp_path_factory.mktemp("cli")
    env = {"COACH_DB": str(folder / "coach.db"), "COACH_KNOWLEDGE": str(ROOT / "knowledge")}

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(value=GARBAGE)
    def check(value: str) -> None:
        if "\x00" in value:
            value = value.replace("\x00", "")
        argv = [value if part == "{}" else part for part in template]
        result = run_cli(argv, env)
        code, err = result.returncode, result.stderr
        assert code in (0, 1, 2), (argv, code, err)
        assert "Traceback" not in err, (argv, err)
        if code == 2:
            assert err.strip(), argv

    check()
