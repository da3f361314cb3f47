# clicksend-mms — every target sets up what it needs (venv from the pinned lock, node tools) first.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed

.PHONY: help venv generate check-generated lint spec-lint typecheck test fuzz mutants sandbox bench wheel clean

help:
	@echo "make fuzz      contract-fuzz the API (embedded sandbox by default; CLICKSEND_* env for live)"
	@echo "make mutants   plant each known bug in a copy of the sandbox; the default fuzz must catch every one"
	@echo "make test      lint, type-check and run every test"
	@echo "make generate  regenerate generated/ from spec/ + overrides/"
	@echo "make lint      openapi-spec-validator + Spectral on spec/, ruff on the code"
	@echo "make sandbox   run the local ClickSend MMS sandbox on 127.0.0.1:8765"
	@echo "make bench     benchmarks (benchmarks/results.json)"
	@echo "make wheel     build dist/clicksend_mms-*.whl (pip install 'dist/...whl[cli]' etc.; extras in pyproject.toml)"

venv: $(STAMP)
$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-build-isolation --no-deps -e .
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "ERROR: npm (Node.js) is required for Spectral; install nodejs/npm" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

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

test: lint typecheck
	$(BIN)/pytest

fuzz: $(STAMP)
	$(PY) -m clicksend_mms_fuzz

mutants: $(STAMP)
	$(PY) -m tests.mutants

sandbox: $(STAMP)
	$(BIN)/clicksend-mms-sandbox --host 127.0.0.1 --port 8765

bench: $(STAMP)
	$(PY) -m benchmarks

wheel: $(STAMP)
	$(PY) -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist .

clean:
	rm -rf $(VENV) node_modules benchmarks/node_modules benchmarks/.cache reports dist .mypy_cache .ruff_cache
