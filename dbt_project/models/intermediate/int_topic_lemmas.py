"""The lemma of every (language, token) of int_topic_tokens, lemmatised once, ever.

An incremental dbt Python model that `--full-refresh` leaves alone (full_refresh=False): a
build lemmatises only the tokens this table does not hold yet for the current simplemma
release, one Python call per new word of the vocabulary, never per message. German and
English dictionaries ship inside the simplemma wheel.
"""

from typing import Any


def model(dbt: Any, session: Any) -> Any:
    dbt.config(
        materialized="incremental",
        unique_key=["language", "token"],
        incremental_strategy="delete+insert",
        full_refresh=False,
    )
    from learnloop.topics import LEMMATISER_ID, lemmas

    tokens = dbt.ref("int_topic_tokens")
    tokens.create_view("topic_tokens_to_lemmatise", replace=True)
    sql = "SELECT DISTINCT language, token FROM topic_tokens_to_lemmatise"
    if dbt.is_incremental:
        sql += (
            f" EXCEPT SELECT language, token FROM {dbt.this} WHERE lemmatiser = '{LEMMATISER_ID}'"
        )
    return lemmas(session.execute(sql + " ORDER BY ALL").fetchall())
