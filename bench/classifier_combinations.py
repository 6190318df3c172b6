"""How should rules and model combine, and how strong a penalty should the head have?

Measured on the development split of the shipped examples only (never the evaluation set):
the rules' category of every dev message comes from the real dbt models; the head is trained
on the train split with each L2 penalty of the grid and scored on the dev split's
precomputed embeddings. Prints macro-F1 (6 categories, `none` included) and the recall of
problem and complaint for each combination. `python bench/classifier_combinations.py`
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np

from learnloop.classifier import head
from learnloop.classifier.examples import EXAMPLES_CSV, EXAMPLES_FILE
from learnloop.evaluate_classifier import CLASSIFIER_BUILD, classify_set

CATEGORIES = ["problem", "complaint", "idea", "question", "praise", "none"]
PRECEDENCE = {c: i for i, c in enumerate(CATEGORIES)}
Combination = Callable[[str | None, str, float], str]


def rules_only(rule: str | None, model: str, confidence: float) -> str:
    return rule or "none"


def model_only(rule: str | None, model: str, confidence: float) -> str:
    """What a build does for every message whose embedding is cached."""
    return model


def rule_then_model(rule: str | None, model: str, confidence: float) -> str:
    return rule or model


def confident_model_then_rule(threshold: float) -> Combination:
    def combine(rule: str | None, model: str, confidence: float) -> str:
        return model if confidence >= threshold or rule is None else rule

    return combine


def confident_model_then_rule_then_sure_model(threshold: float) -> Combination:
    """Model if p >= 0.5, else the rule, else the model only when p >= threshold, else none."""

    def combine(rule: str | None, model: str, confidence: float) -> str:
        if confidence >= 0.5:
            return model
        if rule is not None:
            return rule
        return model if confidence >= threshold else "none"

    return combine


def precedence_union(threshold: float) -> Combination:
    """Rule and (confident) model both vote; the first category in docs/kpis.md precedence wins."""

    def combine(rule: str | None, model: str, confidence: float) -> str:
        votes = [c for c in (rule, model if confidence >= threshold else None) if c]
        votes = [c for c in votes if c != "none"] or ["none"]
        return min(votes, key=PRECEDENCE.__getitem__)

    return combine


def rule_unless_model_hears_trouble(threshold: float) -> Combination:
    """Rules where they fire, but a question/praise the model confidently calls a problem or
    complaint is one (a complaint phrased as a question stays a complaint)."""

    def combine(rule: str | None, model: str, confidence: float) -> str:
        if rule is None:
            return model
        if rule in ("question", "praise") and model in ("problem", "complaint"):
            return model if confidence >= threshold else rule
        return rule

    return combine


def macro_scores(expected: list[str], got: list[str]) -> tuple[float, float, float]:
    f1s, recall = [], {}
    for c in CATEGORIES:
        tp = sum(1 for e, g in zip(expected, got, strict=True) if e == c and g == c)
        predicted = sum(1 for g in got if g == c)
        support = sum(1 for e in expected if e == c)
        p = tp / predicted if predicted else 0.0
        r = tp / support if support else 0.0
        recall[c] = r
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    return sum(f1s) / len(f1s), recall["problem"], recall["complaint"]


def dev_rules(work_dir: Path) -> dict[str, str | None]:
    """id -> the rules' category (None when no rule fires) for the dev split."""
    dev_csv = work_dir / "dev.csv"
    with EXAMPLES_CSV.open(encoding="utf-8") as source, dev_csv.open("w", encoding="utf-8") as out:
        rows = [r for r in csv.DictReader(source) if r["split"] == "dev"]
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    database, _ = classify_set(dev_csv, work_dir / "run", CLASSIFIER_BUILD, EXAMPLES_FILE)
    with duckdb.connect(str(database)) as con:
        return dict(
            con.execute(
                "SELECT interaction_id, rule_category FROM intermediate.int_interactions__signals"
            ).fetchall()
        )


def main() -> None:
    with duckdb.connect() as con:
        train_x, train_y = head._vectors(
            con,
            "SELECT category, embedding, scale FROM read_parquet(?) WHERE split = 'train' ORDER BY id",
            [str(EXAMPLES_FILE)],
        )
        ids = [
            row[0]
            for row in con.execute(
                "SELECT id FROM read_parquet(?) WHERE split = 'dev' ORDER BY id",
                [str(EXAMPLES_FILE)],
            ).fetchall()
        ]
        dev_x, dev_y = head._vectors(
            con,
            "SELECT category, embedding, scale FROM read_parquet(?) WHERE split = 'dev' ORDER BY id",
            [str(EXAMPLES_FILE)],
        )
    with tempfile.TemporaryDirectory() as work_dir:
        rules = dev_rules(Path(work_dir))
    expected = list(dev_y)
    print(f"dev split: {len(expected)} messages with an embedding; train: {len(train_y)}")
    for penalty in (0.000005, 0.00001, 0.00002, 0.0001, 0.0005):
        trained = head.train(train_x, train_y, l2_penalty=penalty)
        logits = dev_x @ trained.weights.T + trained.bias
        probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        models = [trained.categories[i] for i in probabilities.argmax(axis=1)]
        confidences = probabilities.max(axis=1)
        combinations: dict[str, Combination] = {
            "rules only": rules_only,
            "model wherever embedded": model_only,
            "rule, else model": rule_then_model,
            **{
                f"model if p>={t}, else rule": confident_model_then_rule(t)
                for t in (0.5, 0.8, 0.95)
            },
            **{
                f"model if p>=0.5, else rule, else model if p>={t}, else none": (
                    confident_model_then_rule_then_sure_model(t)
                )
                for t in (0.3, 0.4)
            },
            **{f"precedence union, model p>={t}": precedence_union(t) for t in (0.5, 0.8, 0.95)},
            **{
                f"rule, else model; trouble p>={t} beats question/praise": rule_unless_model_hears_trouble(
                    t
                )
                for t in (0.5, 0.8, 0.95)
            },
        }
        print(f"\nL2 penalty {penalty}")
        print("| combination | macro-F1 | problem recall | complaint recall |")
        print("|---|---:|---:|---:|")
        for name, combine in combinations.items():
            got = [
                combine(rules.get(i), m, float(c))
                for i, m, c in zip(ids, models, confidences, strict=True)
            ]
            f1, problem, complaint = macro_scores(expected, got)
            print(f"| {name} | {f1:.3f} | {problem:.3f} | {complaint:.3f} |")


if __name__ == "__main__":
    main()
