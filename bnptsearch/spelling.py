"""The indexed words close to a misspelt one: what typo correction and suggestions pick from.

Whoosh's ``terms_within`` over a multi-segment index walks the merged vocabulary from the
word's first letter on and computes each word's edit distance in Python, the largest part
of a question's time once scoring was pruned (README, Performance). :class:`Vocabulary` reads each first letter's words once
per searcher and measures them with RapidFuzz (C++): the same words, the same distance
(optimal string alignment, which is what Whoosh's ``damerau_levenshtein`` computes: a swap
of neighbours is one edit), the same order.

>>> Vocabulary(searcher.reader(), "words").closest("terorsme", 1)     # doctest: +SKIP
['terorisme']
"""

from __future__ import annotations

from typing import Any

__all__ = ["Vocabulary"]


class Vocabulary:
    """The words of one field of a reader, read by first letter on first use and kept (a
    reader's vocabulary never changes: a new commit is a new reader, and a new Vocabulary)."""

    def __init__(self, reader: Any, fieldname: str) -> None:
        self._reader = reader
        self._fieldname = fieldname
        self._by_letter: dict[str, list[str]] = {}

    def _words(self, start: str) -> list[str]:
        """Every indexed word that starts with ``start`` (one letter, or "" for all)."""
        words = self._by_letter.get(start)
        if words is None:
            decode = self._reader.schema[self._fieldname].from_bytes
            words = [decode(term) for term in self._reader.expand_prefix(self._fieldname, start)]
            self._by_letter[start] = words
        return words

    def closest(self, word: str, maxdist: int, prefix: int = 1) -> list[str]:
        """The indexed words at most ``maxdist`` edits from ``word`` that share its first
        ``prefix`` letters: closest first, then the most frequent, then alphabetically.

        >>> vocabulary.closest("walkota", 1)                          # doctest: +SKIP
        ['walikota']
        """
        # RapidFuzz's import is paid only by a query with a word to correct.
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        start = word[:prefix]
        words = self._words(start[:1])
        found = process.extract(word, words, scorer=OSA.distance, score_cutoff=maxdist, limit=None)
        frequency = self._reader.doc_frequency
        ranked = sorted(
            (distance, -frequency(self._fieldname, candidate), candidate)
            for candidate, distance, _ in found
            if candidate.startswith(start)
        )
        return [candidate for _, _, candidate in ranked]
