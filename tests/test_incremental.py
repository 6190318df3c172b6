"""Incremental dbt builds: a daily run on top of earlier ones gives what one full build gives.

Two landing days (tests/fixtures/incremental/): day 1 brings inbox thread a (a question on
Sunday 2026-01-04 10:00 UTC, unanswered), thread b (answered after 30 minutes), YouTube
thread Y1 (a question, no reply yet) and X post T1 (1000 impressions). Day 2 brings the
brand's late reply to a (Monday 09:00 UTC, in the next week), Y1 re-exported with the
brand's reply after 45 minutes, and T1 re-exported with 1500 impressions.
One home builds day 1, then day 2 incrementally; another builds both days at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from learnloop.build import promote
from learnloop.config import Config
from learnloop.transform import build_fingerprint, build_models
from tests.conftest import FIXTURE_CONFIG, FIXTURES, query
from tests.harness import configure, ingest, land, make_home

DAYS = FIXTURES / "incremental"
MARTS = ("interactions", "conversations", "kpi_weekly", "posts")
# Both homes pseudonymise members with the same salt, so their member_keys compare.
CONFIG = FIXTURE_CONFIG + '\n[privacy]\nsalt = "incremental-test-salt"\n'


@dataclass(frozen=True)
class Builds:
    day1: Path  # a copy of the daily home's database after day 1
    daily: Path  # the daily home's database after day 2 (incremental)
    at_once: Path  # both days in one build
    full_refresh: tuple[bool, ...]  # per build: day 1, day 2, at once


def _land(config: Config, day: str) -> None:
    for export in sorted((DAYS / day).iterdir()):
        land(config, export, f"{day}/{export.name}")


def _build(config: Config, work_dir: Path) -> bool:
    context, summary = ingest(config)
    assert summary.as_dict()["quarantined"] == 0
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEARNLOOP_BUILD_DB", "")  # build_models sets it; the context restores it
        full_refresh = build_models(context.database_path, config, work_dir)
    promote(context, config)
    return full_refresh


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builds]:
    root = tmp_path_factory.mktemp("incremental")
    daily = configure(make_home(root / "daily"), CONFIG)
    _land(daily, "day1")
    first = _build(daily, root / "dbt1")
    day1 = root / "day1.duckdb"
    day1.write_bytes(daily.home.build_database.read_bytes())
    _land(daily, "day2")
    second = _build(daily, root / "dbt2")

    at_once = configure(make_home(root / "at_once"), CONFIG)
    _land(at_once, "day1")
    _land(at_once, "day2")
    third = _build(at_once, root / "dbt3")
    yield Builds(
        day1, daily.home.build_database, at_once.home.build_database, (first, second, third)
    )


pytestmark = pytest.mark.slow


def test_the_first_build_is_full_the_next_incremental(builds: Builds):
    assert builds.full_refresh == (True, False, True)


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


@pytest.mark.parametrize("table", [*MARTS, "intermediate.int_kpi_weekly__dialogue"])
def test_incremental_equals_one_full_build(builds: Builds, table: str):
    relation = table if "." in table else f"analytics.{table}"
    # snapshot_at is when a post's export was loaded: a different instant in each home.
    columns = "* EXCLUDE (snapshot_at)" if table == "posts" else "*"
    daily = query(builds.daily, f"SELECT {columns} FROM {relation} ORDER BY ALL")
    at_once = query(builds.at_once, f"SELECT {columns} FROM {relation} ORDER BY ALL")
    assert daily == at_once
    assert daily  # not two empty tables


def test_settings_the_models_depend_on_force_a_full_refresh(tmp_path: Path):
    home = make_home(tmp_path / "home")
    base = configure(home, FIXTURE_CONFIG)
    same = configure(home, FIXTURE_CONFIG)
    other_brand = configure(home, FIXTURE_CONFIG.replace("Demo0001", "Demo0002"))
    other_zone = configure(home, FIXTURE_CONFIG.replace("Europe/Berlin", "UTC"))

    assert build_fingerprint(base) == build_fingerprint(same)
    assert build_fingerprint(other_brand) != build_fingerprint(base)
    assert build_fingerprint(other_zone) != build_fingerprint(base)


def test_a_later_labels_file_relabels_an_interaction_of_an_unchanged_thread(tmp_path: Path):
    """A person's label arrives after the message was classified. Its thread gets no new
    export, so an incremental build would never rewrite it: new labels rebuild in full."""
    config = configure(make_home(tmp_path / "home"), CONFIG)
    _land(config, "day1")
    assert _build(config, tmp_path / "dbt1") is True
    by_rule = "SELECT signal_category, signal_source FROM analytics.interactions WHERE interaction_id = 'inc-a1'"
    # "Is the Fjord 2 available in size S?": a question by the rules.
    assert query(config.home.build_database, by_rule) == [("question", "rule")]

    labels = tmp_path / "labels.csv"
    labels.write_text("platform,interaction,signal_category\nfacebook,inc-a1,complaint\n")
    land(config, labels, "labels/labels.csv")
    assert _build(config, tmp_path / "dbt2") is True
    assert query(config.home.build_database, by_rule) == [("complaint", "human")]
    # With nothing new, the next build is incremental again.
    assert _build(config, tmp_path / "dbt3") is False
