"""Measure the signal classifier on a labelled set: `python -m learnloop.evaluate_classifier`.

The set is a CSV (id, platform, language, category, text). It is loaded as inbox-tool
messages into a fresh build database and the real dbt models classify it, exactly as a
pipeline run would: seeds, embedding model, the head trained on the shipped examples, and
how rules and model combine. Precision, recall and F1 per category, the confusion matrix,
macro-F1, language accuracy and the speed are computed against the labels.

With `--home HOME` the set is classified a second time with the head that HOME's last run
trained (the shipped examples plus that workspace's curated labels), and both reports are
printed: what retraining on the team's labels changed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from learnloop.build import start_run
from learnloop.classifier.cache import CACHE_TABLE
from learnloop.classifier.embedding import MODEL_ID
from learnloop.config import load_config
from learnloop.errors import LearnLoopError
from learnloop.paths import PROJECT_ROOT, Home
from learnloop.transform import run_dbt

SETS_DIR = PROJECT_ROOT / "tests" / "fixtures" / "signals"
DEFAULT_SET = SETS_DIR / "eval_set.csv"
SET_COLUMNS = ("id", "platform", "language", "category", "text")


@dataclass(frozen=True)
class CategoryScore:
    category: str
    support: int  # messages labelled with the category
    predicted: int  # messages the rules put into it
    true_positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.support if self.support else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


@dataclass(frozen=True)
class Evaluation:
    messages: int
    scores: list[CategoryScore]
    correct: int
    language_correct: int
    # (labelled, predicted) -> messages, over the categories of `scores`
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)
    # decided by: {'rule': n, 'model': n}
    sources: dict[str, int] = field(default_factory=dict)
    embedded: int = 0  # texts embedded by this evaluation (the others came from the cache)
    seconds: float = 0.0  # the dbt build that classified the set

    @property
    def macro_f1(self) -> float:
        return sum(score.f1 for score in self.scores) / len(self.scores)

    @property
    def accuracy(self) -> float:
        return self.correct / self.messages

    @property
    def language_accuracy(self) -> float:
        return self.language_correct / self.messages


# The seeds and models that classify messages: what a run builds up to the classifier.
CLASSIFIER_BUILD = [
    "build",
    "--select",
    "+int_interactions__signals",
    "--resource-type",
    "seed",
    "--resource-type",
    "model",
]

LOAD_SQL = """
    INSERT INTO raw.inbox_csv__messages BY NAME
    SELECT id AS conversation_id, id AS message_id, '2026-01-05 10:00:00+00' AS created_at_raw,
        TIMESTAMPTZ '2026-01-05 10:00:00+00' AS created_at, 'Customer' AS direction_raw,
        'member-' || id AS author, platform AS platform_raw, text,
        ? AS _source_file, row_number() OVER () AS _source_row,
        TIMESTAMPTZ '2026-01-05 11:00:00+00' AS _loaded_at
    FROM labelled
"""

# Vectors computed before for the same normalised text and model (the key says both).
KNOWN_EMBEDDINGS_SQL = f"""
    INSERT INTO {CACHE_TABLE}
    SELECT DISTINCT ON (text_key) text_key, ?, embedding, scale, now()
    FROM read_parquet(?)
"""

# One row per category of the signal_categories seed plus 'none': labelled, predicted, hit.
SCORES_SQL = """
    WITH pairs AS (
        SELECT labelled.category AS expected, signals.signal_category AS predicted
        FROM labelled
        JOIN intermediate.int_interactions__signals AS signals
            ON signals.interaction_id = labelled.id
    ),
    categories AS (
        SELECT category, precedence FROM reference.signal_categories
        UNION ALL SELECT 'none', 99
    )
    SELECT
        categories.category,
        count(*) FILTER (WHERE pairs.expected = categories.category),
        count(*) FILTER (WHERE pairs.predicted = categories.category),
        count(*) FILTER (
            WHERE pairs.expected = categories.category AND pairs.predicted = categories.category
        )
    FROM categories CROSS JOIN pairs
    GROUP BY categories.category, categories.precedence
    ORDER BY categories.precedence
"""

CONFUSION_SQL = """
    SELECT labelled.category, signals.signal_category, count(*)
    FROM labelled
    JOIN intermediate.int_interactions__signals AS signals ON signals.interaction_id = labelled.id
    GROUP BY ALL
"""

SOURCES_SQL = """
    SELECT signals.signal_source, count(*)
    FROM labelled
    JOIN intermediate.int_interactions__signals AS signals ON signals.interaction_id = labelled.id
    GROUP BY ALL
"""

TOTALS_SQL = """
    SELECT count(*), count(*) FILTER (WHERE labelled.category = signals.signal_category),
        count(*) FILTER (WHERE labelled.language = signals.language)
    FROM labelled
    JOIN intermediate.int_interactions__signals AS signals ON signals.interaction_id = labelled.id
"""


class LabelledSetError(LearnLoopError):
    """The labelled set cannot be read."""


def read_labelled(con: duckdb.DuckDBPyConnection, labelled_set: Path) -> None:
    try:
        con.execute(
            "CREATE TEMP TABLE labelled AS SELECT * FROM read_csv(?, header = true, all_varchar = true)",
            [str(labelled_set)],
        )
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0]
        raise LabelledSetError(f"{labelled_set}: labelled set (CSV): {first_line}") from None
    columns = [row[0] for row in con.execute("DESCRIBE labelled").fetchall()]
    missing = [c for c in SET_COLUMNS if c not in columns]
    if missing:
        raise LabelledSetError(
            f"{labelled_set}: labelled set (CSV): missing columns {', '.join(missing)}"
        )


def classify_set(
    labelled_set: Path,
    work_dir: Path,
    selection: list[str] = CLASSIFIER_BUILD,
    known_embeddings: Path | None = None,
) -> tuple[Path, float]:
    """Load the set as inbox messages into a fresh build database and run the dbt
    `selection` on it; (the database, seconds the dbt build took). `known_embeddings` (a
    parquet file with text_key, embedding, scale) fills the embedding cache first, so only
    texts it lacks are embedded."""
    home = Home(work_dir / "home")
    home.ensure()
    config = load_config(home, environ={"LEARNLOOP_HOME": str(home.root)})
    context = start_run(config)
    with duckdb.connect(str(context.database_path)) as con:
        read_labelled(con, labelled_set)
        con.execute(LOAD_SQL, [labelled_set.name])
        if known_embeddings is not None and known_embeddings.exists():
            con.execute(KNOWN_EMBEDDINGS_SQL, [MODEL_ID, str(known_embeddings)])
    started = time.perf_counter()
    run_dbt(selection, context.database_path, config, work_dir / "dbt")
    return context.database_path, time.perf_counter() - started


def evaluate(labelled_set: Path, work_dir: Path) -> Evaluation:
    """Classify the set with the real dbt models in work_dir and score it against its labels."""
    database, seconds = classify_set(labelled_set, work_dir)
    return score(database, labelled_set, seconds)


class WorkspaceHeadError(LearnLoopError):
    """The workspace has no trained head to compare with."""


def evaluate_with_head(
    database: Path, labelled_set: Path, work_dir: Path, workspace_database: Path
) -> tuple[Evaluation, str]:
    """Classify the set again (`database`, classified by classify_set in work_dir) with the
    head a workspace trained, copied from its build database; the evaluation and what
    trained that head."""
    head_table = "intermediate.int_signal_model__head"
    with duckdb.connect(str(database)) as con:
        try:
            con.execute("ATTACH ? AS workspace (READ_ONLY)", [str(workspace_database)])
            con.execute(f"CREATE OR REPLACE TABLE {head_table} AS FROM workspace.{head_table}")
            ((shipped, labels),) = con.execute(
                f"SELECT any_value(shipped_examples), any_value(workspace_labels) FROM {head_table}"
            ).fetchall()
        except duckdb.Error:
            raise WorkspaceHeadError(
                f"{workspace_database}: no classifier head (run `learnloop run` there first)"
            ) from None
    config = load_config(Home(work_dir / "home"), environ={})
    started = time.perf_counter()
    # Only the classification: dbt keeps the copied head, nothing is embedded again.
    run_dbt(
        ["build", "--select", "int_interactions__signals", "--full-refresh"],
        database,
        config,
        work_dir / "dbt-workspace",
    )
    evaluation = score(database, labelled_set, time.perf_counter() - started)
    return evaluation, f"{shipped} shipped examples + {labels} of the workspace's labels"


def score(database: Path, labelled_set: Path, seconds: float) -> Evaluation:
    """The classified set in `database` against its labels."""
    with duckdb.connect(str(database)) as con:
        read_labelled(con, labelled_set)
        scores = [CategoryScore(*row) for row in con.execute(SCORES_SQL).fetchall()]
        ((messages, correct, language_correct),) = con.execute(TOTALS_SQL).fetchall()
        confusion = {(a, b): n for a, b, n in con.execute(CONFUSION_SQL).fetchall()}
        sources = dict(con.execute(SOURCES_SQL).fetchall())
        ((embedded,),) = con.execute(
            "SELECT count(*) FROM intermediate.int_signal_embeddings__batch"
        ).fetchall()
    return Evaluation(
        messages, scores, correct, language_correct, confusion, sources, embedded, seconds
    )


def format_report(name: str, evaluation: Evaluation) -> str:
    lines = [
        f"{name}: {evaluation.messages} messages",
        "| category | support | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|",
    ]
    for s in evaluation.scores:
        lines.append(
            f"| {s.category} | {s.support} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} |"
        )
    lines += [
        f"macro-F1 (mean over the {len(evaluation.scores)} categories): {evaluation.macro_f1:.3f}",
        f"accuracy: {evaluation.accuracy:.3f} ({evaluation.correct}/{evaluation.messages})",
        f"language accuracy: {evaluation.language_accuracy:.3f} "
        f"({evaluation.language_correct}/{evaluation.messages})",
    ]
    return "\n".join(lines)


def format_confusion(evaluation: Evaluation) -> str:
    """Rows: the labelled category; columns: what the classifier said."""
    names = [s.category for s in evaluation.scores]
    lines = [
        "| labelled \\ classified | " + " | ".join(names) + " |",
        "|---|" + "---:|" * len(names),
    ]
    for expected in names:
        counts = [str(evaluation.confusion.get((expected, got), 0)) for got in names]
        lines.append(f"| {expected} | " + " | ".join(counts) + " |")
    return "\n".join(lines)


def format_speed(evaluation: Evaluation) -> str:
    decided = ", ".join(f"{source} {n}" for source, n in sorted(evaluation.sources.items()))
    rate = evaluation.messages / evaluation.seconds if evaluation.seconds else 0.0
    return (
        f"decided by: {decided}\n"
        f"speed: {evaluation.messages} messages in {evaluation.seconds:.1f} s "
        f"({rate:.1f} messages/s, dbt's start-up included; {evaluation.embedded} texts "
        "embedded, the rest from the embedding cache)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m learnloop.evaluate_classifier",
        description=(
            "Classify a labelled CSV set (id, platform, language, category, text) with the real "
            "dbt models (rules, embedding model and head) and print precision, recall and F1 "
            "per category, the confusion matrix, macro-F1, language accuracy and the speed. "
            "Default: the evaluation set tests/fixtures/signals/eval_set.csv; tune on the dev "
            "split of learnloop/classifier/data/examples.csv only."
        ),
    )
    parser.add_argument("labelled_set", nargs="*", type=Path, default=[DEFAULT_SET])
    parser.add_argument(
        "--home",
        type=Path,
        help=(
            "a LearnLoop home: classify the set again with the head its last run trained on "
            "the shipped examples and its curated labels, and print both reports"
        ),
    )
    args = parser.parse_args(argv)
    try:
        for labelled_set in args.labelled_set:
            with tempfile.TemporaryDirectory(prefix="learnloop-eval-") as work_dir:
                database, seconds = classify_set(labelled_set, Path(work_dir))
                _write(labelled_set.name, score(database, labelled_set, seconds))
                if args.home is not None:
                    workspace, trained_on = evaluate_with_head(
                        database, labelled_set, Path(work_dir), Home(args.home).build_database
                    )
                    _write(f"{labelled_set.name} (head of {args.home}: {trained_on})", workspace)
    except LearnLoopError as exc:
        sys.stderr.write(f"evaluate_classifier: {exc}\n")
        return exc.exit_code
    return 0


def _write(name: str, evaluation: Evaluation) -> None:
    sys.stdout.write(
        "\n\n".join(
            [
                format_report(name, evaluation),
                format_confusion(evaluation),
                format_speed(evaluation),
            ]
        )
        + "\n\n"
    )


if __name__ == "__main__":
    sys.exit(main())
