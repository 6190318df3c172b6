"""The shipped training and development examples and their precomputed embeddings.

`data/examples.csv` holds messages the team wrote (id, split, platform, language, category,
text): `dev` is for choosing how the head is trained and how rules and model combine
(bench/classifier_combinations.py trains on `train` only and scores `dev`); the shipped head
then trains on both. The evaluation set (tests/fixtures/signals/eval_set.csv) is never used.
`data/examples.parquet` holds their embeddings and word n-grams, computed by the same dbt
models a run uses (the texts are loaded as inbox messages, so normalisation and n-grams are
defined once, in SQL), so training never embeds. `data/shipped_head.parquet` holds the head
trained on them alone, so a run without curated labels does not train at all. After editing
the CSV or the head's settings (learnloop/classifier/head.py), refresh both (only new or
changed texts are embedded):

    python -m learnloop.classifier.examples
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
EXAMPLES_CSV = DATA_DIR / "examples.csv"
EXAMPLES_FILE = DATA_DIR / "examples.parquet"
# The head trained on the examples alone, written with them (learnloop/classifier/head.py).
SHIPPED_HEAD_FILE = DATA_DIR / "shipped_head.parquet"


def refresh(work_dir: Path) -> int:
    """Embed and cut every example through the real dbt models and write examples.parquet; the
    vectors of texts the previous file already holds are reused (same key: same normalised
    text, same model), so an edit embeds only new or changed texts."""
    from learnloop.classifier.head import write_shipped_head
    from learnloop.db import connect
    from learnloop.evaluate_classifier import classify_set, read_labelled

    selection = ["build", "--select", "+int_signal_embeddings__batch"]
    database, _ = classify_set(
        EXAMPLES_CSV,
        work_dir,
        [*selection, "--resource-type", "seed", "--resource-type", "model"],
        known_embeddings=EXAMPLES_FILE,
    )
    with connect(database) as con:
        read_labelled(con, EXAMPLES_CSV)
        con.execute(
            f"""COPY (
                SELECT labelled.id, labelled.split, labelled.platform, labelled.language,
                       labelled.category,
                       texts.text_key, cache.embedding, cache.scale, texts.grams
                FROM labelled
                JOIN intermediate.int_interactions__texts AS texts
                    ON texts.interaction_id = labelled.id
                JOIN ops.embedding_cache AS cache ON cache.text_key = texts.text_key
                ORDER BY labelled.id
            ) TO '{EXAMPLES_FILE}' (FORMAT parquet, COMPRESSION zstd)"""
        )
        ((count,),) = con.execute(
            f"SELECT count(*) FROM read_parquet('{EXAMPLES_FILE}')"
        ).fetchall()
        write_shipped_head(con)
    return int(count)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="learnloop-examples-") as work_dir:
        count = refresh(Path(work_dir))
    sys.stdout.write(f"{EXAMPLES_FILE}: {count} examples embedded\n")
    sys.stdout.write(f"{SHIPPED_HEAD_FILE}: the head trained on them\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
