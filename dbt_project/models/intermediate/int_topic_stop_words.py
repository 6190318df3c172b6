"""Words that are never a topic: the German and English lists of stopwords-iso (maintained,
shipped inside its wheel) and the seed topic_stop_words (the filler words of social media
those lists lack, such as "genau" or "video")."""

from typing import Any


def model(dbt: Any, session: Any) -> Any:
    dbt.config(materialized="table")
    from learnloop.topics import stop_words

    additions = dbt.ref("topic_stop_words")
    additions.create_view("topic_stop_word_additions", replace=True)
    rows = session.execute(
        "SELECT language, word FROM topic_stop_word_additions ORDER BY ALL"
    ).fetchall()
    return stop_words(rows)
