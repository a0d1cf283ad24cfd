# Two commands on a fresh machine: `make run` (the bot) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint format bench screenshot browser-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,browser]'
	touch $(STAMP)

## run: the bot; with no Slack tokens set, the local playground on http://127.0.0.1:$${PORT:-3000}
run: $(STAMP)
	$(BIN)/python -m bot knowledge check
	$(BIN)/python -m bot serve --auto-playground

## test: lint, format check, type check, knowledge check and every test (browser tests included when Chromium is there)
test: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/ruff format --check bot tests benchmarks
	$(BIN)/mypy bot
	$(BIN)/python -m bot knowledge check
	$(BIN)/python -m pytest -q -n 2

## test-fast: lint and the unit tier (tests/core, store, daily, notes, fakeslack), in a minute
test-fast: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/python -m pytest -q -n 2 -m unit

lint: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format bot tests benchmarks
	$(BIN)/ruff check --fix bot tests benchmarks

## bench: every benchmark but the ablation (`python -m benchmarks.ablation` refits once per variant), figures for docs/benchmarks.md
bench: $(STAMP)
	$(BIN)/python -m benchmarks.matching
	$(BIN)/python -m benchmarks.latency
	$(BIN)/python -m benchmarks.feedback
	$(BIN)/python -m benchmarks.rotation
	$(BIN)/python -m benchmarks.soak
	$(BIN)/python -m benchmarks.memory_soak
	$(BIN)/python -m benchmarks.load
	$(BIN)/python -m benchmarks.startup
	$(BIN)/python -m benchmarks.team_tips
	$(BIN)/python -m benchmarks.fleet

## screenshot: refresh docs/playground.png (the README's picture) from the browser test
screenshot: $(STAMP)
	UPDATE_SCREENSHOT=1 $(BIN)/python -m pytest -q -m browser

## browser-deps: Debian's Chromium for the browser tests (needs root)
browser-deps:
	apt-get update -qq && apt-get install -y -qq chromium fonts-noto-color-emoji

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
