"""Run a gate: load its suite from expectations/, validate each check in DuckDB with GX."""

from __future__ import annotations

import importlib.util
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from learnloop.errors import GateFailed
from learnloop.gates.checks import Check, GateParameters
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
    passing run, nearly every run, never pays for examples it would not show."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx  # heavy: imported only when a gate runs
    from great_expectations.data_context.types.base import ProgressBarsConfig

    from learnloop.gates.gx_duckdb import duckdb_datasource

    context = gx.get_context(mode="ephemeral")
    # Progress bars would flood the Airflow task log with carriage-return lines.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    queries = {check.name: check.query for check in checks}
    with duckdb_datasource(context, f"{gate}_gate", database, queries) as datasource:
        results = {
            check.name: _validate_check(datasource, gate, check, VERDICTS_ONLY) for check in checks
        }
        for check in checks:
            if not results[check.name].success:
                results[check.name] = _validate_check(datasource, gate, check, WITH_EXAMPLES)
        return [
            _outcome(gate, check.name, result)
            for check in checks
            for result in results[check.name].results
        ]


def _validate_check(datasource: Any, gate: str, check: Check, result_format: str) -> Any:
    """GX's suite result for the check's expectations on its query asset's whole batch."""
    import great_expectations as gx

    from learnloop.gates.gx_duckdb import WHOLE

    batch = datasource.get_asset(check.name).get_batch_definition(WHOLE).get_batch()
    suite = gx.ExpectationSuite(name=f"{gate}.{check.name}", expectations=check.expectations)
    return batch.validate(suite, result_format=result_format)


def _outcome(gate: str, check: str, result: Any) -> Outcome:
    config = result.expectation_config
    kwargs = config.kwargs
    target = kwargs.get("column") or ",".join(kwargs.get("column_list", [])) or ""
    label = config.description or f"{config.type}({target})"
    details = result.result or {}
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
