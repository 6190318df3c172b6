"""Raw gate: the batch this run loaded, per raw table (docs/contracts.md, Quality gates).

For every registered export format: its columns present, its row id not null and unique per
source file, its timestamp parsed (readers leave unparseable ones NULL; formats whose records
may lack a time, like posts without a publish time, declare `time_required = False`), not
before `[gates] earliest_year` and not in the future beyond a tolerance, its counts not
negative. A new format declares `id_column`,
`time_column` and `count_columns` and is checked without touching this file.
"""

from __future__ import annotations

from datetime import timedelta

import great_expectations.expectations as gxe

from learnloop.gates.checks import Check, GateParameters
from learnloop.ingest.formats import FORMATS, ExportFormat


def _expectations(export_format: ExportFormat, params: GateParameters) -> list:
    latest_allowed = params.now + timedelta(minutes=params.future_tolerance_minutes)
    id_column, time_column = export_format.id_column, export_format.time_column
    return [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=sorted({name for name, _ in export_format.columns} | {"_source_file"}),
            exact_match=False,
        ),
        gxe.ExpectColumnValuesToNotBeNull(column=id_column),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["_source_file", id_column]),
        *(
            [gxe.ExpectColumnValuesToNotBeNull(column=time_column)]
            if export_format.time_required
            else []
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column=time_column, min_value=params.earliest_allowed, max_value=latest_allowed
        ),
        *(
            gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0)
            for column in export_format.count_columns
        ),
    ]


def checks(params: GateParameters) -> list[Check]:
    return [
        Check(
            name=f"raw.{export_format.raw_table}",
            query=f"SELECT * FROM raw.{export_format.raw_table} WHERE _run_key = '{params.run_key}'",
            expectations=_expectations(export_format, params),
        )
        for export_format in FORMATS
    ]
