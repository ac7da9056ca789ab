"""The library's exceptions: one base class, a few specific subclasses.

The CLI catches :class:`BnptSearchError` once and prints its message on one line.
"""

from __future__ import annotations

__all__ = [
    "ArticleNotFoundError",
    "BnptSearchError",
    "CorpusError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexOutdatedError",
    "QueryError",
]


class BnptSearchError(Exception):
    """Base class of every error bnptsearch raises on purpose."""


class CorpusError(BnptSearchError):
    """A corpus file or folder cannot be read (missing, unreadable, malformed)."""


class IndexNotFoundError(BnptSearchError):
    """There is no index at the given location."""


class IndexOutdatedError(BnptSearchError):
    """The index was written by an incompatible format or analyzer version."""


class IndexLockedError(BnptSearchError):
    """Another process holds the index's write lock."""


class QueryError(BnptSearchError):
    """The query cannot be searched (empty, too long, or unparseable)."""


class ArticleNotFoundError(CorpusError):
    """No article of that id is in the index (a :class:`CorpusError`, as it was before it
    had its own class, so callers catching that still do)."""
