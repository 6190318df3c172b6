"""The words of the weekly topics: lemmas from simplemma, stop words from stopwords-iso."""

from __future__ import annotations

import pytest

from learnloop.topics import LEMMATISER_ID, STOP_WORDS_ID, lemma, lemmas, stop_words


@pytest.mark.parametrize(
    ("token", "language", "expected"),
    [
        # German nouns as written; plural and inflected forms to their lemma.
        ("Räder", "de", "rad"),
        ("Pakete", "de", "paket"),
        ("Akkus", "de", "akku"),
        ("Updates", "de", "update"),
        # Lower-case nouns: read as verbs ("reif", "updaten") unless looked up capitalised.
        ("räder", "de", "rad"),
        ("reifen", "de", "reifen"),
        ("update", "de", "update"),
        # Verbs.
        ("lädt", "de", "laden"),
        ("geliefert", "de", "liefern"),
        # English in lower case, whatever the case in the text.
        ("Batteries", "en", "battery"),
        ("crashes", "en", "crash"),
        ("logged", "en", "log"),
        # Undetermined language: English where the dictionary knows the word, else German.
        ("refunds", "und", "refund"),
        ("pakete", "und", "paket"),
    ],
)
def test_lemmas_of_german_and_english_words(token: str, language: str, expected: str):
    assert lemma(token, language) == expected


def test_lemmas_are_a_table_that_names_the_lemmatiser():
    frame = lemmas([("de", "Akkus"), ("en", "batteries")])
    assert frame.to_dict("records") == [
        {"language": "de", "token": "Akkus", "lemma": "akku", "lemmatiser": "simplemma-2.0.0"},
        {"language": "en", "token": "batteries", "lemma": "battery", "lemmatiser": LEMMATISER_ID},
    ]


def test_stop_words_are_stopwords_iso_plus_the_additions():
    frame = stop_words([("de", "Genau"), ("en", "video")])
    by_source = frame.groupby("source")["word"].apply(set).to_dict()
    # stopwords-iso 0.7.1: 620 German and 1,298 English words ("nicht", "the"); "genau"
    # and "video" are in neither, which is why the seed adds them (lower-cased).
    assert STOP_WORDS_ID == "stopwords-iso-0.7.1"
    assert (frame["source"] == STOP_WORDS_ID).sum() == 620 + 1298
    assert {"nicht", "the", "und", "would"} <= by_source[STOP_WORDS_ID]
    assert {"genau", "video"}.isdisjoint(by_source[STOP_WORDS_ID])
    assert by_source["topic_stop_words"] == {"genau", "video"}
