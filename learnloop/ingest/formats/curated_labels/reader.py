"""Curated labels CSV: `platform, interaction, signal_category` (docs/formats.md §3).

A person's category for one interaction overrides the automatic one (docs/kpis.md, Signals).
`interaction` holds an interaction id or a URL; dbt resolves it (macro
interaction_references). A row whose category is not one of docs/kpis.md's six is kept in the raw
table with `rejection_reason` set, so the other labels of the file still count and the
reason is published (analytics.learning_rejections).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from learnloop.config import Config
from learnloop.db import sql_identifier, sql_literal
from learnloop.errors import FormatError
from learnloop.ingest.csv_files import header_names, read_csv_text_sql
from learnloop.ingest.formats.base import ExportFormat, FileSample

SIGNAL_CATEGORIES = ("problem", "complaint", "idea", "question", "praise", "none")
# Header names, case-insensitive; `interaction` may also be written as the id or URL column.
SYNONYMS = {
    "platform": ("platform",),
    "interaction": ("interaction", "interaction_id", "interaction id", "interaction_url", "url"),
    "signal_category": ("signal_category", "signal category", "category"),
}


def resolve_header(names: Collection[str], synonyms: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Canonical field -> the header cell (lower-case) that names it; `names` are the header's
    cells in lower case."""
    return {
        field: next(name for name in candidates if name in names)
        for field, candidates in synonyms.items()
        if any(name in names for name in candidates)
    }


class CuratedLabels(ExportFormat):
    def detect(self, sample: FileSample, config: Config) -> bool:
        return len(resolve_header(header_names(sample), SYNONYMS)) == len(SYNONYMS)

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        header = resolve_header(header_names(sample), SYNONYMS)
        if len(header) != len(SYNONYMS):
            raise FormatError("the header needs the columns platform, interaction, signal_category")
        # read_csv keeps the header's spelling; match it case-insensitively via normalize_names.
        platform, ref, category = (
            sql_identifier(header[f]) for f in ("platform", "interaction", "signal_category")
        )
        allowed = ", ".join(sql_literal(c) for c in SIGNAL_CATEGORIES)
        return f"""
            SELECT
                cast(_source_row AS VARCHAR) AS row_id,
                nullif(trim({platform}), '') AS platform_raw,
                nullif(trim({ref}), '') AS interaction_ref,
                lower(nullif(trim({category}), '')) AS signal_category,
                CASE
                    WHEN nullif(trim({ref}), '') IS NULL THEN 'interaction is empty'
                    WHEN lower(nullif(trim({category}), '')) IS NULL
                        THEN 'signal_category is empty'
                    WHEN lower(trim({category})) NOT IN ({allowed})
                        THEN 'signal_category ' || {category} || ' is not one of '
                             || {sql_literal(", ".join(SIGNAL_CATEGORIES))}
                END AS rejection_reason,
                _source_row
            FROM (
                SELECT *, row_number() OVER () AS _source_row
                FROM {read_csv_text_sql(path)}
            )
        """
