"""Meta Business Suite post export CSV, Facebook and Instagram (docs/formats.md §2).

UTF-8 with BOM, one row per post with lifetime totals as of the export (`Date` holds
`Lifetime`), so a later export of the same post replaces the earlier one downstream.

Facebook (32-34 columns; Meta adds or drops the `Negative feedback from users: ...` columns
from month to month): `Post ID, Page ID, Page name, Title, Description, Duration (sec),
Publish time, Caption type, Permalink, Is crosspost, Is share, Post type, Languages, Custom
labels, Funded content status, Data comment, Date, Views, Reach, "Reactions, Comments and
Shares", Reactions, Comments, Shares, Total clicks, ...`.
Instagram: `Post ID, Account ID, Account username, Account name, Description, Duration (sec),
Publish time, Permalink, Post type, Data comment, Date, Views, Reach, Likes, Shares, Follows,
Comments, Saves`. The header tells the platform: `Page ID` is Facebook, `Account ID` Instagram.

The "repeated Reactions": in a real export `"Reactions, Comments and Shares"` is ONE quoted
header cell (the sum of the three columns after it), followed by `Reactions` (reactions
only). Columns are bound by their position in the header row, so DuckDB's renaming of
duplicate names never matters; reactions are the cell named exactly `Reactions` (the last
one, should an export ever write the name twice), never the sum.

`Publish time` is `MM/DD/YYYY HH:MM` in the account's time zone (no offset): a local time in
the zone configured for this format. Views stand for impressions (Meta replaced impressions
by views in 2025). Empty metric cells stay NULL.
"""

from __future__ import annotations

from pathlib import Path

from learnloop.config import Config
from learnloop.db import sql_literal
from learnloop.errors import FormatError
from learnloop.ingest.csv_files import header_cells, read_csv_text_sql
from learnloop.ingest.formats.base import ExportFormat, FileSample

# Header cell -> raw column, per platform. Metrics absent from a platform's export stay NULL.
_TEXT_COLUMNS = {
    "facebook": {
        "Post ID": "post_id",
        "Page ID": "account_id",
        "Page name": "account_name",
        "Title": "title",
        "Description": "description",
        "Publish time": "publish_time_raw",
        "Permalink": "permalink",
        "Post type": "post_type",
        "Date": "date_label",
    },
    "instagram": {
        "Post ID": "post_id",
        "Account ID": "account_id",
        "Account username": "account_username",
        "Account name": "account_name",
        "Description": "description",
        "Publish time": "publish_time_raw",
        "Permalink": "permalink",
        "Post type": "post_type",
        "Date": "date_label",
    },
}
_COUNT_COLUMNS = {
    "facebook": {
        "Views": "views",
        "Reach": "reach",
        "Reactions": "reactions",
        "Comments": "comments",
        "Shares": "shares",
        "Total clicks": "clicks",
    },
    "instagram": {
        "Views": "views",
        "Reach": "reach",
        "Likes": "reactions",
        "Comments": "comments",
        "Shares": "shares",
        "Saves": "saves",
        "Follows": "follows",
    },
}
# Meta writes minutes; seconds are accepted should a re-saved file carry them.
_PUBLISH_TIME_FORMATS = "['%m/%d/%Y %H:%M', '%m/%d/%Y %H:%M:%S']"


def platform_of(header: list[str]) -> str | None:
    if "Post ID" not in header or "Publish time" not in header:
        return None
    if "Page ID" in header:
        return "facebook"
    if "Account ID" in header or "Account username" in header:
        return "instagram"
    return None


def _position(header: list[str], name: str) -> int | None:
    """The last cell with exactly this name (see the module docstring on `Reactions`)."""
    positions = [i for i, cell in enumerate(header) if cell == name]
    return positions[-1] if positions else None


class MetaBusinessPosts(ExportFormat):
    name = "meta_business_posts"
    platform = None  # Facebook and Instagram, per row
    title = "Meta Business Suite post export CSV"
    raw_table = "meta_business_posts__posts"
    raw_description = "One row per post of an export file; a later export repeats the post."
    column_docs = (
        ("platform", "facebook (the header has Page ID) or instagram (Account ID)."),
        ("post_id", "The export's Post ID."),
        ("account_id", "Page ID (Facebook) or Account ID (Instagram)."),
        (
            "published_at",
            "Publish time (MM/DD/YYYY HH:MM, the account's local time) as an instant, read in the time zone configured for meta_business_posts.",
        ),
        (
            "reactions",
            'Facebook `Reactions` (not the sum column "Reactions, Comments and Shares"), Instagram `Likes`.',
        ),
        ("clicks", "Facebook `Total clicks`; NULL for Instagram."),
        ("views", "Views, which Meta reports instead of impressions since 2025."),
    )
    id_column = "post_id"
    time_column = "published_at"
    time_required = False  # docs/kpis.md: a post without a known publish time is kept
    count_columns = (
        "views",
        "reach",
        "reactions",
        "comments",
        "shares",
        "clicks",
        "saves",
        "follows",
    )
    columns = (
        ("platform", "VARCHAR"),
        ("post_id", "VARCHAR"),
        ("account_id", "VARCHAR"),
        ("account_username", "VARCHAR"),
        ("account_name", "VARCHAR"),
        ("title", "VARCHAR"),
        ("description", "VARCHAR"),
        ("publish_time_raw", "VARCHAR"),
        ("published_at", "TIMESTAMPTZ"),
        ("permalink", "VARCHAR"),
        ("post_type", "VARCHAR"),
        ("date_label", "VARCHAR"),
        ("views", "BIGINT"),
        ("reach", "BIGINT"),
        ("reactions", "BIGINT"),
        ("comments", "BIGINT"),
        ("shares", "BIGINT"),
        ("clicks", "BIGINT"),
        ("saves", "BIGINT"),
        ("follows", "BIGINT"),
    )

    def detect(self, sample: FileSample, config: Config) -> bool:
        if b"\x00" in sample.head:
            return False
        return platform_of(header_cells(sample)) is not None

    def select_sql(self, path: Path, sample: FileSample, config: Config) -> str:
        header = header_cells(sample)
        platform = platform_of(header)
        if platform is None:
            raise FormatError("the header lacks Post ID, Publish time or Page ID/Account ID")
        # Positional names: the header's own names may repeat or hold commas and brackets.
        names = [f"c{i}" for i in range(len(header))]

        def cell(name: str) -> str:
            position = _position(header, name)
            return "NULL" if position is None else f"nullif(trim(c{position}), '')"

        selected = {column: cell(name) for name, column in _TEXT_COLUMNS[platform].items()}
        for name, column in _COUNT_COLUMNS[platform].items():
            # Meta writes plain integers; a thousands separator from a re-saved file is dropped.
            selected[column] = f"try_cast(replace({cell(name)}, ',', '') AS BIGINT)"
        timezone = sql_literal(config.timezone_for(self.name))
        select_list = ",\n".join(
            f"{selected.get(column, 'NULL')}::{type_} AS {column}"
            for column, type_ in self.columns
            if column not in ("platform", "published_at")
        )
        return f"""
            WITH posts AS (
                SELECT
                    {select_list},
                    row_number() OVER () AS _source_row
                FROM {read_csv_text_sql(path, names=str(names), delim="','")}
            )
            SELECT
                {sql_literal(platform)} AS platform,
                * EXCLUDE (date_label, _source_row),
                timezone({timezone}, try_strptime(publish_time_raw, {_PUBLISH_TIME_FORMATS}))
                    AS published_at,
                -- Values that are not lifetime totals could not replace each other by post.
                CASE WHEN date_label IS DISTINCT FROM 'Lifetime'
                    THEN error('a Date cell holds ' || coalesce(date_label, 'nothing')
                               || ', not Lifetime: export lifetime post values')
                    ELSE date_label
                END AS date_label,
                _source_row
            FROM posts
        """
