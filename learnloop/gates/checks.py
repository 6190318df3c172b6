"""The vocabulary of the suites in expectations/: a check is a SQL batch and its expectations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any


@dataclass(frozen=True)
class Check:
    """Expectations validated against the rows a SQL query selects (one GX query asset)."""

    name: str
    query: str
    expectations: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class GateParameters:
    """What a suite may depend on besides the data."""

    run_key: str
    now: datetime
    current_week_start: date
    future_tolerance_minutes: int
    max_volume_drop: float
    previous_interactions: int | None  # as of the last published run; None before the first
    earliest_allowed: datetime = datetime(2000, 1, 1, tzinfo=UTC)  # [gates] earliest_year
