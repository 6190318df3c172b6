"""The session's sentence embeddings, shared between its processes.

A run embeds the texts its build database has not cached, and a process remembers what it
embedded (learnloop/classifier/embedding.py). The tests build the same fixture texts in many
homes, from both pytest workers and from the CLI helper's children, which end after their
command: a whole `make test` embedded 1,351 texts, about 39 CPU-seconds, most of them more
than once. The engine's vector of a text does not depend on the other texts of its batch
(checked bit for bit), so a vector that one process computed is the one another would. Each
process hands what it embedded to the session's folder and takes what the others handed
in, as the session does with its dbt parses (tests/conftest.py): a run still embeds every
text its own database lacks, and logs and caches them as before, but takes the vector from
the process memo instead of the engine.

The pytest processes take before each test and hand in after it (tests/conftest.py); the
CLI helper takes before each fork and its children hand in when they exit
(tests/cli_zygote.py). A killed child hands in nothing.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import numpy as np

from learnloop.classifier import embedding

_taken: set[str] = set()  # the folder's files this process has loaded
_known: set[str] = set()  # keys already in the folder: loaded from it or handed to it


def take(folder: Path) -> None:
    """The vectors other processes handed in since this one last looked."""
    for file in sorted(folder.glob("vectors-*.npz")):
        if file.name in _taken:
            continue
        with np.load(file) as handed:
            keys = handed["keys"].tolist()
            embedding.remember(keys, handed["quantised"], handed["scales"])
        _known.update(keys)
        _taken.add(file.name)


def hand_in(folder: Path) -> None:
    """What this process embedded that the folder does not hold yet, as a file of its own
    (written whole under another name, then renamed: other processes read the folder)."""
    new = {key: value for key, value in embedding.remembered().items() if key not in _known}
    if not new:
        return
    name = f"vectors-{secrets.token_hex(8)}.npz"  # a forked child's counter would repeat
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f"{name}.part"
    with partial.open("wb") as out:
        np.savez(
            out,
            keys=np.array(list(new), dtype=str),
            quantised=np.stack([vector for vector, _ in new.values()]),
            scales=np.array([scale for _, scale in new.values()], dtype=np.float32),
        )
    partial.replace(folder / name)
    _known.update(new)
    _taken.add(name)
