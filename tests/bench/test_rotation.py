import pytest

from benchmarks.rotation import (
    RecordingPoster,
    Team,
    distinct_share_after,
    longest_waiting,
    main,
    make_base,
    perfect_tallies,
    working_days,
)
from bot.store import Store


def test_small_run_prints_the_figures_and_passes(capsys):
    code = main(
        ["--seeds", "2", "--days", "30", "--tips", "6", "--window", "10", "--variant", "2:9"]
    )
    out = capsys.readouterr().out
    assert code == 0
    for label in ("round-robin", "rotation (Scheduler, defaults)", "rotation, gap 2, wait 9"):
        assert label in out
    assert "perfect ratings" in out
    assert "every tip posted in the first cycle (6 days): yes" in out


@pytest.mark.parametrize("variant", ["5", "a:b", "5:6:7"])
def test_bad_variant_is_refused(variant, capsys):
    with pytest.raises(SystemExit):
        main(["--seeds", "1", "--variant", variant])
    assert "GAP:WAIT" in capsys.readouterr().err


def test_working_days_skip_weekends():
    days = working_days(6)
    assert [d.weekday() for d in days] == [0, 1, 2, 3, 4, 0]


def test_recording_poster_claims_like_the_real_one(tmp_path):
    store = Store.open(tmp_path / "b.db")
    poster = RecordingPoster(store)
    tip = make_base(1).tips[0]
    assert poster.post_daily("C1", tip, "2024-01-01").status == "posted"
    assert poster.post_daily("C1", tip, "2024-01-01").status == "already"
    assert len(poster.posted) == 1
    store.close()


def test_distinct_share_after_the_first_cycle():
    assert distinct_share_after(["a", "b", "c", "a", "a", "b"], ["a", "b", "c", "d"], 3) == 0.5


def test_longest_waiting_ignores_disliked_and_never_posted_tips():
    posted = ["a", "b", "c", "b", "c"]
    assert longest_waiting(["a", "b", "c", "d"], posted, {}) == 4
    assert longest_waiting(["a", "b", "c", "d"], posted, {"a": (0, 5)}) == 1


def test_perfect_tallies_follow_the_hidden_usefulness():
    team = Team({"a": 0.25, "b": 0.9}, [0.0], 1.0)
    assert perfect_tallies(team, people=100) == {"a": (25, 75), "b": (90, 10)}
