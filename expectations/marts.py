"""Mart gate: what dbt built, before anything is published (docs/contracts.md, Quality gates).

Shares within [0, 1], durations not negative, one row per week_start x platform, 'all' rows
equal to the sum of platform rows for additive counts, no week after the current one, and
no volume drop beyond the configured share against the last published run.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from learnloop.gates.checks import Check, GateParameters

SHARE_COLUMNS = (
    "response_rate",
    "two_way_rate",
    "signal_rate",
    "closed_loop_rate_12w",
    "needing_reply_response_rate",
)
DURATION_COLUMNS = (
    "median_first_response_minutes",
    "p90_first_response_minutes",
    "needing_reply_median_first_response_minutes",
)
ADDITIVE_COLUMNS = (
    "inbound_messages",
    "outbound_messages",
    "conversations",
    "answered_conversations",
    "conversations_needing_reply",
    "posts",
    "signals",
    "problems",
    "complaints",
    "ideas",
    "questions",
    "praise",
)
# Insights without evidence count only on 'all' (docs/kpis.md), so 'all' may exceed the sum.
AT_LEAST_SUM_COLUMNS = (
    "insights_logged",
    "insights_actioned",
    "insights_shipped",
    "loops_closed",
    "open_loops",
)


def _all_equals_sum_of_platforms() -> str:
    differs = " OR ".join(f"a.{c} <> p.{c}" for c in ADDITIVE_COLUMNS)
    sums = ", ".join(f"sum({c}) AS {c}" for c in ADDITIVE_COLUMNS)
    return f"""
        WITH p AS (
            SELECT week_start, {sums} FROM {{batch}} WHERE platform <> 'all' GROUP BY week_start
        )
        SELECT a.week_start FROM {{batch}} AS a JOIN p USING (week_start)
        WHERE a.platform = 'all' AND ({differs})
    """


def _all_at_least_sum_of_platforms() -> str:
    below = " OR ".join(f"a.{c} < p.{c}" for c in AT_LEAST_SUM_COLUMNS)
    sums = ", ".join(f"sum({c}) AS {c}" for c in AT_LEAST_SUM_COLUMNS)
    return f"""
        WITH p AS (
            SELECT week_start, {sums} FROM {{batch}} WHERE platform <> 'all' GROUP BY week_start
        )
        SELECT a.week_start FROM {{batch}} AS a JOIN p USING (week_start)
        WHERE a.platform = 'all' AND ({below})
    """


def _volume_drop(params: GateParameters) -> list:
    if params.previous_interactions is None:
        return []
    minimum = int(params.previous_interactions * (1 - params.max_volume_drop))
    return [
        gxe.UnexpectedRowsExpectation(
            description=(
                f"interactions fell by more than {params.max_volume_drop:.0%} against the "
                f"last published run ({params.previous_interactions})"
            ),
            unexpected_rows_query=(
                f"SELECT count(*) AS interactions FROM {{batch}} HAVING count(*) < {minimum}"
            ),
        )
    ]


def checks(params: GateParameters) -> list[Check]:
    return [
        Check(
            name="analytics.kpi_weekly",
            query="SELECT * FROM analytics.kpi_weekly",
            expectations=[
                *(
                    gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1)
                    for c in SHARE_COLUMNS
                ),
                *(
                    gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0)
                    for c in DURATION_COLUMNS
                ),
                gxe.ExpectCompoundColumnsToBeUnique(column_list=["week_start", "platform"]),
                gxe.ExpectColumnValuesToBeBetween(
                    column="week_start", max_value=params.current_week_start
                ),
                gxe.UnexpectedRowsExpectation(
                    description="'all' rows equal the sum of the platform rows (additive counts)",
                    unexpected_rows_query=_all_equals_sum_of_platforms(),
                ),
                gxe.UnexpectedRowsExpectation(
                    description="'all' insight counts are at least the sum of the platform rows",
                    unexpected_rows_query=_all_at_least_sum_of_platforms(),
                ),
            ],
        ),
        Check(
            name="analytics.conversations",
            query="SELECT * FROM analytics.conversations",
            expectations=[
                gxe.ExpectColumnValuesToBeBetween(column="first_response_minutes", min_value=0),
                gxe.ExpectColumnValuesToBeBetween(column="turns", min_value=1),
            ],
        ),
        Check(
            name="analytics.interactions",
            query="SELECT platform, interaction_id, created_at FROM analytics.interactions",
            expectations=[
                gxe.ExpectColumnValuesToNotBeNull(column="created_at"),
                *_volume_drop(params),
            ],
        ),
    ]
