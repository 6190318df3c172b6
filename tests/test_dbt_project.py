"""The dbt project, run for real: models and data tests on a small sample, then the KPI unit tests.

A module-scoped run database is built the way a pipeline run builds it (start_run creates the
raw and ops tables), a few raw rows are inserted, and `dbt build` (without unit tests) runs
the seeds, models and data tests on them. That also creates every relation the unit tests
need: dbt reads the column types of a unit test's inputs from the warehouse. Then
`dbt test --select test_type:unit` runs the KPI unit tests of models/**/_*__models.yml.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
from google.protobuf.message import Message

from learnloop import dbt_events, transform
from learnloop.build import start_run
from learnloop.config import Config, load_config
from learnloop.paths import DBT_PROJECT_DIR, FORMATS_DIR, Home
from learnloop.transform import DbtFailed, run_dbt

# The KPI unit tests are the cheapest KPI tests there are: the module is in the fast tier
# (`make test-fast`) with its one build; only the check on a broken copy of the marts, a
# second parse and test run, is slow.

# The unit tests written in the models' YAML files. Change this when adding or removing one.
# Dialogue and posts (intermediate 8, marts 23, incremental models included) 31; issue 5
# insights: interaction references (staging/curated_labels) 1; intermediate: curated labels
# 1, evidence references 1, backlog links 1, insight dates 1, weekly insights 2, spine 1;
# marts: insights 1, kpi_weekly 1. Issue 5 signals: intermediate 9 (classifier 7, rule
# patterns 1, weekly signal counts 1) and marts 4 (interactions and signals, kpi_weekly
# signal columns, topics_weekly). Issue 13 needs_reply: conversations 1, weekly dialogue 1,
# kpi_weekly 1; the classifier: model, rules and labels combined 1; topics: phrases 1, topic
# tokens 1. Issue 15 report marts: link hosts 1, rpt_quotes_weekly 1, rpt_waiting_threads 1,
# rpt_open_loops_weekly 1.
EXPECTED_UNIT_TESTS = 64

SINGULAR_TESTS = {
    "assert_conversations_fields_consistent",
    "assert_conversations_first_response_not_before_start",
    "assert_interactions_member_key_only_for_inbound",
    "assert_kpi_weekly_all_equals_sum_of_platforms",
    "assert_kpi_weekly_durations_not_negative",
    "assert_kpi_weekly_rates_are_shares",
    "assert_kpi_weekly_week_start_is_monday",
}
# dbt names a generic test after its arguments: a key checked on the rows a build wrote
# names its batch (int_conversations__changed, and the batch's own key) first.
LATEST_KEY_TEST = (
    "unique_combination_int_interactions__latest_ref_int_interactions__thread_roots___resolved_at"
    "__platform__interaction_id"
)
INTERACTIONS_KEY_TEST = (
    "unique_combination_interactions_ref_int_conversations__changed___platform__thread_id"
    "__platform__interaction_id"
)
COMPOUND_KEY_TESTS = {
    INTERACTIONS_KEY_TEST,
    "unique_combination_conversations_ref_int_conversations__changed___platform__thread_id",
    "unique_combination_kpi_weekly_week_start__platform",
}
# The published schema: persist_docs comments only the marts (dbt_project.yml).
DOCUMENTED_SCHEMAS = ("analytics",)

CONFIG_TOML = """\
timezone = "Europe/Berlin"

[brand]
youtube = ["UCbrand"]
instagram = ["@ExampleBrand"]
"""

# Inbox export rows: an instagram conversation (answered, then the fan comes back) and a
# facebook DM that nobody answered. 2026-01-04T23:30Z is Monday 00:30 in Berlin.
INBOX_ROWS = [
    # conversation_id, message_id, created_at, direction_raw, author, platform_raw, text
    ("c1", "m1", "2026-01-04 23:30:00+00", "Customer", "fan_anna", "IG", "Where is my order?"),
    ("c1", "m2", "2026-01-05 08:00:00+00", "Agent", "ExampleBrand", "IG", "On its way!"),
    ("c1", "m3", "2026-01-05 09:00:00+00", "Customer", "fan_anna", "IG", "Thanks"),
    ("c2", "m4", "2026-01-07 09:00:00+00", "Customer", "fan_ben", "Facebook Page", "Hello?"),
]
# YouTube comments under video v1 of channel UCbrand: y1 answered by the brand, y2 the
# brand's own top-level comment (not a conversation), y3 two weeks later. y1 is exported
# twice; the later load wins.
YOUTUBE_ROWS = [
    # comment_id, parent_id, author_channel_id, text, published_at, loaded_at
    ("y1", None, "UCfan", "old text", "2026-01-06 09:00:00+00", "2026-01-08 00:00:00+00"),
    ("y1", None, "UCfan", "Great video", "2026-01-06 09:00:00+00", "2026-01-09 00:00:00+00"),
    ("y1.r1", "y1", "UCbrand", "Thank you!", "2026-01-06 09:02:00+00", "2026-01-09 00:00:00+00"),
    ("y2", None, "UCbrand", "New video is out", "2026-01-06 12:00:00+00", "2026-01-09 00:00:00+00"),
    ("y3", None, "UCfan2", "Broken link", "2026-01-20 08:00:00+00", "2026-01-21 00:00:00+00"),
]


@dataclass(frozen=True)
class DbtRun:
    config: Config
    database: Path
    work_dir: Path
    build_results: list[dict]


def run_results(work_dir: Path) -> list[dict]:
    return json.loads((work_dir / "target" / "run_results.json").read_text())["results"]


def query(database: Path, sql: str) -> list[tuple]:
    # Not read_only: dbt-duckdb keeps its connection to the file open in this process, and
    # DuckDB refuses a second connection to it with a different configuration.
    with duckdb.connect(str(database)) as con:
        return con.execute(sql).fetchall()


def insert_sample(database: Path) -> None:
    with duckdb.connect(str(database)) as con:
        for row, (conv, msg, created, direction, author, platform, text) in enumerate(
            INBOX_ROWS, start=1
        ):
            con.execute(
                """
                INSERT INTO raw.inbox_csv__messages BY NAME
                SELECT ? AS conversation_id, ? AS message_id, ? AS created_at_raw,
                    ?::TIMESTAMPTZ AS created_at, ? AS direction_raw, ? AS author,
                    ? AS platform_raw, ? AS text, 'inbox.csv' AS _source_file,
                    ? AS _source_row, TIMESTAMPTZ '2026-01-21 00:00:00+00' AS _loaded_at
                """,
                [conv, msg, created, created, direction, author, platform, text, row],
            )
        for row, (comment, parent, author, text, published, loaded) in enumerate(
            YOUTUBE_ROWS, start=1
        ):
            con.execute(
                """
                INSERT INTO raw.youtube_api__comments BY NAME
                SELECT ? AS comment_id, ? AS parent_id, 'v1' AS video_id,
                    'UCbrand' AS channel_id, ? AS author_channel_id,
                    ? AS author_display_name, ? AS text, ? AS published_at_raw,
                    ?::TIMESTAMPTZ AS published_at, 'comments.json' AS _source_file,
                    ? AS _source_row, ?::TIMESTAMPTZ AS _loaded_at
                """,
                [comment, parent, author, author, text, published, published, row, loaded],
            )


@pytest.fixture(scope="module")
def dbt_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DbtRun]:
    root = tmp_path_factory.mktemp("dbt_project")
    home = Home(root / "home")
    home.ensure()
    home.config_file.write_text(CONFIG_TOML, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        # run_dbt sets LEARNLOOP_BUILD_DB in os.environ; the context restores both afterwards.
        mp.setenv("LEARNLOOP_HOME", str(home.root))
        mp.setenv("LEARNLOOP_BUILD_DB", "")
        config = load_config(home, environ={"LEARNLOOP_HOME": str(home.root)})
        context = start_run(config)
        insert_sample(context.database_path)
        work_dir = root / "build"
        run_dbt(
            ["build", "--exclude-resource-type", "unit_test"],
            context.database_path,
            config,
            work_dir,
        )
        yield DbtRun(config, context.database_path, root, run_results(work_dir))


def test_a_build_leaves_no_dbt_log(dbt_run: DbtRun):
    # dbt's DEBUG file log is off unless DBT_LOG_LEVEL_FILE asks for it (README, "dbt's
    # log"): dbt makes its log folder and leaves it empty.
    assert list((dbt_run.work_dir / "build" / "logs").iterdir()) == []


def test_models_and_data_tests_pass(dbt_run: DbtRun):
    by_type: dict[str, list[dict]] = {}
    for result in dbt_run.build_results:
        by_type.setdefault(result["unique_id"].split(".")[0], []).append(result)
    assert {r["status"] for r in by_type["model"]} == {"success"}
    tests = by_type["test"]
    failing = [r["unique_id"] for r in tests if r["status"] not in {"pass", "warn"}]
    assert failing == []
    names = {r["unique_id"].split(".")[2] for r in tests}
    assert names >= SINGULAR_TESTS
    assert names >= COMPOUND_KEY_TESTS
    assert "not_null_interactions" in names  # passed on rows without NULLs (failing == [])


def test_not_null_is_checked_once_per_model(dbt_run: DbtRun):
    # One not_null_columns test per model or seed, named after it, instead of dbt's not_null
    # per column; conversations has a second one for its warn-only started_at. The staging
    # models of a shape have none of their own: one shape_not_null on their union checks them.
    manifest = json.loads((dbt_run.work_dir / "build" / "target" / "manifest.json").read_text())
    generic = [
        (node["test_metadata"]["name"], node["name"], node["attached_node"].split(".")[-1])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("test_metadata")
    ]
    assert [name for test, name, _ in generic if test == "not_null"] == []
    not_null = [(name, model) for test, name, model in generic if test == "not_null_columns"]
    assert [name for name, model in not_null if not name.startswith(f"not_null_{model}")] == []
    per_model = sorted(model for _, model in not_null)
    assert [m for m in set(per_model) if per_model.count(m) > 1] == ["conversations"]
    # Of the staging models only the helpers that feed no shape have one of their own (in
    # their format's _<format>__models.yml).
    assert [m for m in per_model if m.startswith("stg_")] == [
        "stg_bluesky_api__post_views",
        "stg_mastodon_api__statuses",
        "stg_mastodon_outbox__notes",
        "stg_x_api__tweets",
        "stg_x_archive_tweets__tweets",
    ]
    shapes = sorted(
        (
            name,
            model,
            node["test_metadata"]["kwargs"]["shape"],
            node["test_metadata"]["kwargs"]["by"],
        )
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node.get("test_metadata", {}).get("name") == "shape_not_null"
        for name, model in [(node["name"], node["attached_node"].split(".")[-1])]
    )
    assert shapes == [
        (
            "not_null_int_backlog_items__unioned",
            "int_backlog_items__unioned",
            "backlog_items",
            "source",
        ),
        ("not_null_int_followers__unioned", "int_followers__unioned", "followers", "source_format"),
        (
            "not_null_int_interactions__unioned",
            "int_interactions__unioned",
            "interactions",
            "source_format",
        ),
        ("not_null_int_posts__unioned", "int_posts__unioned", "posts", "source_format"),
    ]


def test_sample_kpis(dbt_run: DbtRun):
    # The spine: weeks 2026-01-05 .. 2026-01-19 (Berlin) x {facebook, instagram, youtube, all}.
    rows = query(
        dbt_run.database,
        """
        SELECT week_start::VARCHAR, inbound_messages, outbound_messages, conversations,
            answered_conversations, two_way_rate
        FROM analytics.kpi_weekly WHERE platform = 'all' ORDER BY week_start
        """,
    )
    assert rows == [
        # in: m1 (Mon 00:30 Berlin), m3, m4, y1; out: m2, y1.r1, y2; conversations c1, c2,
        # y1, answered c1 and y1, two-way c1 only.
        ("2026-01-05", 4, 3, 3, 2, pytest.approx(1 / 3)),
        ("2026-01-12", 0, 0, 0, 0, None),
        ("2026-01-19", 1, 0, 1, 0, 0.0),
    ]
    assert query(dbt_run.database, "SELECT count(*) FROM analytics.kpi_weekly") == [(12,)]
    # The later export of y1 wins; the brand's member_key is NULL.
    assert query(
        dbt_run.database,
        """
        SELECT interaction_id, direction, member_key IS NULL, text FROM analytics.interactions
        WHERE platform = 'youtube' ORDER BY interaction_id
        """,
    ) == [
        ("y1", "inbound", False, "Great video"),
        ("y1.r1", "outbound", True, "Thank you!"),
        ("y2", "outbound", True, "New video is out"),
        ("y3", "inbound", False, "Broken link"),
    ]


def test_every_column_carries_a_comment(dbt_run: DbtRun):
    """persist_docs turns the YAML descriptions into COMMENT ON for BI tools."""
    schemas = ", ".join(f"'{s}'" for s in DOCUMENTED_SCHEMAS)
    tables = query(
        dbt_run.database,
        f"SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE schema_name IN ({schemas})",
    )
    assert {name for _, name, _ in tables} >= {"interactions", "conversations", "kpi_weekly"}
    assert [(s, t) for s, t, comment in tables if not comment] == []
    undocumented = query(
        dbt_run.database,
        f"""
        SELECT schema_name, table_name, column_name FROM duckdb_columns()
        WHERE schema_name IN ({schemas}) AND coalesce(trim(comment), '') = ''
        """,
    )
    assert undocumented == []


def test_kpi_unit_tests_pass(dbt_run: DbtRun):
    work_dir = dbt_run.work_dir / "unit"
    run_dbt(["test", "--select", "test_type:unit"], dbt_run.database, dbt_run.config, work_dir)
    results = [r for r in run_results(work_dir) if r["unique_id"].startswith("unit_test.")]
    assert [r["unique_id"] for r in results if r["status"] != "pass"] == []
    assert len(results) == EXPECTED_UNIT_TESTS


def test_a_wrong_expectation_fails(dbt_run: DbtRun, monkeypatch: pytest.MonkeyPatch):
    """The unit tests compare for real: a copy of the project with p90 82.0 -> 83.0 fails."""
    project = dbt_run.work_dir / "broken_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    # The staging models live with their formats, beside the project (dbt_project.yml).
    formats = project.parent / FORMATS_DIR.relative_to(DBT_PROJECT_DIR.parent)
    formats.parent.mkdir(parents=True, exist_ok=True)
    formats.symlink_to(FORMATS_DIR)
    marts_yml = project / "models" / "marts" / "_marts__models.yml"
    text = marts_yml.read_text(encoding="utf-8")
    assert "p90_first_response_minutes: 82.0" in text
    marts_yml.write_text(
        text.replace("p90_first_response_minutes: 82.0", "p90_first_response_minutes: 83.0"),
        encoding="utf-8",
    )
    monkeypatch.setattr(transform, "DBT_PROJECT_DIR", project)
    # The broken project's parse is kept apart: the project parsed once for this process stays
    # for the builds and tests after this one (transform._parsed_in_process).
    monkeypatch.setattr(transform, "_parsed_in_process", {})
    with pytest.raises(DbtFailed, match="kpi_weekly_first_response_quantiles_interpolate"):
        run_dbt(
            ["test", "--select", "int_kpi_weekly__dialogue,test_type:unit"],
            dbt_run.database,
            dbt_run.config,
            dbt_run.work_dir / "broken",
        )


# Rules dbt holds alone (the marts gate checked them too until issue 15): each is broken on
# its own rows of a copy of the built sample, and its test returns exactly those rows.
# Sample (Berlin weeks 01-05, 01-12, 01-19 x facebook, instagram, youtube, all; see
# test_sample_kpis): 01-05 all has 3 conversations, 1 needing a reply; 01-19 youtube's y3
# is a problem that needs a reply; 01-12 has no activity (counts 0, rates NULL).
BREAKS = """
UPDATE analytics.kpi_weekly SET response_rate = 1.5
    WHERE week_start = '2026-01-05' AND platform = 'instagram';
UPDATE analytics.kpi_weekly SET two_way_rate = -0.5
    WHERE week_start = '2026-01-05' AND platform = 'facebook';
UPDATE analytics.kpi_weekly SET signal_rate = 1.5
    WHERE week_start = '2026-01-05' AND platform = 'youtube';
UPDATE analytics.kpi_weekly SET closed_loop_rate_12w = 1.5
    WHERE week_start = '2026-01-19' AND platform = 'facebook';
UPDATE analytics.kpi_weekly SET needing_reply_response_rate = 1.5
    WHERE week_start = '2026-01-19' AND platform = 'youtube';
UPDATE analytics.kpi_weekly SET median_first_response_minutes = -1
    WHERE week_start = '2026-01-12' AND platform = 'facebook';
UPDATE analytics.kpi_weekly SET p90_first_response_minutes = -1
    WHERE week_start = '2026-01-12' AND platform = 'instagram';
UPDATE analytics.kpi_weekly SET needing_reply_median_first_response_minutes = -1
    WHERE week_start = '2026-01-12' AND platform = 'youtube';
-- all = sum: 'all' says 2 conversations needed a reply in 01-05 (the platforms 1); youtube
-- loses its problem in 01-19 ('all' keeps 1); youtube has an open loop in 01-12 that 'all'
-- (0) lacks: insight counts on 'all' may exceed the sum, never fall short.
UPDATE analytics.kpi_weekly SET conversations_needing_reply = 2
    WHERE week_start = '2026-01-05' AND platform = 'all';
UPDATE analytics.kpi_weekly SET problems = 0
    WHERE week_start = '2026-01-19' AND platform = 'youtube';
UPDATE analytics.kpi_weekly SET open_loops = 1
    WHERE week_start = '2026-01-12' AND platform = 'youtube';
-- A second (01-19, instagram) row, all zeros, so no sum changes.
INSERT INTO analytics.kpi_weekly
    SELECT * FROM analytics.kpi_weekly WHERE week_start = '2026-01-19' AND platform = 'instagram';
UPDATE analytics.conversations SET first_response_minutes = -2 WHERE thread_id = 'y1';
UPDATE analytics.conversations SET turns = 0 WHERE thread_id = 'c2';
-- NULLs in two of not_null_interactions' columns: one created_at, two thread_ids.
UPDATE analytics.interactions SET created_at = NULL WHERE interaction_id = 'm3';
UPDATE analytics.interactions SET thread_id = NULL WHERE interaction_id IN ('y2', 'y3');
-- NULL ids in both staging models under int_interactions__unioned (a view over them): one
-- inbox message, two YouTube comments.
UPDATE raw.inbox_csv__messages SET message_id = NULL WHERE message_id = 'm1';
UPDATE raw.youtube_api__comments SET comment_id = NULL WHERE comment_id IN ('y2', 'y3');
-- A second copy of a row in two models whose key tests check the rows the last build wrote
-- (its batch): by the model's own key (y1's version) and by its thread (m4, of conversation c2).
INSERT INTO intermediate.int_interactions__latest
    SELECT * FROM intermediate.int_interactions__latest WHERE interaction_id = 'y1';
INSERT INTO analytics.interactions SELECT * FROM analytics.interactions WHERE interaction_id = 'm4';
"""
# test -> the rows it must return: (week, platform) for kpi_weekly, else the row's key; the
# not-null test (not_null_columns) returns one row per column with NULLs: name, how many.
CAUGHT = {
    "assert_kpi_weekly_rates_are_shares": [
        ("2026-01-05", "facebook"),
        ("2026-01-05", "instagram"),
        ("2026-01-05", "youtube"),
        ("2026-01-19", "facebook"),
        ("2026-01-19", "youtube"),
    ],
    "assert_kpi_weekly_durations_not_negative": [
        ("2026-01-12", "facebook"),
        ("2026-01-12", "instagram"),
        ("2026-01-12", "youtube"),
    ],
    "assert_kpi_weekly_all_equals_sum_of_platforms": [
        ("2026-01-05",),
        ("2026-01-12",),
        ("2026-01-19",),
    ],
    "unique_combination_kpi_weekly_week_start__platform": [("2026-01-19", "instagram")],
    "assert_conversations_first_response_not_before_start": [("youtube", "y1")],
    "assert_conversations_fields_consistent": [("facebook", "c2")],
    "not_null_interactions": [("created_at", 1), ("thread_id", 2)],
    "not_null_int_interactions__unioned": [
        ("interaction_id", "inbox_csv", 1),
        ("interaction_id", "youtube_api", 2),
    ],
    LATEST_KEY_TEST: [("youtube", "y1", 2)],
    INTERACTIONS_KEY_TEST: [("facebook", "m4", 2)],
}
CAUGHT_KEYS = {
    LATEST_KEY_TEST: "platform, interaction_id, rows_with_this_key",
    INTERACTIONS_KEY_TEST: "platform, interaction_id, rows_with_this_key",
    "assert_kpi_weekly_all_equals_sum_of_platforms": "week_start::VARCHAR",
    "assert_conversations_first_response_not_before_start": "platform, thread_id",
    "assert_conversations_fields_consistent": "platform, thread_id",
    "not_null_interactions": "column_name, null_rows",
    "not_null_int_interactions__unioned": "column_name, source, null_rows",
}


def audit_table(test_name: str) -> str:
    """The table `--store-failures` keeps a test's rows in: dbt shortens a generic test's name
    of 64 characters or more to its first 30 and the MD5 of the whole name
    (dbt.parser.generic_test_builders.synthesize_generic_test_names)."""
    if len(test_name) < 64:
        return test_name
    return f"{test_name[:30]}_{hashlib.md5(test_name.encode()).hexdigest()}"


@pytest.mark.slow
def test_dbt_catches_each_rule_the_marts_gate_no_longer_checks(dbt_run: DbtRun):
    # The copy keeps the database's file name (in a folder of its own): dbt's target.database
    # is the name, so the project parsed for the build is reused (transform._parse_key).
    broken = dbt_run.work_dir / "broken_marts" / dbt_run.database.name
    broken.parent.mkdir()
    shutil.copy2(dbt_run.database, broken)
    with duckdb.connect(str(broken)) as con:
        con.execute(BREAKS)
    work_dir = dbt_run.work_dir / "broken_marts" / "dbt"
    with pytest.raises(DbtFailed) as failure:
        run_dbt(["test", "--store-failures", "--select", *CAUGHT], broken, dbt_run.config, work_dir)
    lines = {name: f"{name} (fail)" for name in CAUGHT}
    # The not-null test's line names the columns with NULLs, as its rows do (below).
    lines["not_null_interactions"] = (
        "not_null_interactions (fail: NULL in created_at 1 row; thread_id 2 rows)"
    )
    # The shape's test over the union names the formats whose rows hold the NULLs.
    lines["not_null_int_interactions__unioned"] = (
        "not_null_int_interactions__unioned"
        " (fail: NULL in interaction_id 1 row from inbox_csv and 2 rows from youtube_api)"
    )
    assert sorted(str(failure.value).removeprefix("dbt test failed: ").split(", ")) == sorted(
        lines.values()
    )
    # --store-failures keeps each test's rows in the schema dbt_test__audit.
    returned = {
        name: sorted(
            query(
                broken,
                f"SELECT {CAUGHT_KEYS.get(name, 'week_start::VARCHAR, platform')} "
                f"FROM dbt_test__audit.{audit_table(name)}",
            )
        )
        for name in CAUGHT
    }
    assert returned == CAUGHT


def test_dbt_connections_have_the_configured_limits(dbt_run: DbtRun):
    # profiles.yml gives dbt's connections the [performance] limits (the variables
    # learnloop's runner sets from learnloop.toml) and the time zone: what a model's query
    # sees.
    from dbt.cli.main import dbtRunner

    sql = (
        "select current_setting('memory_limit') as memory, current_setting('threads') as threads,"
        " current_setting('TimeZone') as zone"
    )
    manifest = transform._parsed_project(transform._parse_key(dbt_run.database), dbt_run.config)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEARNLOOP_BUILD_DB", str(dbt_run.database))
        mp.setenv("LEARNLOOP_DUCKDB_MEMORY_LIMIT", "300MB")
        mp.setenv("LEARNLOOP_DUCKDB_THREADS", "1")
        shown = transform._invoke(
            dbtRunner(manifest=manifest),
            ["show", "--inline", sql],
            dbt_run.config,
            dbt_run.work_dir / "show",
        )
        transform._close_dbt_duckdb_connection()
    assert shown.success, shown.exception
    # 300 MB = 3 * 10^8 bytes, shown in binary units: 286.1 MiB.
    rows = [tuple(str(value) for value in row) for row in shown.result.results[0].agate_table]
    assert rows == [("286.1 MiB", "1", "UTC")]


def test_every_event_message_of_a_build_is_the_one_dbt_makes(
    dbt_run: DbtRun, monkeypatch: pytest.MonkeyPatch
):
    """learnloop/dbt_events.py builds dbt's event messages with their classes: in a build of
    two seeds, a model and their data tests, every event and every wrapped message it fires
    is also made by dbt's own code (ParseDict), and the two are equal byte for byte."""
    fast, differing = set(), []

    def observed(message_class: type[Message], fields: dict[str, Any]) -> Message | None:
        message = built(message_class, fields)
        if message is not None:
            fast.add(message_class.__name__)
        return message

    def event_compared(event: Any, *args: Any, **kwargs: Any) -> None:
        event_init(event, *args, **kwargs)
        reference = object.__new__(type(event))
        dbt_events._DBT_EVENT_INIT(reference, *args, **kwargs)
        if _bytes(event.pb_msg) != _bytes(reference.pb_msg):
            differing.append((type(event).__name__, kwargs))

    def message_compared(event: Any, level: Any = None) -> Message:
        message = event_message(event, level)
        reference = dbt_events._DBT_EVENT_MESSAGE(event, level)
        reference.info.ts.CopyFrom(message.info.ts)  # the clock moved on in between
        if _bytes(message) != _bytes(reference):
            differing.append((type(message).__name__, str(message.info)))
        return message

    built, event_init, event_message = (
        dbt_events.built,
        dbt_events._event_init,
        dbt_events._event_message,
    )
    monkeypatch.setattr(dbt_events, "built", observed)
    monkeypatch.setattr(dbt_events, "_event_init", event_compared)
    monkeypatch.setattr(dbt_events, "_event_message", message_compared)
    try:
        run_dbt(  # installs the wrapped functions
            ["build", "--select", "language_markers signal_terms int_signal_rules__patterns"],
            dbt_run.database,
            dbt_run.config,
            dbt_run.work_dir / "events",
        )
    finally:
        monkeypatch.undo()
        dbt_events.install()
    assert differing == []
    # Built by their classes: each kind of message a build's nodes send, and its wrapper.
    assert {
        "NodeStart",
        "SQLQuery",
        "SQLQueryStatus",
        "LogSeedResult",
        "LogModelResult",
        "LogTestResult",
        "NodeStartMsg",
        "SQLQueryMsg",
        "LogTestResultMsg",
    } <= fast
    # A time given as text: those dbt builds itself, with ParseDict.
    assert not {"NodeFinished", "EndRunResult", "CommandCompleted"} & fast


def _bytes(message: Message) -> bytes:
    return message.SerializeToString(deterministic=True)
