"""Search results as plain data: what :meth:`bnptsearch.Index.search` returns.

Nothing here renders or serialises; :mod:`bnptsearch.formats` does.

>>> hit = Hit(1, "d1", "Judul", None, None, 1.5, "kerja sama BNPT", ((11, 15),), 0, 15)
>>> hit.highlighted
'kerja sama **BNPT**'
>>> [article.doc_id for article in SearchResults("BNPT", (hit,)).by_article()]
['d1']
"""

from __future__ import annotations

from dataclasses import dataclass

from .highlight import render

# What listings and counts show for an article without a source (or a year, a month): the
# key of facets and of ``Index.sources()``, and the source column of ``bnptsearch list``.
NONE_LABEL = "(none)"

__all__ = ["NONE_LABEL", "ArticleHits", "ArticlePage", "ArticleSummary", "Hit", "ScoreFactor", "SearchResults", "TermScore"]


@dataclass(frozen=True)
class TermScore:
    """How much one matched query term added to a hit's score."""

    field: str
    term: str
    score: float


@dataclass(frozen=True)
class ScoreFactor:
    """A multiplier applied to a hit's summed term scores after matching, such as the
    proximity rescore's ``ScoreFactor("proximity", 1.25)`` for query words side by side."""

    name: str
    factor: float


@dataclass(frozen=True)
class Hit:
    """One ranked passage. ``spans`` are ``(start, end)`` ranges of matched words in ``passage``;
    ``start``/``end`` locate the passage in its article's clean body. ``explanation`` is
    filled when the search was made with ``explain=True``, and ``factors`` then holds the
    multipliers applied to the sum of those term scores. ``url`` is the article's address
    (if it has one) and ``page`` the page the passage starts on, for paged documents (PDF);
    ``author`` the article's author, when its file's metadata names one.

    In hybrid and semantic search, ``semantic_only`` marks a passage found by meaning
    alone (none of the query's words ranked it): it has no highlights. With ``explain``,
    ``lexical_score`` (None: not among the word candidates) and ``cosine`` (None: the
    passage has no vector yet) are the scores that ``score`` fused."""

    rank: int
    doc_id: str
    title: str
    source: str | None
    date: str | None
    score: float
    passage: str
    spans: tuple[tuple[int, int], ...]
    start: int
    end: int
    explanation: tuple[TermScore, ...] = ()
    url: str | None = None
    page: int | None = None
    semantic_only: bool = False
    lexical_score: float | None = None
    cosine: float | None = None
    factors: tuple[ScoreFactor, ...] = ()
    author: str | None = None

    @property
    def highlighted(self) -> str:
        """The passage with matched words wrapped in ``**``."""
        return render(self.passage, self.spans)


@dataclass(frozen=True)
class ArticleHits:
    """One article of a result page with its passages that ranked, best first."""

    doc_id: str
    title: str
    source: str | None
    date: str | None
    hits: tuple[Hit, ...]
    url: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class ArticleSummary:
    """One indexed article as :meth:`bnptsearch.Index.articles` lists it: its metadata and
    how many passages it was split into."""

    doc_id: str
    title: str
    source: str | None
    date: str | None
    url: str | None
    passages: int


@dataclass(frozen=True)
class ArticlePage:
    """One page of a listing: ``articles`` from ``offset`` on, of ``total`` that met the
    filters (:meth:`bnptsearch.Index.article_page`)."""

    articles: tuple[ArticleSummary, ...]
    total: int
    offset: int = 0


@dataclass(frozen=True)
class SearchResults:
    """The answer to one query.

    ``hits`` are the page asked for, best first; ``total`` counts every matching passage
    (when the search was asked to ``count``, or for facets; None otherwise);
    ``expansions`` lists acronym expansions made; ``suggestion`` is a corrected query when
    the words look misspelt and little was found; ``facets`` (on request) counts matching
    articles per ``"source"`` and per ``"year"``; ``parsed`` is the query as searched;
    ``undated`` counts the articles without a date that match but were left out by
    ``since``/``until`` (None when the search had no date bounds or included them);
    ``sort`` is the order of the hits: "relevance", "newest" or "oldest"; ``grouped``
    counts the matching passages that ``per_article`` hides (None when not counted);
    ``articles`` counts the matching articles (None when not counted); with ``article_page``
    the page's ``offset`` and size count articles;
    ``like`` is the article the hits are like (a more-like-this search);
    ``corrected`` is the query searched in place of ``query`` when a word of it matched
    nothing and a close indexed word does (None: searched as typed; ``fuzzy=False`` turns
    correction off and leaves it to ``suggestion``);
    ``warnings`` are one-line notes on the request (a ``sources`` or ``doc_ids`` value that
    names nothing in the index, with close matches);
    ``timed_out`` says the search used up its time budget and returned what it had found;
    ``notes`` explain, one line each, where results may be incomplete (the time budget, a
    fuzzy word or range cut to its most frequent terms, passages not embedded yet);
    ``mode`` is how the passages were found: "lexical", "hybrid" or "semantic".
    """

    query: str
    hits: tuple[Hit, ...]
    total: int | None = None
    offset: int = 0
    terms: tuple[str, ...] = ()
    expansions: tuple[str, ...] = ()
    suggestion: str | None = None
    facets: dict[str, dict[str, int]] | None = None
    parsed: str = ""
    undated: int | None = None
    sort: str = "relevance"
    grouped: int | None = None
    articles: int | None = None
    article_page: bool = False
    warnings: tuple[str, ...] = ()
    like: str | None = None
    corrected: str | None = None
    timed_out: bool = False
    notes: tuple[str, ...] = ()
    mode: str = "lexical"

    def by_article(self) -> list[ArticleHits]:
        """The hits grouped per article, articles in the order of their best hit."""
        groups: dict[str, list[Hit]] = {}
        for hit in self.hits:
            groups.setdefault(hit.doc_id, []).append(hit)
        return [
            ArticleHits(doc_id, hits[0].title, hits[0].source, hits[0].date, tuple(hits), hits[0].url, hits[0].author)
            for doc_id, hits in groups.items()
        ]
