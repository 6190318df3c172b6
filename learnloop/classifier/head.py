"""The classifier's head: a softmax regression over cached embeddings and the words of the
text, trained in a few seconds.

Inputs: the message's embedding and, beside it, its word n-grams (unigrams and bigrams of the
text as the model reads it, lower-cased; cut in SQL by macro classifier_grams, stored in
int_interactions__texts): each n-gram that at least MIN_GRAM_EXAMPLES training messages hold
is an input, 1 or 0, the message's row scaled to unit length and then by GRAM_SCALE. The
embedding knows what a message means, the words catch the phrasings it blurs (round 5 in
DECISIONLOG.md). Training data: the shipped examples (`examples.parquet`, embedded and cut
when they were written, so training never embeds) plus the workspace's curated labels whose
message is in the embedding cache. Each category weighs the same in total (macro-F1 counts
every category alike), and a workspace label weighs LABEL_WEIGHT examples: it speaks about
this brand's own words. The weights go into a table; classifying is SQL
(int_interactions__signals).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from learnloop.classifier.examples import EXAMPLES_FILE, SHIPPED_HEAD_FILE

# Tuned on the development set (bench/classifier_combinations.py prints the grid).
L2_PENALTY = 0.00001
LABEL_WEIGHT = 3.0
# Chosen on the development split, cross-validated over train + dev (bench/classifier_ngrams.py).
GRAM_SCALE = 0.3
MIN_GRAM_EXAMPLES = 2
_MAX_ITERATIONS = 400

Grams = list[list[str]]  # per message, its distinct n-grams


@dataclass(frozen=True)
class Head:
    categories: list[str]
    weights: np.ndarray  # categories x dimensions
    bias: np.ndarray  # categories
    grams: list[str] = field(default_factory=list)  # the n-gram inputs, in order
    gram_weights: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # categories x grams

    def logits(self, vectors: np.ndarray, grams: Grams | None = None) -> np.ndarray:
        logits = vectors @ self.weights.T + self.bias
        if self.grams and grams is not None:
            logits += np.asarray(gram_inputs(grams, self.grams) @ self.gram_weights.T)
        return logits

    def predict(self, vectors: np.ndarray, grams: Grams | None = None) -> np.ndarray:
        return np.asarray(self.categories)[np.argmax(self.logits(vectors, grams), axis=1)]


def gram_vocabulary(grams: Grams) -> list[str]:
    """The n-grams at least MIN_GRAM_EXAMPLES messages hold, sorted: one held by a single
    message is that message's, not a phrasing."""
    counts: dict[str, int] = {}
    for message in grams:
        for gram in message:
            counts[gram] = counts.get(gram, 0) + 1
    return sorted(gram for gram, count in counts.items() if count >= MIN_GRAM_EXAMPLES)


def gram_inputs(grams: Grams, vocabulary: list[str]) -> sparse.csr_matrix:
    """1 or 0 per known n-gram, each message's row scaled to unit length (the SQL divides
    the sum of its n-grams' weights by the square root of their count)."""
    position = {gram: i for i, gram in enumerate(vocabulary)}
    indices: list[int] = []
    values: list[float] = []
    pointers = [0]
    for message in grams:
        known = sorted({position[g] for g in message if g in position})
        indices.extend(known)
        values.extend([1.0 / np.sqrt(len(known))] * len(known) if known else [])
        pointers.append(len(indices))
    return sparse.csr_matrix(
        (np.array(values, dtype=np.float64), np.array(indices, dtype=np.int64), pointers),
        shape=(len(grams), len(vocabulary)),
    )


def train(
    vectors: np.ndarray,
    labels: np.ndarray,
    sample_weights: np.ndarray | None = None,
    l2_penalty: float = L2_PENALTY,
    balance_classes: bool = True,
    grams: Grams | None = None,
) -> Head:
    """Weighted, class-balanced softmax regression (L-BFGS, deterministic) over the
    embeddings and, given `grams`, the n-gram inputs times GRAM_SCALE beside them (one
    penalty for all weights). Without `balance_classes` each example keeps its own weight
    (bench/classifier_head_candidates.py measured that; the head balances).

    BLAS runs on one thread: with more, OpenBLAS splits the matrix products differently and
    400 iterations turn the rounding into other weights (1e-5), so a rebuild in a process
    with another thread count would publish other confidences for the same messages."""
    categories = sorted(set(labels.tolist()))
    vocabulary = gram_vocabulary(grams) if grams is not None else []
    n, embedding_dimensions = vectors.shape
    # The n-gram inputs stay sparse: a message holds a few dozen of the thousands.
    scaled = GRAM_SCALE * gram_inputs(grams or [[] for _ in range(n)], vocabulary)
    scaled_transposed = scaled.T.tocsr()
    dimensions = embedding_dimensions + len(vocabulary)
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
        logits = vectors @ w[:, :embedding_dimensions].T + b
        if vocabulary:
            logits += scaled @ w[:, embedding_dimensions:].T
        logits -= logits.max(axis=1, keepdims=True)
        log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        value = (
            -(weights * (target * log_probs).sum(axis=1)).sum() + 0.5 * l2_penalty * (w * w).sum()
        )
        residual = (np.exp(log_probs) - target) * weights[:, None]
        gradient_w = np.hstack([residual.T @ vectors, (scaled_transposed @ residual).T])
        gradient_w += l2_penalty * w
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
    weights = theta[: k * dimensions].reshape(k, dimensions)
    return Head(
        categories,
        weights[:, :embedding_dimensions],
        theta[k * dimensions :],
        vocabulary,
        GRAM_SCALE * weights[:, embedding_dimensions:],
    )


def shipped_examples(con: duckdb.DuckDBPyConnection) -> tuple[np.ndarray, np.ndarray, Grams]:
    """(vectors, categories, n-grams) of the shipped examples: the dev split chose the
    penalty, the n-gram scale and how rules and model combine (the benches train on `train`
    only), then the shipped head learns from both splits."""
    return _examples(
        con,
        "SELECT category, embedding, scale, grams FROM read_parquet(?) ORDER BY id",
        [str(EXAMPLES_FILE)],
    )


def _examples(
    con: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None
) -> tuple[np.ndarray, np.ndarray, Grams]:
    """(vectors, categories, n-grams) of `sql`'s rows (category, embedding, scale, grams)."""
    rows = con.execute(sql, parameters or []).fetchall()
    vectors, categories = _dequantised([row[:3] for row in rows])
    return vectors, categories, [list(row[3] or []) for row in rows]


def _vectors(
    con: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(vectors, categories) of `sql`'s rows (category, embedding, scale)."""
    return _dequantised(con.execute(sql, parameters or []).fetchall())


def _dequantised(rows: list) -> tuple[np.ndarray, np.ndarray]:
    if not rows:
        return np.zeros((0, 0)), np.array([], dtype=object)
    vectors = np.array([embedding for _, embedding, _ in rows], dtype=np.float64)
    scales = np.array([scale for _, _, scale in rows], dtype=np.float64)
    return vectors * scales[:, None], np.array([category for category, _, _ in rows], dtype=object)


WORKSPACE_LABELS_SQL = """
    SELECT labels.signal_category, cache.embedding, cache.scale, texts.grams
    FROM head_labels AS labels
    JOIN head_texts AS texts
        ON texts.platform = labels.platform AND texts.interaction_id = labels.interaction_id
    JOIN ops.embedding_cache AS cache ON cache.text_key = texts.text_key
    ORDER BY labels.platform, labels.interaction_id
"""


# The head of the shipped examples alone is the same for every build of a release, so it
# ships trained (SHIPPED_HEAD_FILE, written with examples.parquet): a run reads its weights
# instead of training for ~1.5 CPU-seconds, and every machine classifies with the same bits.
# The file names what it was trained on (training_key); a file of other examples or settings
# is ignored and the head trained here, once per process.
_shipped_heads: dict[str, Head] = {}


def training_key() -> str:
    """What the shipped head follows from: the examples file and the training settings."""
    digest = hashlib.sha256(EXAMPLES_FILE.read_bytes())
    settings = (L2_PENALTY, GRAM_SCALE, MIN_GRAM_EXAMPLES, _MAX_ITERATIONS)
    digest.update(repr(settings).encode())
    return digest.hexdigest()


def shipped_head(con: duckdb.DuckDBPyConnection) -> Head:
    """The head trained on the shipped examples alone: read from SHIPPED_HEAD_FILE when that
    was trained on today's examples and settings, else trained here."""
    key = training_key()
    if key not in _shipped_heads:
        _shipped_heads.clear()  # one release's examples at a time
        head = read_shipped_head(con, key)
        if head is None:
            vectors, categories, grams = shipped_examples(con)
            head = train(vectors, categories, grams=grams)
        _shipped_heads[key] = head
    return _shipped_heads[key]


def read_shipped_head(con: duckdb.DuckDBPyConnection, key: str) -> Head | None:
    """The head in SHIPPED_HEAD_FILE, or None when there is none trained on `key`."""
    if not SHIPPED_HEAD_FILE.exists():
        return None
    rows = con.execute(
        """SELECT category, weights, bias, grams, gram_weights
           FROM read_parquet(?) WHERE trained_on = ? ORDER BY position""",
        [str(SHIPPED_HEAD_FILE), key],
    ).fetchall()
    if not rows:
        return None
    return Head(
        [row[0] for row in rows],
        np.array([row[1] for row in rows], dtype=np.float64),
        np.array([row[2] for row in rows], dtype=np.float64),
        list(rows[0][3]),
        np.array([row[4] for row in rows], dtype=np.float64),
    )


def write_shipped_head(con: duckdb.DuckDBPyConnection) -> Head:
    """Train the head on the shipped examples and write it to SHIPPED_HEAD_FILE."""
    vectors, categories, grams = shipped_examples(con)
    head = train(vectors, categories, grams=grams)
    rows = _head_rows(head)
    rows.insert(0, "position", range(len(head.categories)))
    rows["trained_on"] = training_key()
    con.register("shipped_head_rows", rows)
    con.execute(
        f"COPY shipped_head_rows TO '{SHIPPED_HEAD_FILE}' (FORMAT parquet, COMPRESSION zstd)"
    )
    con.unregister("shipped_head_rows")
    return head


def _head_rows(head: Head) -> pd.DataFrame:
    """One row per category: its embedding weights, bias, the n-grams and their weights."""
    return pd.DataFrame(
        {
            "category": head.categories,
            "weights": [row.tolist() for row in head.weights],
            "bias": head.bias,
            "grams": [head.grams] * len(head.categories),
            "gram_weights": [row.tolist() for row in head.gram_weights],
        }
    )


def workspace_head(
    con: duckdb.DuckDBPyConnection,
    labels: duckdb.DuckDBPyRelation,
    texts: duckdb.DuckDBPyRelation,
) -> pd.DataFrame:
    """The head table of int_signal_model__head: one row per category (embedding weights,
    bias, the n-grams and their weights) and, on every row, what the training used and what
    the workspace's labels changed."""
    shipped = shipped_head(con)
    labels.create_view("head_labels", replace=True)
    texts.create_view("head_texts", replace=True)
    label_vectors, label_categories, label_grams = _examples(con, WORKSPACE_LABELS_SQL)
    if len(label_categories):
        example_vectors, example_labels, example_grams = shipped_examples(con)
        head = train(
            np.vstack([example_vectors, label_vectors]),
            np.concatenate([example_labels, label_categories]),
            np.concatenate(
                [np.ones(len(example_labels)), np.full(len(label_categories), LABEL_WEIGHT)]
            ),
            grams=example_grams + label_grams,
        )
        before = int((shipped.predict(label_vectors, label_grams) == label_categories).sum())
        after = int((head.predict(label_vectors, label_grams) == label_categories).sum())
    else:
        head, before, after = shipped, 0, 0
    rows = _head_rows(head)
    (rows["shipped_examples"],) = con.execute(
        "SELECT count(*) FROM read_parquet(?)", [str(EXAMPLES_FILE)]
    ).fetchone()
    rows["workspace_labels"] = len(label_categories)
    rows["labels_matched_before"] = before
    rows["labels_matched_after"] = after
    return rows
