"""BM25 scoring: the Whoosh weighting model, and the same model computed with numpy for
plain word queries.

Whoosh scores a query by walking a tree of matchers in Python, one posting at a time; on a
100k-passage index that walk was 82 % of a keyword query's time (cProfile). Most queries
people type are a bag of words, an OR of terms in the text, title and exact-word fields,
and for those the whole scoring is a handful of array operations: decode each term's posting blocks,
compute BM25 for all its postings at once, add into one score per document, keep the best.
:func:`top_documents` does that with the formula, idf and field lengths Whoosh uses with
:class:`LuceneBM25`, so both paths rank alike (``tests/test_ranking.py`` compares them).
Phrases and fuzzy words inside such an OR are scored by Whoosh's matchers and added in,
:class:`Synonyms` (an acronym and its long form) add their best alternative; queries with
NOT or filters are left to Whoosh entirely.

>>> score_sum(wq.Or([wq.Term("text", "teroris"), wq.Term("title", "teroris", boost=2.0)])).terms
(Clause(fieldname='text', text='teroris', boost=1.0), Clause(fieldname='title', text='teroris', boost=2.0))
"""

from __future__ import annotations

from dataclasses import dataclass
from math import log

import numpy as np
from whoosh import query as wq
from whoosh import scoring
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.matching.binary import UnionMatcher
from whoosh.matching.wrappers import FilterMatcher, WrappingMatcher
from whoosh.util.numeric import byte_to_length

__all__ = ["Clause", "CollectionStats", "LuceneBM25", "ScoreSum", "Synonyms", "lucene_idf", "score_sum", "top_documents"]

# Whoosh stores a field's length per document as one byte; this decodes all 256 at once.
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)


def lucene_idf(total: int, frequency: int) -> float:
    """Lucene's BM25 idf, ``log(1 + (N - n + 0.5) / (n + 0.5))``.

    >>> round(lucene_idf(1000, 10), 3)
    4.557
    """
    return log(1 + (total - frequency + 0.5) / (frequency + 0.5))


class LuceneBM25(scoring.BM25F):
    """Whoosh's BM25F with the idf of Lucene's BM25, raised to ``idf_power``.

    Whoosh's own idf, ``log(N / (n + 1)) + 1``, adds 1 to every term: frequent words keep
    too much weight next to the rare words a question turns on. ``idf_power`` > 1 widens that
    gap further: in "Kapan Bluetooth pertama kali diciptakan?" the passage about Bluetooth
    should beat one that matches "pertama kali diciptakan".
    """

    def __init__(self, B: float, K1: float, idf_power: float = 1.0):
        super().__init__(B=B, K1=K1)
        self.idf_power = idf_power

    def idf(self, searcher, fieldname: str, text: str) -> float:
        parent = searcher.get_parent()
        return self.term_idf(parent.doc_count_all(), parent.doc_frequency(fieldname, text))

    def term_idf(self, total: int, frequency: int) -> float:
        return lucene_idf(total, frequency) ** self.idf_power


@dataclass(frozen=True)
class Clause:
    """One term of a bag-of-words query, with the boost it carries."""

    fieldname: str
    text: str
    boost: float


class _BestOfMatcher(UnionMatcher):
    """A union that scores a document by its best-scoring side instead of the sum."""

    def score(self) -> float:
        a, b = self.a, self.b
        if not a.is_active():
            return b.score()
        if not b.is_active():
            return a.score()
        if a.id() != b.id():
            return a.score() if a.id() < b.id() else b.score()
        return max(a.score(), b.score())

    def replace(self, minquality=0):
        # Whoosh's rewrites of a union (into an intersection, or a plain union of the
        # rewritten sides) assume summed scores.
        return self


class Synonyms(wq.Or):
    """Alternative wordings of one thing, such as an acronym and its long form: a passage
    scores by the alternative it matches best, not by the sum.

    Summed, "Menteri Perindustrian" expanded with "Kemenperin" gave a passage that names the
    ministry both ways twice the credit of one about the minister (FacQA question 1 of the
    benchmark's failures); the best alternative keeps the expansion a way in, not a bonus.
    Whoosh's own DisjunctionMax scored more than the best of its parts in whoosh 2.7.
    """

    def _matcher(self, subs, searcher, context):
        matchers = [query.matcher(searcher, context) for query in subs]
        matcher = matchers[0]
        for other in matchers[1:]:
            matcher = _BestOfMatcher(matcher, other)
        return matcher if self.boost == 1 else WrappingMatcher(matcher, boost=self.boost)


@dataclass(frozen=True)
class ScoreSum:
    """A query whose score is the sum of its parts' scores: term clauses, computed with
    numpy; other clauses (phrases, fuzzy words), whose few matches Whoosh's matchers score;
    and groups of :class:`Synonyms`, each adding its best alternative. Each with its boost."""

    terms: tuple[Clause, ...]
    others: tuple[tuple[wq.Query, float], ...]
    best_of: tuple[tuple[tuple[ScoreSum, ...], float], ...] = ()


def score_sum(query: wq.Query, fields: tuple[str, ...] = ("text", "title", "words")) -> ScoreSum | None:
    """``query`` as a :class:`ScoreSum` if it is a plain OR of clauses on ``fields``, else None.

    A plain OR (no minimum match, no coordination scaling) scores as the sum of its matching
    children's scores, each times the boosts above it. Other queries (AND, NOT, restrictions
    to other fields such as source or date) are left to Whoosh's top-k search, which skips
    what cannot rank instead of scoring every match.
    """
    if type(query) not in (wq.Or, wq.Term, Synonyms):
        return None
    return _as_sum(query, fields)


def _as_sum(query: wq.Query, fields: tuple[str, ...]) -> ScoreSum | None:
    terms: list[Clause] = []
    others: list[tuple[wq.Query, float]] = []
    best_of: list[tuple[tuple[ScoreSum, ...], float]] = []

    def walk(node: wq.Query, boost: float) -> bool:
        if type(node) is Synonyms:
            alternatives = [_as_sum(child, fields) for child in node.subqueries]
            if any(alternative is None for alternative in alternatives):
                return False
            best_of.append((tuple(alternatives), boost * node.boost))
            return True
        if type(node) is wq.Or and not node.minmatch and node.scale is None:
            return all(walk(child, boost * node.boost) for child in node.subqueries)
        if any(isinstance(part, wq.Not) for part in node.leaves()) or isinstance(node, wq.Not):
            return False
        if not all(fieldname in fields for fieldname, _ in node.iter_all_terms()):
            return False
        if type(node) is wq.Term:
            terms.append(Clause(node.fieldname, node.text, boost * node.boost))
        else:
            others.append((node, boost))
        return True

    return ScoreSum(tuple(terms), tuple(others), tuple(best_of)) if walk(query, 1.0) else None


class CollectionStats:
    """What BM25 needs besides postings, as arrays over a searcher's document numbers:
    each field's length per document, and which documents are live (not deleted)."""

    def __init__(self, searcher):
        self._searcher = searcher
        self._reader = searcher.reader()
        self.doc_count = self._reader.doc_count_all()
        self._lengths: dict[str, np.ndarray] = {}
        self.deleted = self._deleted()

    def lengths(self, fieldname: str) -> np.ndarray:
        if fieldname not in self._lengths:
            parts = [_length_bytes(leaf, fieldname) for leaf, _ in self._reader.leaf_readers()]
            codes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)
            self._lengths[fieldname] = _BYTE_TO_LENGTH[codes]
        return self._lengths[fieldname]

    def average_length(self, fieldname: str) -> float:
        return self._searcher.avg_field_length(fieldname) or 1

    def _deleted(self) -> np.ndarray | None:
        docnums = [offset + d for leaf, offset in self._reader.leaf_readers() for d in leaf.deleted_docs_set]
        return np.array(docnums, dtype=np.int64) if docnums else None


def _length_bytes(leaf, fieldname: str) -> np.ndarray:
    """One segment's length bytes for ``fieldname``, read as one block.

    Whoosh 2.7 keeps them in a fixed-width column of unsigned bytes; reading it through the
    column's ``__getitem__`` costs ~1 µs per document, 0.1 s on a 100k-passage index, which
    a cold command-line query would pay. Documents past the column's end have length 0.
    """
    count = leaf.doc_count_all()
    column = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return np.zeros(count, dtype=np.uint8)
    stored = column._count
    codes = np.zeros(count, dtype=np.uint8)
    if stored:
        codes[:stored] = np.frombuffer(column._dbfile.get(column._basepos, stored), dtype=np.uint8)
    return codes


def _postings(leaf, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """A term's document numbers (within ``leaf``) and weights (term frequencies)."""
    matcher = leaf.postings(fieldname, text)
    if isinstance(matcher, FilterMatcher):
        # Segments with deletions wrap their postings to skip deleted documents (and the
        # wrapper has already moved past the first ones); CollectionStats.deleted masks them.
        matcher = matcher.child
        matcher.reset()
    if not isinstance(matcher, W3LeafMatcher):
        # Terms with a single posting are stored inline, in a list matcher.
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)
    id_blocks, weight_blocks = [], []
    # Whoosh 2.7's block layout (pinned < 2.8): each block holds delta-coded ids and weights;
    # decoding them with numpy instead of per posting is the point of this module.
    while matcher.is_active():
        matcher._read_data()
        id_blocks.append(np.cumsum(np.array(matcher._data[0], dtype=np.int64)))
        matcher._read_weights()
        weight_blocks.append(np.asarray(matcher._weights, dtype=np.float64))
        matcher._next_block()
    if not id_blocks:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(id_blocks), np.concatenate(weight_blocks)


def top_documents(searcher, stats: CollectionStats, query: ScoreSum, limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (docnum, score) pairs for ``query``, scored exactly as Whoosh scores
    them with ``searcher.weighting`` (a :class:`LuceneBM25`).

    Ordered by score, then by document number (Whoosh's order for ties).
    """
    scores = _scores(searcher, stats, query)
    if stats.deleted is not None:
        scores[stats.deleted] = 0
    matched = np.flatnonzero(scores)
    if len(matched) > limit:
        threshold = np.partition(scores[matched], len(matched) - limit)[len(matched) - limit]
        matched = matched[scores[matched] >= threshold]
    # Lexsort's last key is the primary one: score descending, then document number.
    order = matched[np.lexsort((matched, -scores[matched]))][:limit]
    return [(int(docnum), float(scores[docnum])) for docnum in order]


def _scores(searcher, stats: CollectionStats, query: ScoreSum) -> np.ndarray:
    """Every document's score for ``query`` (0 where it does not match)."""
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
                while matcher.is_active():
                    scores[offset + matcher.id()] += boost * matcher.score()
                    matcher.next()
    for alternatives, boost in query.best_of:
        scores += boost * np.maximum.reduce([_scores(searcher, stats, alternative) for alternative in alternatives])
    return scores
