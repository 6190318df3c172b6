"""The SQL pieces several readers share, on tiny in-memory inputs with hand-counted results."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from learnloop.ingest.formats.base import FileSample
from learnloop.ingest.json_files import first_appearances_sql, looks_like_json
from learnloop.ingest.row_errors import fail_file_sql

ID = re.compile(r'"id"\s*:')
KIND = re.compile(r'"kind"\s*:\s*"youtube#')


def sample(text: str | bytes) -> FileSample:
    head = text if isinstance(text, bytes) else text.encode()
    return FileSample(Path("unused.json"), head)


@pytest.mark.parametrize(
    ("text", "opens", "expected"),
    [
        ('[{"id": 1, "kind": "youtube#comment"}]', "{[", True),
        ('  \n{"id": 1, "kind": "youtube#comment"}', "{[", True),  # leading white space
        ('[{"id": 1, "kind": "youtube#comment"}]', "{", False),  # an array where an object is asked
        ('{"id": 1}', "{[", False),  # a marker is missing
        ('id,kind\n1,"youtube#"', "{[", False),  # a CSV naming the same words
        ("", "{[", False),  # empty: no opening bracket at all
    ],
)
def test_looks_like_json_asks_for_the_bracket_and_every_marker(text, opens, expected):
    assert looks_like_json(sample(text), ID, KIND, opens=opens) is expected


def test_a_nul_byte_is_no_text_sample():
    assert sample(b"a,b\n1,2\n").is_text is True
    assert sample("a,b".encode("utf-16")).is_text is False  # UTF-16 puts a NUL after each ASCII


def test_first_appearances_keep_the_first_of_each_id_and_number_the_kept_rows():
    # (id, document_number, item_number): b appears in documents 1 and 2, a twice in doc 2.
    rows = [("b", 2, 1), ("a", 1, 2), ("b", 1, 1), ("c", 2, 2), ("a", 2, 3)]
    with duckdb.connect() as con:
        con.execute("CREATE TABLE rows (id VARCHAR, document_number INT, item_number INT)")
        con.executemany("INSERT INTO rows VALUES (?, ?, ?)", rows)
        query = first_appearances_sql("rows", "id", "document_number, item_number")
        result = con.execute(f"SELECT * FROM ({query}) ORDER BY _source_row").fetchall()
    # File order: (1,1) b, (1,2) a, (2,1) b again, (2,2) c, (2,3) a again -> b, a, c,
    # numbered 1, 2, 3 without gaps for the two dropped repeats; the order columns are gone.
    assert result == [("b", 1), ("a", 2), ("c", 3)]


def test_fail_file_sql_keeps_good_rows_and_stops_at_the_first_bad_one():
    where = fail_file_sql(
        "WHEN id IS NULL THEN error('a row has no id')",
        "WHEN n < 0 THEN error('row ' || id || ' counts ' || n)",
    )
    with duckdb.connect() as con:
        good = con.execute(
            f"SELECT * FROM (VALUES ('a', 1), ('b', 2)) AS t(id, n) {where}"
        ).fetchall()
        assert good == [("a", 1), ("b", 2)]
        with pytest.raises(duckdb.Error, match=r"row b counts -2"):
            con.execute(f"SELECT * FROM (VALUES ('a', 1), ('b', -2)) AS t(id, n) {where}")
        # The filter runs in a count too, as `learnloop inspect` counts rows.
        with pytest.raises(duckdb.Error, match=r"a row has no id"):
            con.execute(f"SELECT count(*) FROM (VALUES (NULL, 1)) AS t(id, n) {where}").fetchall()
