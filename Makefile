# LearnLoop: two commands on a fresh machine.
#   make demo  - build .venv from the lock and run the real Airflow DAG on sample_data/
#   make test  - build .venv (with test tools) and run the whole test suite

# The interpreter of the virtualenvs: the distribution's CPython 3.11 when it can create one,
# else the first python3 on PATH. Debian's and Ubuntu's are built with profile-guided and
# link-time optimisation; pyenv's default build has neither, and the whole suite took 1,176
# CPU-s on it against 771 (DECISIONLOG.md, "The distribution's Python"). `make PYTHON=...`
# overrides it; an existing .venv keeps its interpreter until `make clean`.
DISTRO_PYTHON := /usr/bin/python3.11
PYTHON ?= $(shell $(DISTRO_PYTHON) -c "import ensurepip, venv" >/dev/null 2>&1 \
	&& echo $(DISTRO_PYTHON) || echo python3)
LEARNLOOP_HOME ?= .learnloop
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test test-fast lint bench docs clean superset superset-serve airflow-ui

# uv installs the ~180 pinned packages in a fraction of pip's time (measured: 25 against 49
# CPU-seconds, bytecode included). Bytecode is compiled at install because the interpreter may
# be told not to write it (PYTHONDONTWRITEBYTECODE), and then every process would compile
# Airflow, dbt and GX again: 6.7 against 13.4 CPU-seconds to import them.
UV_VERSION := 0.13.9
UV_INSTALL := $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# The stamp files re-run the install whenever a lock file changes.
$(VENV)/.runtime-installed: requirements.lock pyproject.toml | $(BIN)/python
	$(UV_INSTALL) -r requirements.lock
	$(UV_INSTALL) --no-deps -e .
	touch $@

$(VENV)/.dev-installed: requirements-dev.lock $(VENV)/.runtime-installed
	$(UV_INSTALL) -r requirements-dev.lock
	touch $@

# Test tools outside Python: headless Chromium renders the HTML report, the Superset dashboard
# and Airflow's UI (Debian packages; we run as root in the container), with a colour emoji font
# so that community messages' emoji are drawn rather than shown as boxes; the Node.js DuckDB
# client reads the published file; redis-server and PostgreSQL run the Celery test's cluster.
# All are installed only when missing.
CHROMIUM := /usr/bin/chromium
EMOJI_FONT := /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
NODE_CLIENT := tests/node_client/node_modules/.package-lock.json
REDIS_SERVER := /usr/bin/redis-server
# Debian installs the server programs under /usr/lib/postgresql/<major>/bin; before the
# install the placeholder path stands for them.
POSTGRES_INITDB := $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb) /usr/lib/postgresql/MAJOR/bin/initdb)

$(CHROMIUM):
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

$(EMOJI_FONT):
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-color-emoji >/dev/null

# One apt-get for whichever of the two servers is missing (`&:`: one recipe for both). Where
# services may start, Debian's packages also start their own; the test starts its own servers
# on free loopback ports either way.
$(REDIS_SERVER) $(POSTGRES_INITDB) &:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server postgresql >/dev/null

$(NODE_CLIENT): tests/node_client/package-lock.json
	cd tests/node_client && npm ci --no-audit --no-fund --silent

# Apache Superset with the "LearnLoop weekly" dashboard (bi/superset/), in a virtualenv of its
# own: Superset's pins (SQLAlchemy 1.4, pandas 2.1) conflict with the pipeline's. The project's
# uv installs its ~150 pinned packages in about 5 s where pip needs over a minute.
SUPERSET_VENV := bi/superset/.venv
SUPERSET := $(SUPERSET_VENV)/.installed

$(SUPERSET): bi/superset/requirements.lock | $(BIN)/python
	rm -rf $(SUPERSET_VENV)
	$(PYTHON) -m venv $(SUPERSET_VENV)
	$(BIN)/uv pip install --quiet --python $(SUPERSET_VENV)/bin/python \
		-r bi/superset/requirements.lock
	touch $@

# Set up Superset in $(LEARNLOOP_HOME)/superset/ and import the dashboard over the published
# warehouse (read-only); again after every edit of bi/superset/dashboard/. Then serve it on
# http://127.0.0.1:8088 (user admin, password in $(LEARNLOOP_HOME)/superset/admin_password).
superset: $(SUPERSET)
	$(SUPERSET_VENV)/bin/python bi/superset/learnloop_superset.py setup --home $(LEARNLOOP_HOME)

superset-serve: $(SUPERSET)
	$(SUPERSET_VENV)/bin/python bi/superset/learnloop_superset.py serve --home $(LEARNLOOP_HOME)

demo: $(VENV)/.runtime-installed
	$(BIN)/learnloop demo

# Airflow's UI on the runs in $(LEARNLOOP_HOME): http://127.0.0.1:8080, user admin, password in
# $(LEARNLOOP_HOME)/airflow/simple_auth_manager_passwords.json.generated.
airflow-ui: $(VENV)/.runtime-installed
	LEARNLOOP_HOME=$(LEARNLOOP_HOME) $(BIN)/python -m learnloop.airflow_ui

# Installed at once (a sub-make with --jobs): Superset's packages and Node's land while the
# virtualenv's bytecode compiles (31 s on a fresh clone against 33 s one after the other; the
# compile already keeps both cores busy). The Debian packages come first, one apt-get at a
# time (apt holds a lock).
TEST_TOOLS := $(VENV)/.dev-installed $(NODE_CLIENT) $(SUPERSET)
SYSTEM_TEST_TOOLS := $(CHROMIUM) $(EMOJI_FONT) $(REDIS_SERVER) $(POSTGRES_INITDB)

# Two pytest workers (pytest-xdist): most tests wait on one process at a time (Airflow, dbt,
# a browser), so two keep both cores busy. A module runs whole on one worker; modules that
# share a session build run together (tests/conftest.py). TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup

.PHONY: test-tools
test-tools: $(TEST_TOOLS)

test: $(SYSTEM_TEST_TOOLS)
	$(MAKE) --no-print-directory --jobs=3 test-tools
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PYTEST)

# The fast tier needs no browser, no Node.js and no Superset (those tests are all `slow`).
test-fast: $(VENV)/.dev-installed
	$(PYTEST) -m "not slow"

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.dev-installed $(REDIS_SERVER) $(POSTGRES_INITDB)
	$(BIN)/python bench/large_jsonl_ingest.py
	$(BIN)/python bench/dbt_task_granularity.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/gates.py
	OMP_NUM_THREADS=1 $(BIN)/python bench/classifier_embeddings.py
	OMP_NUM_THREADS=1 $(BIN)/python bench/workspaces_celery.py

# dbt's documentation site (lineage with the report and BI exposures, column types from the
# last run's build database): .learnloop/docs/target/static_index.html.
docs: $(VENV)/.runtime-installed
	$(BIN)/python -m learnloop.docs

# The files that follow from the export format registry (learnloop/ingest/formats/): the
# raw sources, the staging models' YAML, the union lists and the known platforms (dbt and
# learnloop/platforms.py). Run after adding a format.
.PHONY: formats
formats: $(VENV)/.runtime-installed
	$(BIN)/python -m learnloop.ingest.formats.dbt_files

clean:
	rm -rf $(VENV) .learnloop dbt_project/target dbt_project/logs tests/node_client/node_modules \
		$(SUPERSET_VENV)

# Precision, recall and F1 of the signal classifier on the labelled evaluation set.
.PHONY: eval-classifier
eval-classifier: $(VENV)/.runtime-installed
	$(BIN)/python -m learnloop.evaluate_classifier
