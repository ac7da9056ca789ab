"""Typo candidates: :class:`bnptsearch.spelling.Vocabulary` picks the words Whoosh's own
``terms_within`` walk picked, in the same order (edit distance, frequency, word)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz.distance import OSA
from whoosh.reading import IndexReader
from whoosh.support.levenshtein import damerau_levenshtein

from bnptsearch import Index
from bnptsearch.schema import WORDS
from bnptsearch.spelling import Vocabulary


def _whoosh_closest(reader, word: str, maxdist: int, prefix: int) -> list[str]:
    """What search.py did before Vocabulary: Whoosh's word-by-word walk (the base
    ``IndexReader.terms_within``, which a multi-segment reader uses), sorted by the same key."""
    found = IndexReader.terms_within(reader, WORDS, word, maxdist, prefix=prefix)
    return sorted(found, key=lambda w: (damerau_levenshtein(word, w), -reader.doc_frequency(WORDS, w), w))


def _typos(words: list[str], count: int) -> list[str]:
    """``count`` misspellings of ``words``: one or two letters dropped, doubled, swapped or changed."""
    rng = random.Random(17)
    typos = []
    for _ in range(count):
        word = list(rng.choice(words))
        for _ in range(rng.choice((1, 2))):
            at = rng.randrange(1, len(word)) if len(word) > 1 else 0
            edit = rng.choice(("drop", "double", "swap", "change"))
            if edit == "drop" and len(word) > 1:
                del word[at]
            elif edit == "double":
                word.insert(at, word[at])
            elif edit == "swap" and at + 1 < len(word):
                word[at], word[at + 1] = word[at + 1], word[at]
            else:
                word[at] = rng.choice("aeiknrst")
        typos.append("".join(word))
    return typos


def test_the_closest_words_are_whooshs_in_whooshs_order(seed_index: Index) -> None:
    reader = seed_index.searcher().whoosh.reader()
    words = [term.decode() for term in reader.lexicon(WORDS) if len(term) >= 4]
    vocabulary = Vocabulary(reader, WORDS)
    compared = 0
    for typo in _typos(words, 150):
        for maxdist, prefix in ((1, 1), (2, 1), (2, 3)):
            expected = _whoosh_closest(reader, typo, maxdist, prefix)
            assert vocabulary.closest(typo, maxdist, prefix) == expected, (typo, maxdist, prefix)
            compared += bool(expected)
    assert compared > 150  # most typos have candidates: the comparison is not of empty lists


@given(st.text("abcde", max_size=8), st.text("abcde", max_size=8))
def test_rapidfuzz_counts_edits_as_whoosh_does(a: str, b: str) -> None:
    # Both are the optimal string alignment distance: a swap of neighbours is one edit.
    assert OSA.distance(a, b) == damerau_levenshtein(a, b)


@pytest.mark.parametrize("query", ["terorisne", "walkota Bali"])
def test_the_corrected_query_is_searched(seed_index: Index, query: str) -> None:
    results = seed_index.search(query)
    assert results.corrected is not None and results.hits
