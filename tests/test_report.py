"""The weekly learning report: exact numbers, both languages, escaping, the data behind it.

Two warehouses: the real one that the pipeline publishes from the end-to-end fixtures (what
main publishes today), and a published file shaped as docs/kpis.md defines it with the signal,
insight and topic relations of issue 5 (tests/fixtures/report/contract_warehouse.sql), with
the report marts built on it by real dbt.
"""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import duckdb
import pytest

from learnloop.config import load_config
from learnloop.errors import ConfigError
from learnloop.paths import Home
from learnloop.report import parse_iso_week, queries, write_report
from tests.conftest import FIXTURE_CONFIG, run_cli
from tests.published_build import copy_home
from tests.report_pages import (
    build_report_marts,
    cards,
    external_resources,
    publish_contract_warehouse,
    section,
)

E2E_WEEK = "2026-W02"  # Monday 2026-01-05, Europe/Berlin
CONTRACT_WEEK = "2026-W10"  # Monday 2026-03-02


def _write(home: Home, week: str, language: str) -> Path:
    config = load_config(home, environ={"LEARNLOOP_REPORT_LANGUAGE": language})
    page = write_report(config, parse_iso_week(week))
    assert page is not None
    return page


@pytest.fixture(scope="module")
def e2e_home(published_home: Home, tmp_path_factory: pytest.TempPathFactory) -> Home:
    """A copy of the session's published home: these tests write its reports."""
    return copy_home(published_home, tmp_path_factory.mktemp("report-e2e") / "home")


@pytest.fixture(scope="module")
def e2e_pages(e2e_home: Home) -> dict[str, str]:
    pages = {}
    for language in ("de", "en"):  # English last: the CSV files on disk are the same either way
        pages[language] = _write(e2e_home, E2E_WEEK, language).read_text(encoding="utf-8")
    return pages


@pytest.fixture(scope="module")
def contract_home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    root = tmp_path_factory.mktemp("report-contract") / "home"
    home = Home(root)
    home.ensure()
    home.config_file.write_text(FIXTURE_CONFIG, encoding="utf-8")
    publish_contract_warehouse(home)
    return home


# Added to a copy of the contract warehouse before its report marts are built: INS-1 names
# UgyDark2 a second time, by the URL people copy; a thank-you nobody answered (the week's
# oldest) needs no reply; a complaint written last in the week jumps ahead of the idea and
# the question (docs/kpis.md needs_reply).
MORE_ROWS = """
INSERT INTO analytics.insight_evidence VALUES ('INS-1', 'register',
    'https://youtu.be/vidWinter01?lc=UgyDark2', 'youtube', 'UgyDark2', true,
    '2026-03-03 10:00:00+00');
INSERT INTO analytics.interactions (platform, interaction_id, thread_id, direction, created_at,
        text, is_private, signal_category, signal_source)
    VALUES ('youtube', 'UgyThanks8', 'UgyThanks8', 'inbound', '2026-03-02 09:00:00+00',
            'Thanks for the video', false, 'praise', 'model'),
           ('x', '1895000000000000009', '1895000000000000009', 'inbound',
            '2026-03-06 10:00:00+00', 'third courier this month that never rang', false,
            'complaint', 'model');
INSERT INTO analytics.signals (platform, interaction_id, thread_id, created_at, week_start,
        text, is_private, signal_category, signal_source)
    SELECT platform, interaction_id, thread_id, created_at, DATE '2026-03-02', text,
           is_private, signal_category, signal_source
    FROM analytics.interactions WHERE interaction_id IN ('UgyThanks8', '1895000000000000009');
INSERT INTO analytics.conversations VALUES
    ('youtube', 'UgyThanks8', '2026-03-02 09:00:00+00', '2026-03-02', NULL, NULL,
     false, 1, 1, 0, false, false),
    ('x', '1895000000000000009', '2026-03-06 10:00:00+00', '2026-03-02', NULL,
     NULL, false, 1, 1, 0, false, true);
"""


@pytest.fixture(scope="module")
def contract_with_more_rows(contract_home: Home, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the contract warehouse with MORE_ROWS, its report marts built again."""
    database = tmp_path_factory.mktemp("report-more") / "learnloop.duckdb"
    database.write_bytes(contract_home.published.read_bytes())
    with duckdb.connect(str(database)) as con:
        con.execute(MORE_ROWS)
    build_report_marts(contract_home, database)
    return database


@pytest.fixture(scope="module")
def contract_pages(contract_home: Home) -> dict[str, str]:
    pages = {}
    for language in ("de", "en"):
        pages[language] = _write(contract_home, CONTRACT_WEEK, language).read_text(encoding="utf-8")
    return pages


# --- the published warehouse of today's main ---------------------------------------------


def test_listening_numbers_and_changes_against_the_previous_week(e2e_pages):
    shown = cards(e2e_pages["en"])
    # Week of 2026-01-05 (Berlin) against 2025-12-29, platform 'all' of kpi_weekly:
    # inbound 6 vs 1 -> +5; conversations 4 vs 1 -> +3; answered 2 of 4 = 50% vs 1 of 1 = 100%
    # -> -50 pp; first responses 30 and 90 min: median (30+90)/2 = 60 vs 40 -> +20,
    # p90 30 + 0.9*(90-30) = 84 vs 40 -> +44; two-way 1 of 4 = 25% vs 1 of 1 -> -75 pp.
    assert shown["inbound_messages"] == ("community messages", "6", "+5")
    assert shown["conversations"] == ("conversations", "4", "+3")
    assert shown["response_rate"] == ("response rate", "50%", "\u221250 pp")
    assert shown["median_first_response_minutes"][1:] == ("60 min", "+20 min")
    assert shown["p90_first_response_minutes"][1:] == ("84 min", "+44 min")
    assert shown["two_way_rate"][1:] == ("25%", "\u221275 pp")
    # No post and no follower total in these exports: posts 0 vs 0, rates NULL.
    assert shown["posts"][1:] == ("0", "\u00b10")
    assert shown["engagement_rate"][1:] == ("\u2013", "no previous value")
    assert shown["followers_end"][1:] == ("\u2013", "no previous value")


def test_the_same_week_in_german(e2e_pages):
    shown = cards(e2e_pages["de"])
    assert shown["response_rate"] == ("Antwortquote", "50 %", "\u221250 Pp.")
    assert shown["inbound_messages"] == ("Nachrichten der Community", "6", "+5")
    assert shown["engagement_rate"][1:] == ("\u2013", "kein Vorwochenwert")
    page = e2e_pages["de"]
    assert '<html lang="de">' in page
    assert "Wie gut wir zugehört haben" in page
    assert "Woche 2026-W02" in page


def test_sections_come_in_the_order_of_the_issue_and_followers_are_context(e2e_pages):
    page = e2e_pages["en"]
    order = [page.index(f'id="{name}"') for name in ("learned", "did", "listened", "reach")]
    assert order == sorted(order)
    assert '<aside class="context" id="context">' in page
    assert set(re.findall(r'data-metric="(follower\w+)"', page)) == {
        "followers_end",
        "follower_delta",
    }
    assert "follower" not in section(page, "reach")


def test_signals_and_topics_of_the_real_warehouse(e2e_pages):
    learned = section(e2e_pages["en"], "learned")
    table = re.search(r"Signals by category</h3>\s*<table><tbody>(.*?)</tbody>", learned, re.S)[1]
    # analytics.signals of week 2026-01-05 (Berlin): hs-msg-3 "Super, danke!" and the reply
    # "Worked, thanks!" praise, UgzT1 "How do I pair the app" question, hs-msg-4 "The app
    # crashes" problem; the model also reads what no rule word names: UgzT2 "Akku zeigt nach
    # dem Update 0 %" a problem and hs-msg-7 "Yes please - my order is three weeks late." a
    # complaint = 6, the kpi_weekly signals card. hs-msg-1 (22:30 UTC on 01-04, 23:30 Berlin
    # on Sunday) belongs to the week before.
    assert re.findall(r"<th>(\w+)</th><td>(\d+)</td>", table) == [
        ("problems", "2"),
        ("complaints", "1"),
        ("ideas", "0"),
        ("questions", "1"),
        ("praise", "2"),
    ]
    assert cards(e2e_pages["en"])["signals"][1:] == ("6", "+5")  # 6 - 1 (hs-msg-1)
    # analytics.topics_weekly of the week, lemmas: "pair" in UgzT1 ("pair") and hs-msg-4
    # ("pairing"), new: 2 / (1 + 0 / 8) = 2.0. "app" in UgzT1 and hs-msg-4, "update" in
    # hs-msg-4 ("since the update") and UgzT2 ("Update"), both also in hs-msg-1 the week
    # before ("Wann kommt das Update für die App?"): 2 / (1 + 1 / 8) = 1.78 each, "app" first
    # by term. First signals: UgzT1 (01-05 10:00 UTC) and hs-msg-4 (01-06 09:00, an inbox
    # message: no link). "akku", "order" and the rest are in one signal only.
    topics = re.search(r'<table id="topics">.*?<tbody>(.*?)</tbody>', learned, re.S)[1]
    link = (
        '<a href="https://www.youtube.com/watch?v=dQw4w9WgXc1&amp;lc=UgzT1aaaaaaaaaaaaaaaaaa4AaABAg">'
        "youtube</a>"
    )
    assert re.findall(
        r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", topics
    ) == [("pair", "2", "0", link), ("app", "2", "1", link), ("update", "2", "1", "x")]
    # The fixtures hold no insight register: analytics.insights is published, but empty.
    assert "No open loops." in section(e2e_pages["en"], "did")


def test_a_warehouse_without_signals_insights_and_topics_says_so(tmp_path):
    home = Home(tmp_path / "home")
    home.ensure()
    home.config_file.write_text(FIXTURE_CONFIG, encoding="utf-8")
    # A file published before these relations existed, so before the report marts too.
    publish_contract_warehouse(home, report_marts=False)
    with duckdb.connect(str(home.published)) as con:
        for relation in ("signals", "insights", "insight_evidence", "topics_weekly"):
            con.execute(f"DROP TABLE analytics.{relation}")
    page = _write(home, CONTRACT_WEEK, "en").read_text(encoding="utf-8")
    learned = section(page, "learned")
    assert "Not available yet: the published warehouse has no signal categories" in learned
    assert "has no topics (analytics.topics_weekly)" in learned
    assert "Open loops" not in section(page, "did")
    folder = home.reports / CONTRACT_WEEK
    assert not (folder / "quotes.csv").exists()


def test_a_file_from_before_the_report_marts_says_so_and_links_no_topic(tmp_path):
    """A file published by an older version (a rollback to an old snapshot): no report marts,
    topics_weekly without example_url. The lists those marts hold say "not available yet",
    the summary leaves the waiting count out, the rest of the page is there."""
    home = Home(tmp_path / "home")
    home.ensure()
    home.config_file.write_text(FIXTURE_CONFIG, encoding="utf-8")
    publish_contract_warehouse(home, report_marts=False)
    with duckdb.connect(str(home.published)) as con:
        con.execute("ALTER TABLE analytics.topics_weekly DROP COLUMN example_url")
    page = _write(home, CONTRACT_WEEK, "en").read_text(encoding="utf-8")
    learned, did = section(page, "learned"), section(page, "did")
    assert "Not available yet: the published warehouse has no quotes " in learned
    assert "<blockquote>" not in learned
    assert re.findall(r'<p class="missing">(.*?)</p>', did) == [
        "Not available yet: the published warehouse has no open loops with their threads "
        "(analytics.rpt_open_loops_weekly).",
        "Not available yet: the published warehouse has no list of conversations waiting for "
        "an answer (analytics.rpt_waiting_threads).",
    ]
    # The topics are shown by rank (dark, mode, app), without links.
    topics = re.search(r'<table id="topics">.*?<tbody>(.*?)</tbody>', learned, re.S)[1]
    assert re.findall(r"<tr><td>(\w+)</td>.*?<td>([^<]*)</td></tr>", topics) == [
        ("dark", "youtube"),
        ("mode", "youtube"),
        ("app", "youtube"),
    ]
    assert _summary(page) == (
        "Week 2026-W10: the community wrote 8 messages with 4 signals (1 problem, 2 ideas, "
        "1 question). Top topics: dark, mode, app. Shipped: Dark mode <b>in the app</b> "
        "(INS-1)."
    )
    folder = home.reports / CONTRACT_WEEK
    assert sorted(p.name for p in folder.iterdir()) == [
        "index.html",
        "kpi_weekly.csv",
        "summary.md",
    ]


def test_unanswered_conversations_link_to_their_thread(e2e_pages):
    did = section(e2e_pages["en"], "did")
    # conversations with answered = false in week 2026-01-05: the YouTube comment thread
    # UgzT2... (10:00 UTC = 11:00 Berlin) and the inbox thread hs-conv-3 (11:00 UTC).
    assert "Conversations still waiting for an answer (2)" in did
    rows = re.findall(
        r"<tr><td>(\w+)</td><td>(.*?)</td><td>([\d: -]+)</td><td>(\d+)</td></tr>", did, re.S
    )
    assert [(platform, started, turns) for platform, _, started, turns in rows] == [
        ("youtube", "2026-01-06 11:00", "1"),
        ("x", "2026-01-07 12:00", "1"),
    ]
    youtube, inbox = rows[0][1], rows[1][1]
    assert (
        '<a href="https://www.youtube.com/watch?v=dQw4w9WgXc1&amp;lc=UgzT2bbbbbbbbbbbbbbbbbb4AaABAg">'
        in youtube
    )
    assert "Akku zeigt nach dem Update 0 %" in youtube
    assert "<a " not in inbox and "hs-conv-3" in inbox  # an inbox tool's id has no public URL


def test_listening_per_platform(e2e_pages):
    table = re.search(r'<table id="by-platform">(.*?)</table>', e2e_pages["en"], re.S)[1]
    rows = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table)]
    # x: hs-conv-2 answered after 30 min, hs-conv-3 not -> 2, 50%, 30, 30, two-way 0 of 2.
    # youtube: UgzT1 answered after 90 min and came back (two-way), UgzT2 not -> 50%, 50%.
    assert [r for r in rows if r] == [
        ["x", "2", "50%", "30 min", "30 min", "0%"],
        ["youtube", "2", "50%", "90 min", "90 min", "50%"],
    ]


def test_the_page_is_self_contained(e2e_pages):
    for page in e2e_pages.values():
        assert external_resources(page) == []
        # one chart per headline card: learned 3, did 7, listened 5, reach 5, followers 2 = 22
        assert page.count('<svg class="chart"') == 22
        assert "<style>" in page


def test_the_data_behind_the_page(e2e_home):
    folder = e2e_home.reports / E2E_WEEK
    assert sorted(p.name for p in folder.iterdir()) == [
        "index.html",
        "kpi_weekly.csv",
        "quotes.csv",
        "summary.md",
        "unanswered.csv",
    ]
    with (folder / "kpi_weekly.csv").open(encoding="utf-8") as handle:
        weekly = list(csv.DictReader(handle))
    # The 12 weeks up to 2026-01-05 hold two weeks of data, 4 platform rows each (all, three).
    assert [(r["week_start"], r["platform"]) for r in weekly][:2] == [
        ("2025-12-29", "all"),
        ("2025-12-29", "instagram"),
    ]
    assert len(weekly) == 8
    with (folder / "unanswered.csv").open(encoding="utf-8") as handle:
        unanswered = list(csv.DictReader(handle))
    assert [(r["thread_id"], r["url"]) for r in unanswered] == [
        (
            "UgzT2bbbbbbbbbbbbbbbbbb4AaABAg",
            "https://www.youtube.com/watch?v=dQw4w9WgXc1&lc=UgzT2bbbbbbbbbbbbbbbbbb4AaABAg",
        ),
        ("hs-conv-3", ""),
    ]


def test_cli_writes_the_latest_week_and_says_where(e2e_home):
    result = run_cli(e2e_home, "report")
    # The latest week with community messages is 2026-01-19 (W04).
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Wrote {e2e_home.reports / '2026-W04' / 'index.html'}"


def test_cli_rejects_a_malformed_week_in_one_line(e2e_home):
    result = run_cli(e2e_home, "report", "--week", "2026-44")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "learnloop report: --week: expected an ISO week like 2026-W44, got '2026-44'"
    )


def test_cli_says_when_a_week_has_no_published_data(e2e_home):
    result = run_cli(e2e_home, "report", "--week", "2025-W40")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "learnloop report: --week 2025-W40: no published data for that week "
        "(published weeks: 2026-W01 to 2026-W04)"
    )


# --- a warehouse with signals, insights and topics (docs/kpis.md) ------------------------------


def test_learning_and_action_numbers_with_their_changes(contract_pages):
    shown = cards(contract_pages["en"])
    # 2026-03-02 against 2026-02-23 (contract_warehouse.sql, platform 'all'):
    assert shown["signals"][1:] == ("4", "\u22122")  # 4 - 6
    assert shown["signal_rate"][1:] == ("50%", "\u221210 pp")  # 0.5 - 0.6
    assert shown["insights_logged"][1:] == ("2", "+1")  # 2 - 1
    assert shown["insights_shipped"][1:] == ("1", "+1")  # 1 - 0
    assert shown["loops_closed"][1:] == ("0", "\u00b10")
    assert shown["open_loops"][1:] == ("1", "+1")
    assert shown["median_days_to_action"][1:] == ("3.5 d", "no previous value")  # NULL before
    assert shown["closed_loop_rate_12w"][1:] == ("0%", "no previous value")
    assert shown["median_first_response_minutes"][1:] == ("45 min", "+15 min")  # 45 - 30
    assert shown["p90_first_response_minutes"][1:] == ("120 min", "+70 min")  # 120 - 50
    assert shown["applause_rate"][1:] == ("12.00", "+2.00")  # 12.0 - 10.0
    assert shown["engagement_rate"][1:] == ("4%", "\u22121 pp")  # 0.04 - 0.05
    assert shown["followers_end"][1:] == ("1,015", "+15")  # 1015 - 1000
    de = cards(contract_pages["de"])
    assert de["followers_end"][1:] == ("1.015", "+15")
    assert de["median_days_to_action"] == (
        "Median Tage bis zur Umsetzung",
        "3,5 T",
        "kein Vorwochenwert",
    )
    assert de["applause_rate"][1:] == ("12,00", "+2,00")


def test_signals_per_category_of_the_reporting_week(contract_pages):
    learned = section(contract_pages["en"], "learned")
    table = re.search(r"Signals by category</h3>\s*<table><tbody>(.*?)</tbody>", learned, re.S)[1]
    # Berlin week 2026-03-02..08: the crash report at 23:30 UTC on Sunday 03-01 counts (00:30
    # local Monday), the brake problem at 23:30 UTC on 03-08 does not (00:30 on 03-09), the
    # praise of 02-25 belongs to the week before: problem 1, idea 2, question 1 (a DM).
    assert re.findall(r"<th>(\w+)</th><td>(\d+)</td>", table) == [
        ("problems", "1"),
        ("complaints", "0"),
        ("ideas", "2"),
        ("questions", "1"),
        ("praise", "0"),
    ]


def test_quotes_are_public_pseudonymised_and_escaped(contract_pages):
    learned = section(contract_pages["en"], "learned")
    quotes = re.findall(r"<blockquote><div>(.*?)</div><div class=\"meta\">(.*?)</div>", learned)
    # problem first (the category order of docs/kpis.md), then the two ideas, longest first; the
    # question is a private message: counted, never quoted.
    assert quotes == [
        (
            "The app crashes when I open the map &lt;script&gt;alert(1)&lt;/script&gt;",
            "problems · youtube · member aaaa000000000001 · 2026-03-02 00:30",
        ),
        (
            "=HYPERLINK(&#34;http://evil.example&#34;,&#34;click&#34;) please add a dark mode",
            "ideas · youtube · member bbbb000000000002 · 2026-03-03 11:00",
        ),
        (
            "Dark mode in the app would be great 🌙",
            "ideas · instagram · member cccc000000000003 · 2026-03-04 11:00",
        ),
    ]
    page = contract_pages["en"]
    assert "<script>alert(1)" not in page
    assert "winter tyre for my bike" not in page


def test_emerging_topics_by_rank_with_their_first_signal(contract_pages):
    learned = section(contract_pages["en"], "learned")
    topics = re.search(r'<table id="topics">(.*?)</table>', learned, re.S)[1]
    assert re.findall(r"<th>(.*?)</th>", topics) == [
        "topic",
        "this week",
        "previous 8 weeks",
        "first signal",
    ]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", topics)
    # topics_weekly of 2026-03-02 by topic_rank: dark 2 / 0 and mode 2 / 0 (score 2.0), app
    # 2 / 1 (2 / (1 + 1/8) = 1.78); the links are rebuilt from the example's YouTube ids.
    dark = '<a href="https://www.youtube.com/watch?v=vidWinter01&amp;lc=UgyDark2">youtube</a>'
    crash = '<a href="https://www.youtube.com/watch?v=vidWinter01&amp;lc=UgyCrash1">youtube</a>'
    assert rows == [
        ("dark", "2", "0", dark),
        ("mode", "2", "0", dark),
        ("app", "2", "1", crash),
    ]
    de = section(contract_pages["de"], "learned")
    assert "<th>8 Wochen davor</th>" in de


def test_open_loops_and_unanswered_private_threads(contract_pages):
    did = section(contract_pages["en"], "did")
    # INS-1 shipped 03-04 and not closed; INS-2 closed 02-27; INS-3 not shipped.
    assert re.findall(r"<li>(.*?) <span", did) == ["INS-1: Dark mode &lt;b&gt;in the app&lt;/b&gt;"]
    # Its evidence threads, to tell people it shipped: the Instagram comment through the URL
    # the register names, the YouTube one rebuilt from its ids; the unmatched x:404 is left out.
    tell = re.search(r"Tell them in:(.*?)</div>", did, re.S)[1]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', tell) == [
        ("https://www.instagram.com/p/CODE1/c/ig-c-3/", "instagram:ig-c-3"),
        ("https://www.youtube.com/watch?v=vidWinter01&amp;lc=UgyDark2", "youtube:UgyDark2"),
    ]
    assert "Conversations still waiting for an answer (2)" in did
    assert (
        '<a href="https://www.youtube.com/watch?v=vidWinter01&amp;lc=UgyDark2">UgyDark2</a>' in did
    )
    # The unanswered DM: its pseudonymous thread id, no link, no text.
    dm_row = re.search(r"<tr><td>x</td><td>(.*?)</td>", did, re.S)[1]
    assert dm_row == "dm-thread-1"


def test_two_evidence_messages_of_one_thread_are_one_place_to_tell(contract_with_more_rows):
    # INS-1 names UgyDark2 a second time, by the URL people copy: still one YouTube thread.
    with duckdb.connect(str(contract_with_more_rows)) as con:
        week = parse_iso_week(CONTRACT_WEEK)
        loops = queries.open_loops(con, queries.read_schema(con), week)
    assert [(insight, [thread for thread, _ in threads]) for insight, _, _, threads in loops] == [
        ("INS-1", ["instagram:ig-c-3", "youtube:UgyDark2"])
    ]


def test_csv_cells_cannot_start_a_formula(contract_home, contract_pages):
    with (contract_home.reports / CONTRACT_WEEK / "quotes.csv").open(encoding="utf-8") as handle:
        quotes = list(csv.DictReader(handle))
    assert [q["text"][:12] for q in quotes] == ["The app cras", "'=HYPERLINK(", "Dark mode in"]
    assert [q["member_key"] for q in quotes] == [
        "aaaa000000000001",
        "bbbb000000000002",
        "cccc000000000003",
    ]


def test_waiting_list_holds_only_conversations_that_need_a_reply_urgent_first(
    contract_with_more_rows,
):
    # MORE_ROWS: a thank-you nobody answered (the week's oldest) needs no reply; a complaint
    # written last in the week jumps ahead of the idea and the question.
    with duckdb.connect(str(contract_with_more_rows)) as con:
        week = parse_iso_week(CONTRACT_WEEK)
        schema = queries.read_schema(con)
        waiting = [row[:2] for row in queries.unanswered_threads(con, schema, week)]
        total = queries.unanswered_count(con, schema, week)
    assert waiting == [
        ("x", "1895000000000000009"),  # complaint (urgent), started 03-06
        ("youtube", "UgyDark2"),  # idea, started 03-03
        ("x", "dm-thread-1"),  # question, started 03-05
    ]
    assert total == 3


def _summary(page: str) -> str:
    return html.unescape(re.search(r'<p class="summary" id="summary">(.*?)</p>', page)[1])


def test_the_summary_paragraph_tells_the_week_in_the_report_language(contract_pages):
    # Week 2026-03-02 (contract_warehouse.sql): 8 community messages (kpi_weekly 'all'); its
    # signals 1 problem + 2 ideas + 1 question = 4 (see test_signals_per_category...); topics
    # by rank dark, mode, app; INS-1 shipped on 03-04 and is the open loop (INS-2 shipped
    # 02-20); UgyDark2 and the DM wait for an answer. The title stays text: escaped once.
    assert _summary(contract_pages["en"]) == (
        "Week 2026-W10: the community wrote 8 messages with 4 signals (1 problem, 2 ideas, "
        "1 question). Top topics: dark, mode, app. Shipped: Dark mode <b>in the app</b> "
        "(INS-1). Open loops: Dark mode <b>in the app</b> (INS-1). Still waiting for an "
        "answer: 2 conversations."
    )
    assert _summary(contract_pages["de"]) == (
        "Woche 2026-W10: Die Community schrieb 8 Nachrichten mit 4 Signalen (1 Problem, "
        "2 Ideen, 1 Frage). Top-Themen: dark, mode, app. Umgesetzt: Dark mode <b>in the app</b> "
        "(INS-1). Offene Schleifen: Dark mode <b>in the app</b> (INS-1). Noch ohne Antwort: "
        "2 Gespräche."
    )
    assert "<b>in the app</b>" not in contract_pages["en"]


def test_the_summary_of_the_pipelines_own_warehouse(e2e_pages):
    # Week 2026-01-05 in Berlin: hs-msg-3 "Super, danke!" (praise), T1 "How do I pair the
    # app" (question) and its "Worked, thanks!" (praise), hs-msg-4 "The app crashes"
    # (problem), T2 "Akku zeigt nach dem Update 0 %" (the model: problem), hs-msg-7 "my
    # order is three weeks late" (the model: complaint): 6 messages, 6 signals. Topics by
    # rank: pair, app, update (test_signals_and_topics_of_the_real_warehouse). No register
    # was loaded: nothing shipped, no open loop. hs-conv-3 (hs-msg-7's complaint) and T2
    # (a problem) need a reply and were never answered.
    assert _summary(e2e_pages["en"]) == (
        "Week 2026-W02: the community wrote 6 messages with 6 signals (2 problems, "
        "1 complaint, 1 question, 2 praise). Top topics: pair, app, update. Nothing shipped. "
        "No open loops. Still waiting for an answer: 2 conversations."
    )
    assert _summary(e2e_pages["de"]) == (
        "Woche 2026-W02: Die Community schrieb 6 Nachrichten mit 6 Signalen (2 Probleme, "
        "1 Beschwerde, 1 Frage, 2 Lob). Top-Themen: pair, app, update. Nichts umgesetzt. "
        "Keine offenen Schleifen. Noch ohne Antwort: 2 Gespräche."
    )


def test_freshness_from_the_last_published_run(contract_pages):
    # newest interaction 2026-03-08 23:30 UTC = 2026-03-09 00:30 Berlin, 24.5 h -> "24"
    assert (
        "Newest message in the data: 2026-03-09 00:30 (24 h before publishing)."
        in (contract_pages["en"])
    )


# --- configuration ------------------------------------------------------------------------


def test_report_language_is_validated_and_overridable(home: Home):
    assert load_config(home, environ={}).report.language == "en"
    assert load_config(home, environ={"LEARNLOOP_REPORT_LANGUAGE": "DE"}).report.language == "de"
    home.config_file.write_text(FIXTURE_CONFIG + '\n[report]\nlanguage = "fr"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(home, environ={})
    assert str(raised.value) == "report.language: expected one of en, de, got 'fr'"
