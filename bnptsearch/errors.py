"""The library's exceptions: one base class, a few specific subclasses.

The CLI catches :class:`BnptSearchError` once and prints its message on one line.
"""

from __future__ import annotations

__all__ = [
    "BnptSearchError",
    "CorpusError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexOutdatedError",
    "IndexWriteError",
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


class IndexWriteError(BnptSearchError):
    """The index (or corpus) folder cannot be written: no space left, permission denied.

    What the failed write produced is removed; the last committed index stays as it was.
    """
