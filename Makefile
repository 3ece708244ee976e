# Two commands on a fresh machine with Python 3.11+ and make: `make demo`, `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUN    := $(VENV)/.installed-run
DEV    := $(VENV)/.installed-dev
OUT    ?= demo-output

.PHONY: demo test lint typecheck pytest demo-network clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
	  || { echo "snowroute needs Python 3.11 or newer ($(PYTHON) is older)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(DEV): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(RUN)

## demo: install into .venv and run the main job on the built-in demo network
demo: $(RUN)
	$(BIN)/snowroute demo --out $(OUT) --force

## test: install test dependencies and run lint, type checks and the whole test suite
test: lint typecheck pytest

lint: $(DEV)
	$(BIN)/ruff check snowroute tests
	$(BIN)/ruff format --check snowroute tests

typecheck: $(DEV)
	$(BIN)/mypy

pytest: $(DEV)
	$(BIN)/python -m pytest

## demo-network: regenerate networks/demo from the generator in snowroute/network/synthetic.py
demo-network: $(RUN)
	$(BIN)/snowroute network make-demo networks/demo --force

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
