# LearnLoop: two commands on a fresh machine.
#   make demo  - build .venv from the lock and run the real Airflow DAG on sample_data/
#   make test  - build .venv (with test tools) and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast lint bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip==25.3"

# The stamp files re-run the install whenever a lock file changes.
$(VENV)/.runtime-installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

$(VENV)/.dev-installed: requirements-dev.lock $(VENV)/.runtime-installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $@

# Test tools outside Python: headless Chromium renders the HTML report (Debian package; we
# run as root in the container), the Node.js DuckDB client reads the published file, and
# redis-server and PostgreSQL run the Celery test's cluster. All are installed only when missing.
CHROMIUM := /usr/bin/chromium
NODE_CLIENT := tests/node_client/node_modules/.package-lock.json
REDIS_SERVER := /usr/bin/redis-server
# Debian installs the server programs under /usr/lib/postgresql/<major>/bin; before the
# install the placeholder path stands for them.
POSTGRES_INITDB := $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb) /usr/lib/postgresql/MAJOR/bin/initdb)

$(CHROMIUM):
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

# One apt-get for whichever of the two servers is missing (`&:`: one recipe for both). Where
# services may start, Debian's packages also start their own; the test starts its own servers
# on free loopback ports either way.
$(REDIS_SERVER) $(POSTGRES_INITDB) &:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server postgresql >/dev/null

$(NODE_CLIENT): tests/node_client/package-lock.json
	cd tests/node_client && npm ci --no-audit --no-fund --silent

demo: $(VENV)/.runtime-installed
	$(BIN)/learnloop demo

test: $(VENV)/.dev-installed $(CHROMIUM) $(NODE_CLIENT) $(REDIS_SERVER) $(POSTGRES_INITDB)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

test-fast: $(VENV)/.dev-installed $(CHROMIUM) $(NODE_CLIENT)
	$(BIN)/python -m pytest -m "not slow"

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/large_jsonl_ingest.py
	$(BIN)/python bench/dbt_task_granularity.py
	$(BIN)/python bench/scale.py

# dbt's documentation site (lineage with the report and BI exposures, column types from the
# last run's build database): .learnloop/docs/target/static_index.html.
docs: $(VENV)/.runtime-installed
	$(BIN)/python -m learnloop.docs

clean:
	rm -rf $(VENV) .learnloop dbt_project/target dbt_project/logs tests/node_client/node_modules

# Precision, recall and F1 of the signal classifier on the labelled evaluation set.
.PHONY: eval-classifier
eval-classifier: $(VENV)/.runtime-installed
	$(BIN)/python -m learnloop.evaluate_classifier
