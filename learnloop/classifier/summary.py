"""One line on what the classifier did in a build, for the run's dbt step."""

from __future__ import annotations

import duckdb


def classifier_summary(con: duckdb.DuckDBPyConnection, retrained: bool) -> str:
    """'12 texts embedded, 0 waiting' and, when the head was trained anew (a full build: new
    labels, a new release), what it learnt from and what the workspace's labels changed."""
    ((embedded,),) = con.execute(
        "SELECT count(*) FROM intermediate.int_signal_embeddings__batch"
    ).fetchall()
    ((waiting,),) = con.execute(
        "SELECT count(DISTINCT text_key) FROM intermediate.int_interactions__pending_texts"
    ).fetchall()
    line = f"classifier: {embedded} texts embedded, {waiting} waiting"
    if not retrained:
        return line
    rows = con.execute(
        """SELECT any_value(shipped_examples), any_value(workspace_labels),
                  any_value(labels_matched_before), any_value(labels_matched_after)
           FROM intermediate.int_signal_model__head"""
    ).fetchall()
    shipped, labels, before, after = rows[0]
    line += f"; head trained on {shipped} shipped examples + {labels} of your labels"
    if labels:
        line += f" (the shipped head agreed with {before} of them, the new one with {after})"
    return line
