"""The learned classifier's parts: offline embeddings, the per-run budget, the settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def test_the_head_learns_the_same_weights_whatever_the_blas_threads():
    # OpenBLAS splits a matrix product by its thread count; before the head trained on one
    # thread, two threads gave weights 4e-5 off and a crash-resumed run (another process, other
    # threads) published other confidences than an uninterrupted one.
    import duckdb
    from threadpoolctl import threadpool_limits

    from learnloop.classifier.head import shipped_examples, train

    with duckdb.connect() as con:
        vectors, labels = shipped_examples(con)
    heads = []
    for threads in (1, 2):
        with threadpool_limits(limits=threads, user_api="blas"):
            heads.append(train(vectors, labels))
    assert heads[0].weights.tobytes() == heads[1].weights.tobytes()
    assert heads[0].bias.tobytes() == heads[1].bias.tobytes()
