# The one task file: the README and .ci/run call these targets, so CI runs what a person runs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo serve test test-fast lint typecheck bench bench-smoke clean

$(STAMP): pyproject.toml client/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e ./client
	touch $(STAMP)

## Serve on SQLite (./.crmlink) with demo data; prints ready-to-use credentials.
demo: $(STAMP)
	$(BIN)/crmlink serve --demo

serve: $(STAMP)
	$(BIN)/crmlink serve

## The whole suite on SQLite and PostgreSQL, then mypy --strict and ruff.
test: $(STAMP)
	./scripts/ensure-postgres.sh
	./scripts/ensure-chromium.sh
	$(BIN)/pytest -q
	$(MAKE) --no-print-directory typecheck lint

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --config-file client/pyproject.toml client/src

lint: $(STAMP)
	$(BIN)/ruff check src tests client $(wildcard bench)
	$(BIN)/ruff format --check src tests client $(wildcard bench)

## The benchmark suite: 10k, 100k and 1m records on SQLite and PostgreSQL against the floor
## (../shared/bench/reference_server.py); about 30 minutes. Results in bench/results/.
bench: $(STAMP)
	./scripts/ensure-postgres.sh
	$(BIN)/python -m bench run $(BENCH_ARGS)

## The same harness at a tiny size for a few seconds (keeps it working; no timing claims).
bench-smoke: $(STAMP)
	./scripts/ensure-postgres.sh
	$(BIN)/python -m bench run --sizes 1k --hot-links 200 --duration 1 --warmup 0 --connections 2 \
		--out bench/results/tmp/smoke

clean:
	rm -rf $(VENV) .crmlink .pytest_cache .mypy_cache .ruff_cache
