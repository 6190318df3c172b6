"""Mart gate: what only this run can judge, before anything is published (README, Quality gates).

dbt's tests hold every invariant of the models themselves (shares in [0, 1], durations not
negative, one row per week_start x platform, 'all' equal to the sum of the platforms, ...)
and fail `dbt build` before this gate runs. What they cannot see is the run: the clock it
runs at and the file it would replace. So this gate checks only that no week lies after the
current one, and that interactions did not fall by more than `max_volume_drop` against the
last published run.
"""

from __future__ import annotations

import great_expectations.expectations as gxe

from learnloop.gates.checks import Check, GateParameters


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
    future_weeks = Check(
        name="analytics.kpi_weekly",
        query="SELECT week_start FROM analytics.kpi_weekly",
        expectations=[
            gxe.ExpectColumnValuesToBeBetween(
                column="week_start", max_value=params.current_week_start
            ),
        ],
    )
    volume = _volume_drop(params)
    if not volume:  # the first publish has nothing to compare with
        return [future_weeks]
    return [
        future_weeks,
        Check(
            name="analytics.interactions",
            query="SELECT interaction_id FROM analytics.interactions",
            expectations=volume,
        ),
    ]
