"""ISO week labels (`2026-W44`) as the report folders and `--week` name them."""

from __future__ import annotations

import re
from datetime import date

from learnloop.errors import ConfigError


def iso_week_label(week: date) -> str:
    year, number, _ = week.isocalendar()
    return f"{year}-W{number:02d}"


def parse_iso_week(label: str) -> date:
    """'2026-W44' -> the Monday of that ISO week."""
    match = re.fullmatch(r"(\d{4})-W(\d{2})", label.strip())
    if not match:
        raise ConfigError(f"--week: expected an ISO week like 2026-W44, got {label!r}")
    try:
        return date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise ConfigError(f"--week: {label!r} is not a week of that year") from None
