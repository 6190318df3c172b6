"""Round 5: does a second representation beside the embedding (n-grams of the text) help?

Measured on the shipped examples only (never the evaluation set), with round 4's protocol
(bench/classifier_head_candidates.py): dev (trained on `train`, scored on `dev`) and 5-fold x
5-seed cross-validation over train + dev. The n-grams are cut in DuckDB from the text as the
model reads it (macro classifier_text), lower-cased:
- words: word unigrams and bigrams (a word is a run of letters or digits; every other
  non-space character, "?" or an emoji, is a word of its own);
- chars: character 2- to 4-grams of each word padded with spaces;
- both.
An n-gram is an input when at least two training examples hold it (the vocabulary is
re-counted on each fold's training rows); inputs are 1 or 0, each row scaled to unit length.
Two ways to use them, both linear (SQL: the message's n-grams joined to a weights table):
- blend: a class-balanced softmax regression on the n-grams alone, its logits times a weight
  added to today's head's logits;
- joint: one head over the embedding and the n-grams times a scale.
The grid is the one DECISIONLOG.md fixed before measuring; the best dev setting of each way
and kind is cross-validated.

    OMP_NUM_THREADS=1 python bench/classifier_ngrams.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import numpy as np
from classifier_combinations import macro_scores  # bench/, next to this script
from scipy import sparse
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from learnloop.classifier import head
from learnloop.classifier.examples import EXAMPLES_CSV, EXAMPLES_FILE

FOLDS = 5
SEEDS = range(5)
MIN_EXAMPLES = 2
NGRAM_PENALTIES = (0.0001, 0.001, 0.01)
BLEND_WEIGHTS = (0.25, 0.5, 1.0)
JOINT_SCALES = (0.1, 0.3, 1.0)
KINDS = ("words", "chars", "both")

# The text as the model reads it (duckdb__classifier_text), lower-cased, cut into tokens.
TOKENS_SQL = r"""
    CREATE TEMP TABLE tokens AS
    SELECT examples.id,
        regexp_extract_all(
            lower(nullif(left(trim(regexp_replace(regexp_replace(regexp_replace(
                csv.text, '(?:https?://|www\.)\S+', ' ', 'g'),
                '@[\p{L}\p{N}_.\-]+', ' ', 'g'), '\s+', ' ', 'g')), 512), '')),
            '[\p{L}\p{N}]+|[^\s\p{L}\p{N}]'
        ) AS words
    FROM read_parquet(?) AS examples
    JOIN read_csv(?, all_varchar = true) AS csv USING (id)
"""
WORD_GRAMS_SQL = """
    SELECT id, 'w ' || word AS gram FROM tokens, unnest(words) AS t(word)
    UNION ALL
    SELECT id, 'b ' || words[i] || ' ' || words[i + 1] FROM tokens,
        unnest(range(1, len(words))) AS t(i)
"""
CHAR_GRAMS_SQL = """
    SELECT id, 'c ' || substr(padded, start, size) AS gram
    FROM (SELECT id, ' ' || word || ' ' AS padded FROM tokens, unnest(words) AS t(word)),
        unnest(range(2, 5)) AS s(size),
        unnest(range(1, length(padded) - size + 2)) AS p(start)
"""


@dataclass(frozen=True)
class Data:
    vectors: np.ndarray  # dequantised, as the SQL sees them
    labels: np.ndarray
    dev: np.ndarray
    grams: dict[str, list[list[str]]]  # kind -> per example, its distinct n-grams


def load() -> Data:
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT id, split, category, embedding, scale FROM read_parquet(?) ORDER BY id",
            [str(EXAMPLES_FILE)],
        ).fetchall()
        con.execute(TOKENS_SQL, [str(EXAMPLES_FILE), str(EXAMPLES_CSV)])
        grams = {}
        for kind, sql in (
            ("words", WORD_GRAMS_SQL),
            ("chars", CHAR_GRAMS_SQL),
            ("both", f"{WORD_GRAMS_SQL} UNION ALL {CHAR_GRAMS_SQL}"),
        ):
            found = dict(
                con.execute(
                    f"SELECT id, list_sort(list_distinct(list(gram))) FROM ({sql}) GROUP BY id"
                ).fetchall()
            )
            grams[kind] = [found.get(r[0], []) for r in rows]
    vectors = (
        np.array([r[3] for r in rows], dtype=np.float64)
        * np.array([r[4] for r in rows], dtype=np.float64)[:, None]
    )
    return Data(
        vectors=vectors,
        labels=np.array([r[2] for r in rows], dtype=object),
        dev=np.array([r[1] == "dev" for r in rows]),
        grams=grams,
    )


def gram_matrix(rows: list[list[str]], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    """1 or 0 per known n-gram, each row scaled to unit length."""
    indices, pointers, values = [], [0], []
    for grams in rows:
        known = [vocabulary[g] for g in grams if g in vocabulary]
        indices.extend(known)
        values.extend([1.0 / np.sqrt(len(known))] * len(known) if known else [])
        pointers.append(len(indices))
    return sparse.csr_matrix(
        (np.array(values), np.array(indices, dtype=np.int64), np.array(pointers)),
        shape=(len(rows), len(vocabulary)),
    )


def vocabulary_of(rows: list[list[str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for grams in rows:
        for g in grams:
            counts[g] = counts.get(g, 0) + 1
    kept = sorted(g for g, n in counts.items() if n >= MIN_EXAMPLES)
    return {g: i for i, g in enumerate(kept)}


@dataclass(frozen=True)
class Softmax:
    categories: list[str]
    weights: np.ndarray
    bias: np.ndarray

    def logits(self, x: np.ndarray | sparse.csr_matrix) -> np.ndarray:
        return np.asarray(x @ self.weights.T) + self.bias


def train_softmax(x: sparse.csr_matrix, labels: np.ndarray, l2: float) -> Softmax:
    """head.train's loss (class-balanced softmax regression, L-BFGS) on sparse inputs."""
    categories = sorted(set(labels.tolist()))
    n, dimensions = x.shape
    k = len(categories)
    index = np.searchsorted(categories, labels)
    target = np.zeros((n, k))
    target[np.arange(n), index] = 1.0
    weights = (n / (k * target.sum(axis=0)))[index]
    weights /= weights.sum()
    xt = x.T.tocsr()

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w = theta[: k * dimensions].reshape(k, dimensions)
        b = theta[k * dimensions :]
        logits = np.asarray(x @ w.T) + b
        logits -= logits.max(axis=1, keepdims=True)
        log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        value = -(weights * (target * log_p).sum(axis=1)).sum() + 0.5 * l2 * (w * w).sum()
        residual = (np.exp(log_p) - target) * weights[:, None]
        gradient_w = np.asarray(xt @ residual).T + l2 * w
        return value, np.concatenate([gradient_w.ravel(), residual.sum(axis=0)])

    with threadpool_limits(limits=1, user_api="blas"):
        theta = minimize(
            loss,
            np.zeros(k * (dimensions + 1)),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": 400},
        ).x
    return Softmax(
        categories, theta[: k * dimensions].reshape(k, dimensions), theta[k * dimensions :]
    )


# A candidate: (train rows, train labels) -> predict(rows) -> labels; rows index Data.
Predictor = Callable[[np.ndarray], np.ndarray]
Candidate = Callable[[np.ndarray, np.ndarray], Predictor]


def todays_head(data: Data) -> Candidate:
    def fit(rows: np.ndarray, y: np.ndarray) -> Predictor:
        trained = head.train(data.vectors[rows], y)
        return lambda held: trained.predict(data.vectors[held])

    return fit


def blend(data: Data, kind: str, l2: float, weights: tuple[float, ...]) -> dict[float, Candidate]:
    """Today's head's logits + weight x the n-gram regression's logits, one candidate per
    weight; the two regressions are trained once per training set and shared."""
    trained: dict[bytes, tuple[head.Head, Softmax, dict[str, int]]] = {}

    def models(rows: np.ndarray, y: np.ndarray) -> tuple[head.Head, Softmax, dict[str, int]]:
        key = rows.tobytes()
        if key not in trained:
            grams = [data.grams[kind][i] for i in rows]
            vocabulary = vocabulary_of(grams)
            trained[key] = (
                head.train(data.vectors[rows], y),
                train_softmax(gram_matrix(grams, vocabulary), y, l2),
                vocabulary,
            )
        return trained[key]

    def candidate(weight: float) -> Candidate:
        def fit(rows: np.ndarray, y: np.ndarray) -> Predictor:
            embedding_head, gram_head, vocabulary = models(rows, y)
            assert embedding_head.categories == gram_head.categories

            def predict(held: np.ndarray) -> np.ndarray:
                x = gram_matrix([data.grams[kind][i] for i in held], vocabulary)
                logits = (
                    data.vectors[held] @ embedding_head.weights.T
                    + embedding_head.bias
                    + weight * gram_head.logits(x)
                )
                return np.asarray(embedding_head.categories)[logits.argmax(axis=1)]

            return predict

        return fit

    return {w: candidate(w) for w in weights}


def joint(data: Data, kind: str, scale: float) -> Candidate:
    """One head over [embedding, scale x n-grams], today's penalty."""

    def inputs(rows: np.ndarray, vocabulary: dict[str, int]) -> sparse.csr_matrix:
        grams = gram_matrix([data.grams[kind][i] for i in rows], vocabulary)
        return sparse.hstack([sparse.csr_matrix(data.vectors[rows]), scale * grams]).tocsr()

    def fit(rows: np.ndarray, y: np.ndarray) -> Predictor:
        vocabulary = vocabulary_of([data.grams[kind][i] for i in rows])
        trained = train_softmax(inputs(rows, vocabulary), y, head.L2_PENALTY)
        names = np.asarray(trained.categories)
        return lambda held: names[trained.logits(inputs(held, vocabulary)).argmax(axis=1)]

    return fit


def on_dev(data: Data, candidate: Candidate) -> tuple[float, float, float]:
    rows = np.arange(len(data.labels))
    predict = candidate(rows[~data.dev], data.labels[~data.dev])
    return macro_scores(list(data.labels[data.dev]), list(predict(rows[data.dev])))


def cross_validated(data: Data, candidate: Candidate) -> tuple[float, float, float, float, float]:
    """Mean over the fold seeds of (macro-F1, problem recall, complaint recall), then the
    lowest and highest seed's macro-F1 (the folds of classifier_head_candidates.py)."""
    runs = []
    rows = np.arange(len(data.labels))
    for seed in SEEDS:
        fold = np.random.default_rng(seed).permutation(len(data.labels)) % FOLDS
        got = np.empty(len(data.labels), dtype=object)
        for k in range(FOLDS):
            held = fold == k
            got[held] = candidate(rows[~held], data.labels[~held])(rows[held])
        runs.append(macro_scores(list(data.labels), list(got)))
    f1s = [run[0] for run in runs]
    mean = [float(x) for x in np.mean(runs, axis=0)]
    return mean[0], mean[1], mean[2], min(f1s), max(f1s)


def line(name: str, dev: tuple[float, float, float], cv: tuple | None = None) -> None:
    text = f"| {name} | {dev[0]:.3f} | {dev[1]:.3f} | {dev[2]:.3f} |"
    if cv is not None:
        text += f" {cv[0]:.3f} ({cv[3]:.3f}-{cv[4]:.3f}) | {cv[1]:.3f} | {cv[2]:.3f} |"
    else:
        text += " | | |"
    print(text, flush=True)


def main() -> None:
    started = time.perf_counter()
    data = load()
    sizes = {
        kind: len(vocabulary_of([data.grams[kind][i] for i in np.flatnonzero(~data.dev)]))
        for kind in KINDS
    }
    print(
        f"{len(data.labels)} examples, {int(data.dev.sum())} dev; n-grams in >= 2 train "
        f"examples: {sizes}"
    )
    print(
        "| candidate | dev macro-F1 | dev problem R | dev complaint R "
        "| CV macro-F1 (seeds' range) | CV problem R | CV complaint R |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    line("today's head", on_dev(data, todays_head(data)), cross_validated(data, todays_head(data)))
    for kind in KINDS:
        best: tuple[float, str, Candidate] | None = None
        for l2 in NGRAM_PENALTIES:
            for weight, candidate in blend(data, kind, l2, BLEND_WEIGHTS).items():
                name = f"blend {kind}, n-gram L2 {l2}, weight {weight}"
                dev = on_dev(data, candidate)
                line(name, dev)
                if best is None or dev[0] > best[0]:
                    best = (dev[0], name, candidate)
        assert best is not None
        line(f"{best[1]} (dev's best)", on_dev(data, best[2]), cross_validated(data, best[2]))
        best = None
        for scale in JOINT_SCALES:
            candidate = joint(data, kind, scale)
            dev = on_dev(data, candidate)
            name = f"joint {kind}, scale {scale}"
            line(name, dev)
            if best is None or dev[0] > best[0]:
                best = (dev[0], name, candidate)
        assert best is not None
        line(f"{best[1]} (dev's best)", on_dev(data, best[2]), cross_validated(data, best[2]))
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
