"""GitHub issues JSON from `gh issue list --state all --json
number,title,body,state,createdAt,closedAt,url,labels` (docs/formats.md §3).

A JSON array of issues: `{number, title, body, state: OPEN|CLOSED, createdAt, closedAt,
url, labels:[{id, name, description, color}]}`. The key is `owner/repo#number` (from the
URL), so issues of several repositories stay apart.
"""

from __future__ import annotations

import re
from pathlib import Path

from learnloop.config import Config
from learnloop.ingest.formats.backlog import BacklogExport
from learnloop.ingest.formats.base import FileSample
from learnloop.ingest.json_files import read_json_objects_sql
from learnloop.ingest.timestamps import parse_timestamp_sql

_KEYS = tuple(
    re.compile(rf'"{key}"\s*:') for key in ("number", "state", "createdAt", "url", "title")
)


class GithubIssuesJson(BacklogExport):
    name = "github_issues"
    title = "GitHub issues JSON (gh issue list)"
    raw_table = "github_issues__issues"

    def detect(self, sample: FileSample, config: Config) -> bool:
        text = sample.text.lstrip()
        return text.startswith("[") and all(key.search(text) for key in _KEYS)

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        timezone = config.timezone_for(self.name)
        return f"""
            WITH documents AS (
                SELECT json AS document FROM {read_json_objects_sql(path, sample)}
            ),
            -- DuckDB reads a top-level array as one document per element; an array
            -- nested in JSON Lines (one `gh` run per line) stays an array.
            issues AS (
                SELECT document AS issue FROM documents WHERE json_type(document) = 'OBJECT'
                UNION ALL
                SELECT unnest(from_json(document, '["json"]')) AS issue
                FROM documents
                WHERE json_type(document) = 'ARRAY'
            ),
            fields AS (
                SELECT
                    issue ->> 'number' AS number,
                    issue ->> 'url' AS url,
                    issue ->> 'title' AS title,
                    issue ->> 'state' AS status,
                    issue ->> 'createdAt' AS created_at_raw,
                    issue ->> 'closedAt' AS closed_at_raw,
                    issue ->> 'body' AS description,
                    (
                        SELECT string_agg(label ->> 'name', ', ')
                        FROM (SELECT unnest(from_json(issue -> 'labels', '["json"]')) AS label)
                    ) AS labels,
                    row_number() OVER () AS _source_row
                FROM issues
            )
            SELECT
                coalesce(regexp_extract(url, 'github\\.com/([^/]+/[^/]+)/', 1) || '#', '#')
                    || number AS item_key,
                number AS item_id,
                url,
                title,
                status,
                created_at_raw,
                {parse_timestamp_sql("created_at_raw", timezone)} AS created_at,
                {parse_timestamp_sql("closed_at_raw", timezone)} AS resolved_at,
                NULL AS canceled_at,
                description,
                labels,
                _source_row
            FROM fields
        """
