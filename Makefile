# The same commands locally and in CI. `make demo` and `make test` set up everything they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup system-deps browser-deps demo test test-latest lock lint format bench emulator sums clean

# Installs are locked: requirements.lock (written by `make lock`) pins every package, for every
# platform, and is what a fresh machine gets. uv (pinned in the lock itself) installs it; plain
# `pip install -r requirements.lock` reads the same file. `make test-latest` tries the newest
# releases in a separate venv, so an upstream break is found on purpose, not by a newcomer.
LOCK := requirements.lock
UV_VERSION := $(shell sed -n 's/^uv==\([0-9.]*\).*/\1/p' $(LOCK))
LATEST := .venv-latest

$(STAMP): $(LOCK) pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed, found " + sys.version'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python $(LOCK)
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Bytecode is compiled ahead (above for the locked packages, here for ours, which changes):
# where PYTHONDONTWRITEBYTECODE is set, as on CI machines, every process the suite and the demo
# start would otherwise compile each module it imports again (~1 s per process of the emulator).
setup: $(STAMP)
	$(BIN)/python -m compileall -q -j 0 cdse_intake > /dev/null

demo: setup
	$(BIN)/cdse-intake demo

# Debian packages some tests need: Chromium for the browser tests (tests/browser/), GDAL's
# command-line tools (gdal-bin, with the HDF4 driver rasterio's wheels lack) to check that the
# emulator's MODIS files are HDF-EOS grids. Installed when missing; non-interactive: apt-get as
# root, or through `sudo -n` when that works without a password.
CHROMIUM := /usr/bin/chromium
GDALINFO := /usr/bin/gdalinfo
SYSTEM_PACKAGES := chromium gdal-bin
system-deps:
	@if [ -x $(CHROMIUM) ] && [ -x $(GDALINFO) ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "system-deps: $(CHROMIUM) or $(GDALINFO) is missing and apt-get is not available;" \
			"install the Debian/Ubuntu packages $(SYSTEM_PACKAGES)" >&2; exit 1; \
	fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else \
		echo "system-deps: $(CHROMIUM) or $(GDALINFO) is missing; installing needs root:" \
			"run 'sudo apt-get install $(SYSTEM_PACKAGES)' (or make as root), then retry" >&2; exit 1; \
	fi; \
	echo "system-deps: installing $(SYSTEM_PACKAGES) with apt-get"; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) && \
	test -x $(CHROMIUM) && test -x $(GDALINFO) || \
		{ echo "system-deps: apt-get did not install $(SYSTEM_PACKAGES)" >&2; exit 1; }

browser-deps: system-deps

# The suite on TEST_WORKERS processes (pytest-xdist), a test file per process at a time: most of
# its time is spent in subprocesses and servers, so two overlap well on two cores (16 -> 11 min).
# Files go out slowest first (tests/conftest.py orders them; xdist's own reordering, by number
# of tests, sent the few long tests of the notebooks and the demo last, leaving a core idle).
TEST_WORKERS ?= 2
XDIST := -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

test: setup system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(XDIST)

# The newest releases of everything (within pyproject's ranges), in their own venv.
test-latest: system-deps
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --disable-pip-version-check uv
	$(LATEST)/bin/uv pip install --quiet --compile-bytecode --python $(LATEST)/bin/python --upgrade -e '.[test,bench]'
	mkdir -p test-artifacts
	$(LATEST)/bin/uv pip freeze --python $(LATEST)/bin/python > test-artifacts/latest-versions.txt
	$(LATEST)/bin/python -m pytest $(XDIST)

# Re-resolve the lock to the newest releases; commit it once `make test` passes with it.
# rfc3987-syntax (and its lark) is left out: jsonschema's optional "iri" format checker, which
# compiles 38 lark grammars when jsonschema is imported -- 4 s in every process importing
# pystac_client (pystac's validation imports jsonschema) or nbformat. Without it jsonschema skips
# that one format; nothing here validates IRIs.
NO_EMIT := --no-emit-package rfc3987-syntax --no-emit-package lark

lock: setup
	$(BIN)/uv pip compile --quiet --upgrade --universal --python-version 3.11 $(NO_EMIT) \
		--extra test --extra bench --group pyproject.toml:tooling --custom-compile-command "make lock" \
		pyproject.toml -o $(LOCK)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python benchmarks/run_all.py

emulator: setup
	$(BIN)/cdse-intake emulator

# The emulator's shipped sizes and checksums (cdse_intake/emulator/data/sums/): rebuild the
# packs a writer change made stale (tests/emulator/test_sums_pack.py says which).
sums: setup
	$(BIN)/python -m cdse_intake.emulator.sums_pack

clean:
	rm -rf $(VENV) $(LATEST) build dist *.egg-info .pytest_cache .ruff_cache
