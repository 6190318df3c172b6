"""The report's summary paragraph for the weeks the two warehouses of test_report.py do not
have: nothing published yet for signals, topics and insights; a quiet week; many open loops."""

from __future__ import annotations

from learnloop.report.headline import WeekFacts, paragraph
from learnloop.report.queries import SIGNAL_CATEGORIES
from learnloop.report.texts import Texts


def _facts(**changes: object) -> WeekFacts:
    base = {
        "week_label": "2026-W10",
        "messages": 1,
        "signals": None,
        "topics": None,
        "shipped": None,
        "open_loops": None,
        "waiting": 0,
    }
    return WeekFacts(**{**base, **changes})


def test_parts_whose_relations_are_not_published_are_left_out():
    # An older published file without signals, topics and insights: no "0 signals", no
    # "nothing shipped" that the data cannot tell.
    facts = _facts()
    assert paragraph(Texts("en"), facts, SIGNAL_CATEGORIES) == (
        "Week 2026-W10: the community wrote 1 message. "
        "Every conversation of the week that needed an answer got one."
    )
    assert paragraph(Texts("de"), facts, SIGNAL_CATEGORIES) == (
        "Woche 2026-W10: Die Community schrieb 1 Nachricht. "
        "Jedes Gespräch der Woche, das eine Antwort brauchte, hat eine bekommen."
    )
    # A file from before the report marts cannot tell how many conversations wait.
    assert paragraph(Texts("en"), _facts(waiting=None), SIGNAL_CATEGORIES) == (
        "Week 2026-W10: the community wrote 1 message."
    )


def test_a_quiet_week_says_so():
    facts = _facts(
        messages=1234,
        signals={"praise": 0},
        topics=[],
        shipped=[],
        open_loops=[],
        waiting=1,
    )
    assert paragraph(Texts("en"), facts, SIGNAL_CATEGORIES) == (
        "Week 2026-W10: the community wrote 1,234 messages with no signals. Nothing shipped. "
        "No open loops. Still waiting for an answer: 1 conversation."
    )
    assert paragraph(Texts("de"), facts, SIGNAL_CATEGORIES) == (
        "Woche 2026-W10: Die Community schrieb 1.234 Nachrichten ohne Signale. Nichts "
        "umgesetzt. Keine offenen Schleifen. Noch ohne Antwort: 1 Gespräch."
    )


def test_long_lists_name_three_and_count_the_rest():
    loops = [(f"INS-{n}", f"Fix {n}") for n in range(1, 6)]
    facts = _facts(
        messages=2,
        signals={"question": 1, "complaint": 1, "idea": 0},
        topics=["akku", "app", "update", "winter"],
        open_loops=loops,
        waiting=12,
    )
    # Categories in their docs/kpis.md order (complaint before question), zeros left out; the
    # first three topics by rank; three of five open loops, then "2 more".
    assert paragraph(Texts("en"), facts, SIGNAL_CATEGORIES) == (
        "Week 2026-W10: the community wrote 2 messages with 2 signals (1 complaint, "
        "1 question). Top topics: akku, app, update. Open loops: Fix 1 (INS-1); Fix 2 (INS-2); "
        "Fix 3 (INS-3); and 2 more. Still waiting for an answer: 12 conversations."
    )
    assert paragraph(Texts("de"), facts, SIGNAL_CATEGORIES).endswith(
        "Offene Schleifen: Fix 1 (INS-1); Fix 2 (INS-2); Fix 3 (INS-3); und 2 weitere. "
        "Noch ohne Antwort: 12 Gespräche."
    )
