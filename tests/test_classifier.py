"""The learned classifier's parts: offline embeddings, the per-run budget, the settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# Runs in a process of its own where every socket fails and the hub libraries are told to
# stay offline: loading the model and embedding must not need the network.
OFFLINE_EMBEDDING = """
import os, socket
def refuse(*args, **kwargs):
    raise OSError("network is switched off in this test")
socket.socket = refuse
socket.create_connection = refuse
from learnloop.classifier.embedding import embed
keys = ["a", "b"]
q, s = embed(keys, ["the app logs me out every time", "Paket seit 10 Tagen unterwegs"], 1)
q2, s2 = embed(["c"], ["the app logs me out every time"], 1)
print(q.shape, q.dtype, int(abs(q).max()), bool((q[0] == q2[0]).all()))
"""


def test_the_model_embeds_with_the_network_switched_off():
    env = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    env["PATH"] = "/usr/bin:/bin"
    result = subprocess.run(
        [sys.executable, "-c", OFFLINE_EMBEDDING],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parent.parent,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # 2 vectors of 384 int8 components; the largest component of each is scaled to 127; the
    # same text gives the same vector alone as in a batch.
    assert result.stdout.strip() == "(2, 384) int8 127 True"


def test_the_shipped_head_is_what_the_examples_train_whatever_the_blas_threads():
    # OpenBLAS splits a matrix product by its thread count; before the head trained on one
    # thread, two threads gave weights 4e-5 off and a crash-resumed run (another process, other
    # threads) published other confidences than an uninterrupted one.
    import duckdb
    from threadpoolctl import threadpool_limits

    from learnloop.classifier.head import (
        read_shipped_head,
        shipped_examples,
        train,
        training_key,
    )

    with duckdb.connect() as con:
        vectors, labels, grams = shipped_examples(con)
        # The head runs read instead of training: trained on today's examples and settings
        # (else `python -m learnloop.classifier.examples` writes it again), and only those.
        shipped = read_shipped_head(con, training_key())
        assert read_shipped_head(con, "trained on other examples") is None
    assert shipped is not None, "shipped_head.parquet is stale: refresh the examples"
    heads = []
    for threads in (1, 2):
        with threadpool_limits(limits=threads, user_api="blas"):
            heads.append(train(vectors, labels, grams=grams))
    for head in (*heads, shipped):
        assert head.weights.tobytes() == heads[0].weights.tobytes()
        assert head.bias.tobytes() == heads[0].bias.tobytes()
        assert head.gram_weights.tobytes() == heads[0].gram_weights.tobytes()
        assert (head.categories, head.grams) == (heads[0].categories, heads[0].grams)
    assert len(shipped.categories) == 6 and len(shipped.grams) == 4079


def test_the_head_reads_the_ngrams_at_least_two_messages_hold():
    import numpy as np

    from learnloop.classifier.head import gram_inputs, gram_vocabulary

    grams = [["w app", "w crashes"], ["w app", "b app crashes", "w crashes"], ["w hi"]]
    # 'w app' and 'w crashes' are in 2 messages; 'b app crashes' and 'w hi' in 1 each.
    assert gram_vocabulary(grams) == ["w app", "w crashes"]
    # Rows scaled to unit length: two known n-grams 1/sqrt(2) each; none known, a zero row.
    inputs = gram_inputs([*grams, ["w app", "w new"]], ["w app", "w crashes"]).toarray()
    half = 1 / np.sqrt(2)
    assert inputs.tolist() == [[half, half], [half, half], [0.0, 0.0], [1.0, 0.0]]


@pytest.mark.slow
def test_examples_refresh_reuses_the_shipped_vectors_and_embeds_only_new_text(tmp_path: Path):
    # What `python -m learnloop.classifier.examples` builds, on two shipped examples and one new
    # text: the keys the dbt models compute now are the keys in examples.parquet (the file is
    # not stale against the SQL normalisation), and only the new text is embedded.
    import duckdb

    from learnloop.classifier.examples import EXAMPLES_FILE
    from learnloop.evaluate_classifier import classify_set

    labelled = tmp_path / "set.csv"
    labelled.write_text(
        "id,platform,language,category,text\n"
        "dev001,instagram,en,problem,@examplebrand the app keeps crashing since the last update 😡\n"
        'ex1282,x,de,problem,"Kühlschrank kühlt auch nach der Reparatur nicht, alles wieder warm"\n'
        "new1,x,en,problem,the hinge squeaks since Tuesday\n",
        encoding="utf-8",
    )
    selection = ["build", "--select", "+int_signal_embeddings__batch", "--resource-type", "seed"]
    database, _ = classify_set(
        labelled, tmp_path, [*selection, "--resource-type", "model"], EXAMPLES_FILE
    )
    with duckdb.connect(str(database), read_only=True) as con:
        shipped = con.execute(
            """SELECT texts.interaction_id, texts.text_key = shipped.text_key
               FROM intermediate.int_interactions__texts AS texts
               LEFT JOIN read_parquet(?) AS shipped ON shipped.id = texts.interaction_id
               ORDER BY 1""",
            [str(EXAMPLES_FILE)],
        ).fetchall()
        embedded = con.execute(
            """SELECT texts.interaction_id
               FROM intermediate.int_signal_embeddings__batch AS batch
               JOIN intermediate.int_interactions__texts AS texts USING (text_key)"""
        ).fetchall()
        new_grams = con.execute(
            "SELECT grams FROM intermediate.int_interactions__texts WHERE interaction_id = 'new1'"
        ).fetchall()
    assert shipped == [("dev001", True), ("ex1282", True), ("new1", None)]
    assert embedded == [("new1",)]
    # The head's n-grams of the new text (macro classifier_grams): its 5 words lower-cased,
    # the 4 pairs of neighbours, sorted ('b ' before 'w ').
    assert new_grams == [
        (
            [
                "b hinge squeaks",
                "b since tuesday",
                "b squeaks since",
                "b the hinge",
                "w hinge",
                "w since",
                "w squeaks",
                "w the",
                "w tuesday",
            ],
        )
    ]
