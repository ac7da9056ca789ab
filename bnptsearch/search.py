"""The :class:`Searcher`: runs a :class:`~bnptsearch.query.SearchRequest` over an index.

It finds the candidate passages, ranks them (BM25 with Lucene's idf over passage text, title
and exact words; :mod:`bnptsearch.ranking`), keeps the page asked for with at most
``per_article`` passages of one article, and adds what the request asked besides: a
count, facets, per-term explanations, and a spelling suggestion when little matched.

Every search has a time budget (``SearchRequest.timeout``): once it is spent, the search
returns what it has found with ``timed_out`` set and a note, as Elasticsearch's ``timeout``
does. A fuzzy word or range is searched as its :data:`~bnptsearch.query.MAX_EXPANSIONS`
most frequent terms.

A coordination factor (score × share of query words matched) was measured and left out:
it lowered nDCG@10 on the benchmark's TyDi questions.

>>> index.search("Siapa yang menandatangani nota kesepahaman dengan BNPT?").hits[0].doc_id  # doctest: +SKIP
'003_219fc8fa0a90b567'
"""

from __future__ import annotations

import difflib
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from whoosh import collectors
from whoosh import query as wq
from whoosh.index import Index as WhooshIndex
from whoosh.reading import SegmentReader as WhooshReader
from whoosh.searching import Results
from whoosh.searching import Searcher as WhooshSearcher

from .acronyms import AcronymTable
from .analysis import analyze, search_stopwords
from .errors import QueryError
from .highlight import Wanted, highlight_spans, wanted_terms
from .query import MAX_EXPANSIONS, MAX_QUERY_CHARS, SearchRequest, filter_query, parse_query, undated_query
from .ranking import RankingParams, Synonyms, fuse, nearest_gap, score_sum
from .results import NONE_LABEL, ArticlePage, ArticleSummary, Hit, ScoreFactor, SearchResults, TermScore
from .schema import (
    AUTHOR,
    DATE,
    DATE_TEXT,
    DOC_ID,
    END,
    KIND,
    PAGE,
    PASSAGE_KIND,
    SOURCE,
    SOURCE_NAME,
    START,
    TEXT,
    TITLE,
    URL,
    WORDS,
    YEAR,
)
from .spelling import Vocabulary
from .whoosh_compat import (
    cap_expansions,
    column,
    refreshed_searcher,
    release_mapped_pages,
    segment_key,
    term_positions,
)

if TYPE_CHECKING:
    # Imported at run time only when needed: numpy takes 60 ms.
    import numpy

    from .blockcache import BlockCache
    from .vectorized import CollectionStats
    from .vectors import Vectors

__all__ = ["INDEX_NOTES", "SCORED_FIELDS", "Deadline", "Dense", "Searcher", "whoosh_top"]

# A fuzzy word searches the stems of at most this many indexed words close to it (closest,
# then most frequent, first): a short word has dozens of neighbours two edits away.
MAX_TYPO_WORDS = 8
# The fields a query word is scored in (bnptsearch.ranking.score_sum, --explain); WORDS
# holds each passage's unstemmed words, for the exact-form bonus and for suggestions.
SCORED_FIELDS = (TEXT, TITLE, WORDS)
# The distinctive terms of a like-this query: enough to describe an article's topic
# (its names, places, subjects), few enough to stay a quick bag-of-words query.
LIKE_TERMS = 25
# Notes on the index rather than on one query (a batch says them once): passages not
# embedded yet, and an index with vectors searched without the model installed.
UNEMBEDDED_NOTE = "passages have no vector yet and are found by words only; run `bnptsearch index`"
WORDS_ONLY_NOTE = "searching by words only"
INDEX_NOTES = (UNEMBEDDED_NOTE, WORDS_ONLY_NOTE)
# Every so many searches, the index pages read are let go of (whoosh_compat.release_mapped_pages):
# a long-running process's RSS stays what a few dozen queries read, not the whole index.
RELEASE_PAGES_EVERY = 64
_SUGGESTABLE_WORD = re.compile(r"(?<![\w:])[^\W\d_]{4,}(?![\w:~])")


class Deadline:
    """The end of a search's time budget; ``hit`` records that some step found it passed.

    >>> Deadline(None).expired(), Deadline(0.0).expired()
    (False, True)
    """

    def __init__(self, seconds: float | None) -> None:
        self._end = None if seconds is None else time.monotonic() + seconds
        self.hit = False

    def expired(self) -> bool:
        """Whether the budget is spent (and if so, remembers it in ``hit``)."""
        if self._end is not None and time.monotonic() >= self._end:
            self.hit = True
        return self.hit


class _DeadlineCollector(collectors.WrappingCollector):
    """Stops a search (Whoosh's ``TimeLimit``) once the deadline has passed, keeping what was
    collected. Whoosh's own TimeLimitCollector needs a timer thread and SIGALRM per search."""

    # Reading the clock for every match would cost more than some matches do.
    CHECK_EVERY = 256

    def __init__(self, child: collectors.Collector, deadline: Deadline) -> None:
        super().__init__(child)
        self._deadline = deadline
        self._collected = 0

    def collect(self, sub_docnum: int) -> object:
        if self._collected % self.CHECK_EVERY == 0 and self._deadline.expired():
            raise collectors.TimeLimit
        self._collected += 1
        return self.child.collect(sub_docnum)


def _run(
    searcher: WhooshSearcher,
    query: wq.Query,
    collector: collectors.Collector,
    filter_query: wq.Query | None,
    deadline: Deadline | None,
) -> Results:
    """The results of ``collector`` over ``query``: as far as it got if the deadline passed."""
    if deadline is not None:
        collector = _DeadlineCollector(collector, deadline)
    if filter_query is not None:
        collector = collectors.FilterCollector(collector, allow=filter_query)
    try:
        searcher.search_with_collector(query, collector)
    except collectors.TimeLimit:
        pass  # the collector keeps what it found; deadline.hit says the results are partial
    return collector.results()


def whoosh_top(
    searcher: WhooshSearcher,
    query: wq.Query,
    limit: int,
    *,
    filter_query: wq.Query | None = None,
    terms: bool = False,
    deadline: Deadline | None = None,
) -> Results:
    """Whoosh's ``limit`` best documents for ``query``, every match scored (the best of
    those found in time, if ``deadline`` passes).

    Whoosh 2.7's top-k collector prunes its matcher tree by each branch's maximum score,
    and a phrase's matcher under-reports that maximum: on the seed corpus
    ``terorisme "Bali Work Plan"`` ranks other passages first at limit 3 than at limit=None
    (tests/test_ranking.py; upstream whoosh #413 is the same family). Pruning and block
    skipping are therefore off here.
    """
    collector = collectors.TopCollector(limit, usequality=False, replace=0)
    if terms:
        collector = collectors.TermsCollector(collector)
    return _run(searcher, query, collector, filter_query, deadline)


@dataclass(frozen=True)
class _Facts:
    """Per document (by number): its article, source, year and publication day (an
    ordinal, 0 if undated); what facets and date sorting read for every match."""

    doc_ids: list[str]
    sources: list[str]
    years: list[str]
    days: list[int]


# The facts of each segment, by segment id. A written segment's documents never change, so
# after a commit only its new segment is read: reading them all again took about a second
# at 100k passages, per commit and per Index of a long-running server.
_SEGMENT_FACTS: dict[str, _Facts] = {}
_SEGMENTS_KEPT = 256
_FACT_NAMES = ("doc_ids", "sources", "years", "days")


def _segment_facts(leaf: WhooshReader) -> _Facts:
    """The facts of one segment's documents: columns read whole, and days from the date
    terms (the date field has no column; one term per dated passage, schema._day_field)."""
    key, _ = segment_key(leaf)  # deletions do not change a document's facts
    facts = _SEGMENT_FACTS.get(key)
    if facts is None:
        field = leaf.schema[DATE]
        days = [0] * leaf.doc_count_all()
        for term in leaf.lexicon(DATE):
            day = field.from_bytes(term).toordinal()
            for docnum in leaf.postings(DATE, term).all_ids():
                days[docnum] = day
        # Through the column readers kept with the segment (whoosh_compat.column): one read
        # of each column's offsets per segment, whether facets or pages ask first.
        doc_ids, sources, years = (list(column(leaf, name)) for name in (DOC_ID, SOURCE_NAME, YEAR))
        facts = _Facts(doc_ids, sources, years, days)
        if len(_SEGMENT_FACTS) >= _SEGMENTS_KEPT:  # segments merged away, other indexes
            _SEGMENT_FACTS.clear()
        _SEGMENT_FACTS[key] = facts
    return facts


@dataclass(frozen=True)
class Dense:
    """What hybrid and semantic search add to a request: the query's vector, the index's
    passage vectors, and the mode ("hybrid" or "semantic")."""

    query: numpy.ndarray
    vectors: Vectors
    mode: str


@dataclass(frozen=True)
class _Ranked:
    """A ranked passage before its stored fields are loaded; a fused one (hybrid or
    semantic search) also carries the scores fused and whether the words ranked it."""

    docnum: int
    score: float
    matched_terms: tuple = ()  # (field, term) pairs, collected only for --explain
    lexical: float | None = None
    cosine: float | None = None
    by_meaning_only: bool = False
    factors: tuple[ScoreFactor, ...] = ()  # multipliers applied by rescoring, for --explain


def _on_page(ranked: list[_Ranked], request: SearchRequest, doc_ids: Any) -> list[tuple[int, _Ranked]]:
    """The ranked passages of the page ``request`` asks for, with their ranks: past
    ``offset`` passages, or with ``by_article`` past the passages of ``offset`` articles."""
    if not request.by_article or doc_ids is None:
        return [(rank, result) for rank, result in enumerate(ranked, 1) if rank > request.offset]
    articles = list(dict.fromkeys(doc_ids[result.docnum] for result in ranked))
    skipped = set(articles[: request.offset])
    return [(rank, result) for rank, result in enumerate(ranked, 1) if doc_ids[result.docnum] not in skipped]


def _automatic_edits(word: str) -> int:
    """The typos a word may be corrected by without asking: Meilisearch's default tolerance,
    none below five letters, one up to eight, two from nine. A suggestion may go further (two
    edits from four letters), but searching "asia" for "Adib" unasked would mislead.

    >>> [_automatic_edits(w) for w in ("adib", "walkota", "terorisne")]
    [0, 1, 2]
    """
    return 0 if len(word) < 5 else 1 if len(word) < 9 else 2


def _close(value: str, known: list[str]) -> str:
    """"; did you mean: a, b?" for the values of ``known`` close to ``value``, or ""."""
    # Compared in lower case: "cnnbanten" is meant as "CNNBanten.id".
    spelled = {k.lower(): k for k in known}
    close = [spelled[k] for k in difflib.get_close_matches(value.lower(), spelled, n=3, cutoff=0.6)]
    close += [k for k in known if value.lower() in k.lower() and k not in close][: 3 - len(close)]
    return f"; did you mean: {', '.join(close)}?" if close else ""


def _deepest(top: Callable[[int], list[_Ranked]]) -> Callable[[int], list[_Ranked]]:
    """``top`` answering from its deepest answer so far: the k best passages are the first k
    of any deeper list (one order: score, then document number). Fetching deeper for the
    per-article cap asked again for the depth the proximity rescore had already scored.

    >>> calls = []; top = _deepest(lambda k: calls.append(k) or [_Ranked(d, 1.0) for d in range(k)])
    >>> len(top(100)), len(top(80)), calls
    (100, 80, [100])
    """
    asked, found = 0, []

    def top_reused(k: int) -> list[_Ranked]:
        nonlocal asked, found
        if k > asked:
            asked, found = k, top(k)
        return found[:k]

    return top_reused


@dataclass(frozen=True)
class _Proximity:
    """What the proximity rescore looks for: the stems of the words typed, in query order,
    and the runs of them that an acronym stands for (first, last word, the acronym's stem)."""

    words: tuple[str, ...]
    runs: tuple[tuple[int, int, str], ...] = ()


def _proximity_of(parsed: wq.Query) -> _Proximity | None:
    """The typed words of ``parsed`` (negated ones left out) for the proximity rescore, or
    None when fewer than two words are typed."""
    typed: dict[int, str] = {}
    runs: list[tuple[int, int, str]] = []

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
            return
        if type(node) is wq.Term and node.fieldname == TEXT and node.startchar is not None:
            typed[node.startchar] = node.text
            return
        if type(node) is Synonyms and len(node.subqueries) == 2:
            # An expanded long form: its typed words, then the acronym's single term.
            before = set(typed)
            walk(node.subqueries[0])
            acronym = [t for t in node.subqueries[1].leaves() if type(t) is wq.Term and t.fieldname == TEXT]
            starts = sorted(set(typed) - before)
            if len(starts) > 1 and len(acronym) == 1:
                runs.append((starts[0], starts[-1], acronym[0].text))
            return
        for child in node.children():
            walk(child)

    walk(parsed)
    if len(typed) < 2:
        return None
    order = {start: number for number, start in enumerate(sorted(typed))}
    return _Proximity(
        tuple(typed[start] for start in sorted(typed)),
        tuple((order[first], order[last], acronym) for first, last, acronym in runs),
    )


# The boost of each (field, term) of a query, and per field a default for the terms a
# fuzzy word or range reached.
_Boosts = dict


def _term_boosts(parsed: wq.Query, ranking: RankingParams) -> _Boosts:
    """Each term's boost in ``parsed``, the boosts of the groups above it multiplied in (the
    largest where a term occurs twice), for --explain.

    >>> _term_boosts(wq.Or([wq.Term("text", "fkpt", boost=2.0)], boost=1.5), RankingParams())[("text", "fkpt")]
    3.0
    """
    boosts: _Boosts = {TITLE: ranking.title_boost, WORDS: ranking.exact_boost}

    def walk(node: wq.Query, above: float) -> None:
        boost = above * node.boost
        if isinstance(node, (wq.Term, wq.Phrase)):
            words = [node.text] if isinstance(node, wq.Term) else node.words
            for word in words:
                key = (node.fieldname, word)
                boosts[key] = max(boosts.get(key, 0.0), boost)
        for child in node.children():
            walk(child, boost)

    walk(parsed, 1.0)
    return boosts


def _expanded_words(parsed: wq.Query) -> frozenset[str]:
    """The stems of the typed words that an acronym expansion also searches by another form."""
    found: set[str] = set()

    def walk(node: wq.Query) -> None:
        if type(node) is Synonyms and node.subqueries:
            found.update(t.text for t in node.subqueries[0].leaves() if type(t) is wq.Term and t.fieldname == TEXT)
        for child in node.children():
            walk(child)

    walk(parsed)
    return frozenset(found)


class Searcher:
    """A Whoosh searcher with bnptsearch's ranking; :meth:`bnptsearch.Index.searcher` makes one."""

    def __init__(self, searcher: WhooshSearcher, blocks: BlockCache | None = None) -> None:
        """``blocks``: decoded posting blocks to keep for later searches (None: none kept)."""
        self._searcher = searcher
        # vectorized.CollectionStats of the current searcher, made on first use
        self._stats: CollectionStats | None = None
        # Per-segment field lengths for CollectionStats, kept across refreshes: a commit
        # of another process changes a segment or two, not the large ones.
        self._lengths: dict = {}
        self._blocks = blocks  # likewise
        # per-document facts for facets and date sorting (see _facts), made on first use
        self._facts_of: _Facts | None = None
        # the unstemmed indexed words, for typo correction and suggestions, read on first use
        self._vocabulary: Vocabulary | None = None
        self._searches = 0  # since the mapped pages were last released

    def refresh(self, index: WhooshIndex) -> None:
        """Moves to the latest committed state of ``index`` if it changed, keeping the
        readers of the segments that did not change (whoosh_compat.refreshed_searcher)."""
        if not self._searcher.up_to_date():
            self._searcher = refreshed_searcher(index, self._searcher)
            self._stats = None
            self._facts_of = None
            self._vocabulary = None

    @property
    def whoosh(self) -> WhooshSearcher:
        """The underlying Whoosh searcher."""
        return self._searcher

    def close(self) -> None:
        """Closes the underlying Whoosh searcher."""
        self._searcher.close()

    def search(self, request: SearchRequest, acronyms: AcronymTable | None = None, dense: Dense | None = None) -> SearchResults:
        """Runs ``request``, expanding acronyms with ``acronyms`` if given, fusing in the
        cosines of ``dense`` if given; :meth:`bnptsearch.Index.search` is the public way in."""
        searcher = self._searcher
        self._searches += 1
        if self._searches >= RELEASE_PAGES_EVERY:
            release_mapped_pages(searcher.reader())
            self._searches = 0
        deadline = Deadline(request.timeout)
        asked = request.query
        parsed, expansions = self._parse(request, acronyms)
        corrected = self._correction(request, parsed, deadline) if request.fuzzy is None else None
        if corrected is not None:
            request = replace(request, query=corrected)
            parsed, expansions = self._parse(request, acronyms)
        parsed, notes = cap_expansions(parsed, searcher.reader(), MAX_EXPANSIONS, deadline.expired)
        wanted = wanted_terms(parsed, searcher.reader())
        # Scoring parameters come with the request, not the schema, so tuning needs no rebuild.
        searcher.weighting = request.ranking.weighting()
        restriction = filter_query(request, searcher.schema)
        # Past the deadline too: loading the page asked for costs little, and is what was found.
        ranked = self._ranked(parsed, restriction, request, deadline, dense)
        # The article ids only when pages count articles: an empty index has no column.
        doc_ids = column(searcher.reader(), DOC_ID) if request.by_article and ranked else None
        boosts = _term_boosts(parsed, request.ranking) if request.explain else None
        hits = [self._hit(rank, result, wanted, boosts) for rank, result in _on_page(ranked, request, doc_ids)]
        if dense is not None:
            notes += self._dense_notes(dense)
        matching = None
        if (request.count or request.facets) and not deadline.expired():
            matching = _run(searcher, parsed, collectors.UnsortedCollector(), restriction, deadline)
            # A count cut short is no total: leave it out rather than under-report.
            matching = None if deadline.hit else matching
        # Unless a correction was searched, one further off (two edits, shorter words) is
        # suggested: always with --exact or --fuzzy, by default only when nothing was found,
        # since looking two edits around each unknown word (names, mostly) cost questions
        # several times their search (README, Quality).
        # Pasted text (a like-this query) is no spelling to correct.
        suggestion = (
            self._suggestion(request.query, deadline, _expanded_words(parsed))
            if corrected is None and (request.fuzzy is not None or not hits) and len(request.query) <= MAX_QUERY_CHARS
            else None
        )
        if deadline.hit:
            notes.append(f"search stopped after {request.timeout:g} s; results may be incomplete")
        per_article = self._per_article(matching.docs()) if matching is not None else None
        return SearchResults(
            query=asked,
            corrected=corrected,
            hits=tuple(hits),
            total=len(matching) if matching is not None else None,
            offset=request.offset,
            terms=tuple(sorted(wanted.terms)),
            expansions=tuple(expansions),
            suggestion=suggestion,
            facets=self._facets(matching.docs()) if request.facets and matching is not None else None,
            parsed=str(parsed),
            undated=self._undated(parsed, request) if not deadline.expired() else None,
            timed_out=deadline.hit,
            notes=tuple(notes),
            sort=request.sort,
            grouped=(
                sum(max(0, count - request.per_article) for count in per_article.values())
                if per_article is not None and request.per_article is not None
                else None
            ),
            articles=len(per_article) if per_article is not None else None,
            article_page=request.by_article,
            warnings=self.filter_warnings(request.sources, request.doc_ids),
            like=request.like,
            mode=dense.mode if dense is not None else "lexical",
        )

    def _correction(self, request: SearchRequest, parsed: wq.Query, deadline: Deadline) -> str | None:
        """The query with each word that matches nothing replaced by the closest indexed
        word, if there is one (:meth:`_suggestion`), to search in its place; None for pasted
        text or an empty query (a like-this search)."""
        if len(request.query) > MAX_QUERY_CHARS or not request.query.strip():
            return None
        return self._suggestion(request.query, deadline, _expanded_words(parsed), _automatic_edits)

    def _parse(self, request: SearchRequest, acronyms: AcronymTable | None) -> tuple[wq.Query, list[str]]:
        """The query of ``request`` and its expansions: the parsed words, or for pasted text
        (longer than MAX_QUERY_CHARS) its most distinctive words, or with ``like`` the
        article's, the article itself left out."""
        schema = self._searcher.schema
        parts: list[wq.Query] = []
        expansions: list[str] = []
        if len(request.query) > MAX_QUERY_CHARS:
            parts.append(self._like_query(self._term_counts([request.query])))
        elif request.query.strip() or request.like is None:
            parsed, expansions = parse_query(
                request.query,
                schema,
                acronyms,
                fuzzy=bool(request.fuzzy),
                ranking=request.ranking,
                typo_stems=self._typo_stems,
                term_weight=self._term_weight(request.ranking) if request.ranking.acronym_idf_boost else None,
            )
            parts.append(parsed)
        if request.like is not None:
            passages = [fields[TEXT] for fields in self._searcher.documents(**{DOC_ID: request.like})]
            if not passages:
                raise QueryError(f"no article {request.like!r} in the index" + _close(request.like, self._doc_ids()))
            like = self._like_query(self._term_counts(passages))
            parts.append(wq.AndNot(like, wq.Term(DOC_ID, request.like)))
        return (parts[0] if len(parts) == 1 else wq.Or(parts)), expansions

    def _term_counts(self, texts: list[str]) -> Counter[str]:
        """How often each indexed term occurs in ``texts``, analyzed as passages are."""
        analyzer = self._searcher.schema[TEXT].analyzer
        return Counter(token.text for text in texts for token in analyzer(text))

    def _like_query(self, counts: Counter[str]) -> wq.Query:
        """The LIKE_TERMS terms of ``counts`` with the highest tf·idf, each weighted by it
        (relative to the best): the distinctive words of a text, as a query."""
        reader = self._searcher.reader()
        passages = reader.doc_count()  # articles' own documents too: an upper bound is enough
        weights = {
            term: count * math.log(1 + passages / frequency)
            for term, count in counts.items()
            # A term in no passage cannot help; one in over half of them cannot tell.
            if 0 < (frequency := reader.doc_frequency(TEXT, term)) <= passages / 2
        }
        best = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:LIKE_TERMS]
        if not best:
            raise QueryError("nothing to search for: the text has no word that the index holds")
        top = best[0][1]
        return wq.Or([wq.Term(TEXT, term, boost=weight / top) for term, weight in best])

    def filter_warnings(self, sources: Sequence[str], doc_ids: Sequence[str]) -> tuple[str, ...]:
        """A line for each of ``sources`` and ``doc_ids`` that names nothing in the index,
        with the close matches there are.

        >>> searcher.filter_warnings(["CNN Bantn"], [])    # doctest: +SKIP
        ("no source 'CNN Bantn' in the index; did you mean: CNNBanten.id?",)
        """
        warnings = []
        schema = self._searcher.schema
        for source in sources:
            if not any(True for _ in self._searcher.docs_for_query(filter_query(SearchRequest("", sources=(source,)), schema))):
                warnings.append(f"no source {source!r} in the index" + _close(source, self._source_names()))
        for doc_id in doc_ids:
            if not any(True for _ in self._searcher.docs_for_query(wq.Term(DOC_ID, doc_id))):
                warnings.append(f"no article {doc_id!r} in the index" + _close(doc_id, self._doc_ids()))
        return tuple(warnings)

    def _source_names(self) -> list[str]:
        reader = self._searcher.reader()
        if not reader.doc_count_all():
            return []  # a new, empty index has no columns to read (Whoosh's EmptyReader)
        names = column(reader, SOURCE_NAME)
        return sorted({names[docnum] for docnum in reader.all_doc_ids()} - {""})

    def _doc_ids(self) -> list[str]:
        return sorted(self._article_passages(None))

    def _article_passages(self, restriction: wq.Query | None) -> dict[str, list[int]]:
        """Each article's passages (docnums, in index order) that meet ``restriction``."""
        reader = self._searcher.reader()
        if not reader.doc_count_all():
            return {}  # a new, empty index has no columns to read
        doc_ids = column(reader, DOC_ID)
        query = wq.Term(KIND, PASSAGE_KIND) if restriction is None else wq.And([wq.Term(KIND, PASSAGE_KIND), restriction])
        passages: dict[str, list[int]] = {}
        for docnum in self._searcher.docs_for_query(query):
            passages.setdefault(doc_ids[docnum], []).append(docnum)
        return passages

    def articles(
        self, request: SearchRequest, order: str | None = None, offset: int = 0, limit: int | None = None
    ) -> ArticlePage:
        """The articles that meet the filters of ``request``, by id or with ``order``
        "newest"/"oldest" by date (undated last), ``limit`` of them (all if None) from
        ``offset`` on; :meth:`bnptsearch.Index.article_page` is the public way in."""
        passages = self._article_passages(filter_query(request, self._searcher.schema))
        listed = sorted(passages)
        if order is not None:
            days = self._facts().days  # 0: undated
            dated = [doc_id for doc_id in listed if days[passages[doc_id][0]]]
            dated.sort(key=lambda doc_id: days[passages[doc_id][0]], reverse=order == "newest")
            listed = dated + [doc_id for doc_id in listed if not days[passages[doc_id][0]]]
        summaries = []
        # Only the page's articles are read: a page of 10 out of 100k articles stays quick.
        for doc_id in listed[offset : None if limit is None else offset + limit]:
            fields = self._searcher.stored_fields(passages[doc_id][0])
            summaries.append(
                ArticleSummary(
                    doc_id=doc_id,
                    title=fields.get(TITLE, ""),
                    source=fields.get(SOURCE) or None,
                    date=fields.get(DATE_TEXT) or None,
                    url=fields.get(URL) or None,
                    passages=len(passages[doc_id]),
                )
            )
        return ArticlePage(tuple(summaries), len(listed), offset)

    def _per_article(self, docnums: Iterable[int]) -> Counter[str]:
        """How many of ``docnums`` each article has."""
        if not self._searcher.doc_count_all():
            return Counter()  # a new, empty index has no columns to read
        doc_ids = column(self._searcher.reader(), DOC_ID)
        return Counter(doc_ids[docnum] for docnum in docnums)

    def _undated(self, parsed: wq.Query, request: SearchRequest) -> int | None:
        """How many articles without a date match but were left out by ``since``/``until``
        (None when the request has no date bounds or includes undated articles)."""
        undated = undated_query(request, self._searcher.schema)
        if undated is None:
            return None
        doc_ids = column(self._searcher.reader(), DOC_ID)
        return len({doc_ids[docnum] for docnum in self._searcher.docs_for_query(wq.And([parsed, undated]))})

    def _term_weight(self, ranking: RankingParams) -> Callable[[str], float]:
        """A text term's idf, as ``ranking`` scores it."""
        weighting = ranking.weighting()
        return lambda term: weighting.idf(self._searcher, TEXT, term)

    def _typo_stems(self, word: str, maxdist: int, prefix: int) -> tuple[str, ...]:
        """The stems of the indexed words within ``maxdist`` edits of ``word`` as typed and
        sharing its first ``prefix`` letters, closest then most frequent first, from at most
        MAX_TYPO_WORDS words.

        Unlike stems, typed words keep their prefixes, so the first letter can be fixed,
        which spares a pass over the whole vocabulary.
        """
        found = self._words().closest(word, maxdist, prefix)
        return tuple(dict.fromkeys(stem for w in found[:MAX_TYPO_WORDS] for stem in analyze(w)))

    def _words(self) -> Vocabulary:
        """The unstemmed words of the current searcher's passages."""
        if self._vocabulary is None:
            self._vocabulary = Vocabulary(self._searcher.reader(), WORDS)
        return self._vocabulary

    def _occurs(self, word: str) -> bool:
        """Whether ``word`` (lowercase, as typed) matches anything: as written, or by its stem."""
        reader = self._searcher.reader()
        if reader.doc_frequency(WORDS, word):
            return True
        stems = analyze(word)
        return bool(stems) and all(reader.doc_frequency(TEXT, s) or reader.doc_frequency(TITLE, s) for s in stems)

    def _ranked(
        self,
        parsed: wq.Query,
        restriction: wq.Query | None,
        request: SearchRequest,
        deadline: Deadline,
        dense: Dense | None = None,
    ) -> list[_Ranked]:
        """The best passages up to the requested page, at most ``per_article`` per article.

        The cap is applied here to an ordinary top-k result, fetched deeper while the cap
        throws too many away, rather than with Whoosh's collapsing collector: that one
        scores every matching passage, where top-k skips blocks that cannot rank.
        """
        if not self._searcher.doc_count_all():
            return []  # a new, empty index has no columns to read (Whoosh's EmptyReader)
        needed = request.offset + request.limit
        fetch = needed if request.per_article is None else 2 * needed
        doc_ids = column(self._searcher.reader(), DOC_ID)
        top = (
            _deepest(self._top_function(parsed, restriction, request.explain, request.ranking, deadline))
            if request.sort == "relevance"
            else self._by_date_function(parsed, restriction, request.explain, deadline, newest=request.sort == "newest")
        )
        proximity = _proximity_of(parsed)
        if request.sort == "relevance" and proximity is not None and request.ranking.proximity_weight > 0:
            top = self._rescored(top, proximity, request.ranking)
        if dense is not None:
            top = self._fused(top, dense, restriction, request.ranking)
        while True:
            results = top(fetch)
            if request.per_article is None and not request.by_article:
                return results
            kept: list[_Ranked] = []
            seen: Counter[str] = Counter()
            cap = request.per_article or len(results)
            for result in results:
                doc_id = doc_ids[result.docnum]
                if request.by_article and doc_id not in seen and len(seen) == needed:
                    continue  # a page's articles are complete: only their passages still count
                if seen[doc_id] < cap:
                    seen[doc_id] += 1
                    kept.append(result)
                    if not request.by_article and len(kept) == needed:
                        return kept
            full = len(seen) == needed and all(count == request.per_article for count in seen.values())
            # Fetching deeper would only run out of time again.
            if len(results) < fetch or deadline.hit or (request.by_article and full):
                return kept
            fetch *= 4

    def _rescored(
        self, top: Callable[[int], list[_Ranked]], proximity: _Proximity, ranking: RankingParams
    ) -> Callable[[int], list[_Ranked]]:
        """``top`` with its ``ranking.proximity_depth`` best passages rescored by proximity.

        Always the same depth, whatever k, so that every page comes from one order.
        """

        rescored: list[_Ranked] | None = None  # the same for every k: rescored once

        def top_rescored(k: int) -> list[_Ranked]:
            nonlocal rescored
            results = top(max(k, ranking.proximity_depth))
            if rescored is None:
                head = results[: ranking.proximity_depth]
                shares = self._proximity_shares([r.docnum for r in head], proximity, ranking.proximity_window)
                factors = [1 + ranking.proximity_weight * share for share in shares]
                rescored = sorted(
                    (
                        _Ranked(
                            r.docnum, r.score * factor, r.matched_terms, factors=(*r.factors, ScoreFactor("proximity", factor))
                        )
                        for r, factor in zip(head, factors)
                    ),
                    key=lambda r: -r.score,
                )
            return (rescored + results[ranking.proximity_depth :])[:k]

        return top_rescored

    def _fused(
        self, top: Callable[[int], list[_Ranked]], dense: Dense, restriction: wq.Query | None, ranking: RankingParams
    ) -> Callable[[int], list[_Ranked]]:
        """``top`` fused with the passages nearest the query vector (hybrid), or replaced by
        them (semantic). Hybrid fuses the ``ranking.fusion_depth`` best of each list
        (:func:`~bnptsearch.ranking.fuse`); past that head, the other word matches follow in
        their order, fused score 0, so every page comes from one order (as
        :meth:`_rescored`). The filters of the request (``restriction``) apply to both lists
        before their best are taken."""
        import numpy

        rows, usable = self._rows(dense, restriction)
        known: dict[int, float | None] = {}  # cosines computed so far, by document number

        def cosines(docs: Iterable[int]) -> dict[int, float | None]:
            """The cosine of each of ``docs`` (None: no vector), computed once each."""
            new = numpy.array(sorted({doc for doc in docs if doc not in known}), dtype=numpy.int64)
            known.update((int(doc), None) for doc in new[rows[new] < 0])
            embedded = new[rows[new] >= 0]
            known.update(zip(embedded.tolist(), dense.vectors.cosines(dense.query, rows[embedded]).tolist()))
            return known

        def nearest(depth: int) -> list[tuple[int, float]]:
            candidates = numpy.flatnonzero(usable)
            places, near = dense.vectors.nearest(dense.query, rows[candidates], depth)
            known.update(zip(candidates[places].tolist(), near.tolist()))
            return list(zip(candidates[places].tolist(), near.tolist()))

        def ranked(doc: int, score: float, by_words: _Ranked | None) -> _Ranked:
            cosine = known[doc]
            if by_words is None:
                return _Ranked(doc, score, (), None, cosine, by_meaning_only=True)
            return _Ranked(doc, score, by_words.matched_terms, by_words.score, cosine, factors=by_words.factors)

        def top_semantic(k: int) -> list[_Ranked]:
            return [ranked(doc, cosine, None) for doc, cosine in nearest(k)]

        def top_hybrid(k: int) -> list[_Ranked]:
            depth = ranking.fusion_depth
            words = top(k + depth)  # k beyond the head, whatever the head took of them
            head_words = {r.docnum: r for r in words[:depth]}
            near = nearest(depth)
            found = {doc: cosine for doc, cosine in cosines(r.docnum for r in words).items() if cosine is not None}
            head = fuse([(r.docnum, r.score) for r in words[:depth]], near, found, ranking) if head_words else near
            results = [ranked(doc, score, head_words.get(doc)) for doc, score in head]
            in_head = {doc for doc, _ in head}
            results += [ranked(r.docnum, 0.0, r) for r in words[depth:] if r.docnum not in in_head]
            return results[:k]

        return top_hybrid if dense.mode == "hybrid" else top_semantic

    def _rows(self, dense: Dense, restriction: wq.Query | None) -> tuple[numpy.ndarray, numpy.ndarray]:
        """(the vector row of each document, -1 where it has none; which documents have one
        and meet ``restriction``), by document number."""
        import numpy

        rows = dense.vectors.rows_for(self._searcher.reader())
        usable = rows >= 0
        if restriction is not None:
            allowed = numpy.zeros(len(rows), dtype=bool)
            allowed[list(self._searcher.docs_for_query(restriction))] = True
            usable &= allowed
        return rows, usable

    def _dense_notes(self, dense: Dense) -> list[str]:
        """A note when some passages have no vector yet (they are found by words only)."""
        if not self._searcher.doc_count_all():
            return []
        missing, total = dense.vectors.coverage(self._searcher.reader())
        if not missing:
            return []
        return [f"{missing} of {total} {UNEMBEDDED_NOTE}"]

    def _proximity_shares(self, docnums: list[int], proximity: _Proximity, window: int) -> list[float]:
        """For each passage, the share of the query's neighbouring word pairs that stand
        together in it, in order, within ``window`` positions: each pair weighted by its
        words' idf and counted 1 ÷ distance (an acronym of a run of them counts as the run
        written out). Between 0 and 1, so a long question's many pairs weigh no more than a
        keyword query's one."""
        searcher = self._searcher
        weighting = searcher.weighting
        stems = set(proximity.words) | {acronym for _, _, acronym in proximity.runs}
        # Block headers through the numpy stats, if this searcher has them (cached, if kept).
        blocks = self._stats.blocks if self._stats is not None else None
        positions = {stem: term_positions(searcher.reader(), TEXT, stem, docnums, blocks) for stem in stems}
        idf = {stem: weighting.idf(searcher, TEXT, stem) for stem in set(proximity.words)}
        pairs = list(zip(proximity.words, proximity.words[1:]))
        total = sum(idf[first] + idf[second] for first, second in pairs) or 1.0
        shares = []
        for docnum in docnums:
            found = 0.0
            for number, (first, second) in enumerate(pairs):
                gap = nearest_gap(positions[first].get(docnum, []), positions[second].get(docnum, []), window)
                if any(start <= number < end and docnum in positions[acronym] for start, end, acronym in proximity.runs):
                    gap = 1
                if gap is not None:
                    found += (idf[first] + idf[second]) / gap
            shares.append(found / total)
        return shares

    def _top_function(
        self, parsed: wq.Query, restriction: wq.Query | None, explain: bool, ranking: RankingParams, deadline: Deadline
    ) -> Callable[[int], list[_Ranked]]:
        """A function from k to the k best passages: numpy BM25 for a bag of words on a
        large index (the common case, several times faster), Whoosh's matchers otherwise.
        Both rank alike; on a small index Whoosh is as quick and numpy's import is not."""
        summed = score_sum(parsed, SCORED_FIELDS) if restriction is None and not explain else None
        if summed is not None and self._searcher.doc_count_all() >= ranking.vectorized_from:
            from .vectorized import (  # numpy: 60 ms to import
                CollectionStats,
                top_documents,
            )

            if self._stats is None:
                self._stats = CollectionStats(self._searcher, self._lengths, self._blocks)
            stats = self._stats

            def top(k: int) -> list[_Ranked]:
                ranked = top_documents(stats, summed, k, deadline.expired)
                return [_Ranked(docnum, score) for docnum, score in ranked]

            return top

        def top_whoosh(k: int) -> list[_Ranked]:
            results = whoosh_top(self._searcher, parsed, k, filter_query=restriction, terms=explain, deadline=deadline)
            return [_Ranked(r.docnum, r.score, tuple(r.matched_terms() or ()) if explain else ()) for r in results]

        return top_whoosh

    def _by_date_function(
        self, parsed: wq.Query, restriction: wq.Query | None, explain: bool, deadline: Deadline, *, newest: bool
    ) -> Callable[[int], list[_Ranked]]:
        """A function from k to the first k matching passages by date (newest or oldest
        first, the better scoring first on one day, undated articles last).

        A date order cannot stop early the way top-k does: every match is scored and
        sorted, once, and the function slices that."""
        days = self._facts().days
        ordered: list[_Ranked] | None = None

        def top(k: int) -> list[_Ranked]:
            nonlocal ordered
            if ordered is None:
                collector: collectors.Collector = collectors.UnlimitedCollector()
                if explain:
                    collector = collectors.TermsCollector(collector)
                results = _run(self._searcher, parsed, collector, restriction, deadline)
                ranked = [_Ranked(h.docnum, h.score, tuple(h.matched_terms() or ()) if explain else ()) for h in results]
                ordered = sorted(
                    ranked, key=lambda r: (days[r.docnum] == 0, -days[r.docnum] if newest else days[r.docnum], -r.score)
                )
            return ordered[:k]

        return top

    def _facts(self) -> _Facts:
        """The facts of every document of the current searcher, segment by segment."""
        if self._facts_of is None:
            parts = [_segment_facts(leaf) for leaf, _ in self._searcher.reader().leaf_readers()]
            self._facts_of = _Facts(*([value for part in parts for value in getattr(part, name)] for name in _FACT_NAMES))
        return self._facts_of

    def _hit(self, rank: int, result: _Ranked, wanted: Wanted, explain: _Boosts | None) -> Hit:
        """The hit for a ranked passage; ``explain``: the boosts to explain its score by."""
        fields = self._searcher.stored_fields(result.docnum)
        fused = explain is not None and (result.lexical is not None or result.cosine is not None)
        return Hit(
            rank=rank,
            doc_id=fields[DOC_ID],
            title=fields.get(TITLE, ""),
            source=fields.get(SOURCE) or None,
            date=fields.get(DATE_TEXT) or None,
            score=float(result.score),
            passage=fields[TEXT],
            spans=() if result.by_meaning_only else highlight_spans(fields[TEXT], wanted),
            start=fields[START],
            end=fields[END],
            explanation=self._explain(result, explain) if explain is not None else (),
            url=fields.get(URL) or None,
            page=fields.get(PAGE),
            semantic_only=result.by_meaning_only,
            lexical_score=result.lexical if fused else None,
            cosine=result.cosine if fused else None,
            factors=result.factors if explain is not None else (),
            author=fields.get(AUTHOR) or None,
        )

    def _explain(self, result: _Ranked, boosts: _Boosts) -> tuple[TermScore, ...]:
        """Each matched term's own BM25F score in this passage, with the boosts the query
        gives it (title, exact form, an acronym weighed as its long form)."""
        searcher = self._searcher
        context = searcher.context(weighting=searcher.weighting)
        scores = []
        for fieldname, text in sorted(result.matched_terms):
            if fieldname not in SCORED_FIELDS:
                continue
            word = text.decode("utf-8") if isinstance(text, bytes) else text
            boost = boosts.get((fieldname, word)) or boosts.get(fieldname, 1.0)
            matcher = wq.Term(fieldname, word, boost=boost).matcher(searcher, context)
            if matcher.is_active():
                matcher.skip_to(result.docnum)
            if matcher.is_active() and matcher.id() == result.docnum:
                scores.append(TermScore(fieldname, word, float(matcher.score())))
        # A word scores by the better of the passage and the title (ranking.BestField).
        best: dict[str, TermScore] = {}
        for term in scores:
            if term.field in (TEXT, TITLE) and (term.term not in best or term.score > best[term.term].score):
                best[term.term] = term
        counted = [t for t in scores if t.field not in (TEXT, TITLE) or best[t.term] is t]
        return tuple(sorted(counted, key=lambda t: -t.score))

    def _suggestion(
        self,
        query: str,
        deadline: Deadline,
        expanded: frozenset[str] = frozenset(),
        max_edits: Callable[[str], int] = lambda word: 2,
    ) -> str | None:
        """The query with each word that matches nothing replaced by the closest indexed
        word (then the most frequent) at most ``max_edits(word)`` edits away, if any, as far
        as ``deadline`` allows.

        A word that occurs in the index is never corrected, however rare: "anak" is not a
        typo for "and"; nor is a word of a long form the query spells out (``expanded``
        stems: "Forum" in "Forum Koordinasi Pencegahan Terorisme" finds "FKPT").
        Suggestions come from the unstemmed words of the passages: correcting stems would
        propose non-words.
        """
        corrected = query
        changed = False
        for match in _SUGGESTABLE_WORD.finditer(query):
            word = match.group().lower()
            if deadline.expired():
                break
            edits = max_edits(word)
            if not edits or word in search_stopwords() or self._occurs(word) or set(analyze(word)) <= expanded:
                continue
            closest = self._words().closest(word, edits)
            if closest:
                corrected = corrected.replace(match.group(), closest[0], 1)
                changed = True
        return corrected if changed else None

    def _facets(self, docnums: Iterable[int]) -> dict[str, dict[str, int]]:
        """Matching articles per source, per year and per month (each article counted
        once); sources and years most frequent first, months in time order (a timeline).

        An article dated by its year only counts in that year's January."""
        facts = self._facts()
        doc_ids, sources, years, days = facts.doc_ids, facts.sources, facts.years, facts.days
        articles: dict[str, tuple[str, str, int]] = {}
        for docnum in docnums:
            articles.setdefault(doc_ids[docnum], (sources[docnum] or NONE_LABEL, years[docnum] or NONE_LABEL, days[docnum]))
        facets: dict[str, Counter[str]] = {"source": Counter(), "year": Counter(), "month": Counter()}
        for source, year, day in articles.values():
            facets["source"][source] += 1
            facets["year"][year] += 1
            facets["month"][date.fromordinal(day).strftime("%Y-%m") if day else NONE_LABEL] += 1
        by_count = {name: dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))) for name, counts in facets.items()}
        return by_count | {"month": dict(sorted(facets["month"].items()))}
