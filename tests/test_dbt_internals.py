"""What learnloop replaces inside dbt for speed writes and returns what dbt's own code does.

Real dbt-common objects throughout: its loggers writing to a text stream, its events, agate
tables from its helper. (The event messages themselves: tests/test_dbt_project.py compares
every one of a real build.)
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from dbt_common.clients import agate_helper
from dbt_common.events import base_types, logger
from dbt_common.events.functions import env_scrubber
from dbt_common.events.types import Note, PrintEvent

from learnloop import dbt_agate, dbt_events

LEVELS = [base_types.EventLevel(name) for name in ("debug", "info", "warn", "error")]


def _messages() -> list[base_types.EventMsg]:
    """A note at every level and a print event (which dbt always writes, as an error)."""
    notes = [
        base_types.msg_from_base_event(Note(msg=f"a {level.value} note"), level=level)
        for level in LEVELS
    ]
    return [*notes, base_types.msg_from_base_event(PrintEvent(msg="printed"))]


def _written(level: base_types.EventLevel, write_line: object) -> str:
    """What a console logger of dbt's at `level` writes of _messages() with `write_line`."""
    stream = io.StringIO()
    config = logger.LoggerConfig(
        name=f"test_dbt_internals_{level.value}",
        level=level,
        scrubber=env_scrubber,
        output_stream=stream,
    )
    text_logger = logger._TextLogger(config)
    for msg in _messages():
        write_line(text_logger, msg)  # type: ignore[operator]
    return re.sub(r"\d\d:\d\d:\d\d  ", "<time>  ", stream.getvalue())  # the clock moves on


@pytest.mark.parametrize("level", LEVELS, ids=lambda level: level.value)
def test_a_logger_writes_the_lines_dbt_writes_at_each_level(level: base_types.EventLevel):
    ours = _written(level, dbt_events._write_line)
    assert ours == _written(level, dbt_events._DBT_WRITE_LINE)
    kept = [name for name in ("debug", "info", "warn", "error") if f"a {name} note" in ours]
    # The logger's level and those above, and the print event at every level.
    assert kept == [name.value for name in LEVELS[LEVELS.index(level) :]]
    assert ours.endswith("printed\n")


def test_a_logger_without_an_output_writes_nothing_and_formats_nothing():
    config = logger.LoggerConfig(name="test_dbt_internals_none", level=LEVELS[0])
    text_logger = logger._TextLogger(config)
    formatted = []
    text_logger.create_line = formatted.append  # type: ignore[method-assign]
    for msg in _messages():
        dbt_events._write_line(text_logger, msg)
    assert formatted == []


ROWS = [("1", "2026-01-05", "null", "true"), ("2", "2026-01-06", "", "false")]
COLUMNS = ["id", "day", "note", "flag"]


@pytest.mark.parametrize("text_only", [None, [], ["note"], ["id", "note"]])
def test_a_shared_type_tester_types_a_result_as_a_new_one_does(text_only: list[str] | None):
    dbt_agate.install()
    try:
        ours = agate_helper.table_from_rows(ROWS, COLUMNS, text_only)
        again = agate_helper.table_from_rows(ROWS, COLUMNS, text_only)
    finally:
        agate_helper.build_type_tester = dbt_agate._DBT_BUILD_TYPE_TESTER
    theirs = agate_helper.table_from_rows(ROWS, COLUMNS, text_only)
    for table in (ours, again):
        assert [type(t) for t in table.column_types] == [type(t) for t in theirs.column_types]
        assert [tuple(row) for row in table.rows] == [tuple(row) for row in theirs.rows]
    if text_only:  # a note of "null" or "" stays text where the column is text only
        assert [row["note"] for row in ours.rows] == ["null", ""]
        first_id = ours.rows[0]["id"]
        assert first_id == ("1" if "id" in text_only else Decimal(1))


def test_one_type_tester_per_shape_of_result():
    tester = dbt_agate._type_tester(("note",), ())
    assert dbt_agate._type_tester(("note",), ()) is tester
    assert dbt_agate._type_tester(("id",), ()) is not tester
