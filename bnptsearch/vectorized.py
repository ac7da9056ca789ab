"""BM25 for plain word queries computed with numpy, straight from Whoosh's postings.

Whoosh scores a query by walking a tree of matchers in Python, one posting at a time; on a
100k-passage index that walk was 82 % of a keyword query's time (cProfile). For a
:class:`~bnptsearch.ranking.ScoreSum` the whole scoring is a handful of array operations:
decode each term's posting blocks, compute BM25 for all its postings at once, add into one
score per document, keep the best. :func:`top_documents` does that with the formula, idf and
field lengths Whoosh uses with :class:`~bnptsearch.ranking.LuceneBM25`, so both paths rank
alike (``tests/test_ranking.py`` compares them). Phrases and fuzzy words are scored by
Whoosh's matchers and added in.

Imported only when an index is large enough to need it: numpy's import is 60 ms of a cold
command-line query.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

import numpy as np
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher as WhooshSearcher

from .ranking import LuceneBM25, ScoreSum
from .whoosh_compat import BYTE_LENGTHS, deleted_docs, leaf_length_bytes, posting_blocks, segment_key

__all__ = ["CollectionStats", "top_documents"]

# Decodes a whole array of length bytes at once.
_BYTE_TO_LENGTH = np.array(BYTE_LENGTHS, dtype=np.float64)


class CollectionStats:
    """What BM25 needs besides postings, as arrays over a searcher's document numbers:
    each field's length per document, and which documents are live (not deleted)."""

    def __init__(self, searcher: WhooshSearcher, segment_lengths: dict | None = None):
        """``segment_lengths``: a dict to keep each segment's decoded lengths in, shared by
        the stats of successive searchers so a new commit decodes only its new segments."""
        self.searcher = searcher
        self._reader = searcher.reader()
        self.doc_count = self._reader.doc_count_all()
        self._lengths: dict[str, np.ndarray] = {}
        self._segment_lengths: dict[tuple[str, str], np.ndarray] = {} if segment_lengths is None else segment_lengths
        self.deleted = self._deleted()

    def lengths(self, fieldname: str) -> np.ndarray:
        """Every document's length of ``fieldname``, as Whoosh's BM25 reads it (one byte,
        decoded), by document number.

        >>> CollectionStats(searcher).lengths("text")[:3]   # doctest: +SKIP
        array([28., 33., 23.])
        """
        if fieldname not in self._lengths:
            # Segments in docnum order: their lengths concatenated are the searcher's numbering.
            leaves = [leaf for leaf, _ in self._reader.leaf_readers()]
            parts = [self._segment_length(leaf, fieldname) for leaf in leaves]
            self._lengths[fieldname] = np.concatenate(parts) if parts else np.zeros(0)
            live = {segment_key(leaf)[0] for leaf in leaves}
            for key in [key for key in self._segment_lengths if key[0] not in live]:  # merged away since
                del self._segment_lengths[key]
        return self._lengths[fieldname]

    def _segment_length(self, leaf: SegmentReader, fieldname: str) -> np.ndarray:
        # Lengths do not change when documents are deleted: the segment id is key enough.
        key = (segment_key(leaf)[0], fieldname)
        if key not in self._segment_lengths:
            codes = np.frombuffer(leaf_length_bytes(leaf, fieldname), dtype=np.uint8)
            self._segment_lengths[key] = _BYTE_TO_LENGTH[codes]
        return self._segment_lengths[key]

    def average_length(self, fieldname: str) -> float:
        """The collection's mean length of ``fieldname`` (1 if empty, to divide by)."""
        return self.searcher.avg_field_length(fieldname) or 1

    def _deleted(self) -> np.ndarray | None:
        docnums = [offset + d for leaf, offset in self._reader.leaf_readers() for d in deleted_docs(leaf)]
        return np.array(docnums, dtype=np.int64) if docnums else None


def _postings(leaf: SegmentReader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """A term's document numbers (within ``leaf``) and weights (term frequencies), deleted
    documents included (CollectionStats.deleted masks them)."""
    id_blocks, weight_blocks = [], []
    for deltas, weights in posting_blocks(leaf, fieldname, text):
        id_blocks.append(np.cumsum(np.array(deltas, dtype=np.int64)))
        weight_blocks.append(np.asarray(weights, dtype=np.float64))
    if not id_blocks:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(id_blocks), np.concatenate(weight_blocks)


def top_documents(
    stats: CollectionStats, query: ScoreSum, limit: int, expired: Callable[[], bool] = lambda: False
) -> list[tuple[int, float]]:
    """The ``limit`` best (docnum, score) pairs for ``query`` in ``stats.searcher``, scored
    exactly as Whoosh scores them with that searcher's weighting (a :class:`LuceneBM25`).
    Clauses scored by Whoosh's matchers (phrases, fuzzy words) stop where ``expired()``
    says the time budget is spent, leaving the scores counted so far.

    Ordered by score, then by document number (Whoosh's order for ties).

    >>> top_documents(CollectionStats(searcher), score_sum(query, fields), 10)[0]   # doctest: +SKIP
    (17, 9.82)
    """
    scores = _scores(stats, query, expired)
    if stats.deleted is not None:
        scores[stats.deleted] = 0
    for excluded in query.excluded:
        scores[list(stats.searcher.docs_for_query(excluded))] = 0
    matched = np.flatnonzero(scores)
    if len(matched) > limit:
        threshold = np.partition(scores[matched], len(matched) - limit)[len(matched) - limit]
        matched = matched[scores[matched] >= threshold]
    # Lexsort's last key is the primary one: score descending, then document number.
    order = matched[np.lexsort((matched, -scores[matched]))][:limit]
    return [(int(docnum), float(scores[docnum])) for docnum in order]


# How many matches a matcher-scored clause adds between looks at the clock.
_CHECK_EVERY = 1024


def _scores(stats: CollectionStats, query: ScoreSum, expired: Callable[[], bool]) -> np.ndarray:
    """Every document's score for ``query`` (0 where it does not match)."""
    searcher = stats.searcher
    model: LuceneBM25 = searcher.weighting
    b, k1 = model.B, model.K1
    reader = searcher.reader()
    scores = np.zeros(stats.doc_count, dtype=np.float64)
    for clause in query.terms:
        frequency = reader.doc_frequency(clause.fieldname, clause.text)
        if not frequency:
            continue
        idf = model.term_idf(stats.doc_count, frequency)
        lengths = stats.lengths(clause.fieldname)
        average = stats.average_length(clause.fieldname)
        for leaf, offset in reader.leaf_readers():
            if (clause.fieldname, clause.text) not in leaf:
                continue
            docnums, weights = _postings(leaf, clause.fieldname, clause.text)
            docnums += offset
            norm = k1 * ((1 - b) + b * lengths[docnums] / average)
            scores[docnums] += clause.boost * idf * (weights * (k1 + 1)) / (weights + norm)
    if query.others:
        context = searcher.context(weighting=model)
        for leaf_searcher, offset in searcher.leaf_searchers():
            for other, boost in query.others:
                matcher = other.matcher(leaf_searcher, context)
                for scored in count():
                    if not matcher.is_active() or (scored % _CHECK_EVERY == 0 and expired()):
                        break
                    scores[offset + matcher.id()] += boost * matcher.score()
                    matcher.next()
    for alternatives, boost in query.best_of:
        scores += boost * np.maximum.reduce([_scores(stats, alternative, expired) for alternative in alternatives])
    return scores
