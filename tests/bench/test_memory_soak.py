"""The memory soak runs end to end on a tiny budget (the figures are not asserted)."""

from __future__ import annotations

from benchmarks import memory_soak


def test_memory_soak_samples_rss_of_the_real_bot_and_stops_it_cleanly():
    report = memory_soak.run(requests=400, warm_up=200, step=200, concurrency=2, seed=3)
    assert report["errors"] == 0 and report["exit_code"] == 0
    assert [s["requests"] for s in report["samples"]] == [0, 200, 400, 600]
    assert all(s["rss_mb"] > 0 for s in report["samples"])
    verdict = memory_soak.judge(report, tolerance_mb=1000)
    assert verdict["rss_warm_mb"] == report["samples"][1]["rss_mb"] and verdict["flat"]
