# The two commands of the README: `make run` and `make test`. Everything they need is installed
# here on first use (a virtualenv in .venv, system packages through scripts/).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The dashboard's npm packages, reinstalled from the lockfile only when it changes.
NPM_STAMP := dashboard/node_modules/.installed

.PHONY: run test lint typecheck unit system bench clean dashboard

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	# silero-vad ships the ONNX model we run with onnxruntime; --no-deps keeps torch out.
	$(BIN)/python -m pip install -q --no-deps silero-vad==6.2.3
	touch $(STAMP)

system:
	./scripts/ensure-system-packages.sh

$(NPM_STAMP): dashboard/package.json dashboard/package-lock.json
	cd dashboard && npm ci --no-audit --no-fund
	touch $(NPM_STAMP)

# Type-checks and builds dashboard/dist (served at /), printing the gzip size of each bundle.
dashboard: $(NPM_STAMP)
	cd dashboard && npm run build

run: $(STAMP) dashboard
	mkdir -p var
	$(BIN)/agentlocator db upgrade
	$(BIN)/agentlocator demo seed
	$(BIN)/agentlocator serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) system lint typecheck dashboard
	AGENTLOCATOR_TEST_POSTGRES_URL="$$(./scripts/ensure-postgres.sh)" \
	AGENTLOCATOR_TEST_REDIS_URL="$$(./scripts/ensure-redis.sh)" \
	AGENTLOCATOR_E2E_REQUIRED=1 \
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python bench/bridge_load.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache dashboard/node_modules dashboard/dist
