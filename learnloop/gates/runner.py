"""Run a gate: load its suite from expectations/, validate each check in DuckDB with GX."""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from learnloop.db import connect
from learnloop.errors import GateFailed
from learnloop.gates.checks import Check, GateParameters
from learnloop.heap import loading_libraries
from learnloop.paths import EXPECTATIONS_DIR

log = logging.getLogger(__name__)
MAX_EXAMPLES = 5
# GX result formats: success alone; success with unexpected counts and up to 20 examples.
VERDICTS_ONLY = "BOOLEAN_ONLY"
WITH_EXAMPLES = "BASIC"


@dataclass(frozen=True)
class Outcome:
    """One expectation's result, as the run log keeps it."""

    gate: str
    check: str
    expectation: str
    success: bool
    unexpected_count: int | None
    examples: list[Any]

    def describe(self) -> str:
        count = "" if self.unexpected_count is None else f": {self.unexpected_count} unexpected"
        examples = f", e.g. {self.examples}" if self.examples else ""
        return f"{self.check} {self.expectation}{count}{examples}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_suite(gate: str, directory: Path = EXPECTATIONS_DIR) -> ModuleType:
    """The suite module expectations/<gate>.py; it defines `checks(GateParameters)`."""
    path = directory / f"{gate}.py"
    spec = importlib.util.spec_from_file_location(f"learnloop_expectations_{gate}", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_gate(gate: str, database: Path, params: GateParameters) -> list[Outcome]:
    """Validate every check of the gate; raise GateFailed listing the failed expectations."""
    _great_expectations()  # before the suite, which imports it
    checks: list[Check] = load_suite(gate).checks(params)
    outcomes = validate(gate, database, checks)
    failed = [o for o in outcomes if not o.success]
    log.info("%s gate: %d expectations, %d failed", gate, len(outcomes), len(failed))
    if failed:
        for outcome in failed:
            log.error("%s gate failed: %s", gate, outcome.describe())
        details = "; ".join(o.describe() for o in failed)
        error = GateFailed(
            f"{gate} gate: {len(failed)} of {len(outcomes)} expectations failed: {details}"
        )
        error.outcomes = outcomes  # type: ignore[attr-defined]
        raise error
    return outcomes


def validate(gate: str, database: Path, checks: list[Check]) -> list[Outcome]:
    """Each check's expectations as one suite on its query's batch, in one GX context.

    Verdicts first, for every check (GX computes each expectation's metrics but no examples);
    only a check with a failure is validated again to report its counts and examples. A
    passing run, nearly every run, never pays for examples it would not show.

    A check whose batch is empty (a raw table the run loaded nothing into: most of them in
    a run) is asked first only what can fail on no rows, its table-level expectations (the
    columns check). Its row-level expectations on columns that check requires hold on no
    rows by GX's own rule (a map expectation that considered no rows succeeds), so they are
    reported passed without GX building their metrics. Should anything asked fail, the whole
    check is validated again with examples, exactly as before."""
    gx = _great_expectations()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from learnloop.gates.gx_duckdb import duckdb_datasource

    holdable = {check.name: _held_on_no_rows(check) for check in checks}
    # Only a check that has expectations to hold needs to know whether its batch is empty.
    empty = _empty_batches(database, [check for check in checks if holdable[check.name]])
    context = gx.get_context(mode="ephemeral")
    # Progress bars would flood the Airflow task log with carriage-return lines.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    queries = {check.name: check.query for check in checks}
    with duckdb_datasource(context, f"{gate}_gate", database, queries) as datasource:
        outcomes: dict[str, list[Outcome]] = {}
        for check in checks:
            held = holdable[check.name] if check.name in empty else set()
            asked = [e for i, e in enumerate(check.expectations) if i not in held]
            result = _validate_check(datasource, gate, check.name, asked, VERDICTS_ONLY)
            if result.success:
                outcomes[check.name] = _merged(gate, check, held, result.results)
            else:
                result = _validate_check(
                    datasource, gate, check.name, check.expectations, WITH_EXAMPLES
                )
                outcomes[check.name] = [_outcome(gate, check.name, r) for r in result.results]
        return [outcome for check in checks for outcome in outcomes[check.name]]


def _great_expectations() -> ModuleType:
    """Great Expectations and LearnLoop's DuckDB source for it, imported when a gate first
    runs, without the garbage collector (learnloop/heap.py)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    with loading_libraries():
        import great_expectations as gx

        import learnloop.gates.gx_duckdb  # noqa: F401  # imports GX's SQL datasources
    return gx


def _merged(gate: str, check: Check, held: set[int], answers: list[Any]) -> list[Outcome]:
    """GX's answers about the asked expectations with the held ones, in the order GX reports
    a whole check in (the run log keeps it)."""
    asked = [i for i in range(len(check.expectations)) if i not in held]
    by_position = {
        asked[i]: _outcome(gate, check.name, answer)
        for i, answer in zip(
            _gx_order([check.expectations[i] for i in asked]), answers, strict=True
        )
    }
    for i in held:
        by_position[i] = _held(gate, check.name, check.expectations[i])
    return [by_position[i] for i in _gx_order(check.expectations)]


def _gx_order(expectations: list[Any]) -> list[int]:
    """Positions of the expectations in the order GX validates and reports them: grouped by
    their `column`, groups in order of first appearance (GX 1.x,
    Validator.process_expectations_for_validation)."""
    groups: dict[str | None, list[int]] = {}
    for i, expectation in enumerate(expectations):
        column = expectation.configuration.kwargs.get("column")
        groups.setdefault(column if isinstance(column, str) else None, []).append(i)
    return [i for group in groups.values() for i in group]


def _empty_batches(database: Path, checks: list[Check]) -> set[str]:
    """The checks whose query selects no rows, asked of DuckDB in one statement (none: no
    connection opened)."""
    if not checks:
        return set()
    exists = ", ".join(f"EXISTS ({check.query})" for check in checks)
    with connect(database) as con:
        (found,) = con.execute(f"SELECT [{exists}]").fetchone()
    return {check.name for check, rows in zip(checks, found, strict=True) if not rows}


def _held_on_no_rows(check: Check) -> set[int]:
    """Positions of the check's row-level (map) expectations whose columns the check's own
    columns expectation requires: on an empty batch they cannot fail once it passed."""
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )

    required: set[str] = set()
    for expectation in check.expectations:
        if expectation.expectation_type == "expect_table_columns_to_match_set":
            required |= set(expectation.column_set or ())
    held = set()
    for i, expectation in enumerate(check.expectations):
        if isinstance(expectation, ColumnMapExpectation):
            columns = {expectation.column}
        elif isinstance(expectation, ColumnPairMapExpectation):
            columns = {expectation.column_A, expectation.column_B}
        elif isinstance(expectation, MulticolumnMapExpectation):
            columns = set(expectation.column_list)
        else:
            continue
        if columns <= required:
            held.add(i)
    return held


def _validate_check(
    datasource: Any, gate: str, check: str, expectations: list[Any], result_format: str
) -> Any:
    """GX's suite result for these expectations on the check's query asset's whole batch."""
    import great_expectations as gx

    from learnloop.gates.gx_duckdb import WHOLE

    batch = datasource.get_asset(check).get_batch_definition(WHOLE).get_batch()
    suite = gx.ExpectationSuite(name=f"{gate}.{check}", expectations=expectations)
    return batch.validate(suite, result_format=result_format)


def _label(config: Any) -> str:
    kwargs = config.kwargs
    target = kwargs.get("column") or ",".join(kwargs.get("column_list", [])) or ""
    return config.description or f"{config.type}({target})"


def _held(gate: str, check: str, expectation: Any) -> Outcome:
    """A passed expectation GX was not asked about, as GX reports a verdict: no count."""
    return Outcome(gate, check, _label(expectation.configuration), True, None, [])


def _outcome(gate: str, check: str, result: Any) -> Outcome:
    details = result.result or {}
    label = _label(result.expectation_config)
    examples = details.get("partial_unexpected_list") or details.get("details", {}).get(
        "unexpected_rows", []
    )
    error = raised_exception(result.exception_info)
    if error is not None:
        # An expectation that could not be computed is a failure, never a silent pass.
        return Outcome(gate, check, label, False, None, [error])
    unexpected = details.get("unexpected_count")
    if unexpected is None and isinstance(details.get("observed_value"), int):
        unexpected = details["observed_value"]  # UnexpectedRowsExpectation: rows its query found
    return Outcome(
        gate,
        check,
        label,
        bool(result.success),
        unexpected,
        [_plain(e) for e in list(examples)[:MAX_EXAMPLES]],
    )


def raised_exception(exception_info: Any) -> str | None:
    """The first line of an error GX caught while computing an expectation, if any.

    GX reports it either flat ({raised_exception, exception_message}) or per metric
    ({metric_id: {raised_exception, exception_message}}).
    """
    if not isinstance(exception_info, dict):
        return None
    candidates = [exception_info, *(v for v in exception_info.values() if isinstance(v, dict))]
    for info in candidates:
        if info.get("raised_exception"):
            lines = str(info.get("exception_message") or "error").splitlines()
            return lines[0] if lines else "error"
    return None


def _plain(value: Any) -> Any:
    """Examples as JSON-friendly values for the run log."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
