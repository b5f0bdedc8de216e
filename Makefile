# Two commands: `make run` and `make test`. Both create .venv and install first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: setup run test lint schema clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/docket migrate
	$(BIN)/docket serve

# The suite on the embedded defaults, then again on PostgreSQL + Redis when
# TEST_DATABASE_URL / TEST_REDIS_URL are set.
test: setup
	$(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ] || [ -n "$$TEST_REDIS_URL" ]; then \
		echo "== again on the services: $$TEST_DATABASE_URL $$TEST_REDIS_URL"; \
		$(BIN)/pytest --backends=services; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

schema: setup
	$(BIN)/docket export-schema

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# The benchmark (bench/, issue 9): seeds PostgreSQL at BENCH_DATABASE_URL (reused
# between runs), then loads `docket serve` and a bare floor app with wrk and writes
# bench/RESULTS.md. Never part of `make test`. BENCH_ARGS="--help" lists options.
.PHONY: bench
bench: setup
	@command -v wrk >/dev/null 2>&1 || apt-get install -y wrk || \
		{ apt-get update && apt-get install -y wrk; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)
