# The same commands locally and in CI. `make demo` and `make test` set up everything they need.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup browser-deps demo test test-latest lock lint format bench emulator sums clean

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
	$(BIN)/uv pip sync --quiet --python $(BIN)/python $(LOCK)
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/cdse-intake demo

# The browser tests (tests/browser/) drive Debian's Chromium; install it when it is missing.
# Non-interactive: apt-get as root, or through `sudo -n` when that works without a password.
CHROMIUM := /usr/bin/chromium
browser-deps:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "browser-deps: $(CHROMIUM) is missing and apt-get is not available;" \
			"install Chromium at $(CHROMIUM) (Debian/Ubuntu package 'chromium')" >&2; exit 1; \
	fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else \
		echo "browser-deps: $(CHROMIUM) is missing; installing it needs root:" \
			"run 'sudo apt-get install chromium' (or make as root), then retry" >&2; exit 1; \
	fi; \
	echo "browser-deps: installing chromium with apt-get"; \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium && \
	test -x $(CHROMIUM) || { echo "browser-deps: apt-get did not install $(CHROMIUM)" >&2; exit 1; }

test: setup browser-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# The newest releases of everything (within pyproject's ranges), in their own venv.
test-latest: browser-deps
	rm -rf $(LATEST)
	$(PYTHON) -m venv $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --disable-pip-version-check uv
	$(LATEST)/bin/uv pip install --quiet --python $(LATEST)/bin/python --upgrade -e '.[test]'
	mkdir -p test-artifacts
	$(LATEST)/bin/uv pip freeze --python $(LATEST)/bin/python > test-artifacts/latest-versions.txt
	$(LATEST)/bin/python -m pytest

# Re-resolve the lock to the newest releases; commit it once `make test` passes with it.
lock: setup
	$(BIN)/uv pip compile --quiet --upgrade --universal --python-version 3.11 \
		--extra test --group pyproject.toml:tooling --custom-compile-command "make lock" \
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
