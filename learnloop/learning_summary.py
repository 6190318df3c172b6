"""One line about what the learning sources could not use, for the run's progress output.

Rejected register/label rows and evidence references that match no interaction are not
errors (the rest publishes); they are listed in analytics.learning_rejections and
analytics.insight_evidence, and counted here so that the person running the pipeline sees
them without opening the warehouse.
"""

from __future__ import annotations

import duckdb


def learning_issues(con: duckdb.DuckDBPyConnection) -> str:
    """E.g. "3 register/label rows rejected (analytics.learning_rejections), 1 evidence
    reference unmatched (analytics.insight_evidence)"; "" when there is nothing to say."""
    row = con.execute(
        """SELECT (SELECT count(*) FROM analytics.learning_rejections),
                  (SELECT count(*) FROM analytics.insight_evidence WHERE NOT matched)"""
    ).fetchone()
    rejected, unmatched = row if row else (0, 0)
    parts = []
    if rejected:
        parts.append(f"{rejected} register/label rows rejected (analytics.learning_rejections)")
    if unmatched:
        noun = "reference" if unmatched == 1 else "references"
        parts.append(f"{unmatched} evidence {noun} unmatched (analytics.insight_evidence)")
    return ", ".join(parts)
