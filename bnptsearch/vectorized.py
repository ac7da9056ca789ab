"""BM25 for plain word queries computed with numpy, straight from Whoosh's postings.

Whoosh scores a query by walking a tree of matchers in Python, one posting at a time; on a
100k-passage index that walk was 82 % of a keyword query's time (cProfile). For a
:class:`~bnptsearch.ranking.ScoreSum` the whole scoring is a handful of array operations:
decode each term's posting blocks, compute BM25 for all its postings at once, add into one
score per document, keep the best. :func:`top_documents` does that with the formula, idf and
field lengths Whoosh uses with :class:`~bnptsearch.ranking.LuceneBM25`, so both paths rank
alike (``tests/test_ranking.py`` compares them). Phrases and fuzzy words are scored by
Whoosh's matchers and added in.

At a million passages decoding every posting block of a common word was most of a query
(70 % in zlib and pickle), so the word clauses are pruned as in MaxScore: the rarest first,
and once the words left cannot lift a passage that none of the others matched into the
``limit`` best (the sum of their largest possible scores, from each term's maximum term
frequency, is below the ``limit``-th score so far), those words are decoded only in the
blocks that hold a passage still in the running. The result is the same ranking, scores
included to the last bit: the passages that can win are scored in the query's order.
The parser scores each query word as the best of its text and title forms (``BestField``);
such a group of single words is pruned as one word whose bound is the best of its
alternatives' bounds, each alternative's blocks filtered against the group's bar.

Pruning left some 800 blocks to decode per query at a million passages, and walking the
headers of a common word's thousands of blocks to choose them cost a third as much again;
the common words' blocks are the same from query to query. So a term's headers (as arrays,
which choose its blocks with a few numpy operations) and its decoded blocks are kept in a
:class:`~bnptsearch.blockcache.BlockCache` shared by the searches of an index.

Imported only when an index is large enough to need it: numpy's import is 60 ms of a cold
command-line query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from itertools import count
from typing import Any

import numpy as np
from whoosh.reading import SegmentReader
from whoosh.searching import Searcher as WhooshSearcher

from .blockcache import BlockCache
from .ranking import Clause, LuceneBM25, ScoreSum
from .whoosh_compat import BYTE_LENGTHS, deleted_docs, leaf_length_bytes, read_block, segment_key, term_blocks

__all__ = ["CollectionStats", "top_documents"]

# Decodes a whole array of length bytes at once.
_BYTE_TO_LENGTH = np.array(BYTE_LENGTHS, dtype=np.float64)


class CollectionStats:
    """What BM25 needs besides postings: each field's lengths, kept per segment (by the
    segment's own document numbers), and which of the searcher's documents are deleted."""

    def __init__(self, searcher: WhooshSearcher, segment_lengths: dict | None = None, blocks: BlockCache | None = None):
        """``segment_lengths``: a dict to keep each segment's decoded lengths in, shared by
        the stats of successive searchers so a new commit decodes only its new segments;
        ``blocks``: a cache of decoded posting blocks, likewise shared (None: none kept)."""
        self.searcher = searcher
        self._reader = searcher.reader()
        self.doc_count = self._reader.doc_count_all()
        self._segment_lengths: dict[tuple[str, str], np.ndarray] = {} if segment_lengths is None else segment_lengths
        self.deleted = self._deleted()
        self._blocks = blocks if blocks is not None and blocks.max_bytes else None
        # What the shared caches may keep: the rest was merged away since.
        self._live = {segment_key(leaf)[0] for leaf, _ in self._reader.leaf_readers()}
        for key in [key for key in self._segment_lengths if key[0] not in self._live]:
            del self._segment_lengths[key]
        if self._blocks is not None:
            self._blocks.retain(self._live)

    def leaf_lengths(self, leaf: SegmentReader, fieldname: str) -> np.ndarray:
        """The lengths of ``fieldname`` of ``leaf``'s documents, by the segment's own
        document numbers, as Whoosh's BM25 reads them (one byte, decoded).

        Kept per segment and never concatenated: the stats are made anew after each commit
        of another process, and copying every document's lengths then was a large part of
        the reader's refresh.

        >>> stats.leaf_lengths(leaf, "text")[:3]            # doctest: +SKIP
        array([28., 33., 23.])
        """
        # Lengths do not change when documents are deleted: the segment id is key enough.
        key = (segment_key(leaf)[0], fieldname)
        found = self._segment_lengths.get(key)
        if found is None:
            codes = np.frombuffer(leaf_length_bytes(leaf, fieldname), dtype=np.uint8)
            found = self._segment_lengths[key] = _BYTE_TO_LENGTH[codes]
        return found

    def average_length(self, fieldname: str) -> float:
        """The collection's mean length of ``fieldname`` (1 if empty, to divide by)."""
        return self.searcher.avg_field_length(fieldname) or 1

    def _deleted(self) -> np.ndarray | None:
        docnums = [offset + d for leaf, offset in self._reader.leaf_readers() for d in deleted_docs(leaf)]
        return np.array(docnums, dtype=np.int64) if docnums else None

    def blocks(self, leaf: SegmentReader, fieldname: str, text: str) -> _Blocks | None:
        """A term's posting block headers in ``leaf``, None if it holds no such term; from
        the cache if they are in it (that a segment lacks a term is kept too: at a million
        passages looking a term up in each of 14 segments took ~0.3 ms)."""
        key = (segment_key(leaf)[0], fieldname, text)
        found = self._blocks.get(key) if self._blocks is not None else None
        if found is None:
            held = term_blocks(leaf, fieldname, text)
            made = None if held is None else _Blocks(key, *held)
            found = _ABSENT if made is None else made
            if self._blocks is not None:
                self._blocks.put(key, found, _HEADERS_BYTES if made is None else made.nbytes)
        return found if isinstance(found, _Blocks) else None

    def postings(self, leaf: SegmentReader, blocks: _Blocks, wanted: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The document numbers (within ``leaf``) and weights (term frequencies) of the
        ``wanted`` blocks (numbers, ascending; None: all) of ``blocks``, deleted documents
        included (:attr:`deleted` masks them); each block from the cache if it is there."""
        if blocks.inline is not None:  # one block, decoded with the headers: no choice to make
            parts = [blocks.inline]
        else:
            numbers = range(len(blocks.spans)) if wanted is None else wanted.tolist()
            parts = [self._block(leaf, blocks, number) for number in numbers]
        id_parts, weight_parts = [ids for ids, _ in parts], [weights for _, weights in parts]
        if not id_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        # Kept small (int32, float32 where exact), scored in int64 and float64 as before.
        return np.concatenate(id_parts).astype(np.int64), np.concatenate(weight_parts).astype(np.float64)

    def _block(self, leaf: SegmentReader, blocks: _Blocks, number: int) -> tuple[np.ndarray, np.ndarray]:
        """Block ``number`` of ``blocks`` decoded (document numbers, weights), kept in the cache."""
        key = (*blocks.key, number)
        found = self._blocks.get(key) if self._blocks is not None else None
        if found is None:
            found = _decoded(*read_block(leaf, blocks.spans[number], int(blocks.counts[number])))
            if self._blocks is not None:
                self._blocks.put(key, found, _BLOCK_BYTES + found[0].nbytes + found[1].nbytes)
        return found


# What a cached entry costs besides its arrays' data (the array objects, the key, the
# cache's record of it), measured with tracemalloc: 510 bytes for a block, 1,130 for a
# term's headers.
_BLOCK_BYTES = 512
_HEADERS_BYTES = 1152


def _decoded(deltas: Any, weights: Any) -> tuple[np.ndarray, np.ndarray]:
    """A block's document numbers (int32: a segment numbers fewer than 2**31 documents)
    and weights (float32 when that holds them exactly, as Whoosh stores them; else float64)."""
    # As few numpy calls as can be: at a million passages this ran 240,000 times a pass.
    ids = np.array(deltas, dtype=np.int32).cumsum(dtype=np.int32)
    exact = np.array(weights, dtype=np.float64)
    small = exact.astype(np.float32)
    return ids, small if (small == exact).all() else exact


# What the cache keeps for a term a segment does not hold.
_ABSENT = object()


class _Blocks:
    """A term's posting block headers in one segment (whoosh_compat.TermBlocks) as arrays,
    for choosing blocks with numpy, and the key its blocks are cached by; ``inline``: the
    postings of a term stored inline, decoded."""

    def __init__(self, key: tuple[str, str, str], info: Any, blocks: Any) -> None:
        self.key = key
        # Passages with the term in the segment, and its highest weight there.
        self.frequency: int = info.doc_frequency()
        self.max_weight: float = info.max_weight()
        self.lasts = np.array(blocks.lasts, dtype=np.int64)
        self.firsts = np.concatenate(([0], self.lasts[:-1] + 1)) if len(self.lasts) else self.lasts
        self.max_weights = np.array(blocks.max_weights, dtype=np.float64)
        self.counts = np.array(blocks.counts, dtype=np.int32)
        self.spans = np.array(blocks.spans, dtype=np.int64).reshape(-1, 3)
        self.inline = None if blocks.inline is None else _decoded(*blocks.inline)
        self.nbytes = _HEADERS_BYTES + sum(
            array.nbytes for array in (self.lasts, self.firsts, self.max_weights, self.counts, self.spans, *(self.inline or ()))
        )


# Which passages are still in the running, the bar, and the most the words after the one
# being scored can add: what decides which of its blocks to decode (_wanted_blocks).
Pruning = tuple[np.ndarray, float, float]


class _Term:
    """One word clause of a query: its idf, the most a passage can score by it, and what
    it scored (document numbers ascending, their scores). ``scale``: the boost of the
    best-of group the word is an alternative of, which its bounds (not its scores) include."""

    def __init__(self, stats: CollectionStats, clause: Clause, scale: float = 1.0):
        searcher = stats.searcher
        self._model: LuceneBM25 = searcher.weighting
        self.clause = clause
        self._scale = scale
        # One look-up of the word per segment (a hash-table read, or the cache): which
        # segments hold it, how many passages, its highest weight, and its blocks' headers.
        self._leaves: list[tuple[SegmentReader, int, _Blocks]] = []
        self.frequency, most = 0, 0.0
        for leaf, offset in searcher.reader().leaf_readers():
            blocks = stats.blocks(leaf, clause.fieldname, clause.text)
            if blocks is None:
                continue
            self._leaves.append((leaf, offset, blocks))
            self.frequency += blocks.frequency
            most = max(most, blocks.max_weight)
        self.idf = self._model.term_idf(stats.doc_count, self.frequency) if self.frequency else 0.0
        self.bound = self.bound_at(most)
        self.docnums = np.zeros(0, dtype=np.int64)
        self.scores = np.zeros(0, dtype=np.float64)

    def bound_at(self, weight: float) -> float:
        """The most a passage can score by this word with at most ``weight`` occurrences:
        at the shortest length, 0 (a lossy length byte may decode below the true minimum)."""
        return float(self.bounds_at(np.asarray(weight, dtype=np.float64))) if weight else 0.0

    def bounds_at(self, weights: np.ndarray) -> np.ndarray:
        """:meth:`bound_at` of each of ``weights`` (each above 0: a block's highest)."""
        k1 = self._model.K1
        norm = k1 * max(1 - self._model.B, 0)
        return self._scale * self.clause.boost * self.idf * weights * (k1 + 1) / (weights + norm)

    def score(self, stats: CollectionStats, pruning: Pruning | None = None) -> None:
        """Scores the term's postings (with ``pruning``, only in the blocks that can matter)
        into ``docnums`` and ``scores``."""
        b, k1 = self._model.B, self._model.K1
        clause = self.clause
        average = stats.average_length(clause.fieldname)
        id_parts, score_parts = [], []
        for leaf, offset, blocks in self._leaves:
            # An inline term's one block is decoded with its headers: nothing to choose.
            wanted = _wanted_blocks(self, blocks, offset, *pruning) if pruning and blocks.inline is None else None
            docnums, weights = stats.postings(leaf, blocks, wanted)
            norm = k1 * ((1 - b) + b * stats.leaf_lengths(leaf, clause.fieldname)[docnums] / average)
            docnums += offset
            id_parts.append(docnums)
            score_parts.append(clause.boost * self.idf * (weights * (k1 + 1)) / (weights + norm))
        if id_parts:
            self.docnums, self.scores = np.concatenate(id_parts), np.concatenate(score_parts)

    def scores_of(self, docnums: np.ndarray) -> np.ndarray:
        """The term's scores of ``docnums`` (0 where it has none)."""
        return _scores_at(self.docnums, self.scores, docnums)


class _BestOf:
    """A best-of group of single words (the parser's ``BestField``: one query word in the
    text and title fields), pruned as one word: a passage scores the group's
    boost times its best alternative's score."""

    def __init__(self, stats: CollectionStats, alternatives: tuple[ScoreSum, ...], boost: float):
        self.boost = boost
        self.alternatives = [_Term(stats, alternative.terms[0], scale=boost) for alternative in alternatives]
        # The most common alternative (the passage text) decides how costly the group is.
        self.frequency = max(term.frequency for term in self.alternatives)
        self.bound = max(term.bound for term in self.alternatives)
        self.docnums = np.zeros(0, dtype=np.int64)
        self.scores = np.zeros(0, dtype=np.float64)

    @staticmethod
    def fits(alternatives: tuple[ScoreSum, ...], boost: float) -> bool:
        """Whether a ``ScoreSum.best_of`` group is of single words (others, such as an
        acronym with its long form, are scored whole)."""
        return boost > 0 and all(
            len(alternative.terms) == 1
            and alternative.terms[0].boost > 0
            and not (alternative.others or alternative.best_of or alternative.excluded)
            for alternative in alternatives
        )

    def bound_at(self, weight: float) -> float:
        """The most a passage can score by the group with at most ``weight`` occurrences."""
        return max(term.bound_at(weight) for term in self.alternatives)

    def score(self, stats: CollectionStats, pruning: Pruning | None = None) -> None:
        """Scores each alternative (with ``pruning``, only in its blocks that can matter:
        the alternatives' bounds are the group's) and keeps each passage's best."""
        for term in self.alternatives:
            term.score(stats, pruning)
        self.docnums = _union(*(term.docnums for term in self.alternatives))
        self.scores = self.scores_of(self.docnums)

    def scores_of(self, docnums: np.ndarray) -> np.ndarray:
        """The group's scores of ``docnums`` (0 where no alternative matches), computed as
        the whole-group path computes them (_extra_scores), to the last bit."""
        return self.boost * np.maximum.reduce([term.scores_of(docnums) for term in self.alternatives])


def _union(*docnums: np.ndarray) -> np.ndarray:
    """The sorted union of arrays of document numbers, each sorted and distinct. A stable
    sort of them joined merges their runs (Timsort): 0.7 ms for 100k numbers, where
    ``np.unique`` (a hash table since numpy 2.3) took 34.

    >>> _union(np.array([1, 4, 9]), np.array([2, 4]), np.array([], dtype=np.int64))
    array([1, 2, 4, 9])
    """
    joined = np.concatenate(docnums)
    joined.sort(kind="stable")
    distinct = np.ones(len(joined), dtype=bool)
    np.not_equal(joined[1:], joined[:-1], out=distinct[1:])
    return joined[distinct]


def _scores_at(docnums: np.ndarray, scores: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """``scores`` (of ``docnums``, ascending) of the ``wanted`` documents, 0 where absent."""
    if not len(docnums):
        return np.zeros(len(wanted), dtype=np.float64)
    at = np.minimum(np.searchsorted(docnums, wanted), len(docnums) - 1)
    return np.where(docnums[at] == wanted, scores[at], 0.0)


# Pruning compares sums of bounds with sums of scores added in another order: a margin far
# above their rounding error, far below any difference between passages that matters.
_MARGIN = 1e-9


def _wanted_blocks(term: _Term, blocks: _Blocks, offset: int, running: np.ndarray, bar: float, others: float) -> np.ndarray:
    """The numbers of the blocks of ``term`` (in the segment at ``offset``) that can matter:
    those holding a passage still ``running`` (its score so far, plus what the words left
    can add, reaches the ``bar``), and those whose highest weight could lift a passage no
    word has matched yet to the bar, with at most ``others`` from the words after this one.
    Decided for all blocks at once from their headers' arrays."""
    lifts = (term.bounds_at(blocks.max_weights) + others) * (1 + _MARGIN) >= bar
    holds = np.searchsorted(running, offset + blocks.firsts) < np.searchsorted(running, offset + blocks.lasts, "right")
    return np.flatnonzero(lifts | holds)


def _removed(stats: CollectionStats, query: ScoreSum) -> np.ndarray | None:
    """The documents that must not be returned: deleted ones, and those a clause the query
    excludes (``NOT``) matches; None if there are none."""
    parts = [] if stats.deleted is None else [stats.deleted]
    parts += [np.fromiter(stats.searcher.docs_for_query(excluded), dtype=np.int64) for excluded in query.excluded]
    return np.concatenate(parts) if parts else None


def _kth_best(values: np.ndarray, k: int) -> float:
    """The ``k``-th highest of ``values`` (0 if there are fewer)."""
    return 0.0 if len(values) < k else float(np.partition(values, len(values) - k)[len(values) - k])


def top_documents(
    stats: CollectionStats,
    query: ScoreSum,
    limit: int,
    expired: Callable[[], bool] = lambda: False,
    *,
    prune: bool = True,
) -> list[tuple[int, float]]:
    """The ``limit`` best (docnum, score) pairs for ``query`` in ``stats.searcher``, scored
    exactly as Whoosh scores them with that searcher's weighting (a :class:`LuceneBM25`).
    Clauses scored by Whoosh's matchers (phrases, fuzzy words) stop where ``expired()``
    says the time budget is spent, leaving the scores counted so far. ``prune=False``
    decodes every block of every word (the same result, slower; for tests and benchmarks).

    Ordered by score, then by document number (Whoosh's order for ties).

    >>> top_documents(CollectionStats(searcher), score_sum(query, fields), 10)[0]   # doctest: +SKIP
    (17, 9.82)
    """
    if limit < 1:
        return []
    # Best-of groups of single words are pruned as words; phrases, fuzzy words and other
    # synonyms are scored whole, first: their scores count towards the bar that the words
    # must clear.
    groups = {
        number: _BestOf(stats, alternatives, boost)
        for number, (alternatives, boost) in enumerate(query.best_of)
        if _BestOf.fits(alternatives, boost)
    }
    whole = [group for number, group in enumerate(query.best_of) if number not in groups]
    extras = _extra_scores(stats, replace(query, best_of=tuple(whole)), expired)
    scores = np.zeros(stats.doc_count, dtype=np.float64)
    for extra in extras:
        scores += extra
    # Out of the running from the start: a passage that cannot be returned must not raise
    # the bar the others are pruned by.
    removed = _removed(stats, query)
    if removed is not None:
        scores[removed] = 0
    terms = [_Term(stats, clause) for clause in query.terms]
    words: list[_Term | _BestOf] = [*terms, *groups.values()]
    # Rarest (cheapest, most telling) first; among words as common, the highest bound
    # first, so a word's exact form (boost 0.3) comes after its best-of-field group. At
    # 100k passages, highest bound first throughout cost 15 % more CPU than this.
    order = sorted(words, key=lambda term: (term.frequency, -term.bound))
    # At least the highest score (kept up as words add, not read from the whole array).
    highest = float(scores.max()) if extras else 0.0
    # The passages scored so far (some since removed: their score is 0), kept up as words
    # add: at a million passages, finding them in the whole array took 4 ms a look.
    touched = np.flatnonzero(scores) if extras else np.zeros(0, dtype=np.int64)
    for number, term in enumerate(order):
        others = sum(later.bound for later in order[number + 1 :])
        pruning = None
        # Skipping a block needs a bar above what one occurrence and the words after add.
        if prune and (term.bound_at(1) + others) * (1 + _MARGIN) < highest:
            matched = touched[scores[touched] != 0]
            bar = _kth_best(scores[matched], limit) * (1 - _MARGIN)
            running = matched[(scores[matched] + term.bound + others) * (1 + _MARGIN) >= bar]
            pruning = (running, bar, others) if bar > 0 else None
        term.score(stats, pruning)
        scores[term.docnums] += term.scores
        touched = _union(touched, term.docnums)
        if len(term.docnums):
            highest = max(highest, float(scores[term.docnums].max()))
        if removed is not None:
            scores[removed] = 0
    running = touched[scores[touched] != 0]
    if len(running) > limit:
        # Scores so far were added rarest word first; the exact ones, in the query's order,
        # for the passages within rounding of the limit-th.
        bar = _kth_best(scores[running], limit)
        running = running[scores[running] >= bar * (1 - _MARGIN)]
    exact = np.zeros(len(running), dtype=np.float64)
    for term in terms:
        exact += term.scores_of(running)
    # In the order the whole-scored path adds them: other clauses, then each group.
    whole_scores = iter(extras)
    for _ in query.others:
        exact += next(whole_scores)[running]
    for number in range(len(query.best_of)):
        exact += groups[number].scores_of(running) if number in groups else next(whole_scores)[running]
    # Lexsort's last key is the primary one: score descending, then document number.
    order_ = np.lexsort((running, -exact))[:limit]
    return [(int(running[i]), float(exact[i])) for i in order_]


# How many matches a matcher-scored clause adds between looks at the clock.
_CHECK_EVERY = 1024


def _extra_scores(stats: CollectionStats, query: ScoreSum, expired: Callable[[], bool]) -> list[np.ndarray]:
    """Every document's score by each of ``query``'s other clauses (phrases, fuzzy words),
    then by each of its synonym groups: one array each, in the order they add up."""
    searcher = stats.searcher
    extras = []
    if query.others:
        context = searcher.context(weighting=searcher.weighting)
        for other, boost in query.others:
            scores = np.zeros(stats.doc_count, dtype=np.float64)
            for leaf_searcher, offset in searcher.leaf_searchers():
                matcher = other.matcher(leaf_searcher, context)
                for scored in count():
                    if not matcher.is_active() or (scored % _CHECK_EVERY == 0 and expired()):
                        break
                    scores[offset + matcher.id()] += boost * matcher.score()
                    matcher.next()
            extras.append(scores)
    for alternatives, boost in query.best_of:
        extras.append(boost * np.maximum.reduce([_scores(stats, alternative, expired) for alternative in alternatives]))
    return extras


def _scores(stats: CollectionStats, query: ScoreSum, expired: Callable[[], bool]) -> np.ndarray:
    """Every document's score for ``query`` (0 where it does not match)."""
    scores = np.zeros(stats.doc_count, dtype=np.float64)
    for clause in query.terms:
        term = _Term(stats, clause)
        term.score(stats)
        scores[term.docnums] += term.scores
    for extra in _extra_scores(stats, query, expired):
        scores += extra
    return scores
