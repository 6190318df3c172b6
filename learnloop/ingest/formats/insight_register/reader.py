"""Insight register, CSV or .xlsx (docs/formats.md §3; templates/insight_register.*).

`insight_id, title, logged_at, category, evidence, status, action_ref, actioned_at,
shipped_at, closed_loop_at, owner, notes`. People edit the register by hand, so a row whose
required fields are missing or unparseable does not stop the file: every row is loaded, and
a row that cannot be used carries `rejection_reason` (dbt leaves it out and publishes it in
analytics.learning_rejections). Dates are ISO; a date without a time is 00:00 local in the
register's time zone ([timezones] insight_register, else `timezone`).
"""

from __future__ import annotations

from pathlib import Path

from learnloop.config import Config
from learnloop.db import sql_identifier, sql_literal
from learnloop.errors import FormatError
from learnloop.ingest.csv_files import header_cells, header_names, read_csv_text_sql
from learnloop.ingest.excel import SheetHeader, find_sheet, looks_like_workbook, sheet_as_csv
from learnloop.ingest.formats.base import ExportFormat, FileSample
from learnloop.ingest.timestamps import parse_timestamp_sql

FIELDS = (
    "insight_id",
    "title",
    "logged_at",
    "category",
    "evidence",
    "status",
    "action_ref",
    "actioned_at",
    "shipped_at",
    "closed_loop_at",
    "owner",
    "notes",
)
REQUIRED = ("insight_id", "title", "logged_at")
DATES = ("logged_at", "actioned_at", "shipped_at", "closed_loop_at")
STATUSES = ("new", "triaged", "planned", "in_progress", "shipped", "wont_do")
SYNONYMS = {field: (field, field.replace("_", " ")) for field in FIELDS}


def _columns(cells: list[str]) -> dict[str, str]:
    """Canonical field -> the header cell that names it (cells compared lower-case)."""
    lowered = {cell.strip().lower(): cell for cell in cells}
    return {
        field: lowered[name]
        for field, names in SYNONYMS.items()
        for name in names
        if name in lowered
    }


def _is_register(columns: dict[str, str]) -> bool:
    return all(field in columns for field in REQUIRED) and "evidence" in columns


class InsightRegister(ExportFormat):
    def detect(self, sample: FileSample, config: Config) -> bool:
        if looks_like_workbook(sample.head):
            return self._sheet(sample.path) is not None
        # Most files name no evidence column: they are not looked at cell by cell.
        if not sample.is_text or not header_names(sample) & set(SYNONYMS["evidence"]):
            return False
        return _is_register(_columns(header_cells(sample)))

    def _sheet(self, path: Path) -> SheetHeader | None:
        return find_sheet(path, SYNONYMS, ("insight_id", "logged_at", "evidence"), 4)

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        if looks_like_workbook(sample.head):
            sheet = self._sheet(path)
            if sheet is None:
                raise FormatError("no sheet has the columns insight_id, title, logged_at")
            source, columns = sheet_as_csv(path, sheet), dict(sheet.columns)
        else:
            source, columns = path, _columns(header_cells(sample))
        missing = [field for field in (*REQUIRED, "evidence") if field not in columns]
        if missing:
            raise FormatError(f"the header lacks the columns {', '.join(missing)}")
        timezone = config.timezone_for(self.name)

        def text(field: str) -> str:
            name = columns.get(field)
            return f"nullif(trim({sql_identifier(name)}), '')" if name else "NULL"

        parsed = {field: parse_timestamp_sql(text(field), timezone) for field in DATES}
        status = f"lower({text('status')})"
        statuses = ", ".join(sql_literal(s) for s in STATUSES)
        reasons = [
            *(f"WHEN {text(field)} IS NULL THEN '{field} is empty'" for field in REQUIRED),
            *(
                f"WHEN {text(field)} IS NOT NULL AND {parsed[field]} IS NULL "
                f"THEN '{field} ' || {text(field)} || ' is not an ISO date or timestamp'"
                for field in DATES
            ),
            f"WHEN {status} NOT IN ({statuses}) THEN 'status ' || {text('status')} || "
            f"' is not one of {', '.join(STATUSES)}'",
        ]
        return f"""
            SELECT
                cast(_source_row AS VARCHAR) AS row_id,
                {text("insight_id")} AS insight_id,
                {text("title")} AS title,
                {text("logged_at")} AS logged_at_raw,
                {parsed["logged_at"]} AS logged_at,
                {text("category")} AS category,
                {text("evidence")} AS evidence,
                coalesce({status}, 'new') AS status,
                {text("action_ref")} AS action_ref,
                {parsed["actioned_at"]} AS actioned_at,
                {parsed["shipped_at"]} AS shipped_at,
                {parsed["closed_loop_at"]} AS closed_loop_at,
                {text("owner")} AS owner,
                {text("notes")} AS notes,
                CASE {" ".join(reasons)} END AS rejection_reason,
                _source_row
            FROM (
                SELECT *, row_number() OVER () AS _source_row
                FROM {read_csv_text_sql(source)}
            )
        """
