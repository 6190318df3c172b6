"""Incremental dbt builds: a daily run on top of earlier ones gives what one full build gives.

Two landing days (tests/fixtures/incremental/): day 1 brings inbox thread a (a question on
Sunday 2026-01-04 10:00 UTC, unanswered), thread b (answered after 30 minutes), YouTube
thread Y1 (a question, no reply yet) and X post T1 (1000 impressions). Day 2 brings the
brand's late reply to a (Monday 09:00 UTC, in the next week), Y1 re-exported with the
brand's reply after 45 minutes, and T1 re-exported with 1500 impressions.
One home builds day 1, then day 2 incrementally; another builds both days at once.

The daily home embeds at most 1 text on day 1 ([classifier] embedding_budget = 1): the newest,
Y1; the rules classify a1, b1 and b2 while they wait, and day 2 (default budget) embeds them and
classifies them again with the model. Then the daily home rebuilds with --full-refresh and
nothing new: it embeds nothing and gives the same tables. A copy of the at-once home then gets
a labels file (a later label relabels a message of an unchanged thread).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from learnloop.build import promote
from learnloop.config import Config
from learnloop.evaluate_classifier import classify_set, evaluate_with_head, score
from learnloop.paths import DBT_PROJECT_DIR, Home
from learnloop.transform import build_fingerprint, build_models
from tests.conftest import FIXTURE_CONFIG, FIXTURES, query
from tests.harness import configure, ingest, land, make_home
from tests.published_build import copy_home

DAYS = FIXTURES / "incremental"
# Both homes pseudonymise members with the same salt, so their member_keys compare.
CONFIG = FIXTURE_CONFIG + '\n[privacy]\nsalt = "incremental-test-salt"\n'
DAY1_CONFIG = CONFIG + "\n[classifier]\nembedding_budget = 1\n"

# Every table dbt builds in the intermediate and analytics schemas (the views hold nothing of
# their own)...
VIEWS = {"int_interactions__unioned", "int_interactions__pending_texts"}
MODEL_TABLES = sorted(
    f"{'analytics' if folder == 'marts' else 'intermediate'}.{path.stem}"
    for folder in ("intermediate", "marts")
    for path in (DBT_PROJECT_DIR / "models" / folder).rglob("*.*")
    if path.suffix in {".sql", ".py"} and path.stem not in VIEWS
)
# ...but what a build did rather than what it knows: the texts it embedded and the threads and
# weeks it changed (after a full build: all of them).
BUILD_LOGS = {
    "intermediate.int_signal_embeddings__batch",
    "intermediate.int_conversations__changed",
    "intermediate.int_weeks__changed",
}
# When a row was loaded, resolved or classified, or a post's export was loaded: a different
# instant in each home; and a thread's id before the build that last resolved the row (a
# re-exported comment has one in the daily home, none after one build).
BUILD_HISTORY = ("loaded_at", "resolved_at", "classified_at", "snapshot_at", "previous_thread_id")


@dataclass(frozen=True)
class Builds:
    day1: Path  # a copy of the daily home's database after day 1
    daily: Path  # a copy of the daily home's database after day 2 (incremental)
    at_once: Path  # both days in one build
    rebuilt: Path  # a copy of the daily home's database after a --full-refresh, nothing new
    rerun: Path  # the daily home's database after one more build, nothing new, incremental
    full_refresh: tuple[bool, ...]  # per build: day 1, day 2, at once, rebuild, rerun
    at_once_copy: Home  # a copy of the at-once home, for a test that builds on it
    artifacts: frozenset[str]  # what the day-2 build left in dbt's target folder


def _land(config: Config, day: str) -> None:
    for export in sorted((DAYS / day).iterdir()):
        land(config, export, f"{day}/{export.name}")


def _build(config: Config, work_dir: Path, *, full_refresh: bool = False) -> bool:
    context, summary = ingest(config)
    assert summary.as_dict()["quarantined"] == 0
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEARNLOOP_BUILD_DB", "")  # build_models sets it; the context restores it
        full_refresh = build_models(
            context.database_path, config, work_dir, full_refresh=full_refresh
        )
    promote(context, config)
    return full_refresh


def _copy(database: Path, target: Path) -> Path:
    target.write_bytes(database.read_bytes())
    return target


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builds]:
    root = tmp_path_factory.mktemp("incremental")
    daily = configure(make_home(root / "daily"), DAY1_CONFIG)
    _land(daily, "day1")
    first = _build(daily, root / "dbt1")
    day1 = _copy(daily.home.build_database, root / "day1.duckdb")
    daily = configure(daily.home, CONFIG)
    _land(daily, "day2")
    second = _build(daily, root / "dbt2")
    day2 = _copy(daily.home.build_database, root / "day2.duckdb")
    rebuild = _build(daily, root / "dbt4", full_refresh=True)
    rebuilt = _copy(daily.home.build_database, root / "rebuilt.duckdb")
    rerun = _build(daily, root / "dbt5")

    at_once = configure(make_home(root / "at_once"), CONFIG)
    _land(at_once, "day1")
    _land(at_once, "day2")
    third = _build(at_once, root / "dbt3")
    yield Builds(
        day1,
        day2,
        at_once.home.build_database,
        rebuilt,
        daily.home.build_database,
        (first, second, third, rebuild, rerun),
        copy_home(at_once.home, root / "at_once_copy"),
        frozenset(path.name for path in (root / "dbt2" / "target").iterdir()),
    )


pytestmark = pytest.mark.slow


def test_the_first_build_is_full_the_next_incremental(builds: Builds):
    assert builds.full_refresh == (True, False, True, True, False)
    # A run's build writes none of dbt's JSON artifacts (NO_ARTIFACTS): its folder goes.
    assert builds.artifacts & {"manifest.json", "run_results.json", "graph.gpickle"} == set()
    assert "compiled" in builds.artifacts  # while dbt did write into this target folder


SIGNALS = """
    SELECT interaction_id, signal_source, model_category IS NOT NULL
    FROM intermediate.int_interactions__signals ORDER BY interaction_id
"""


def test_messages_beyond_the_budget_wait_for_the_model_and_are_classified_again(builds: Builds):
    # Day 1: 4 texts (a1 Sunday 10:00, b1 Monday 08:00, b2 08:30, Y1 Tuesday 09:00); a budget
    # of 1 embeds the newest, Y1. The rules classify the three others meanwhile.
    assert query(builds.day1, "SELECT count(*) FROM ops.embedding_cache") == [(1,)]
    by_source = query(builds.day1, SIGNALS)
    assert [(source, modelled) for _, source, modelled in by_source] == [
        ("model", True),  # Y1 "Wann kommt der Lofoten wieder?": embedded, the model decides
        ("rule", False),  # inc-a1
        ("rule", False),  # inc-b1
        ("rule", False),  # inc-b2
    ]
    # Day 2 embeds the 3 that waited and the 2 new texts (a2 and the brand's reply to Y1; Y1
    # is exported again with the same text, already cached): 1 + 5 = 6 cached, and every
    # message has the model's category now.
    assert query(builds.daily, "SELECT count(*) FROM ops.embedding_cache") == [(6,)]
    embedded = "SELECT count(*) FROM intermediate.int_signal_embeddings__batch"
    assert query(builds.daily, embedded) == [(5,)]
    assert {modelled for _, _, modelled in query(builds.daily, SIGNALS)} == {True}


def test_a_full_refresh_embeds_nothing_and_keeps_the_lemmas(builds: Builds):
    cached = "SELECT count(*), max(embedded_at) FROM ops.embedding_cache"
    assert query(builds.rebuilt, cached) == query(builds.daily, cached)
    assert query(
        builds.rebuilt, "SELECT count(*) FROM intermediate.int_signal_embeddings__batch"
    ) == [(0,)]
    # int_topic_lemmas is not rebuilt either (full_refresh false): the same rows, none new.
    lemmas = "SELECT count(*), count(DISTINCT lemmatiser) FROM intermediate.int_topic_lemmas"
    assert query(builds.rebuilt, lemmas) == query(builds.daily, lemmas)
    assert query(builds.rebuilt, lemmas)[0][0] > 0


def test_a_late_reply_updates_its_conversation_and_its_week(builds: Builds):
    conversation = (
        "SELECT week_start::VARCHAR, answered, first_response_minutes, turns "
        "FROM analytics.conversations WHERE thread_id = 'inc-thread-a'"
    )
    # Europe/Berlin: Sunday 2026-01-04 11:00 local -> week 2025-12-29.
    assert query(builds.day1, conversation) == [("2025-12-29", False, None, 1)]
    # Reply at 2026-01-05 09:00 UTC: 23 h after the question = 1380.0 minutes.
    assert query(builds.daily, conversation) == [("2025-12-29", True, 1380.0, 2)]

    week = (
        "SELECT platform, inbound_messages, outbound_messages, conversations, "
        "answered_conversations, response_rate, median_first_response_minutes "
        "FROM analytics.kpi_weekly WHERE week_start = DATE '{}' AND platform <> 'x' "
        "ORDER BY platform"
    )
    assert query(builds.day1, week.format("2025-12-29")) == [
        ("all", 1, 0, 1, 0, 0.0, None),
        ("facebook", 1, 0, 1, 0, 0.0, None),
        ("youtube", 0, 0, 0, 0, None, None),  # the spine: a week without youtube activity
    ]
    assert query(builds.daily, week.format("2025-12-29")) == [
        ("all", 1, 0, 1, 1, 1.0, 1380.0),
        ("facebook", 1, 0, 1, 1, 1.0, 1380.0),
        ("youtube", 0, 0, 0, 0, None, None),
    ]
    # The reply itself counts in the week it was written: facebook outbound b2 and a2;
    # youtube Y1 answered after 45 minutes; 'all' median of (30, 45) = 37.5.
    assert query(builds.daily, week.format("2026-01-05")) == [
        ("all", 2, 3, 2, 2, 1.0, 37.5),
        ("facebook", 1, 2, 1, 1, 1.0, 30.0),
        ("youtube", 1, 1, 1, 1, 1.0, 45.0),
    ]


def test_a_re_exported_post_replaces_its_metrics(builds: Builds):
    post = "SELECT post_id, impressions, reactions FROM analytics.posts"
    assert query(builds.day1, post) == [("2008100000000000001", 1000, 20)]
    assert query(builds.daily, post) == [("2008100000000000001", 1500, 30)]


def _rows(database: Path, table: str) -> list[tuple]:
    schema, name = table.split(".")
    columns = [
        column
        for (column,) in query(
            database,
            "SELECT column_name FROM duckdb_columns() "
            "WHERE schema_name = ? AND table_name = ? ORDER BY column_index",
            [schema, name],
        )
        if column not in BUILD_HISTORY
    ]
    assert columns, f"{table} was not built"
    return query(database, f"SELECT {', '.join(columns)} FROM {table} ORDER BY ALL")


@pytest.mark.parametrize("table", [t for t in MODEL_TABLES if t not in BUILD_LOGS])
def test_incremental_equals_one_full_build(builds: Builds, table: str):
    daily = _rows(builds.daily, table)
    assert daily == _rows(builds.at_once, table)
    # A --full-refresh of the daily home gives the same again, and so does the next build.
    assert daily == _rows(builds.rebuilt, table)
    assert daily == _rows(builds.rerun, table)


CHANGED = (
    "SELECT (SELECT count(*) FROM intermediate.int_conversations__changed),"
    " (SELECT count(*) FROM intermediate.int_weeks__changed)"
)


def test_a_build_with_nothing_new_recomputes_nothing_even_after_a_full_refresh(builds: Builds):
    # The full refresh resolved every thread: a and b (inbox, private: pseudonymised) and Y1,
    # in the weeks of 2025-12-29 (a's question, Sunday 2026-01-04) and 2026-01-05 (the rest).
    assert query(builds.rebuilt, CHANGED) == [(3, 2)]
    # The next build resolves and classifies nothing, so it recomputes no thread and no
    # week; it used to take the newest resolved_at, the full refresh's, and redo them all.
    assert query(builds.rerun, CHANGED) == [(0, 0)]


def test_every_signal_table_is_compared():
    """The comparison reaches the classifier and topics tables (and is not empty)."""
    assert {
        "analytics.interactions",
        "analytics.signals",
        "analytics.topics_weekly",
        "intermediate.int_interactions__signals",
        "intermediate.int_interactions__texts",
        "intermediate.int_signal_model__head",
        "intermediate.int_topic_lemmas",
    } <= set(MODEL_TABLES) - BUILD_LOGS
    # 43 models in the two folders and 3 in marts/report/, 2 of them views.
    assert len(MODEL_TABLES) == 44


def test_settings_the_models_depend_on_force_a_full_refresh(tmp_path: Path):
    home = make_home(tmp_path / "home")
    base = configure(home, FIXTURE_CONFIG)
    same = configure(home, FIXTURE_CONFIG)
    other_brand = configure(home, FIXTURE_CONFIG.replace("Demo0001", "Demo0002"))
    other_zone = configure(home, FIXTURE_CONFIG.replace("Europe/Berlin", "UTC"))

    assert build_fingerprint(base) == build_fingerprint(same)
    assert build_fingerprint(other_brand) != build_fingerprint(base)
    assert build_fingerprint(other_zone) != build_fingerprint(base)


def test_a_later_labels_file_relabels_an_interaction_of_an_unchanged_thread(
    builds: Builds, tmp_path: Path
):
    """A person's label arrives after the message was classified. Its thread gets no new
    export, so an incremental build would never rewrite it: new labels rebuild in full."""
    config = configure(builds.at_once_copy, CONFIG)  # both days built, every text embedded
    category = "SELECT signal_category, signal_source FROM analytics.interactions WHERE interaction_id = 'inc-a1'"
    # "Is the Fjord 2 available in size S?": a question by the rules and by the model.
    assert query(config.home.build_database, category) == [("question", "model")]

    labels = tmp_path / "labels.csv"
    labels.write_text(
        "platform,interaction,signal_category\nfacebook,inc-a1,complaint\nfacebook,inc-b1,problem\n"
    )
    land(config, labels, "labels/labels.csv")
    assert _build(config, tmp_path / "dbt2") is True
    assert query(config.home.build_database, category) == [("complaint", "human")]
    # The same run retrained the head on the 2 labels (their messages were embedded first):
    # the head trained without them agrees with neither (a1 a question, b1 none); the new one
    # learnt both, b1's problem and a1's complaint (a label weighs 3 examples, and the light
    # penalty lets the head follow them). The label itself decides a1 anyway: 'human'.
    head = (
        "SELECT any_value(shipped_examples), any_value(workspace_labels), "
        "any_value(labels_matched_before), any_value(labels_matched_after) "
        "FROM intermediate.int_signal_model__head"
    )
    assert query(config.home.build_database, head) == [(1927, 2, 0, 2)]
    # With nothing new, the next build is incremental again.
    assert _build(config, tmp_path / "dbt3") is False

    # `evaluate_classifier --home`: a labelled set with the labelled texts, classified by the
    # shipped head (a question, none) and by this home's head (a complaint, a problem).
    labelled = tmp_path / "set.csv"
    labelled.write_text(
        "id,platform,language,category,text\n"
        "s1,x,en,complaint,Is the Fjord 2 available in size S?\n"
        "s2,x,en,problem,Chain keeps slipping\n"
    )
    database, seconds = classify_set(labelled, tmp_path / "eval")
    assert score(database, labelled, seconds).confusion == {
        ("complaint", "question"): 1,
        ("problem", "none"): 1,
    }
    workspace, trained_on = evaluate_with_head(
        database, labelled, tmp_path / "eval", config.home.build_database
    )
    assert trained_on == "1927 shipped examples + 2 of the workspace's labels"
    assert workspace.confusion == {("complaint", "complaint"): 1, ("problem", "problem"): 1}
