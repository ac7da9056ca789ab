"""BM25 scoring: the weighting model (:class:`LuceneBM25`), :class:`Synonyms`, and which
queries are a plain sum of clauses (:func:`score_sum`), the shape :mod:`bnptsearch.vectorized`
scores with numpy.

Most queries people type are a bag of words, an OR of terms in the text, title and
exact-word fields; phrases and fuzzy words inside such an OR add their own scores, and
:class:`Synonyms` (an acronym and its long form) add their best alternative. Queries with NOT
or filters do not add up that way and are left to Whoosh's own search.

>>> score_sum(wq.Or([wq.Term("text", "teroris"), wq.Term("title", "teroris", boost=2.0)]), ("text", "title")).terms
(Clause(fieldname='text', text='teroris', boost=1.0), Clause(fieldname='title', text='teroris', boost=2.0))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from math import log

from whoosh import query as wq
from whoosh import scoring
from whoosh.matching.binary import UnionMatcher
from whoosh.matching.wrappers import WrappingMatcher

__all__ = [
    "DEFAULT_RANKING",
    "FUSIONS",
    "BestField",
    "Clause",
    "LuceneBM25",
    "RankingParams",
    "ScoreSum",
    "Synonyms",
    "fuse",
    "lucene_idf",
    "nearest_gap",
    "score_sum",
]


@dataclass(frozen=True)
class RankingParams:
    """The ranking's tunable numbers, passed with each search (``SearchRequest.ranking``) so
    a benchmark sweep or a test tries other values without touching module state.

    >>> RankingParams(bm25_b=0.75).bm25_k1
    0.6
    """

    # B=0.1, K1=0.6 was best of B 0.1-0.9 × K1 0.4-2.0 on 500 TyDi and 500 FacQA dev questions
    # (benchmarks/retrieval.py --sweep; Whoosh's defaults 0.75/1.2 scored 0.07-0.1 nDCG@10
    # lower).
    bm25_b: float = 0.1
    bm25_k1: float = 0.6
    # The benchmark's passages have no titles, so the title boost is set by the seed-corpus
    # tests, where titles carry the topic.
    title_boost: float = 2.0
    # Lucene's idf is raised to this power, so rare words weigh more against generic ones. On
    # all dev questions 1.5 gained 0.010 nDCG@10 on TyDi and lost 0.001 on FacQA; 2 gained
    # 0.001 more on TyDi but lost 0.003 on FacQA.
    idf_power: float = 1.5
    # Weight of a query word's exact (unstemmed) form next to its stem: 0.3 and 0.6 scored
    # alike on the benchmark, and a small bonus keeps the stem's matches close behind.
    exact_boost: float = 0.3
    # Proximity: a passage's score is multiplied by 1 + ``proximity_weight`` × the share of
    # the query's neighbouring word pairs (idf-weighted, 1 ÷ distance) that stand together in
    # it, in order, within ``proximity_window`` positions; applied to the
    # ``proximity_depth`` best candidates (a sloppy-phrase rescore, as Elasticsearch users
    # add with ``match_phrase``). An acronym counts as its long form's words side by side.
    # Weight 0 turns it off. On 500 dev queries of each set (benchmarks/retrieval.py
    # --sweep), 0.25 with adjacent words gained 0.003 nDCG@10 on TyDi keyword queries and
    # 0.001 on FacQA's, lost 0.002 on TyDi questions; 0.5 lost 0.011 on TyDi questions
    # and gained nothing on keywords, also for short questions alone.
    proximity_weight: float = 0.25
    proximity_window: int = 1
    proximity_depth: int = 100
    # An acronym expansion is boosted to weigh what the words typed weigh (summed idf),
    # not by the count of words (query.expand_acronyms).
    acronym_idf_boost: bool = True
    # Indexes of at least this many Whoosh documents score plain word queries with numpy
    # (bnptsearch.vectorized); on smaller ones Whoosh takes a few milliseconds anyway.
    vectorized_from: int = 5000
    # Hybrid search (an index with passage vectors): the ``fusion_depth`` best passages by
    # words and the ``fusion_depth`` best by cosine are fused (:func:`fuse`), by "minmax"
    # (each score scaled to 0-1 over the candidates, then ``fusion_weight`` × cosine +
    # (1 - ``fusion_weight``) × words) or "rrf" (reciprocal rank fusion, constant
    # ``rrf_k``, the two lists weighted alike by ``fusion_weight``). Issue 16 measured
    # minmax at 0.5 over the top 50 on dev questions; the study of benchmarks/retrieval.py
    # sets these.
    fusion: str = "minmax"
    fusion_weight: float = 0.5
    fusion_depth: int = 50
    rrf_k: int = 60

    def __post_init__(self) -> None:
        if self.fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {', '.join(FUSIONS)}, not {self.fusion!r}")
        if not 0 <= self.fusion_weight <= 1:
            raise ValueError(f"fusion_weight must be between 0 and 1, not {self.fusion_weight}")
        if self.fusion_depth < 1:
            raise ValueError(f"fusion_depth must be at least 1, not {self.fusion_depth}")

    def weighting(self) -> LuceneBM25:
        """The Whoosh weighting model these parameters define."""
        return LuceneBM25(B=self.bm25_b, K1=self.bm25_k1, idf_power=self.idf_power)


# The ways of fusing word and cosine scores (RankingParams.fusion).
FUSIONS = ("minmax", "rrf")

# The parameters chosen on the benchmark, which every search uses unless told otherwise.
DEFAULT_RANKING = RankingParams()


def fuse(
    lexical: Sequence[tuple[int, float]], dense: Sequence[tuple[int, float]], cosine: Mapping[int, float], params: RankingParams
) -> list[tuple[int, float]]:
    """The union of two candidate lists, ``(document, score)`` best first each (by words,
    and by cosine), as ``(document, fused score)`` best first. ``cosine`` holds the cosine
    of every candidate that has a vector; one without (not embedded yet) counts as the
    lowest cosine, as a passage found by cosine alone counts as the lowest word score.

    >>> fuse([(1, 9.0), (2, 3.0)], [(3, 0.9), (1, 0.5)], {1: 0.5, 2: 0.1, 3: 0.9}, RankingParams())
    [(1, 0.75), (3, 0.5), (2, 0.0)]
    >>> [doc for doc, _ in fuse([(1, 9.0), (2, 3.0)], [(3, 0.9), (1, 0.5)], {}, RankingParams(fusion="rrf"))]
    [1, 3, 2]
    """
    order = list(dict.fromkeys([doc for doc, _ in lexical] + [doc for doc, _ in dense]))
    weight = params.fusion_weight
    if params.fusion == "rrf":
        ranks = [{doc: rank for rank, (doc, _) in enumerate(ranked, 1)} for ranked in (lexical, dense)]
        fused = {
            doc: sum(
                share / (params.rrf_k + ranked[doc])
                for share, ranked in zip((1 - weight, weight), ranks)
                if doc in ranked
            )
            for doc in order
        }
    else:
        words = _scaled(dict(lexical))
        cosines = _scaled({doc: cosine[doc] for doc in order if doc in cosine})
        fused = {doc: (1 - weight) * words.get(doc, 0.0) + weight * cosines.get(doc, 0.0) for doc in order}
    # Ties keep the words' order, then the cosine's.
    return sorted(((doc, fused[doc]) for doc in order), key=lambda item: -item[1])


def _scaled(scores: Mapping[int, float]) -> dict[int, float]:
    """``scores`` scaled to 0-1 (min-max); all 1 when they are all equal."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    return {doc: (score - low) / (high - low) if high > low else 1.0 for doc, score in scores.items()}


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


def nearest_gap(first: list[int], second: list[int], window: int) -> int | None:
    """The smallest ``q - p`` with ``p`` from ``first`` and ``q`` from ``second``, ``0 < q - p <=
    window`` (the second word after the first, at most ``window`` positions on), or None.

    >>> nearest_gap([3, 10], [5, 11], window=3), nearest_gap([5], [4], window=3)
    (1, None)
    """
    gaps = [q - p for p in first for q in second if 0 < q - p <= window]
    return min(gaps, default=None)


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


class BestField(Synonyms):
    """One query word searched in several fields (the passage, its article's title): it
    scores by the field where it scores best, as Elasticsearch's ``multi_match`` does by
    default (``best_fields``).

    Summed, the title counted a second time for every passage of an article whose title
    has the word: for "siapa kepala BNPT" two passages of 001 that say "Kepala Seksi …
    BNPT" outranked 000's "selaku Kepala BNPT" on the strength of "BNPT" in 001's title.
    """

    # Printed "(text:teror | title:teror^2.0)" in a parsed query: the best of, not the sum.
    JOINT = " | "


@dataclass(frozen=True)
class ScoreSum:
    """A query whose score is the sum of its parts' scores: term clauses, computed with
    numpy; other clauses (phrases, fuzzy words), whose few matches Whoosh's matchers score;
    and groups of :class:`Synonyms`, each adding its best alternative. Each with its boost."""

    terms: tuple[Clause, ...]
    others: tuple[tuple[wq.Query, float], ...]
    best_of: tuple[tuple[tuple[ScoreSum, ...], float], ...] = ()
    # Documents these match score nothing (``a ANDNOT b``: the article a like-this search
    # is made from).
    excluded: tuple[wq.Query, ...] = ()


def score_sum(query: wq.Query, fields: tuple[str, ...]) -> ScoreSum | None:
    """``query`` as a :class:`ScoreSum` if it is a plain OR of clauses on ``fields`` (the
    scored fields of the schema), else None.

    A plain OR (no minimum match, no coordination scaling) scores as the sum of its matching
    children's scores, each times the boosts above it; ``a ANDNOT b`` as ``a``, less the
    documents ``b`` matches. Other queries (AND, restrictions to other fields such as source
    or date) are left to Whoosh's top-k search.
    """
    if type(query) is wq.AndNot:
        summed = score_sum(query.a, fields)
        return None if summed is None else replace(summed, excluded=(*summed.excluded, query.b))
    if type(query) not in (wq.Or, wq.Term, Synonyms, BestField):
        return None
    return _as_sum(query, fields)


def _as_sum(query: wq.Query, fields: tuple[str, ...]) -> ScoreSum | None:
    terms: list[Clause] = []
    others: list[tuple[wq.Query, float]] = []
    best_of: list[tuple[tuple[ScoreSum, ...], float]] = []

    def walk(node: wq.Query, boost: float) -> bool:
        if isinstance(node, Synonyms):
            alternatives = [_as_sum(child, fields) for child in node.subqueries]
            summed = tuple(alternative for alternative in alternatives if alternative is not None)
            if len(summed) < len(alternatives):
                return False
            best_of.append((summed, boost * node.boost))
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
