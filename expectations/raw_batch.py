"""Raw gate: the batch this run loaded, per raw table (contracts.md, Quality gates).

Required columns present, ids not null and unique per source file, timestamps parseable
(the reader leaves unparseable ones NULL) and not in the future beyond a tolerance, counts
not negative.
"""

from __future__ import annotations

from datetime import timedelta

import great_expectations.expectations as gxe

from learnloop.gates.checks import Check, GateParameters


def _batch(table: str, params: GateParameters) -> str:
    return f"SELECT * FROM raw.{table} WHERE _run_key = '{params.run_key}'"


def _common(id_column: str, time_column: str, columns: set[str], params: GateParameters) -> list:
    latest_allowed = params.now + timedelta(minutes=params.future_tolerance_minutes)
    return [
        gxe.ExpectTableColumnsToMatchSet(column_set=sorted(columns), exact_match=False),
        gxe.ExpectColumnValuesToNotBeNull(column=id_column),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["_source_file", id_column]),
        gxe.ExpectColumnValuesToNotBeNull(column=time_column),
        gxe.ExpectColumnValuesToBeBetween(column=time_column, max_value=latest_allowed),
    ]


def checks(params: GateParameters) -> list[Check]:
    return [
        Check(
            name="raw.inbox_csv__messages",
            query=_batch("inbox_csv__messages", params),
            expectations=_common(
                "message_id",
                "created_at",
                {"message_id", "created_at", "platform_raw", "text", "_source_file"},
                params,
            ),
        ),
        Check(
            name="raw.youtube_api__comments",
            query=_batch("youtube_api__comments", params),
            expectations=[
                *_common(
                    "comment_id",
                    "published_at",
                    {"comment_id", "published_at", "channel_id", "video_id", "_source_file"},
                    params,
                ),
                gxe.ExpectColumnValuesToBeBetween(column="like_count", min_value=0),
                gxe.ExpectColumnValuesToBeBetween(column="total_reply_count", min_value=0),
            ],
        ),
    ]
