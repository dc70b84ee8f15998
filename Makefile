# The one task file: the README and .ci/run call these targets, so CI runs what a person runs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo serve test test-fast lint typecheck bench bench-smoke clean fuzz reliability-long

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

## The whole suite on SQLite and PostgreSQL (fails if PostgreSQL cannot be started), with branch
## coverage of src/ and client/src/ (server subprocesses included; floor: fail_under in
## pyproject.toml), then mypy --strict and ruff.
test: $(STAMP)
	./scripts/ensure-postgres.sh
	./scripts/ensure-chromium.sh
	rm -f .coverage .coverage.*
	$(BIN)/coverage run -m pytest -q
	$(BIN)/coverage combine -q
	$(BIN)/coverage report
	$(MAKE) --no-print-directory typecheck lint

## Long schemathesis run: 200 examples per operation, a random seed, both engines (~10+ min).
fuzz: $(STAMP)
	./scripts/ensure-postgres.sh
	CRMLINK_FUZZ_COVERAGE=1 CRMLINK_FUZZ_EXAMPLES=$${CRMLINK_FUZZ_EXAMPLES:-200} CRMLINK_FUZZ_SEED=$${CRMLINK_FUZZ_SEED:-random} \
		$(BIN)/pytest -q tests/test_fuzz.py

## The long variants of the reliability tests: 100 kills per engine, 2 minutes of 32 clients per
## variant, and the long schemathesis run (random seeds). Roughly 20-30 minutes.
reliability-long: $(STAMP)
	./scripts/ensure-postgres.sh
	CRMLINK_CRASH_KILLS=$${CRMLINK_CRASH_KILLS:-100} CRMLINK_CRASH_SEED=$${CRMLINK_CRASH_SEED:-$$RANDOM} \
	CRMLINK_CONCURRENCY_SECONDS=$${CRMLINK_CONCURRENCY_SECONDS:-120} \
	CRMLINK_FUZZ_COVERAGE=1 CRMLINK_FUZZ_EXAMPLES=$${CRMLINK_FUZZ_EXAMPLES:-200} CRMLINK_FUZZ_SEED=$${CRMLINK_FUZZ_SEED:-random} \
		$(BIN)/pytest -q tests/test_crash.py tests/test_concurrency.py tests/test_fuzz.py

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --config-file client/pyproject.toml client/src

lint: $(STAMP)
	$(BIN)/ruff check src tests client $(wildcard bench)
	$(BIN)/ruff format --check src tests client $(wildcard bench)

## The benchmark suite: 10k, 100k and 1m records on SQLite and PostgreSQL, bulk relate back to
## back with the reference floors (../shared/bench/reference_server.py --work seed, --work full
## on SQLite and on PostgreSQL), scale-out on two processes, notifications, snapshot/restore,
## files and convert, upsert vs insert; then every target in one table. About 40 minutes.
## Results in bench/results/ (targets.md: the table). Smaller runs, e.g. on a shared machine:
##   make bench BENCH_ARGS="--sizes 10k --connections 8 --duration 5" BENCH_NOTIFY_ARGS="--duration 3" \
##     BENCH_SNAPSHOT_ARGS="--runs 3" BENCH_INPROC_CALLS=50 [BENCH_OUT=bench/results/tmp/mine]
BENCH_ARGS ?=
BENCH_NOTIFY_ARGS ?=
BENCH_SNAPSHOT_ARGS ?=
BENCH_INPROC_CALLS ?= 200
BENCH_OUT ?= bench/results
bench: $(STAMP)
	./scripts/ensure-postgres.sh
	$(BIN)/python -m bench run --out $(BENCH_OUT) $(BENCH_ARGS)
	$(BIN)/python -m bench.notify --out $(BENCH_OUT)/notify.json $(BENCH_NOTIFY_ARGS)
	$(BIN)/python -m bench.snapshot --out $(BENCH_OUT)/snapshot.json $(BENCH_SNAPSHOT_ARGS)
	$(BIN)/python -m bench.files sqlite > $(BENCH_OUT)/files.json
	rm -f $(BENCH_OUT)/inproc.json
	for s in insert100 upsert100 upsert100u; do \
		$(BIN)/python -m bench.inproc $$s --calls $(BENCH_INPROC_CALLS) --out $(BENCH_OUT)/inproc.json || exit 1; \
	done
	$(BIN)/python -m bench targets --dir $(BENCH_OUT)

## The same harness at a tiny size for a few seconds (keeps it working; no timing claims): every
## scenario and every floor at 1,000 records, then the targets table of that run.
bench-smoke: $(STAMP)
	./scripts/ensure-postgres.sh
	$(BIN)/python -m bench run --sizes 1k --hot-links 200 --duration 1 --warmup 0 --connections 8 \
		--no-chart --out bench/results/tmp/smoke
	$(BIN)/python -m bench targets --dir bench/results/tmp/smoke

clean:
	rm -rf $(VENV) .crmlink .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.*
