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
    # The tokens of the threads this build tokenised: every thread after a full refresh (a
    # simplemma release changes the build fingerprint, so it always comes with one).
    changed = dbt.ref("int_conversations__changed")
    changed.create_view("topic_threads_tokenised", replace=True)
    sql = """SELECT DISTINCT language, token FROM topic_tokens_to_lemmatise
             WHERE (platform, thread_id) IN (SELECT platform, thread_id FROM topic_threads_tokenised)"""
    if dbt.is_incremental:
        sql += (
            f" EXCEPT SELECT language, token FROM {dbt.this} WHERE lemmatiser = '{LEMMATISER_ID}'"
        )
    return lemmas(session.execute(sql + " ORDER BY ALL").fetchall())
