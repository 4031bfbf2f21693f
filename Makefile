# The README's two commands: `make demo` and `make test`. Both install what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo-data

CHROMIUM ?= /usr/bin/chromium

.PHONY: install browser postgres demo test lint format typecheck pytest lock clean bench bench-quick fuzz load

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,spark,postgres,forecast,notebook]'
	touch $@

demo: install
	$(BIN)/nrr demo $(DEMO_DIR) --customers 5000 --months 36 --seed 7
	$(BIN)/nrr validate $(DEMO_DIR)
	$(BIN)/nrr report $(DEMO_DIR) --period quarter --from 2024-01-01 --to 2025-01-01
	$(BIN)/nrr serve $(DEMO_DIR)

lint: install
	$(BIN)/ruff check src tests bench/load_test.py
	$(BIN)/ruff format --check src tests bench

# Apply the formatting `make lint` enforces.
format: install
	$(BIN)/ruff format src tests bench

typecheck: install
	$(BIN)/mypy --strict src/nrr

pytest: install
	$(BIN)/python -m pytest -q

# The end-to-end tests drive Debian's Chromium (no browser download is possible here).
browser:
	@test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -x $(CHROMIUM) || { echo "chromium is required for the browser tests" >&2; exit 1; }

# The PostgreSQL tests start a throwaway cluster from Debian's server binaries.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "postgresql is required for the PostgreSQL tests" >&2; exit 1; }

test: lint typecheck browser postgres pytest

# Benchmarks (docs/benchmarks.md): nrr vs a pandas baseline and a DuckDB floor, checked equal.
bench: install
	$(BIN)/python -m bench.run --sizes 100000,1000000 --runs 3 --out bench/results

bench-quick: install
	$(BIN)/python -m bench.run --sizes 100000 --runs 3 --out bench/results/quick

# Longer fuzzing than `make test` (about 30 min on 2 cores), new random examples each run.
fuzz: install
	HYPOTHESIS_PROFILE=dev NRR_FUZZ_EXAMPLES=2000 NRR_API_FUZZ_EXAMPLES=200 $(BIN)/python -m pytest -q \
		tests/hardening/test_fuzz_inputs.py tests/hardening/test_api_schema.py

# A bounded loopback load test of `nrr serve` (docs/benchmarks.md).
load: install
	$(BIN)/python bench/load_test.py --out bench/results/load.json

# Refresh the pinned versions CI installs (run after changing dependencies).
lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^nrr' > constraints.txt

clean:
	rm -rf $(VENV) $(DEMO_DIR) .mypy_cache .ruff_cache .pytest_cache .hypothesis
