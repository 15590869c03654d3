# The two commands of the README: `make serve` (site) and `make test` (tests).
# Both make their own virtual environment and install what they need.
export NO_MKDOCS_2_WARNING := 1
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ADDR   ?= 127.0.0.1:8000

.PHONY: serve build check test lint browser bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

## serve: build the example case file and serve it at http://$(ADDR)/
serve: $(STAMP)
	$(BIN)/mkdocs serve --strict -a $(ADDR)

## build: build the example site into site/
build: $(STAMP)
	$(BIN)/mkdocs build --strict

## check: check the example case file
check: $(STAMP)
	$(BIN)/casefile check --strict casefile

## browser: Debian's chromium for the browser tests (never a downloaded browser)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## test: lint, then every test (browser tests included)
test: $(STAMP) browser
	$(BIN)/ruff check build_scripts tests
	$(BIN)/ruff format --check build_scripts tests
	$(BIN)/casefile check --strict casefile
	$(BIN)/pytest

## bench: the scale benchmark (N=1,000 and 10,000; BENCH_ARGS=--sizes 50000 for more)
bench: $(STAMP)
	$(BIN)/python -m build_scripts.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) site
