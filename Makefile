# Two commands: `make run` and `make test`. Both create .venv and install first, from
# requirements.lock: exact versions with PyPI's hashes (`make lock` writes it).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements.lock
# The stamp's name carries the lock's and pyproject's checksums, so a changed lock (even
# one older than the stamp, as after a checkout) reinstalls.
STAMP := $(VENV)/.installed-$(shell cat $(LOCK) pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)
NPM_CI := npm ci --no-audit --no-fund --ignore-scripts

.PHONY: setup run test lint schema clean lock fuzz corpus schema-diff chaos

$(STAMP): $(LOCK) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

# requirements.lock from pyproject.toml's bounds (runtime + dev), hashed. PyPI only, with
# this machine's pip configuration (local mirrors, find-links) left out: the hashes are
# those of PyPI's files, which every machine can fetch. Versions already in the lock are
# kept while the bounds allow; UPGRADE=--upgrade (or --upgrade-package NAME) moves them.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(BIN)/pip-compile || $(BIN)/pip install --quiet 'pip-tools>=7.4,<8'
	env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL -u PIP_CONSTRAINT \
		PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make lock" \
		$(BIN)/pip-compile --quiet --generate-hashes --extra dev --strip-extras \
		--index-url https://pypi.org/simple --no-emit-index-url --no-emit-find-links \
		$(UPGRADE) --output-file $(LOCK) pyproject.toml

run: setup
	$(BIN)/docket migrate
	$(BIN)/docket serve

# Three passes of the suite: the embedded defaults (SQLite, memory broker, file storage);
# PostgreSQL + Redis when TEST_DATABASE_URL / TEST_REDIS_URL are set; and the embedded
# defaults with the fast paths off, so standard execution is proven on its own (tests
# marked fast_paths are left out there). Each pass runs on TEST_WORKERS pytest-xdist
# workers (2 by default, one per core; TEST_WORKERS=0 runs in this process); on the
# services, worker gwN uses database <name>_gwN and Redis database TEST_REDIS_URL's + N.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS))

test: setup
	@echo "== embedded (SQLite, memory broker, files)"
	$(PYTEST) $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ] || [ -n "$$TEST_REDIS_URL" ]; then \
		echo "== services: $$TEST_DATABASE_URL $$TEST_REDIS_URL"; \
		$(PYTEST) --backends=services $(PYTEST_ARGS); \
	fi
	@echo "== embedded, standard execution only (COMPILED_PROJECTIONS=false DIRECT_QUERIES=false)"
	COMPILED_PROJECTIONS=false DIRECT_QUERIES=false $(PYTEST) $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

schema: setup
	$(BIN)/docket export-schema

# schema.graphql against the last release's (see tools/schema-diff/check.sh for which):
# fails on a breaking change or a new deprecation that CHANGELOG.md does not announce.
SCHEMA_DIFF := tools/schema-diff
$(SCHEMA_DIFF)/node_modules/.package-lock.json: $(SCHEMA_DIFF)/package-lock.json
	cd $(SCHEMA_DIFF) && $(NPM_CI)

schema-diff: $(SCHEMA_DIFF)/node_modules/.package-lock.json
	bash $(SCHEMA_DIFF)/check.sh

# The conformance corpus: documents as real clients' tooling writes them, regenerated
# into tests/conformance/documents (commit the result; CI checks it is up to date).
corpus:
	cd tests/conformance/generator && $(NPM_CI) && npm run generate

# The fuzzer (tests/fuzz): 20 minutes on PostgreSQL at TEST_DATABASE_URL by default.
# Never part of `make test`. FUZZ_ARGS="--help" lists options.
fuzz: setup
	$(BIN)/python -m tests.fuzz.run $(FUZZ_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
	rm -rf $(SCHEMA_DIFF)/node_modules

# The benchmark (bench/, issue 9): seeds PostgreSQL at BENCH_DATABASE_URL (reused
# between runs), then loads `docket serve` and a bare floor app with wrk and writes
# bench/RESULTS.md. Never part of `make test`. BENCH_ARGS="--help" lists options.
.PHONY: bench
bench: setup
	@command -v wrk >/dev/null 2>&1 || apt-get install -y wrk || \
		{ apt-get update && apt-get install -y wrk; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# Instructions per request of Docket and the one-statement floor, counted by valgrind
# in process (bench/instructions.py): steady where wrk's rounds swing. Not in `bench`.
.PHONY: bench-instructions
bench-instructions: setup
	@command -v valgrind >/dev/null 2>&1 || apt-get install -y valgrind || \
		{ apt-get update && apt-get install -y valgrind; }
	$(BIN)/python -m bench.instructions $(BENCH_ARGS)

# The reliability suite (chaos/, docs/chaos.md): throwaway PostgreSQL, Redis, SMTP and
# API processes on this machine, real faults, a table of figures against thresholds.
# Never part of `make test`. CHAOS_ARGS="--quick" for a smoke run, "--help" for more.
chaos: setup
	$(BIN)/python -m chaos $(CHAOS_ARGS)
