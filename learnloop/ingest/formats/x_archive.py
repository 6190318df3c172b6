"""What the X (Twitter) archive's data files share: `window.YTD.<name>.partN = [...]`.

Every data file of the archive (direct-messages.js, tweets.js, ...) is JavaScript, not JSON,
until the assignment prefix is cut off; the rest is one JSON array of items.
"""

from __future__ import annotations

import re
from pathlib import Path

from learnloop.db import sql_literal

# The prefix in RE2 syntax for DuckDB (a BOM may precede it).
_PREFIX_SQL = r"^\x{FEFF}?\s*window\.YTD\.[A-Za-z0-9_]+\.part[0-9]+\s*=\s*"


def ytd_prefix(names: str) -> re.Pattern[str]:
    """The prefix of the archive files whose YTD name matches the regex `names`."""
    return re.compile(rf"^\s*window\.YTD\.(?:{names})\.part\d+\s*=")


def ytd_items_sql(path: Path) -> str:
    """A query over the file yielding `item` (JSON) and `item_number` (1-based, file order).

    error() gives the loader one plain phrase instead of a parser dump of message text. The
    whole part is one JSON value; read_text has no object size limit.
    """
    return f"""
        SELECT unnest(items) AS item, generate_subscripts(items, 1) AS item_number
        FROM (
            SELECT from_json(CASE
                WHEN doc IS NULL
                    THEN error('the part after the window.YTD prefix is not valid JSON')
                WHEN json_type(doc) <> 'ARRAY'
                    THEN error('the part after the window.YTD prefix is not a JSON array')
                ELSE doc
            END, '["json"]') AS items
            FROM (
                SELECT try_cast(
                    regexp_replace(content, {sql_literal(_PREFIX_SQL)}, '') AS JSON
                ) AS doc
                FROM read_text({sql_literal(str(path))})
            )
        )
    """
