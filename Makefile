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

# The unit tests on four workers (pytest-xdist): much of their time is spent waiting for
# processes they start (Voilà, PostgreSQL, codev serve), so four beat two on two cores
# (147 s against 164 s). The browser tests marked `alone` (a room of thirty pages) run on their
# own; the others two at a time, a test file per worker (its module fixtures built once): each
# waits for the states it asserts, never for a guessed delay, so a neighbour slows it without
# failing it (446 s one at a time, 352 s two at a time).
UNIT := $(BIN)/pytest -n 4 --durations=15 tests/unit
BROWSER_ALONE := $(BIN)/pytest --durations=5 -m alone tests/browser
BROWSER := $(BIN)/pytest -n 2 --dist loadfile --durations=15 -m "not alone" tests/browser

unit: $(STAMP)
	$(UNIT)

notebooks: $(STAMP)
	CODEV_STORE=$(CURDIR)/.pytest_cache/nbval-store.db $(BIN)/pytest --nbval-lax --nbval-sanitize-with tests/notebooks/sanitize.cfg notebooks runbooks/example-client.ipynb

browser: $(STAMP)
	$(BROWSER_ALONE)
	$(BROWSER)

# --durations: CI's log says where the time goes (the suite's time is an issue of its own).
test: lint docs $(STAMP)
	$(UNIT)
	$(BROWSER_ALONE)
	$(BROWSER)
	CODEV_STORE=$(CURDIR)/.pytest_cache/nbval-store.db $(BIN)/pytest --nbval-lax --nbval-sanitize-with tests/notebooks/sanitize.cfg notebooks runbooks/example-client.ipynb

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache site .site-check
