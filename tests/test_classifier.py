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
