# clicksend-mms — every target sets up what it needs (venv from the pinned lock, node tools) first.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed

.PHONY: help venv generate check-generated lint spec-lint typecheck test pytest test-busy fuzz mutants sandbox docs docs-vendor bench interrupt-trials wheel clean

help:
	@echo "make fuzz      contract-fuzz the API (embedded sandbox by default; CLICKSEND_* env for live)"
	@echo "make mutants   plant each known bug in a copy of the sandbox; the default fuzz must catch every one"
	@echo "make test      lint, type-check and run every test (in parallel on every core)"
	@echo "make test-busy what CI runs (.ci/run) while competing work keeps every core busy"
	@echo "make generate  regenerate generated/ from spec/ + overrides/"
	@echo "make lint      openapi-spec-validator + Spectral on spec/, ruff on the code"
	@echo "make sandbox   run the local ClickSend MMS sandbox on 127.0.0.1:8765"
	@echo "make docs      the rendered API reference as a static folder (build/docs/index.html; the SDK's in sdk/)"
	@echo "make bench     benchmarks (benchmarks/results.json)"
	@echo "make interrupt-trials  send -> interrupt -> resume, 50 trials per mode against the sandbox (TRIALS=n)"
	@echo "make wheel     build dist/clicksend_mms-*.whl (pip install 'dist/...whl[cli]' etc.; extras in pyproject.toml)"

# uv installs the lock in seconds where pip takes a minute or two (a clean clone's first `make`); uv's own pin, like
# every other, is the lock's. Compiled to bytecode at install, as pip does by default and uv only when asked: where
# PYTHONDONTWRITEBYTECODE is set (CI images, Docker) Python never caches a compiled module, so every process (each
# sandbox, CLI call and fuzz run the tests start) compiled the whole stack again, about 1 s a process; that was 93 s
# of the test run's CPU on 2 cores (pytest 372 s -> 321 s in a warm checkout; clean clones gain less, since the
# compile itself now runs while npm ci does).
UV_PIN := $(shell grep -m1 '^uv==' requirements.lock)
venv: $(STAMP)
$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check $(UV_PIN)
	$(BIN)/uv pip install --quiet --python $(PY) --compile-bytecode -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(PY) --no-build-isolation --no-deps -e .
	$(PY) -m compileall -q -j0 sdk generated sandbox fuzz spec >/dev/null
	@touch $@

# npm ci under a lock, looking again once it holds it: `make test` installs node_modules/ beside pytest, whose Node
# tests ask make for it too (tests/helpers/node_tools.py). The second asker waits and finds it done, where a second
# `npm ci` would delete node_modules/ under the first one's feet. flock(1) is util-linux's; without it, no lock.
NPM_LOCK := $(if $(shell command -v flock 2>/dev/null),flock .node_modules.lock)
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "ERROR: npm (Node.js) is required for Spectral; install nodejs/npm" >&2; exit 1; }
	@$(NPM_LOCK) sh -c '[ $@ -nt package.json ] && [ $@ -nt package-lock.json ] && exit 0; \
	  echo "npm ci --no-audit --no-fund --loglevel=error"; npm ci --no-audit --no-fund --loglevel=error && touch $@'

generate: $(STAMP)
	$(PY) -m overrides.generate

spec-lint: $(STAMP) node_modules/.installed
	$(BIN)/openapi-spec-validator spec/clicksend-mms.yaml
	node_modules/.bin/spectral lint --fail-severity=warn spec/clicksend-mms.yaml

lint: spec-lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# pytest-xdist, one worker per core; --dist loadscope keeps a module on one worker, so its module-scoped fixtures
# (the wheel and its venvs, the browser) are built once. --no-loadscope-reorder keeps tests/conftest.py's order (the
# long modules first), not xdist's (modules with the most tests first), which left a 80 s module for the end.
# TEST_WORKERS=0 runs in this process.
# `make test` runs the three at once (one make, so the venv and node_modules are each set up once, side by side):
# the linters and mypy are single-threaded and pytest leaves a core idle about a fifth of its run, so overlapping
# them took about 30 s off a clean clone's `.ci/run`. Their output interleaves; make fails if any of them fails.
TEST_WORKERS ?= auto
test:
	@$(MAKE) --no-print-directory -j3 lint typecheck pytest

pytest: $(STAMP)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder

test-busy:
	.ci/busy .ci/run

fuzz: $(STAMP)
	$(PY) -m clicksend_mms_fuzz

mutants: $(STAMP)
	$(PY) -m tests.mutants

sandbox: $(STAMP)
	$(BIN)/clicksend-mms-sandbox --host 127.0.0.1 --port 8765

# The reference renders with the Redoc bundle vendored in the sandbox package (no npm needed to build or serve it).
DOCS_OUT    ?= build/docs
DOCS_ASSETS := sandbox/clicksend_mms_sandbox/docs/assets

# The Python SDK's own reference (pdoc, from the code and its docstrings) goes to $(DOCS_OUT)/sdk/, linked from the
# API reference's page.
SDK_MODULES := clicksend_mms clicksend_mms.facade clicksend_mms.async_facade clicksend_mms.exceptions \
	clicksend_mms.inputs clicksend_mms.models clicksend_mms.cli clicksend_mms.retry clicksend_mms.bulk clicksend_mms.results

docs: $(STAMP)
	$(BIN)/pdoc --output-directory $(DOCS_OUT)/sdk $(SDK_MODULES)
	$(PY) -m clicksend_mms_sandbox.docs $(DOCS_OUT)

# Re-vendor after changing the redoc pin in package.json (tests/docs checks the copy matches node_modules).
docs-vendor: node_modules/.installed
	cp node_modules/redoc/bundles/redoc.standalone.js node_modules/redoc/bundles/redoc.standalone.js.LICENSE.txt $(DOCS_ASSETS)/
	cp node_modules/redoc/LICENSE $(DOCS_ASSETS)/redoc.LICENSE

bench: $(STAMP)
	$(PY) -m benchmarks

TRIALS ?= 50
interrupt-trials: $(STAMP)
	$(PY) -m tests.interrupt.trials --trials $(TRIALS)

wheel: $(STAMP)
	$(PY) -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist .

clean:
	rm -rf $(VENV) node_modules benchmarks/node_modules benchmarks/.cache reports build/docs dist .mypy_cache .ruff_cache
