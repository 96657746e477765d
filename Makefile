# `make run` and `make test` build .venv themselves when it is missing or older than pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint docs unit notebooks browser bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/codev serve --demo

lint: $(STAMP)
	$(BIN)/ruff check codevwidgets tests $(wildcard benchmarks/*.py)
	$(BIN)/ruff format --check codevwidgets tests $(wildcard benchmarks/*.py)
	$(BIN)/mypy

# The documentation site (docs/, mkdocs.yml): --strict fails on a broken link. Not --quiet:
# mkdocs 1.6 then drops the warnings before --strict counts them, and passes. Built into an
# ignored folder, so `make test` leaves the tree as it was.
docs: $(STAMP)
	$(BIN)/mkdocs build --strict --site-dir $(CURDIR)/.site-check

# The unit tests on two workers (pytest-xdist): most of their time is spent waiting for
# processes they start (Voilà, PostgreSQL, codev serve). The browser tests run alone: each
# drives a room of pages whose timing they assert.
unit: $(STAMP)
	$(BIN)/pytest -n 2 tests/unit

notebooks: $(STAMP)
	CODEV_STORE=$(CURDIR)/.pytest_cache/nbval-store.db $(BIN)/pytest --nbval-lax --nbval-sanitize-with tests/notebooks/sanitize.cfg notebooks runbooks/example-client.ipynb

browser: $(STAMP)
	$(BIN)/pytest tests/browser

# --durations: CI's log says where the time goes (the suite's time is an issue of its own).
test: lint docs $(STAMP)
	$(BIN)/pytest -n 2 --durations=15 tests/unit
	$(BIN)/pytest --durations=15 tests/browser
	CODEV_STORE=$(CURDIR)/.pytest_cache/nbval-store.db $(BIN)/pytest --nbval-lax --nbval-sanitize-with tests/notebooks/sanitize.cfg notebooks runbooks/example-client.ipynb

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache site .site-check
