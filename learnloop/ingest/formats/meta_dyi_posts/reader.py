"""Facebook "Download your information" posts JSON (docs/formats.md §2).

`your_posts__check_ins__photos_and_videos_1.json` (also under `your_facebook_activity/posts/`)
= `[{timestamp, data:[{post}, {update_timestamp}], attachments:[{data:[{media:{...}} |
{external_context:{url}} | {place:{...}}]}], title}]`, newest first, every string mojibake
(repaired with the DM reader's repair_mojibake before DuckDB reads the text). Every entry is
one of the brand's own posts: a status, a shared link, photos, a check-in.

Posts carry no metrics and no id in the file. The id is `dyi:<timestamp>:<n>`, n counting
the entries with the same timestamp (seconds since the epoch) in file order, almost always 1:
it does not depend on the entry's position, so a later export with newer posts gives the
same ids again. These ids cannot equal the Graph ids of other Facebook exports.
"""

from __future__ import annotations

import re
from pathlib import Path

from learnloop.config import Config
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.formats.meta_dyi import repaired_document_sql

# An array of objects with an epoch-seconds `timestamp` and post keys. The DM files are
# objects, and other JSON arrays (Mastodon, X) have string timestamps or none.
_ARRAY = re.compile(r"^\s*\[\s*\{")
_TIMESTAMP = re.compile(r'"timestamp"\s*:\s*\d+\s*[,}]')
_POST_KEYS = re.compile(r'"(post|attachments|update_timestamp)"\s*:')


class MetaDyiPosts(ExportFormat):
    name = "meta_dyi_posts"
    platform = "facebook"
    title = "Facebook Download-your-information posts JSON"
    raw_table = "meta_dyi_posts__posts"
    raw_description = "One row per entry of the posts array."
    column_docs = (
        (
            "post_id",
            "Derived (the export has none): dyi:timestamp:n, n counting the entries with the same timestamp in file order.",
        ),
        ("published_at", "timestamp (epoch seconds) as an instant."),
        ("text", "The `post` of the entry's data elements; NULL for photos without text."),
    )
    id_column = "post_id"
    time_column = "published_at"
    columns = (
        ("post_id", "VARCHAR"),
        ("timestamp", "BIGINT"),
        ("published_at", "TIMESTAMPTZ"),
        ("title", "VARCHAR"),
        ("text", "VARCHAR"),
        ("attachment_count", "BIGINT"),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        text = sample.text
        return all((_ARRAY.match(text), _TIMESTAMP.search(text), _POST_KEYS.search(text)))

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        document = repaired_document_sql(
            path,
            """WHEN json_type(doc) IS DISTINCT FROM 'ARRAY'
                        THEN error('the file is not a JSON array of posts')""",
        )
        return f"""
            WITH {document},
            entries AS (
                SELECT unnest(entries) AS entry, generate_subscripts(entries, 1) AS position
                FROM (SELECT from_json(doc, '["json"]') AS entries FROM document)
            ),
            typed AS (
                SELECT *,
                       try_cast(json_extract_string(entry, '$.timestamp') AS BIGINT) AS timestamp,
                       -- The text is the `post` of whichever data element carries one.
                       list_filter(
                           coalesce(json_extract_string(entry, '$.data[*].post'), []),
                           lambda p: p IS NOT NULL
                       )[1] AS text
                FROM entries
            )
            SELECT
                'dyi:' || timestamp || ':' || row_number() OVER (
                    PARTITION BY timestamp ORDER BY position
                ) AS post_id,
                timestamp,
                -- Epoch seconds are a UTC instant; timezone('UTC', ...) keeps it exact.
                timezone('UTC', make_timestamp(timestamp * 1000000)) AS published_at,
                json_extract_string(entry, '$.title') AS title,
                text,
                coalesce(json_array_length(json_extract(entry, '$.attachments')), 0)
                    AS attachment_count,
                position AS _source_row
            FROM typed
        """
