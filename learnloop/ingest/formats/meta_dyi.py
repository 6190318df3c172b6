"""What Meta's "Download your information" JSON files share: every string as mojibake.

Meta writes each UTF-8 byte of a string as its own `\\u00XX` escape (`L\\u00c3\\u00aa` is
`Lê`). DuckDB cannot turn those code points back into bytes and decode them as UTF-8, so the
readers (messages, posts) repair the file text in Python before DuckDB reads it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from learnloop.db import sql_literal
from learnloop.errors import FormatError

# An escaped backslash (kept as it is, so `\\u00e9` stays literal text) or a run of \u00XX.
_MOJIBAKE = re.compile(r"\\\\|(?:\\u00[0-9a-fA-F]{2})+")


def repair_mojibake(text: str) -> str:
    """JSON text with each run of byte escapes replaced by the characters those bytes encode."""

    def repair(match: re.Match[str]) -> str:
        run = match.group(0)
        if run == "\\\\":
            return run
        data = bytes(int(run[i + 4 : i + 6], 16) for i in range(0, len(run), 6))
        try:
            decoded = data.decode("utf-8")
        except UnicodeDecodeError:
            return run  # not UTF-8 bytes after all: a real Latin-1 character, left as written
        return json.dumps(decoded, ensure_ascii=False)[1:-1]

    return _MOJIBAKE.sub(repair, text)


def write_repaired_copy(path: Path) -> Path:
    # DuckDB cannot turn the latin-1 code points back into bytes and decode them as UTF-8, so
    # one regex over the whole text repairs it here, into a file next to the run's copy.
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError("the file is not UTF-8 text") from None
    repaired = path.with_name(path.name + ".repaired.json")
    repaired.write_text(repair_mojibake(text), encoding="utf-8")
    return repaired


def repaired_document_sql(path: Path, checks: str) -> str:
    """A CTE `document` (no WITH): the file's repaired JSON text as one value `doc`, after
    `checks` (CASE branches that error() what the reader needs and the file lacks). error()
    keeps DuckDB's message free of the scratch copy's path and of the file's text."""
    repaired = write_repaired_copy(path)
    return f"""document AS (
                SELECT CASE
                    WHEN doc IS NULL THEN error('the file is not valid JSON')
                    {checks}
                    ELSE doc
                END AS doc
                FROM (
                    SELECT try_cast(content AS JSON) AS doc
                    FROM read_text({sql_literal(str(repaired))})
                )
            )"""
