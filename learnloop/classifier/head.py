"""The classifier's head: a softmax regression over cached embeddings, trained in a second.

Training data: the shipped examples (`examples.parquet`, embedded when they were written, so
training never embeds) plus the workspace's curated labels whose message is in the embedding
cache. Each category weighs the same in total (macro-F1 counts every category alike), and a
workspace label weighs LABEL_WEIGHT examples: it speaks about this brand's own words. The
weights go into a table; classifying is SQL (int_interactions__signals).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from learnloop.classifier.examples import EXAMPLES_FILE

# Tuned on the development set (bench/classifier_combinations.py prints the grid).
L2_PENALTY = 0.00001
LABEL_WEIGHT = 3.0
_MAX_ITERATIONS = 400


@dataclass(frozen=True)
class Head:
    categories: list[str]
    weights: np.ndarray  # categories x dimensions
    bias: np.ndarray  # categories

    def predict(self, vectors: np.ndarray) -> np.ndarray:
        return np.asarray(self.categories)[np.argmax(vectors @ self.weights.T + self.bias, axis=1)]


def train(
    vectors: np.ndarray,
    labels: np.ndarray,
    sample_weights: np.ndarray | None = None,
    l2_penalty: float = L2_PENALTY,
    balance_classes: bool = True,
) -> Head:
    """Weighted, class-balanced softmax regression (L-BFGS, deterministic). Without
    `balance_classes` each example keeps its own weight (bench/classifier_head_candidates.py
    measured that; the head balances).

    BLAS runs on one thread: with more, OpenBLAS splits the matrix products differently and
    400 iterations turn the rounding into other weights (1e-5), so a rebuild in a process
    with another thread count would publish other confidences for the same messages."""
    categories = sorted(set(labels.tolist()))
    n, dimensions = vectors.shape
    k = len(categories)
    target = np.zeros((n, k))
    target[np.arange(n), np.searchsorted(categories, labels)] = 1.0
    weights = np.ones(n) if sample_weights is None else sample_weights.astype(float)
    if balance_classes:
        class_totals = target.T @ weights
        weights = (
            weights * (weights.sum() / (k * class_totals))[np.searchsorted(categories, labels)]
        )
    weights = weights / weights.sum()

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w = theta[: k * dimensions].reshape(k, dimensions)
        b = theta[k * dimensions :]
        logits = vectors @ w.T + b
        logits -= logits.max(axis=1, keepdims=True)
        log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        value = (
            -(weights * (target * log_probs).sum(axis=1)).sum() + 0.5 * l2_penalty * (w * w).sum()
        )
        residual = (np.exp(log_probs) - target) * weights[:, None]
        gradient_w = residual.T @ vectors + l2_penalty * w
        return value, np.concatenate([gradient_w.ravel(), residual.sum(axis=0)])

    with threadpool_limits(limits=1, user_api="blas"):
        result = minimize(
            loss,
            np.zeros(k * (dimensions + 1)),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": _MAX_ITERATIONS},
        )
    theta = result.x
    return Head(categories, theta[: k * dimensions].reshape(k, dimensions), theta[k * dimensions :])


def shipped_examples(con: duckdb.DuckDBPyConnection) -> tuple[np.ndarray, np.ndarray]:
    """(vectors, categories) of the shipped examples: the dev split chose the penalty and how
    rules and model combine (bench/classifier_combinations.py trains on `train` only), then
    the shipped head learns from both splits."""
    return _vectors(
        con,
        "SELECT category, embedding, scale FROM read_parquet(?) ORDER BY id",
        [str(EXAMPLES_FILE)],
    )


def _vectors(
    con: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None
) -> tuple[np.ndarray, np.ndarray]:
    rows = con.execute(sql, parameters or []).fetchall()
    if not rows:
        return np.zeros((0, 0)), np.array([], dtype=object)
    vectors = np.array([embedding for _, embedding, _ in rows], dtype=np.float64)
    scales = np.array([scale for _, _, scale in rows], dtype=np.float64)
    return vectors * scales[:, None], np.array([category for category, _, _ in rows], dtype=object)


WORKSPACE_LABELS_SQL = """
    SELECT labels.signal_category, cache.embedding, cache.scale
    FROM head_labels AS labels
    JOIN head_texts AS texts
        ON texts.platform = labels.platform AND texts.interaction_id = labels.interaction_id
    JOIN ops.embedding_cache AS cache ON cache.text_key = texts.text_key
    ORDER BY labels.platform, labels.interaction_id
"""


def workspace_head(
    con: duckdb.DuckDBPyConnection,
    labels: duckdb.DuckDBPyRelation,
    texts: duckdb.DuckDBPyRelation,
) -> pd.DataFrame:
    """The head table of int_signal_model__head: one row per category (weights, bias) and,
    on every row, what the training used and what the workspace's labels changed."""
    example_vectors, example_labels = shipped_examples(con)
    labels.create_view("head_labels", replace=True)
    texts.create_view("head_texts", replace=True)
    label_vectors, label_categories = _vectors(con, WORKSPACE_LABELS_SQL)
    shipped = train(example_vectors, example_labels)
    if len(label_categories):
        head = train(
            np.vstack([example_vectors, label_vectors]),
            np.concatenate([example_labels, label_categories]),
            np.concatenate(
                [np.ones(len(example_labels)), np.full(len(label_categories), LABEL_WEIGHT)]
            ),
        )
        before = int((shipped.predict(label_vectors) == label_categories).sum())
        after = int((head.predict(label_vectors) == label_categories).sum())
    else:
        head, before, after = shipped, 0, 0
    return pd.DataFrame(
        {
            "category": head.categories,
            "weights": [row.tolist() for row in head.weights],
            "bias": head.bias,
            "shipped_examples": len(example_labels),
            "workspace_labels": len(label_categories),
            "labels_matched_before": before,
            "labels_matched_after": after,
        }
    )
