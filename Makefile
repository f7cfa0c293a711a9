# `make run` and `make test` each start from a bare python3: create .venv, install, then act.
PYTHON ?= python3
# `make test` runs the suite on this many processes at once (pytest-xdist); TEST_WORKERS=0 runs it in one.
# More than the 2 cores of CI: much of a test's time goes waiting on its servers, subprocesses and the disk.
TEST_WORKERS ?= 4
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint check-types check-imports clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/masu db upgrade
	$(BIN)/masu seed --demo
	$(BIN)/masu serve

lint: install
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/ruff format --check src tests bench migrations

check-types: install
	$(BIN)/mypy

check-imports: install
	$(BIN)/lint-imports

test: lint check-types check-imports
	$(BIN)/pytest -n $(TEST_WORKERS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
