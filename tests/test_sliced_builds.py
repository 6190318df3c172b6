"""A full build in slices holds the rows of the same build in one statement.

From a million interactions on, a full build runs the models whose working set grows with the
history in slices of about a million interactions (dbt_project/macros/slices.sql), so that
DuckDB's memory limit holds at ten million. A copy of the session's demo build database
(sample_data/: 177 interactions, waiting threads in four weeks; 182 once
tests/test_bi_dashboard.py has republished it with a later export, and an incremental build
equals a full one, tests/test_incremental.py) is rebuilt here with `interaction_slice_rows =
45`, so each sliced model takes four or five statements, and each table must equal the demo
home's. Each model's input holds rows of more than one slice, so the post-hook's statements
add rows that the comparison sees.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from dbt.cli.main import dbtRunner

from learnloop.config import load_config
from learnloop.paths import DBT_PROJECT_DIR, Home
from learnloop.transform import _close_dbt_duckdb_connection, dbt_vars
from tests.conftest import query

pytestmark = pytest.mark.slow

ROWS_PER_SLICE = 45

# model -> (its rows, compared: all but when this build classified them; the hash its slice
# predicate computes, over the rows the model reads)
SLICED_MODELS = {
    "int_interactions__signals": (
        "SELECT * EXCLUDE (classified_at) FROM intermediate.int_interactions__signals",
        "SELECT hash(platform, interaction_id) FROM intermediate.int_interactions__latest",
    ),
    "interactions": (
        "SELECT * FROM analytics.interactions",
        "SELECT hash(platform, interaction_id) FROM intermediate.int_interactions__latest",
    ),
    "conversations": (
        "SELECT * FROM analytics.conversations",
        "SELECT hash(platform, thread_id) FROM analytics.interactions",
    ),
    "rpt_waiting_threads": (
        "SELECT * FROM analytics.rpt_waiting_threads",
        "SELECT hash(week_start) FROM analytics.conversations WHERE needs_reply AND NOT answered",
    ),
}


def test_a_full_build_in_slices_equals_one_in_one_statement(
    demo_home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    built = demo_home.build_database
    [(interactions,)] = query(built, "SELECT count(*) FROM intermediate.int_interactions__latest")
    slices = -(-interactions // ROWS_PER_SLICE)
    assert slices in (4, 5), interactions  # 177 or 182 interactions
    database = tmp_path / "sliced.duckdb"
    shutil.copyfile(built, database)
    settings = {
        **dbt_vars(load_config(demo_home, environ={})),
        "interaction_slice_rows": ROWS_PER_SLICE,
    }
    monkeypatch.setenv("LEARNLOOP_BUILD_DB", str(database))
    result = dbtRunner().invoke(
        [
            "run",
            "--select",
            *SLICED_MODELS,
            "--full-refresh",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
            "--vars",
            json.dumps(settings),
            "--quiet",
        ]
    )
    _close_dbt_duckdb_connection()  # dbt-duckdb keeps its connection open in the process
    assert result.success
    for model, (rows, slicing_hashes) in SLICED_MODELS.items():
        compiled = next((tmp_path / "target" / "compiled").rglob(f"{model}.sql")).read_text()
        assert f"= 0 /* slice 0 of {slices} */" in compiled, model
        sliced, whole = (query(db, f"{rows} ORDER BY ALL") for db in (database, built))
        assert sliced == whole, model
        in_slices = query(
            database, f"SELECT count(DISTINCT h % {slices}) FROM ({slicing_hashes}) AS t(h)"
        )
        assert in_slices[0][0] > 1, model
