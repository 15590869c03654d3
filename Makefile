# The two commands of the README: `make serve` (site) and `make test` (tests).
# Both make their own virtual environment and install what they need.
export NO_MKDOCS_2_WARNING := 1
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
UV_VENV := .uv
UV     := $(UV_VENV)/bin/uv
ADDR   ?= 127.0.0.1:8000
# axe-core for the browser tests' accessibility checks: pinned, integrity-checked (the sha512
# is the registry's `dist.integrity` for this version).
AXE_VERSION := 4.14.1
AXE_SHA512  := FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
AXE_JS      := $(VENV)/axe/axe.min.js

.PHONY: serve build check test lint lock browser bench clean

# uv itself is pinned with hashes for every platform (tools/uv-requirements.txt); it then
# installs exactly what uv.lock holds, every package pinned with its hashes, into .venv with the
# machine's Python (never a downloaded one).
$(UV):
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/pip install --quiet --require-hashes --no-deps -r tools/uv-requirements.txt

$(STAMP): pyproject.toml uv.lock $(UV)
	UV_PYTHON_DOWNLOADS=never $(UV) sync --locked --extra test --python $(PYTHON) --quiet
	touch $(STAMP)

## lock: refresh uv.lock to the newest releases that pyproject.toml's ranges allow
lock: $(UV)
	UV_PYTHON_DOWNLOADS=never $(UV) lock --upgrade --python $(PYTHON)

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

## $(AXE_JS): axe-core from the npm registry, checked against the pinned sha512
$(AXE_JS):
	mkdir -p $(@D)
	$(PYTHON) -c 'import base64, hashlib, io, sys, tarfile, urllib.request; \
	url, want, out = sys.argv[1:]; \
	data = urllib.request.urlopen(url, timeout=120).read(); \
	hashlib.sha512(data).digest() == base64.b64decode(want) or sys.exit(f"{url}: sha512 mismatch"); \
	js = tarfile.open(fileobj=io.BytesIO(data)).extractfile("package/axe.min.js").read(); \
	open(out + ".part", "wb").write(js)' \
	  https://registry.npmjs.org/axe-core/-/axe-core-$(AXE_VERSION).tgz '$(AXE_SHA512)' $@
	mv $@.part $@

## test: lint, then every test (browser tests included)
test: $(STAMP) browser $(AXE_JS)
	$(BIN)/ruff check build_scripts tests benchmarks tools
	$(BIN)/ruff format --check build_scripts tests benchmarks tools
	$(BIN)/casefile check --strict casefile
	$(BIN)/pytest

## bench: the scale benchmark (N=1,000 and 10,000; BENCH_ARGS=--sizes 50000 for more)
bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(UV_VENV) site
