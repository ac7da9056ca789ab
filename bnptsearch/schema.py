"""The index's documents: field names, the Whoosh schema, and an article's documents.

The field names are the one place they are spelled: every other module names a field
through these constants, so a renamed or added field is a change here, not a search
through string literals.

>>> passage_schema()[TEXT].stored                      # doctest: +SKIP
True
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from whoosh.analysis import LowercaseFilter, RegexTokenizer
from whoosh.fields import DATETIME, ID, STORED, FieldType, Schema
from whoosh.fields import TEXT as TEXT_FIELD

from .acronyms import mine_acronyms
from .analysis import indonesian_analyzer, surface_analyzer, surface_words
from .corpus import Article
from .dates import period_start
from .passages import split_passages

__all__ = [
    "ACRONYMS",
    "ARTICLE_ID",
    "AUTHOR",
    "CONTENT_HASH",
    "DATE",
    "DATE_TEXT",
    "DOC_ID",
    "END",
    "FILE_HASH",
    "KIND",
    "NUMBER",
    "ORIGIN",
    "PAGE",
    "PATH",
    "PID",
    "PLACE",
    "SOURCE",
    "SOURCE_NAME",
    "START",
    "TEXT",
    "TITLE",
    "UNDATED",
    "URL",
    "WORDS",
    "YEAR",
    "page_of",
    "passage_schema",
]

PID = "pid"
KIND = "kind"
DOC_ID = "doc_id"
TITLE = "title"
TEXT = "text"
WORDS = "words"
SOURCE = "source"
SOURCE_NAME = "source_name"
YEAR = "year"
DATE = "date"
DATE_TEXT = "date_text"
PLACE = "place"
START = "start"
END = "end"
NUMBER = "number"
ARTICLE_ID = "article_id"
CONTENT_HASH = "content_hash"
PATH = "path"
ORIGIN = "origin"
FILE_HASH = "file_hash"
ACRONYMS = "acronyms"
URL = "url"
PAGE = "page"
AUTHOR = "author"
UNDATED = "undated"

# The value of UNDATED on the passages that have it.
UNDATED_TERM = "yes"
# The values of KIND: a passage, or an article's own document.
PASSAGE_KIND = "passage"
ARTICLE_KIND = "article"


def passage_schema() -> Schema:
    """One Whoosh document per passage, plus one per article (``kind=article``) for its hash.

    >>> sorted(passage_schema().scorable_names())       # doctest: +SKIP
    ['source', 'text', 'title', 'words']
    """
    analyzer = indonesian_analyzer()
    return Schema(
        **{
            # Shown for debugging, never searched: stored only.
            PID: STORED,
            KIND: ID(stored=True),
            # Passages carry doc_id; the article's own document carries article_id instead, so
            # no user query (not even ``doc_id:...``) can ever match an article document.
            DOC_ID: ID(stored=True, sortable=True),
            TITLE: TEXT_FIELD(analyzer=analyzer, stored=True),
            TEXT: TEXT_FIELD(analyzer=analyzer, stored=True),
            # The passage's words unstemmed: for did-you-mean suggestions (correcting stems
            # would propose non-words) and the exact-form bonus in ranking
            # (RankingParams.exact_boost). Not Whoosh's spelling=True: with it, fuzzy terms on the
            # stemmed field are looked up among the unstemmed words and never match.
            WORDS: TEXT_FIELD(analyzer=surface_analyzer(), phrase=False),
            # Publisher names are searched as words ("source:cnnbanten" finds
            # "CNNBanten.id"), not stemmed: they are names.
            SOURCE: TEXT_FIELD(analyzer=RegexTokenizer(r"\w+") | LowercaseFilter(), stored=True),
            # Columns (sortable) make facet counting and update planning lookups instead of
            # stored-field loads. Facets read these two only as columns: no postings.
            SOURCE_NAME: _column_only(ID(sortable=True)),
            YEAR: _column_only(ID(sortable=True)),
            DATE: _day_field(),
            # One term on the passages of articles without a date, so a search can find
            # them without listing every date there is (``NOT date:*`` took 1.5 s at 100k
            # passages, this 15 ms; load average 10 on 2 cores).
            UNDATED: ID(),
            DATE_TEXT: STORED,
            PLACE: STORED,
            START: STORED,
            END: STORED,
            NUMBER: STORED,
            # Shown with each hit: the article's address, and for a paged document (PDF)
            # the page the passage starts on.
            URL: STORED,
            PAGE: STORED,
            # The article's author, from its file's metadata: shown, not searched.
            AUTHOR: STORED,
            ARTICLE_ID: ID(stored=True, sortable=True),
            CONTENT_HASH: ID(sortable=True),
            PATH: ID(stored=True, sortable=True),
            # Where the article was added from (the file ``add`` copied into the corpus
            # folder; else the file itself): re-adding from there replaces it, another
            # file of the same name does not.
            ORIGIN: ID(stored=True, sortable=True),
            FILE_HASH: ID(sortable=True),
            ACRONYMS: STORED,
        }
    )


def _day_field() -> DATETIME:
    """A date field indexed as one term per document.

    Whoosh indexes a DATETIME at eight precisions by default (``shift_step=8``) so a range
    over many distinct values is a few term ranges. Dates here are days: even a century of
    them is a range over at most some 36,500 terms, so one term each suffices and a passage
    has seven postings fewer.
    """
    field = DATETIME()
    field.shift_step = 0
    return field


_Field = TypeVar("_Field", bound=FieldType)


def _column_only(field: _Field) -> _Field:
    """``field`` kept as a per-document column but not indexed (no postings to write)."""
    field.indexed = False
    return field


def page_of(pages: Sequence[int], offset: int) -> int | None:
    """The page (from 1) that body ``offset`` is on, given the offsets where pages 2, 3, ...
    start; None for a text without pages.

    >>> page_of((100, 250), 0), page_of((100, 250), 100), page_of((100, 250), 300), page_of((), 5)
    (1, 2, 3, None)
    """
    return bisect_right(pages, offset) + 1 if pages else None


def _article_documents(article: Article, file_hash: str, origin: str = "") -> Iterator[dict[str, Any]]:
    """The article's passages, then its own document.

    >>> [d[KIND] for d in _article_documents(article, "ab12")]   # doctest: +SKIP
    ['passage', 'passage', 'article']
    """
    published = period_start(article.date)
    for passage in split_passages(article.body):
        yield ({DATE: published} if published else {UNDATED: UNDATED_TERM}) | {
            PID: f"{article.doc_id}#{passage.number}",
            KIND: PASSAGE_KIND,
            DOC_ID: article.doc_id,
            TITLE: article.title,
            TEXT: passage.text,
            # A list is indexed as these terms, unanalyzed: they are surface_analyzer's
            # output, taken from the word spans cached while TEXT was analyzed.
            WORDS: surface_words(passage.text),
            SOURCE: article.source or "",
            SOURCE_NAME: article.source or "",
            YEAR: (article.date or "")[:4],
            DATE_TEXT: article.date or "",
            PLACE: article.place,
            START: passage.start,
            END: passage.end,
            NUMBER: passage.number,
            URL: article.url,
            PAGE: page_of(article.pages, passage.start),
            AUTHOR: article.author,
        }
    yield _article_document(article, file_hash, origin)


def _article_document(article: Article, file_hash: str, origin: str) -> dict[str, Any]:
    """The article's own document: what an update compares, and its mined acronyms (mined
    here, once per indexed article, so reading them back never re-reads the articles)."""
    return {
        PID: article.doc_id,
        KIND: ARTICLE_KIND,
        ARTICLE_ID: article.doc_id,
        CONTENT_HASH: article.content_hash,
        PATH: article.path,
        ORIGIN: origin or article.path,
        FILE_HASH: file_hash,
        ACRONYMS: [[a.short, a.long] for a in mine_acronyms(f"{article.title}.\n{article.body}")],
    }
