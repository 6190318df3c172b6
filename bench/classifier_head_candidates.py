"""Which head, and which way of letting the rules in? Measured on the shipped examples only.

Every candidate is scored two ways, never on the evaluation set:
- dev: trained on the `train` split, scored on `dev`;
- cross-validation: 5 folds over train + dev, for each of 5 fold seeds the out-of-fold
  predictions pooled into one macro-F1; the figure is the mean over the seeds.
A candidate's own parameter (a threshold, a feature scale, a layer size) is chosen on dev and
then held fixed in cross-validation (`--cv NAME` cross-validates the named ones; it takes 25
trainings each). The rules' category of every example comes from the real
dbt models (one build, the shipped embeddings loaded first, so nothing is embedded).
Prints macro-F1 (6 categories, `none` included) and the recall of problem and complaint.

    OMP_NUM_THREADS=1 python bench/classifier_head_candidates.py [--rules RULES.parquet]
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
from classifier_combinations import CATEGORIES, macro_scores  # bench/, next to this script
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from learnloop.classifier import head
from learnloop.classifier.examples import EXAMPLES_CSV, EXAMPLES_FILE
from learnloop.evaluate_classifier import CLASSIFIER_BUILD, classify_set

RULE_CATEGORIES = CATEGORIES[:-1]  # a rule never says `none`: no hit is the zero vector
FOLDS = 5
SEEDS = range(5)


@dataclass(frozen=True)
class Data:
    vectors: np.ndarray  # dequantised, as the SQL sees them (int8 * scale)
    labels: np.ndarray
    rules: np.ndarray  # the rules' category or '' where none fires
    dev: np.ndarray  # bool: in the dev split
    hits: np.ndarray | None = None  # examples x RULE_CATEGORIES: 1 where a rule of it fires


# A candidate: (train vectors, train labels, train rules) -> predict(vectors, rules) -> labels
Predictor = Callable[[np.ndarray, np.ndarray], np.ndarray]
Candidate = Callable[[np.ndarray, np.ndarray, np.ndarray], Predictor]


# int_interactions__signals up to the precedence step, then every category that fires:
# the compiled model's SQL cut where the precedence picks one (its comment marks the spot).
PRECEDENCE_STEP = "-- The first category in precedence order wins"
ALL_HITS_SQL = """
    SELECT interaction_id AS id, list_distinct(list(category)) AS hits FROM (
        SELECT platform, interaction_id, category FROM word_matches
        UNION ALL
        SELECT platform, interaction_id, category FROM pattern_matches
    ) GROUP BY ALL
"""


def rules_of_examples(work_dir: Path) -> list[tuple[str, str, list[str]]]:
    """(id, the rules' category or '', every category whose rules fire) of every example,
    from one real dbt build (the shipped embeddings loaded first: nothing is embedded)."""
    database, _ = classify_set(EXAMPLES_CSV, work_dir, CLASSIFIER_BUILD, EXAMPLES_FILE)
    compiled = next((work_dir / "dbt").rglob("compiled/**/int_interactions__signals.sql"))
    upstream = compiled.read_text().split(PRECEDENCE_STEP)[0].rstrip().rstrip(",")
    with duckdb.connect(str(database)) as build:
        hits = dict(build.execute(upstream + ALL_HITS_SQL).fetchall())
        return [
            (key, rule, hits.get(key, []))
            for key, rule in build.execute(
                "SELECT interaction_id, coalesce(rule_category, '') "
                "FROM intermediate.int_interactions__signals"
            ).fetchall()
        ]


def load(rules_file: Path | None) -> Data:
    with duckdb.connect() as con:
        rows = con.execute(
            "SELECT id, split, category, embedding, scale FROM read_parquet(?) ORDER BY id",
            [str(EXAMPLES_FILE)],
        ).fetchall()
        if rules_file is None or not rules_file.exists():
            with tempfile.TemporaryDirectory() as work_dir:
                found = rules_of_examples(Path(work_dir))
            if rules_file is not None:
                con.execute("CREATE TABLE r (id VARCHAR, rule VARCHAR, hits VARCHAR[])")
                con.executemany("INSERT INTO r VALUES (?, ?, ?)", found)
                con.execute(f"COPY r TO '{rules_file}' (FORMAT parquet)")
        else:
            found = con.execute(
                "SELECT id, rule, hits FROM read_parquet(?)", [str(rules_file)]
            ).fetchall()
    rules = {key: (rule, hits) for key, rule, hits in found}
    vectors = (
        np.array([r[3] for r in rows], dtype=np.float64)
        * np.array([r[4] for r in rows], dtype=np.float64)[:, None]
    )
    return Data(
        vectors=vectors,
        labels=np.array([r[2] for r in rows], dtype=object),
        rules=np.array([rules[r[0]][0] for r in rows], dtype=object),
        dev=np.array([r[1] == "dev" for r in rows]),
        hits=np.array([[float(c in rules[r[0]][1]) for c in RULE_CATEGORIES] for r in rows]),
    )


def scores(expected: np.ndarray, got: np.ndarray) -> tuple[float, float, float]:
    """macro-F1 over the 6 categories, recall of problem, recall of complaint."""
    return macro_scores(list(expected), list(got))


def on_dev(data: Data, candidate: Candidate) -> tuple[float, float, float]:
    train = ~data.dev
    predict = candidate(data.vectors[train], data.labels[train], data.rules[train])
    return scores(data.labels[data.dev], predict(data.vectors[data.dev], data.rules[data.dev]))


def cross_validated(data: Data, candidate: Candidate) -> tuple[float, float, float, float, float]:
    """Mean over the fold seeds of (macro-F1, problem recall, complaint recall), then the
    lowest and highest seed's macro-F1."""
    runs = []
    for seed in SEEDS:
        fold = np.random.default_rng(seed).permutation(len(data.labels)) % FOLDS
        got = np.empty(len(data.labels), dtype=object)
        for k in range(FOLDS):
            held = fold == k
            predict = candidate(data.vectors[~held], data.labels[~held], data.rules[~held])
            got[held] = predict(data.vectors[held], data.rules[held])
        runs.append(scores(data.labels, got))
    f1s = [run[0] for run in runs]
    mean = [float(x) for x in np.mean(runs, axis=0)]
    return mean[0], mean[1], mean[2], min(f1s), max(f1s)


def probabilities(trained: head.Head, inputs: np.ndarray) -> np.ndarray:
    logits = inputs @ trained.weights.T + trained.bias
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def linear(l2: float = head.L2_PENALTY, balanced: bool = True) -> Candidate:
    """Today's head (balanced) or the same without class balancing."""

    def fit(x: np.ndarray, y: np.ndarray, rules: np.ndarray) -> Predictor:
        trained = head.train(x, y, l2_penalty=l2, balance_classes=balanced)
        return lambda v, r: trained.predict(v)

    return fit


def renormalised() -> Candidate:
    """Dequantised vectors scaled back to unit length before training and classifying."""

    def unit(v: np.ndarray) -> np.ndarray:
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def fit(x: np.ndarray, y: np.ndarray, rules: np.ndarray) -> Predictor:
        trained = head.train(unit(x), y)
        return lambda v, r: trained.predict(unit(v))

    return fit


def one_hot(rules: np.ndarray, scale: float) -> np.ndarray:
    return scale * (rules[:, None] == np.array(RULE_CATEGORIES)[None, :]).astype(float)


def rule_hit_features(data: Data, scale: float) -> Candidate:
    """Every category whose rules fire as an input (multi-hot times `scale`), not only the
    one the precedence picks: a complaint word and a '?' both reach the head. The rows are
    looked up by identity, so this candidate needs the full examples' `hits`."""
    assert data.hits is not None
    rows = {vector.tobytes(): i for i, vector in enumerate(data.vectors)}

    def inputs(v: np.ndarray) -> np.ndarray:
        return np.hstack([v, scale * data.hits[[rows[x.tobytes()] for x in v]]])

    def fit(x: np.ndarray, y: np.ndarray, rules: np.ndarray) -> Predictor:
        trained = head.train(inputs(x), y)
        return lambda v, r: trained.predict(inputs(v))

    return fit


def rule_features(scale: float) -> Candidate:
    """The rules' category as 5 more inputs (one-hot times `scale`, zeros when no rule fires):
    the head learns how far to trust each rule."""

    def fit(x: np.ndarray, y: np.ndarray, rules: np.ndarray) -> Predictor:
        trained = head.train(np.hstack([x, one_hot(rules, scale)]), y)
        return lambda v, r: trained.predict(np.hstack([v, one_hot(r, scale)]))

    return fit


def none_when_unsure(sure: Callable[[np.ndarray], np.ndarray]) -> Candidate:
    """Today's head, but `none` where `sure(probabilities)` is False."""

    def fit(x: np.ndarray, y: np.ndarray, rules: np.ndarray) -> Predictor:
        trained = head.train(x, y)
        categories = np.asarray(trained.categories)

        def predict(v: np.ndarray, r: np.ndarray) -> np.ndarray:
            p = probabilities(trained, v)
            return np.where(sure(p), categories[p.argmax(axis=1)], "none")

        return predict

    return fit


def none_below(threshold: float) -> Candidate:
    """`none` when the top probability is below `threshold`."""
    return none_when_unsure(lambda p: p.max(axis=1) >= threshold)


def none_below_margin(margin: float) -> Candidate:
    """`none` when the two most probable categories are within `margin`."""

    def sure(p: np.ndarray) -> np.ndarray:
        top_two = np.sort(p, axis=1)[:, -2:]
        return top_two[:, 1] - top_two[:, 0] >= margin

    return none_when_unsure(sure)


def none_offset(offset: float) -> Candidate:
    """Today's head with `offset` added to the logit of `none`."""

    def fit(x: np.ndarray, y: np.ndarray, rules: np.ndarray) -> Predictor:
        trained = head.train(x, y)
        bias = trained.bias + offset * (np.asarray(trained.categories) == "none")
        shifted = head.Head(trained.categories, trained.weights, bias)
        return lambda v, r: shifted.predict(v)

    return fit


def knn_blend(neighbours: int, share: float) -> Candidate:
    """Today's head's probabilities blended with the category shares of the `neighbours` most
    similar training examples (cosine); in SQL that is one inner product per example."""

    def fit(x: np.ndarray, y: np.ndarray, rules: np.ndarray) -> Predictor:
        trained = head.train(x, y)
        categories = np.asarray(trained.categories)
        unit = x / np.linalg.norm(x, axis=1, keepdims=True)
        one_hot_y = (y[:, None] == categories[None, :]).astype(float)

        def predict(v: np.ndarray, r: np.ndarray) -> np.ndarray:
            similar = (v / np.linalg.norm(v, axis=1, keepdims=True)) @ unit.T
            nearest = np.argsort(-similar, axis=1)[:, :neighbours]
            votes = one_hot_y[nearest].mean(axis=1)
            blended = (1 - share) * probabilities(trained, v) + share * votes
            return categories[blended.argmax(axis=1)]

        return predict

    return fit


def two_layer(hidden: int, l2: float) -> Candidate:
    """A tanh hidden layer, then a softmax: both still inner products, so SQL could run it.
    Class-balanced like today's head, L-BFGS from a seeded start (deterministic)."""

    def fit(x: np.ndarray, y: np.ndarray, rules: np.ndarray) -> Predictor:
        categories = sorted(set(y.tolist()))
        n, d = x.shape
        k = len(categories)
        index = np.searchsorted(categories, y)
        target = np.zeros((n, k))
        target[np.arange(n), index] = 1.0
        weights = (n / (k * target.sum(axis=0)))[index]
        weights /= weights.sum()
        sizes = [hidden * d, hidden, k * hidden, k]

        def unpack(theta: np.ndarray) -> list[np.ndarray]:
            parts = np.split(theta, np.cumsum(sizes)[:-1])
            return [parts[0].reshape(hidden, d), parts[1], parts[2].reshape(k, hidden), parts[3]]

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w1, b1, w2, b2 = unpack(theta)
            h = np.tanh(x @ w1.T + b1)
            logits = h @ w2.T + b2
            logits -= logits.max(axis=1, keepdims=True)
            log_p = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
            value = -(weights * (target * log_p).sum(axis=1)).sum() + 0.5 * l2 * (
                (w1 * w1).sum() + (w2 * w2).sum()
            )
            residual = (np.exp(log_p) - target) * weights[:, None]
            g_w2 = residual.T @ h + l2 * w2
            back = (residual @ w2) * (1 - h * h)
            g_w1 = back.T @ x + l2 * w1
            return value, np.concatenate(
                [g_w1.ravel(), back.sum(axis=0), g_w2.ravel(), residual.sum(axis=0)]
            )

        start = np.random.default_rng(0).normal(0, 0.05, sum(sizes))
        with threadpool_limits(limits=1, user_api="blas"):
            theta = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 400}).x
        w1, b1, w2, b2 = unpack(theta)
        names = np.asarray(categories)
        return lambda v, r: names[np.argmax(np.tanh(v @ w1.T + b1) @ w2.T + b2, axis=1)]

    return fit


SQL_CHOICE = """
    WITH examples AS (
        SELECT row_number() OVER (ORDER BY id) - 1 AS position, embedding, scale
        FROM read_parquet(?)
    ),
    logits AS (
        SELECT position, category,
            array_inner_product(CAST(embedding AS FLOAT[384]), CAST(weights AS FLOAT[384]))
                * scale + bias AS logit
        FROM examples CROSS JOIN trained_head
    )
    SELECT arg_max(category, logit) FROM logits GROUP BY position ORDER BY position
"""


def sql_agreement(data: Data) -> tuple[int, int]:
    """The shipped head (all examples) classifies every example in numpy (float64, on the
    dequantised vectors) and as int_interactions__signals does (int8 vector and float32
    weights in array_inner_product, times the scale): (same category, examples)."""
    trained = head.train(data.vectors, data.labels)
    with duckdb.connect() as con:
        con.execute("CREATE TABLE trained_head (category VARCHAR, weights DOUBLE[], bias DOUBLE)")
        con.executemany(
            "INSERT INTO trained_head VALUES (?, ?, ?)",
            [
                (c, w.tolist(), float(b))
                for c, w, b in zip(trained.categories, trained.weights, trained.bias, strict=True)
            ],
        )
        in_sql = np.array([r[0] for r in con.execute(SQL_CHOICE, [str(EXAMPLES_FILE)]).fetchall()])
    return int((in_sql == trained.predict(data.vectors)).sum()), len(data.labels)


def report(name: str, data: Data, candidate: Candidate, cv: bool = True) -> None:
    dev = on_dev(data, candidate)
    line = f"| {name} | {dev[0]:.3f} | {dev[1]:.3f} | {dev[2]:.3f} |"
    if cv:
        folds = cross_validated(data, candidate)
        line += (
            f" {folds[0]:.3f} ({folds[3]:.3f}-{folds[4]:.3f}) | {folds[1]:.3f} | {folds[2]:.3f} |"
        )
    else:
        line += " | | |"
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=Path, help="keep the rules' categories in this parquet")
    parser.add_argument("--only", help="only candidates whose name contains one of these (a;b)")
    parser.add_argument("--cv", help="cross-validate these candidates (exact names, a;b)")
    parser.add_argument("--all-cv", action="store_true", help="cross-validate every candidate")
    arguments = parser.parse_args()
    data = load(arguments.rules)
    print(
        f"{len(data.labels)} examples, {int(data.dev.sum())} dev; rules fire on "
        f"{int((data.rules != '').sum())}"
    )
    candidates: dict[str, Candidate] = {
        "today's head (balanced, L2 0.00001)": linear(),
        "no class balancing": linear(balanced=False),
        "vectors renormalised to unit length": renormalised(),
        **{f"rule one-hot features x{s}": rule_features(s) for s in (0.03, 0.1, 0.3, 1.0)},
        **{
            f"every rule category hit as features x{s}": rule_hit_features(data, s)
            for s in (0.03, 0.1, 0.3, 1.0)
        },
        **{f"none below p {t}": none_below(t) for t in (0.3, 0.4, 0.5, 0.6)},
        **{f"none when top two within {m}": none_below_margin(m) for m in (0.1, 0.2, 0.3)},
        **{f"none logit {o:+}": none_offset(o) for o in (-1.0, -0.5, 0.5, 1.0)},
        **{
            f"blend with {k} nearest examples, share {a}": knn_blend(k, a)
            for k in (10, 25, 50)
            for a in (0.2, 0.4, 0.6)
        },
        **{
            f"two layers, {h} tanh units, L2 {l2}": two_layer(h, l2)
            for h in (32, 64)
            for l2 in (0.00001, 0.0001)
        },
    }
    same, total = sql_agreement(data)
    print(
        f"SQL (int8 x float32 weights x scale) and numpy (dequantised float64) agree on "
        f"{same} of {total} examples"
    )
    print(
        "| candidate | dev macro-F1 | dev problem R | dev complaint R "
        "| CV macro-F1 (seeds' range) | CV problem R | CV complaint R |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, candidate in candidates.items():
        if arguments.only is None or any(part in name for part in arguments.only.split(";")):
            report(
                name, data, candidate, name in (arguments.cv or "").split(";") or arguments.all_cv
            )


if __name__ == "__main__":
    main()
