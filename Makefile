# Two commands on a fresh machine with Python 3.11+ and make: `make demo`, `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUN    := $(VENV)/.installed-run
DEV    := $(VENV)/.installed-dev
OUT    ?= demo-output

.PHONY: demo test lint typecheck pytest demo-network region-network clean system-tools

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
	$(BIN)/ruff check snowroute tests notebooks benchmarks
	$(BIN)/ruff format --check snowroute tests notebooks benchmarks

typecheck: $(DEV)
	$(BIN)/mypy

# one process per core; a process that runs out of tests takes some of the other's
# (4 min 40 s to 6 min 47 s on 2 cores against 8 min 10 s with a test file per
# process, though a file's module fixtures may then be built in both processes)
pytest: $(DEV) system-tools
	$(BIN)/python -m pytest -n auto --dist worksteal

## system-tools: Debian's chromium (the map is checked in a headless browser),
## gdal-bin (ogrinfo checks the GeoPackage) and fonts-noto-cjk (Japanese text in the
## browser's screenshots), installed with apt-get when missing
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
system-tools:
	@command -v chromium >/dev/null && command -v ogrinfo >/dev/null \
	  && fc-list :lang=ja 2>/dev/null | grep -q . || { \
	  echo "Installing Debian packages chromium, gdal-bin and fonts-noto-cjk"; \
	  $(SUDO) apt-get update -qq || true; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	    chromium gdal-bin fonts-noto-cjk >/dev/null \
	  || { echo "Could not install chromium, gdal-bin and fonts-noto-cjk with apt-get; the browser and ogrinfo checks will be skipped." >&2; }; }

## demo-network: regenerate networks/demo from the generator in snowroute/datasets/
demo-network: $(RUN)
	$(BIN)/snowroute network make-demo networks/demo --force

## region-network: regenerate networks/region (the prefecture-scale demo region)
region-network: $(RUN)
	$(BIN)/snowroute network make-region networks/region --force

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
