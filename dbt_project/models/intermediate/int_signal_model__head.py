"""The classifier head: a softmax regression trained on the shipped examples' embeddings and
the workspace's curated labels (their messages' cached embeddings). Training never embeds and
takes about a second; the result is deterministic, so a rebuild gives the same weights. Without
curated labels the shipped examples' head is read from its file (learnloop/classifier/head.py).
"""

from typing import Any


def model(dbt: Any, session: Any) -> Any:
    dbt.config(materialized="table")
    from learnloop.classifier.head import workspace_head

    dbt.ref("int_signal_embeddings__batch")  # the labelled messages embedded in this build
    dbt.source("ops", "embedding_cache")
    labels = dbt.ref("int_curated_labels__resolved")
    texts = dbt.ref("int_interactions__texts")
    return workspace_head(session, labels, texts)
