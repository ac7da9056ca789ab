"""bnptsearch: Indonesian-aware full-text passage search over news and policy articles.

>>> import bnptsearch
>>> index, report = bnptsearch.Index.build("corpus", "index")     # doctest: +SKIP
>>> for hit in index.search("RAN PE Banten", limit=3).hits:       # doctest: +SKIP
...     print(hit.rank, hit.doc_id, hit.highlighted[:60])
"""

__version__ = "0.1.0"

from .analysis import AnalyzedToken, analyze, analyze_tokens
from .blockcache import BlockCache, BlockCacheStats
from .corpus import Article, CorpusLoad, CorpusWarning, load_corpus, parse_fields, read_file, save_fields
from .corpus_copy import copy_into
from .embedding import E5Embedder, Embedder
from .errors import (
    ArticleNotFoundError,
    BnptSearchError,
    CorpusError,
    IndexDamagedError,
    IndexLockedError,
    IndexNotFoundError,
    IndexOutdatedError,
    IndexWriteError,
    QueryError,
    SemanticUnavailableError,
    UntrustedIndexError,
)
from .fetch import fetch_page
from .index import Index, IndexInfo, UpdateReport
from .query import SearchRequest
from .ranking import RankingParams
from .results import ArticleHits, ArticlePage, ArticleSummary, Hit, ScoreFactor, SearchResults
from .store import CheckReport, DamagedFile

__all__ = [
    "AnalyzedToken",
    "ArticleNotFoundError",
    "Article",
    "ArticleHits",
    "ArticlePage",
    "ArticleSummary",
    "BlockCache",
    "BlockCacheStats",
    "BnptSearchError",
    "CheckReport",
    "CorpusError",
    "CorpusLoad",
    "CorpusWarning",
    "DamagedFile",
    "E5Embedder",
    "Embedder",
    "Hit",
    "Index",
    "IndexDamagedError",
    "IndexInfo",
    "IndexLockedError",
    "IndexNotFoundError",
    "IndexOutdatedError",
    "IndexWriteError",
    "QueryError",
    "RankingParams",
    "SearchRequest",
    "ScoreFactor",
    "SearchResults",
    "SemanticUnavailableError",
    "UntrustedIndexError",
    "UpdateReport",
    "__version__",
    "analyze",
    "analyze_tokens",
    "copy_into",
    "fetch_page",
    "load_corpus",
    "parse_fields",
    "read_file",
    "save_fields",
]
