"""bnptsearch: Indonesian-aware full-text passage search over news and policy articles.

>>> import bnptsearch
>>> index, report = bnptsearch.Index.build("corpus", "index")     # doctest: +SKIP
>>> for hit in index.search("RAN PE Banten", limit=3).hits:       # doctest: +SKIP
...     print(hit.rank, hit.doc_id, hit.highlighted[:60])
"""

__version__ = "0.1.0"

from .analysis import AnalyzedToken, analyze, analyze_tokens
from .corpus import Article, CorpusLoad, CorpusWarning, load_corpus, read_file
from .errors import (
    BnptSearchError,
    CorpusError,
    IndexLockedError,
    IndexNotFoundError,
    IndexOutdatedError,
    IndexWriteError,
    QueryError,
)
from .index import Index, IndexInfo, UpdateReport
from .results import Hit, SearchResults

__all__ = [
    "AnalyzedToken",
    "Article",
    "BnptSearchError",
    "CorpusError",
    "CorpusLoad",
    "CorpusWarning",
    "Hit",
    "Index",
    "IndexInfo",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexOutdatedError",
    "IndexWriteError",
    "QueryError",
    "SearchResults",
    "UpdateReport",
    "__version__",
    "analyze",
    "analyze_tokens",
    "load_corpus",
    "read_file",
]
