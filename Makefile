# Two commands a newcomer needs: `make run` and `make test`. `make lint` checks
# style, types and the layers. `make bench` measures
# how fast the bot acknowledges Slack under load (docs/performance.md).
# Both create .venv when it is missing and install the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall when the dependency list changes.
# pip's output goes to a log, shown only if the install fails.
$(STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing into $(VENV) (the first time takes a minute)..."
	@( $(BIN)/python -m pip install --upgrade pip && $(BIN)/python -m pip install -e '.[test]' ) \
		> $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@$(BIN)/meetup-bot serve

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Style (ruff), types (mypy) and the layers (import-linter): see pyproject.toml.
LINT_STAMP := $(VENV)/.installed-lint

$(LINT_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	touch $(LINT_STAMP)

lint: $(LINT_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# BENCH_SCALE=0.1 for a short run; BENCH_ARGS="--docs docs/performance.md" to record it.
BENCH_SCALE ?= 1
BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run --scale $(BENCH_SCALE) $(BENCH_ARGS)
	$(BIN)/python -m bench.door

clean:
	rm -rf $(VENV) *.egg-info
