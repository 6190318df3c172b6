"""The canonical shapes a staging model can feed: interactions, posts, followers, backlog items.

A staging model feeds a shape by ending in `conform_<shape>(...)` (dbt macros in
dbt_project/macros/conform.sql); `make formats` writes these columns into the generated
macro file, documents every conformed staging model with them and unions the models of a
shape in `int_<shape>__unioned`. Column descriptions are dbt doc blocks
in dbt_project/models/staging/ (dbt_project/models/staging/_staging__docs.md and the
files beside it), named `<doc_prefix><column>`.
"""

from __future__ import annotations

from dataclasses import dataclass

_LINEAGE = (
    ("source_format", "varchar"),
    ("source_file", "varchar"),
    ("source_row", "bigint"),
    ("loaded_at", "timestamp with time zone"),
)


@dataclass(frozen=True)
class Shape:
    name: str  # conform_<name>, int_<name>__unioned
    columns: tuple[tuple[str, str], ...]  # (name, SQL type), in output order
    doc_prefix: str
    not_null: tuple[str, ...]  # what every staging model must fill


SHAPES: tuple[Shape, ...] = (
    Shape(
        "interactions",
        (
            ("platform", "varchar"),
            ("interaction_id", "varchar"),
            ("conversation_id", "varchar"),
            ("parent_id", "varchar"),
            ("post_id", "varchar"),
            ("author_id", "varchar"),
            ("author_handle", "varchar"),
            ("is_outbound_by_source", "boolean"),
            ("created_at", "timestamp with time zone"),
            ("text", "varchar"),
            ("is_private", "boolean"),
            *_LINEAGE,
        ),
        doc_prefix="stg_",
        not_null=("platform", "interaction_id"),
    ),
    # Metrics are lifetime totals as of snapshot_at; NULL where the source does not report one.
    Shape(
        "posts",
        (
            ("platform", "varchar"),
            ("post_id", "varchar"),
            ("account", "varchar"),
            ("published_at", "timestamp with time zone"),
            ("permalink", "varchar"),
            ("text", "varchar"),
            ("reactions", "bigint"),
            ("comments", "bigint"),
            ("shares", "bigint"),
            ("clicks", "bigint"),
            ("impressions", "bigint"),
            ("snapshot_at", "timestamp with time zone"),
            *_LINEAGE,
        ),
        doc_prefix="stg_post_",
        not_null=("platform", "post_id"),
    ),
    # One row per account and local date: the total where the source gives it, and the day's
    # net change (new follows - unfollows) where it gives that.
    Shape(
        "followers",
        (
            ("platform", "varchar"),
            ("account", "varchar"),
            ("date", "date"),
            ("followers", "bigint"),
            ("net_change", "bigint"),
            *_LINEAGE,
        ),
        doc_prefix="stg_follower_",
        not_null=("platform", "date"),
    ),
    # Jira, GitHub issues, Linear, ...: the items that insights link to.
    Shape(
        "backlog_items",
        (
            ("source", "varchar"),
            ("key", "varchar"),
            ("url", "varchar"),
            ("title", "varchar"),
            ("status", "varchar"),
            ("is_done", "boolean"),
            ("created_at", "timestamp with time zone"),
            ("resolved_at", "timestamp with time zone"),
            ("text", "varchar"),
            ("source_file", "varchar"),
            ("source_row", "bigint"),
            ("loaded_at", "timestamp with time zone"),
        ),
        doc_prefix="backlog_",
        not_null=("key",),
    ),
)
