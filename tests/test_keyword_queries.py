"""Keyword queries as analysts type them (issue 14): typos, suggestions and ranking of short
queries on the seed corpus, each pinned to the article or passage expected first."""

from __future__ import annotations

import pytest

from bnptsearch import Index
from bnptsearch.analysis import analyze

BELANDA = "000_d9719fe4b4a867df"
SURAKARTA = "003_219fc8fa0a90b567"
RAN_PE = "004_712c4dcd13143a1e"


def _highlighted(results) -> set[str]:
    return {hit.passage[start:end].lower() for hit in results.hits for start, end in hit.spans}


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("terorsme", "terorisme"),  # stems to "orsme": fuzzy stems never reach "teror"
        ("penanggulangn", "penanggulangan"),
        ("terorsme~", "terorisme"),
    ],
)
def test_fuzzy_matches_the_word_as_typed(seed_index: Index, query: str, found: str) -> None:
    results = seed_index.search(query, fuzzy=True)
    assert results.hits
    assert found in _highlighted(results)


def test_a_fuzzy_typo_next_to_a_correct_word_counts(seed_index: Index) -> None:
    results = seed_index.search("terorsme Banten", fuzzy=True, limit=3)
    assert {"terorisme", "banten"} <= _highlighted(results)


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("terorsme Banten", "terorisme Banten"),
        ("walkota Surakarta", "walikota Surakarta"),
        ("terorsme", "terorisme"),
    ],
)
def test_a_word_that_matches_nothing_gets_a_suggestion(seed_index: Index, query: str, suggestion: str) -> None:
    # The correct word alone finds plenty; the misspelt one must not be dropped silently.
    assert seed_index.search(query).suggestion == suggestion


@pytest.mark.parametrize("word", ["anak", "Bali", "Rabu", "jaksa", "kemitraaan"])
def test_a_word_in_the_index_is_never_corrected(seed_index: Index, word: str) -> None:
    # "kemitraaan" is the corpus's own typo: it occurs, so it is what the user meant to find.
    results = seed_index.search(word)
    assert results.hits
    assert results.suggestion is None


def test_suggestions_prefer_the_closest_word(seed_index: Index) -> None:
    # "walikota" is one edit from "walkota"; more frequent words two edits away lose.
    assert seed_index.search("walkota").suggestion == "walikota"


@pytest.mark.parametrize(
    ("query", "doc_id", "written"),
    [
        ("Sekretaris Utama BNPT", SURAKARTA, "Sestama"),
        ("Kepala Subdirektorat", "001_b906f770b361ad8d", "Kasubdit"),
    ],
)
def test_a_title_spelt_out_finds_its_abbreviation(seed_index: Index, query: str, doc_id: str, written: str) -> None:
    first = seed_index.search(query).hits[0]
    assert first.doc_id == doc_id
    assert any(written in first.passage[start:end] for start, end in first.spans)


def test_no_suggestion_for_the_words_of_a_long_form(seed_index: Index) -> None:
    # "Forum" occurs nowhere, but the query spells out FKPT, which does.
    assert seed_index.search("Forum Koordinasi Pencegahan Terorisme").suggestion is None


def test_english_function_words_are_stopped(seed_index: Index) -> None:
    first = seed_index.search("United Nations Office on Drugs and Crime").hits[0]
    marked = [first.passage[start:end] for start, end in first.spans]
    assert "United Nations Office" in marked and "Drugs" in marked
    assert not any(" on " in f" {span} " or " and " in f" {span} " for span in marked)
    # ... but not the English words Indonesian news writes as acronyms: AS, IS.
    assert analyze("AS dan IS") == ["as", "is"]
