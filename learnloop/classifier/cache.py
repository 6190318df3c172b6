"""The embedding cache in the build database, and the per-run embedding budget.

`ops.embedding_cache` is not a dbt model: `--full-refresh` and rebuilds leave it alone, so a
text is embedded once per model, ever. The dbt model `int_signal_embeddings__batch` calls
`embed_pending`: the texts that are not cached yet, labelled messages first (they train the
head), then the newest, at most `[classifier] embedding_budget` per run. What is left waits
for the next run; until then the rules classify those messages.
"""

from __future__ import annotations

import logging

import duckdb
import pandas as pd

from learnloop.classifier.embedding import DIMENSIONS, MODEL_ID, embed

log = logging.getLogger(__name__)

CACHE_TABLE = "ops.embedding_cache"
SETTINGS_TABLE = "ops.classifier_settings"


def create_cache(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"""CREATE TABLE IF NOT EXISTS {CACHE_TABLE} (
            text_key VARCHAR PRIMARY KEY,   -- md5(model id || NUL || normalised text)
            model_id VARCHAR NOT NULL,
            embedding TINYINT[{DIMENSIONS}] NOT NULL,  -- the vector / scale, rounded
            scale FLOAT NOT NULL,
            embedded_at TIMESTAMPTZ NOT NULL
        )"""
    )


def write_settings(con: duckdb.DuckDBPyConnection, embedding_budget: int, threads: int) -> None:
    """The run's classifier settings, as a table the dbt models read (like the brand accounts)."""
    con.execute(
        f"CREATE OR REPLACE TABLE {SETTINGS_TABLE} AS "
        "SELECT ?::BIGINT AS embedding_budget, ?::INTEGER AS threads, ?::VARCHAR AS model_id",
        [embedding_budget, threads, MODEL_ID],
    )


# Every pending text has a model_text: its key is the md5 of it, NULL without it. A filter on
# model_text here let DuckDB join every text to its interaction before the cache dropped the
# embedded ones (5 s a run at 10M interactions with nothing pending, 0.3 s without it).
PENDING_SQL = """
    SELECT texts.text_key, any_value(texts.model_text) AS model_text
    FROM pending_texts AS texts
    LEFT JOIN pending_labels AS labels
        ON labels.platform = texts.platform AND labels.interaction_id = texts.interaction_id
    GROUP BY texts.text_key
    ORDER BY bool_or(labels.interaction_id IS NOT NULL) DESC, max(texts.created_at) DESC NULLS LAST,
        texts.text_key
    LIMIT ?
"""


def embed_pending(
    con: duckdb.DuckDBPyConnection,
    texts: duckdb.DuckDBPyRelation,
    labels: duckdb.DuckDBPyRelation,
) -> pd.DataFrame:
    """Embed and cache the texts of `texts` (int_interactions__pending_texts: not cached yet),
    within the run's budget; returns the keys embedded now."""
    ((budget, threads),) = con.execute(
        f"SELECT embedding_budget, threads FROM {SETTINGS_TABLE}"
    ).fetchall()
    texts.create_view("pending_texts", replace=True)
    labels.create_view("pending_labels", replace=True)
    rows = con.execute(PENDING_SQL, [budget]).fetchall()
    keys = [key for key, _ in rows]
    quantised, scales = embed(keys, [text for _, text in rows], threads)
    batch = pd.DataFrame({"text_key": keys, "embedding": list(quantised), "scale": scales})
    con.register("embedded_batch", batch)
    con.execute(
        f"""INSERT INTO {CACHE_TABLE}
            SELECT text_key, ?, embedding::TINYINT[{DIMENSIONS}], scale, now()
            FROM embedded_batch""",
        [MODEL_ID],
    )
    con.unregister("embedded_batch")
    log.info("embedded %d new texts (budget %d, %d threads)", len(keys), budget, threads)
    return pd.DataFrame({"text_key": pd.Series(keys, dtype="string")})
