# Two commands do everything on a fresh machine: `make demo` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench capacity clean
NODE_STAMP := tests/js/node_modules/.installed

$(STAMP): pyproject.toml setup.py logchain/_native.c
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(NODE_STAMP): tests/js/package.json tests/js/package-lock.json
	cd tests/js && npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

demo: $(STAMP)
	$(BIN)/logchain demo

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/pytest -q tests
	$(BIN)/pytest -q benchmarks --benchmark-disable

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy logchain ingest sealing queries
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/pytest benchmarks --benchmark-only --benchmark-autosave

# The capacity report (docs/CAPACITY.md): 1M records, 3 sizes, 1 and 2 workers, peers.
capacity: $(STAMP)
	$(BIN)/logchain bench --out out/bench

clean:
	rm -rf $(VENV) build *.egg-info
