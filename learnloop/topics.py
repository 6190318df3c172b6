"""Words for the weekly topics: German and English lemmas and a maintained stop-word list.

Lemmas come from simplemma and stop words from stopwords-iso; both ship their data inside
their wheels (MIT licence), nothing is downloaded. The dbt models call these:
`int_topic_lemmas` lemmatises only the tokens it has not seen (its table keeps them across
rebuilds), so the cost follows the new vocabulary, not the history; `int_topic_stop_words`
lists the stop words.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import version

import pandas as pd
import simplemma
import stopwordsiso

# simplemma's compact dictionaries: the same lemmas, 18 MB of memory instead of 130 MB (the
# run's process has a memory budget, [performance] in learnloop.toml).
LOW_MEMORY = True
# Part of every cached lemma: another simplemma release lemmatises the tokens again.
LEMMATISER_ID = f"simplemma-{version('simplemma')}"
STOP_WORD_LANGUAGES = ("de", "en")
STOP_WORDS_ID = f"stopwords-iso-{version('stopwordsiso')}"


def lemma(token: str, language: str) -> str:
    """The lower-case lemma of a token as written in a message in `language`.

    German nouns are looked up as written ("Räder" -> rad, "Reifen" -> reifen). Social media
    often writes them in lower case, where the dictionary reads a verb ("reifen" -> reif), so
    a lower-case German token whose capitalised form is a known word is looked up
    capitalised. English is looked up in lower case. A message of another or undetermined
    language: English when the dictionary knows the word, else German.
    """
    lower = token.lower()
    if language == "en" or (language != "de" and simplemma.is_known(lower, "en", LOW_MEMORY)):
        return simplemma.lemmatize(lower, "en", low_memory=LOW_MEMORY).lower()
    if token == lower:
        capitalised = token[:1].upper() + token[1:]
        if simplemma.is_known(capitalised, "de", LOW_MEMORY):
            token = capitalised
    return simplemma.lemmatize(token, "de", low_memory=LOW_MEMORY).lower()


def lemmas(pairs: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """(language, token, lemma, lemmatiser) for distinct (language, token) pairs: one Python
    call per new vocabulary item, never per message."""
    rows = [(language, token, lemma(token, language)) for language, token in pairs]
    frame = pd.DataFrame(rows, columns=["language", "token", "lemma"], dtype="string")
    frame["lemmatiser"] = pd.Series([LEMMATISER_ID] * len(frame), dtype="string")
    return frame


def stop_words(additions: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """(language, word, source): stopwords-iso's German and English lists, then the
    project's `additions` (filler words of social media the maintained lists lack)."""
    rows = [
        (language, word, STOP_WORDS_ID)
        for language in STOP_WORD_LANGUAGES
        for word in sorted(stopwordsiso.stopwords(language))
    ]
    rows += [(language, word.lower(), "topic_stop_words") for language, word in additions]
    return pd.DataFrame(rows, columns=["language", "word", "source"], dtype="string")
