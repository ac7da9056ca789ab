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

__all__ = ["ArticleHits", "ArticleSummary", "Hit", "SearchResults", "TermScore"]


@dataclass(frozen=True)
class TermScore:
    """How much one matched query term added to a hit's score."""

    field: str
    term: str
    score: float


@dataclass(frozen=True)
class Hit:
    """One ranked passage. ``spans`` are ``(start, end)`` ranges of matched words in ``passage``;
    ``start``/``end`` locate the passage in its article's clean body. ``explanation`` is
    filled when the search was made with ``explain=True``. ``url`` is the article's address
    (if it has one) and ``page`` the page the passage starts on, for paged documents (PDF);
    ``author`` the article's author, when its file's metadata names one."""

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
    ``warnings`` are one-line notes on the request (a ``sources`` or ``doc_ids`` value that
    names nothing in the index, with close matches);
    ``timed_out`` says the search used up its time budget and returned what it had found;
    ``notes`` explain, one line each, where results may be incomplete (the time budget, a
    fuzzy word or range cut to its most frequent terms).
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
    timed_out: bool = False
    notes: tuple[str, ...] = ()

    def by_article(self) -> list[ArticleHits]:
        """The hits grouped per article, articles in the order of their best hit."""
        groups: dict[str, list[Hit]] = {}
        for hit in self.hits:
            groups.setdefault(hit.doc_id, []).append(hit)
        return [
            ArticleHits(doc_id, hits[0].title, hits[0].source, hits[0].date, tuple(hits), hits[0].url, hits[0].author)
            for doc_id, hits in groups.items()
        ]
