"""Benchmarks run as modules: `python -m bot.bench.matching`, `python -m bot.bench.rotation`."""
