# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= demo/assistant.db

.PHONY: run test bench lint system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

system-deps:
	@bash scripts/system-deps.sh

run: system-deps $(VENV)/.installed
	$(BIN)/assistant demo samples/audio --db $(DB)

test: system-deps $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run_all.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check assistant tests benchmarks samples
	$(BIN)/ruff format --check assistant tests benchmarks
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build dist demo .pytest_cache
