"""The session's shared embeddings (tests/session_vectors.py): a vector one process embedded
reaches another, which then embeds that text without loading the model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
TEXTS = ["the app logs me out every time", "Paket seit 10 Tagen unterwegs"]

# Embeds TEXTS (or takes them from the folder first) and prints the vectors, the scales and
# whether the model was loaded; then hands in what it embedded.
SCRIPT = """
import json, sys
from pathlib import Path
from learnloop.classifier import embedding
from tests import session_vectors
folder, take = Path(sys.argv[1]), sys.argv[2] == "take"
if take:
    session_vectors.take(folder)
quantised, scales = embedding.embed(["key-a", "key-b"], json.loads(sys.argv[3]), 1)
session_vectors.hand_in(folder)
print(json.dumps({"vectors": quantised.tolist(), "scales": scales.tolist(),
                  "model_loaded": embedding._engine is not None}))
"""


def _embed_in_a_process(folder: Path, mode: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(folder), mode, json.dumps(TEXTS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_process_takes_the_vectors_another_embedded_and_never_loads_the_model(tmp_path):
    folder = tmp_path / "embeddings"
    first = _embed_in_a_process(folder, "embed")
    assert first["model_loaded"] is True
    assert [p.suffix for p in folder.iterdir()] == [".npz"]  # one file, no partial left
    second = _embed_in_a_process(folder, "take")
    assert second["model_loaded"] is False
    assert second["vectors"] == first["vectors"]
    assert second["scales"] == first["scales"]
    # It handed in nothing new: the folder still holds the first process's file alone.
    assert len(list(folder.iterdir())) == 1
