"""The zygote's warm-up of dbt and the gates (tests/cli_zygote.py `serve`).

A forked `learnloop run` child used to pay dbt's and Great Expectations' first-use costs on
every run: Jinja compiling each macro on first use, mashumaro's lazily built (de)serialisers,
dbt's event classes, adapter registration, GX's expectation and metric machinery; a
long-lived process pays them once. So the zygote, before it forks, builds the real dbt
project over an empty run database (the raw tables ingest creates, no rows) and runs both
gates on it, in a folder of its own under the temporary folder, removed afterwards. What
stays behind in the zygote are those caches, the same for every home.

The build needs the project parsed, and a parse here would cost more than it saves (10+
CPU-s) and start dbt_extractor's Rust thread pool, which a forked child could not use. So
the dbt part waits for the session's kept parse (tests/conftest.py) of the tests' own
settings, which the session's first run writes; the gates' part runs at once.

Leaves no thread running (the zygote forks only with one): DuckDB's default connection,
which duckdb_engine opens and a new process opens again when it needs it, is closed, and
tqdm's monitor thread stopped. Imports only LearnLoop modules that read no configuration at
import (the Config comes from an explicit home and an empty environment); not Airflow.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# The tests' own learnloop.toml (tests/conftest.py FIXTURE_CONFIG): the warm-up builds with
# the dbt variables of the tests' homes.
CONFIG_TEXT = """\
timezone = "Europe/Berlin"

[brand]
youtube = ["UCnordlichtBikesDemo0001"]
"""


def warm_up_gates() -> None:
    """The raw gate over an empty run database."""
    try:
        with _run_database() as (config, context):
            _run_gates(config, context, ("raw_batch",))
    except Exception as exc:  # the children pay the first-use costs, as before
        print(f"cli_zygote_warm: the gates' warm-up failed: {exc!r}", file=sys.stderr)


def warm_up_dbt(parses: Path | None) -> bool:
    """A full dbt build and the mart gate over an empty run database, if the session keeps
    a parse of the tests' settings in `parses`; whether it is done (ran, or failed: a cache
    that failed is not worth a failed suite, nor another try)."""
    if parses is None:
        return False
    try:
        return _warm_up_dbt(parses)
    except Exception as exc:  # the children pay the first-use costs, as before
        print(f"cli_zygote_warm: the dbt warm-up failed: {exc!r}", file=sys.stderr)
        return True


def _warm_up_dbt(parses: Path) -> bool:
    from learnloop import transform

    with _run_database() as (config, context):
        key = transform._parse_key(context.database_path)
        kept = parses / f"parsed-{key}.msgpack"
        if not kept.exists():
            return False
        config.home.dbt_state.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(kept, config.home.dbt_state / kept.name)
        try:
            work_dir = Path(context.run_dir) / "dbt"
            transform.build_models(context.database_path, config, work_dir, full_refresh=True)
            _run_gates(config, context, ("marts",))
        finally:
            transform._parsed_in_process.clear()  # a child finds a parse where it did before
    return True


@contextlib.contextmanager
def _run_database() -> Iterator[tuple[Any, Any]]:
    """A run started in a throwaway home; the environment, the folder and DuckDB's default
    connection as they were before, no thread left running."""
    from learnloop import build
    from learnloop.config import load_config
    from learnloop.paths import Home

    saved = dict(os.environ)
    folder = Path(tempfile.mkdtemp(prefix="learnloop-zygote-warm-"))
    try:
        home = Home(folder / "home")
        home.ensure()
        home.config_file.write_text(CONFIG_TEXT, encoding="utf-8")
        config = load_config(home, environ={})
        yield config, build.start_run(config)
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(folder, ignore_errors=True)
        _stop_threads()


def _run_gates(config: Any, context: Any, gates: tuple[str, ...]) -> None:
    from learnloop import pipeline
    from learnloop.errors import GateFailed
    from learnloop.gates.runner import run_gate

    parameters = pipeline._gate_parameters(context, config)
    for gate in gates:
        with contextlib.suppress(GateFailed):  # an empty warehouse may fail: the code ran
            run_gate(gate, context.database_path, parameters)


def _stop_threads() -> None:
    import duckdb
    from great_expectations.data_context.data_context.context_factory import project_manager
    from tqdm.std import TMonitor

    project_manager.set_project(None)  # GX's last context holds its datasources' engines
    duckdb.default_connection().close()  # duckdb_engine opens it (nine worker threads)
    for thread in threading.enumerate():
        if isinstance(thread, TMonitor):
            thread.exit()  # joins it; a child's tqdm starts a new one when it needs one
