"""Quality gates: real Great Expectations validations inside real DuckDB files.

Each gate is shown to pass a clean batch and to fail a batch with a real violation, naming
the expectation with counts and examples; and the DuckDB fix for GX is shown to be needed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import great_expectations as gx
import great_expectations.execution_engine.sqlalchemy_execution_engine as gx_sql_engine
import great_expectations.expectations as gxe
import pytest

from learnloop.errors import GateFailed
from learnloop.gates import gx_duckdb
from learnloop.gates.checks import GateParameters
from learnloop.gates.runner import load_suite, raised_exception, run_gate
from learnloop.ingest.formats import FORMATS, ExportFormat
from learnloop.ingest.loader import create_raw_tables

RUN = "20260120T080000000000Z"


def raw_checks_of(export_format: ExportFormat) -> int:
    """What the raw gate checks in each format's batch (expectations/raw_batch.py), said again
    here: its columns present, the row id not null and unique per file, the time not null
    (unless the format's records may lack it) and in range, every count not negative."""
    return 4 + int(export_format.time_required) + len(export_format.count_columns)


# Follows the format registry: a new format needs no change here.
RAW_GATE_EXPECTATIONS = sum(raw_checks_of(export_format) for export_format in FORMATS)
NOW = datetime(2026, 1, 20, 8, 0, tzinfo=UTC)


def _params(previous_interactions: int | None = None) -> GateParameters:
    return GateParameters(
        run_key=RUN,
        now=NOW,
        current_week_start=date(2026, 1, 19),
        future_tolerance_minutes=60,
        max_volume_drop=0.5,
        previous_interactions=previous_interactions,
    )


def _youtube_row(comment_id: str, published_at: str | None, like_count: int = 0) -> str:
    published = f"TIMESTAMPTZ '{published_at}'" if published_at else "NULL"
    return (
        f"('T', '{comment_id}', NULL, 'vid', 'UCbrand', 'UCfan', '@fan', 'text', {like_count}, 0,"
        f" '{published_at}', {published}, NULL, false, 'yt.json', 'abc', 1, '{RUN}', now())"
    )


def _raw_database(tmp_path: Path, *youtube_rows: str) -> Path:
    database = tmp_path / "build.duckdb"
    with duckdb.connect(str(database)) as con:
        create_raw_tables(con)
        if youtube_rows:
            con.execute(f"INSERT INTO raw.youtube_api__comments VALUES {', '.join(youtube_rows)}")
    return database


def test_raw_gate_passes_a_clean_batch(tmp_path):
    database = _raw_database(
        tmp_path,
        _youtube_row("c1", "2026-01-05 10:00:00+00"),
        _youtube_row("c2", "2026-01-20 08:30:00+00", like_count=3),  # within the tolerance
    )
    outcomes = run_gate("raw_batch", database, _params())
    # 5 common expectations per raw table + one per count column of its format.
    assert len(outcomes) == RAW_GATE_EXPECTATIONS
    assert all(o.success for o in outcomes)


@pytest.mark.parametrize(
    ("bad_row", "expected"),
    [
        (
            _youtube_row("c2", "2026-01-06 10:00:00+00", like_count=-3),
            "expect_column_values_to_be_between(like_count): 1 unexpected, e.g. [-3]",
        ),
        (
            _youtube_row("c2", "2026-01-21 10:00:00+00"),
            "expect_column_values_to_be_between(published_at): 1 unexpected",
        ),
        (
            # Before [gates] earliest_year (default 2000): a placeholder or a misparsed date.
            _youtube_row("c2", "1999-12-31 23:00:00+00"),
            "expect_column_values_to_be_between(published_at): 1 unexpected",
        ),
        (
            _youtube_row("c2", None),
            "expect_column_values_to_not_be_null(published_at): 1 unexpected",
        ),
        (
            _youtube_row("c1", "2026-01-06 10:00:00+00"),
            "expect_compound_columns_to_be_unique(_source_file,comment_id): 2 unexpected",
        ),
    ],
    ids=[
        "negative-count",
        "future-timestamp",
        "timestamp-before-2000",
        "unparseable-timestamp",
        "duplicate-id",
    ],
)
def test_raw_gate_fails_a_real_violation_with_counts_and_examples(tmp_path, bad_row, expected):
    database = _raw_database(tmp_path, _youtube_row("c1", "2026-01-05 10:00:00+00"), bad_row)
    with pytest.raises(GateFailed) as failure:
        run_gate("raw_batch", database, _params())
    message = str(failure.value)
    assert message.startswith(f"raw_batch gate: 1 of {RAW_GATE_EXPECTATIONS} expectations failed: ")
    assert f"raw.youtube_api__comments {expected}" in message


@pytest.mark.parametrize(
    "rows",
    [[_youtube_row("c1", "2026-01-05 10:00:00+00")], []],
    ids=["with-rows", "empty-batch"],
)
def test_an_expectation_that_cannot_be_computed_fails_the_gate(tmp_path, rows):
    """A raw table without a declared column: its columns check fails, and the expectation on
    the missing column fails with GX's error, never passes silently (2 of the total fail).
    The same with no rows of this run: only the columns check is asked at first (the other
    expectations hold on no rows), it fails, and the whole check is validated again."""
    database = _raw_database(tmp_path, *rows)
    with duckdb.connect(str(database)) as con:
        con.execute("ALTER TABLE raw.youtube_api__comments DROP COLUMN like_count")
    with pytest.raises(GateFailed) as failure:
        run_gate("raw_batch", database, _params())
    # GX lists the expectation that errored before the one that failed.
    assert str(failure.value) == (
        f"raw_batch gate: 2 of {RAW_GATE_EXPECTATIONS} expectations failed: "
        "raw.youtube_api__comments expect_column_values_to_be_between(like_count), "
        """e.g. ['Error: The column "like_count" in BatchData does not exist.']; """
        "raw.youtube_api__comments expect_table_columns_to_match_set()"
    )


def test_empty_batches_report_what_gx_computes_for_every_expectation(tmp_path):
    """One batch with rows, every other empty: the gate asks GX about the empty ones'
    columns only, yet reports every outcome exactly as GX does when it computes all of
    them (verdict, count, examples, order: the run log keeps them)."""
    from learnloop.gates.gx_duckdb import duckdb_datasource
    from learnloop.gates.runner import VERDICTS_ONLY, _outcome, _validate_check

    database = _raw_database(tmp_path, _youtube_row("c1", "2026-01-05 10:00:00+00"))
    checks = load_suite("raw_batch").checks(_params())
    context = gx.get_context(mode="ephemeral")
    with duckdb_datasource(
        context, "all", database, {c.name: c.query for c in checks}
    ) as datasource:
        computed = [
            _outcome("raw_batch", check.name, result)
            for check in checks
            for result in _validate_check(
                datasource, "raw_batch", check.name, check.expectations, VERDICTS_ONLY
            ).results
        ]
    assert len(computed) == RAW_GATE_EXPECTATIONS
    assert run_gate("raw_batch", database, _params()) == computed


def test_raw_gate_checks_what_each_format_declares():
    """The checks of one format in full: youtube_api declares comment_id, published_at and two
    counts, so 7 checks (5 + 2); every registered format gets its own batch."""
    checks = load_suite("raw_batch").checks(_params())
    assert [check.name for check in checks] == [f"raw.{f.raw_table}" for f in FORMATS]
    youtube = next(check for check in checks if check.name == "raw.youtube_api__comments")
    assert [(e.expectation_type, _arguments(e)) for e in youtube.expectations] == [
        ("expect_table_columns_to_match_set", "exact_match=False"),
        ("expect_column_values_to_not_be_null", "comment_id"),
        ("expect_compound_columns_to_be_unique", "_source_file,comment_id"),
        ("expect_column_values_to_not_be_null", "published_at"),
        ("expect_column_values_to_be_between", "published_at"),
        ("expect_column_values_to_be_between", "like_count"),
        ("expect_column_values_to_be_between", "total_reply_count"),
    ]
    assert youtube.query == (f"SELECT * FROM raw.youtube_api__comments WHERE _run_key = '{RUN}'")


def _arguments(expectation) -> str:
    if hasattr(expectation, "column_list"):
        return ",".join(expectation.column_list)
    if hasattr(expectation, "column"):
        return expectation.column
    return f"exact_match={expectation.exact_match}"


def test_raw_gate_looks_only_at_this_runs_batch(tmp_path):
    earlier = _youtube_row("old", "2026-01-05 10:00:00+00", like_count=-1).replace(RUN, "earlier")
    database = _raw_database(tmp_path, earlier, _youtube_row("c1", "2026-01-05 10:00:00+00"))
    assert all(o.success for o in run_gate("raw_batch", database, _params()))


def _marts_database(tmp_path: Path, weeks: tuple[str, ...], interactions: int = 6) -> Path:
    """A build database with the two relations the marts gate reads: kpi_weekly's weeks
    (platforms x and all each) and `interactions` rows."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    database = tmp_path / "marts.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE SCHEMA analytics")
        con.execute(
            """CREATE TABLE analytics.kpi_weekly AS
               SELECT week_start::DATE AS week_start, platform
               FROM unnest(?::VARCHAR[]) AS w(week_start), unnest(['x', 'all']) AS p(platform)""",
            [list(weeks)],
        )
        con.execute(
            f"""CREATE TABLE analytics.interactions AS
                SELECT 'x' AS platform, range::VARCHAR AS interaction_id,
                       TIMESTAMPTZ '2026-01-05 10:00:00+00' AS created_at
                FROM range({interactions})"""
        )
    return database


# The current week (params: now 2026-01-20) and the one before it.
CLEAN_WEEKS = ("2026-01-12", "2026-01-19")


def test_marts_gate_checks_only_what_the_run_alone_can_judge(tmp_path):
    """The invariants of the models (shares, sums, uniqueness, ...) are dbt's tests
    (tests/test_dbt_project.py proves dbt catches each); the gate keeps the two checks
    that need the run's clock or the last published run."""
    outcomes = run_gate("marts", _marts_database(tmp_path, CLEAN_WEEKS), _params(10))
    assert [(o.check, o.expectation, o.success) for o in outcomes] == [
        ("analytics.kpi_weekly", "expect_column_values_to_be_between(week_start)", True),
        (
            "analytics.interactions",
            "interactions fell by more than 50% against the last published run (10)",
            True,
        ),
    ]
    # Before the first publish there is nothing to compare the volume with.
    first = run_gate("marts", _marts_database(tmp_path / "first", CLEAN_WEEKS), _params())
    assert [o.expectation for o in first] == ["expect_column_values_to_be_between(week_start)"]


def test_marts_gate_stops_a_week_after_the_current_one(tmp_path):
    # 2026-01-26 is the Monday after the current week (2026-01-19): two rows, x and all.
    database = _marts_database(tmp_path, (*CLEAN_WEEKS, "2026-01-26"))
    with pytest.raises(GateFailed) as failure:
        run_gate("marts", database, _params(10))
    assert str(failure.value) == (
        "marts gate: 1 of 2 expectations failed: analytics.kpi_weekly "
        "expect_column_values_to_be_between(week_start): 2 unexpected, "
        "e.g. ['2026-01-26', '2026-01-26']"
    )


def test_marts_gate_stops_a_volume_drop_beyond_the_configured_share(tmp_path):
    # 10 interactions published before; a 50% drop is allowed (5 pass), 4 is too few.
    assert run_gate("marts", _marts_database(tmp_path, CLEAN_WEEKS, interactions=5), _params(10))
    with pytest.raises(
        GateFailed, match=r"interactions fell by more than 50% .*\(10\): 1 unexpected"
    ):
        run_gate("marts", _marts_database(tmp_path / "4", CLEAN_WEEKS, interactions=4), _params(10))


def _validate_clean_column_with_plain_gx(database: Path) -> tuple[bool, str | None]:
    """(success, the error GX caught) for an expectation that holds, without our helper."""
    context = gx.get_context(mode="ephemeral")
    datasource = context.data_sources.add_sql(
        name="plain", connection_string=f"duckdb:///{database}"
    )
    batch = datasource.add_table_asset(name="t", table_name="t").add_batch_definition_whole_table(
        "all"
    )
    result = batch.get_batch().validate(gxe.ExpectColumnValuesToBeBetween(column="n", min_value=0))
    datasource.get_execution_engine().engine.dispose()
    datasource.get_engine().dispose()
    return bool(result.success), raised_exception(result.exception_info)


def test_duckdb_fix_is_what_makes_gx_validate_in_sql(tmp_path, monkeypatch):
    database = tmp_path / "t.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("CREATE TABLE t AS SELECT range AS n FROM range(10)")
    without_duckdb = tuple(
        d
        for d in gx_sql_engine._PERSISTED_CONNECTION_DIALECTS
        if str(getattr(d, "value", d)) != "duckdb"
    )
    # Upstream behaviour (great_expectations#11579): a true expectation errors and fails.
    monkeypatch.setattr(gx_sql_engine, "_PERSISTED_CONNECTION_DIALECTS", without_duckdb)
    assert _validate_clean_column_with_plain_gx(database) == (False, "list index out of range")
    # With the fix the same expectation passes.
    gx_duckdb.enable()
    assert _validate_clean_column_with_plain_gx(database) == (True, None)


def test_gx_connections_are_closed_so_dbt_can_open_the_file_next(tmp_path):
    database = _raw_database(tmp_path, _youtube_row("c1", "2026-01-05 10:00:00+00"))
    run_gate("raw_batch", database, _params())
    # dbt-duckdb opens the file with its own settings; DuckDB refuses that while another
    # connection with other settings is open in the same process.
    duckdb.connect(str(database), config={"custom_user_agent": "dbt"}).close()
