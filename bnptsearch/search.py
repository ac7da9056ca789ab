"""Query parsing, ranking and result objects.

Ranking is BM25 (Lucene's idf, parameters chosen on the retrieval benchmark) over passage
text and article title (title boosted), as an OR of the query words: a natural-language
question works without the user writing AND, and a passage matching more of its rare words
scores higher. A coordination factor (score × share of query words matched) was measured and
left out: it lowered nDCG@10 on the benchmark's TyDi questions. Whoosh's query syntax stays
available (AND/OR/NOT, "phrases", ``title:``, ``source:``), but wildcards are off: in a
question, ``?`` and ``*`` are punctuation.

>>> index.search("Siapa yang menandatangani nota kesepahaman dengan BNPT?").hits[0].doc_id  # doctest: +SKIP
'003_219fc8fa0a90b567'
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from whoosh import collectors
from whoosh import query as wq
from whoosh.qparser import FuzzyTermPlugin, OrGroup, QueryParser, WildcardPlugin
from whoosh.searching import Searcher as WhooshSearcher

from .acronyms import AcronymTable, written_form
from .analysis import join_compounds, search_stopwords, surface_words, term_spans
from .errors import QueryError
from .highlight import merge_spans, render
from .ranking import LuceneBM25, Synonyms, score_sum

__all__ = ["ArticleHits", "Hit", "SearchRequest", "SearchResults", "Searcher", "TermScore", "parse_query"]

MAX_QUERY_CHARS = 1000
# Fields a query may name (``title:teror``); the others are bookkeeping, and some belong to
# the per-article documents that must never be returned as passages.
_USER_FIELDS = ("text", "title", "words", "source", "date", "doc_id")
_FIELD_PREFIX = re.compile(r"(?<![\w:])(\w+):")
# Below this many matching passages a query may be misspelt: look for a suggestion.
SUGGEST_BELOW = 3
# The index field holding each passage's unstemmed words: for suggestions and exact forms.
_SPELLING_FIELD = "words"
_TEXT_FIELDS = ("text", "title")
# The fields a query word is scored in (bnptsearch.ranking.score_sum, --explain).
SCORED_FIELDS = (*_TEXT_FIELDS, _SPELLING_FIELD)
_SUGGESTABLE_WORD = re.compile(r"(?<![\w:])[^\W\d_]{4,}(?![\w:~])")
# Ranking parameters, chosen on the retrieval benchmark (benchmarks/retrieval.py --sweep):
# B=0.1, K1=0.6 was best of B 0.1-0.9 × K1 0.4-2.0 on 500 TyDi and 500 FacQA dev questions
# (Whoosh's defaults 0.75/1.2 scored 0.07-0.1 nDCG@10 lower). The benchmark's passages have
# no titles, so TITLE_BOOST is set by the seed-corpus tests, where titles carry the topic.
TITLE_BOOST = 2.0
BM25_B = 0.1
BM25_K1 = 0.6
# Lucene's idf is raised to this power, so rare words weigh more against generic ones. On
# all dev questions 1.5 gained 0.010 nDCG@10 on TyDi and lost 0.001 on FacQA; 2 gained
# 0.001 more on TyDi but lost 0.003 on FacQA.
IDF_POWER = 1.5
# Indexes of at least this many Whoosh documents score plain word queries with numpy
# (bnptsearch.vectorized); on smaller ones Whoosh takes a few milliseconds anyway.
VECTORIZED_FROM = 5000
# Weight of a query word's exact (unstemmed) form next to its stem: 0.3 and 0.6 scored
# alike on the benchmark, and a small bonus keeps the stem's matches close behind.
EXACT_BOOST = 0.3


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
    filled when the search was made with ``explain=True``."""

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

    @property
    def highlighted(self) -> str:
        """The passage with matched words wrapped in ``**``."""
        return render(self.passage, self.spans)

    def to_dict(self) -> dict:
        """A JSON-ready dict, as ``bnptsearch query --json`` prints it."""
        data = {
            "rank": self.rank,
            "doc_id": self.doc_id,
            "title": self.title,
            "source": self.source,
            "date": self.date,
            "score": round(self.score, 4),
            "passage": self.passage,
            "highlighted": self.highlighted,
            "spans": [list(span) for span in self.spans],
        }
        if self.explanation:
            data["explanation"] = [
                {"field": t.field, "term": t.term, "score": round(t.score, 4)} for t in self.explanation
            ]
        return data


@dataclass(frozen=True)
class ArticleHits:
    """One article of a result page with its passages that ranked, best first."""

    doc_id: str
    title: str
    source: str | None
    date: str | None
    hits: tuple[Hit, ...]


@dataclass(frozen=True)
class SearchResults:
    """The answer to one query.

    ``hits`` are the page asked for, best first; ``total`` counts every matching passage
    (when the search was asked to ``count``, or for facets; None otherwise);
    ``expansions`` lists acronym expansions made; ``suggestion`` is a corrected query when
    the words look misspelt and little was found; ``facets`` (on request) counts matching
    articles per ``"source"`` and per ``"year"``.
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

    def by_article(self) -> list[ArticleHits]:
        """The hits grouped per article, articles in the order of their best hit."""
        groups: dict[str, list[Hit]] = {}
        for hit in self.hits:
            groups.setdefault(hit.doc_id, []).append(hit)
        return [
            ArticleHits(doc_id, hits[0].title, hits[0].source, hits[0].date, tuple(hits))
            for doc_id, hits in groups.items()
        ]

    def to_dict(self) -> dict:
        data = {
            "query": self.query,
            "total": self.total,
            "offset": self.offset,
            "expansions": list(self.expansions),
            "suggestion": self.suggestion,
            "hits": [hit.to_dict() for hit in self.hits],
        }
        if self.facets is not None:
            data["facets"] = self.facets
        return data


def _parser(schema) -> QueryParser:
    # Parsed against "text" only; :func:`_across_fields` then searches each word in the title
    # too. Parsing per field directly would flatten the fields into one OR, where the words
    # of an acronym's run could no longer be recognised.
    parser = QueryParser("text", schema, group=OrGroup)
    parser.remove_plugin_class(WildcardPlugin)
    parser.add_plugin(FuzzyTermPlugin())
    return parser


# "Apa yang dimaksud dengan X?", "Apa pengertian X?", "Apakah arti kata X?": the frame asks
# for a definition and its words are not what the definition says; searched, they rank
# passages that happen to say "dimaksud" or "pengertian" above the one defining X (TyDi
# dev: 472 of 5,369 questions have this frame; dropping it: nDCG@10 +0.002 overall).
_DEFINITION_FRAME = re.compile(
    r"^\s*apa(?:kah)?\s+(?:itu\s+)?(?:yang\s+)?"
    r"(?:di\s*maksud|maksud|pengertian|arti|artinya|definisi)(?:\s+(?:dari|dengan|kata))?(?![\w-])",
    re.IGNORECASE,
)


def without_definition_frame(text: str) -> str:
    """The query without a leading definition-question frame; unchanged if nothing is left.

    >>> without_definition_frame("Apa yang dimaksud dengan deradikalisasi?")
    'deradikalisasi?'
    """
    rest = _DEFINITION_FRAME.sub("", text, count=1).strip()
    return rest if re.search(r"\w", rest) else text


def parse_query(
    text: str, schema, acronyms: AcronymTable | None = None, *, fuzzy: bool = False
) -> tuple[wq.Query, list[str]]:
    """Parses a user's query leniently, expanding acronyms when a table is given and making
    every plain word typo-tolerant with ``fuzzy``. A definition question's frame ("apa yang
    dimaksud dengan") is dropped.

    Returns the query and the expansions made; raises :class:`QueryError` with a one-line
    reason for an empty, overlong or unparseable query.
    """
    if not text.strip():
        raise QueryError("empty query: type some words to search for")
    if len(text) > MAX_QUERY_CHARS:
        # Whoosh's parser slows down badly on very long inputs (seconds for 40 KB).
        raise QueryError(f"query too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
    for name in _FIELD_PREFIX.findall(text):
        if name in schema.names() and name not in _USER_FIELDS:
            raise QueryError(f"{name}: is not a field to search; use one of {', '.join(f + ':' for f in _USER_FIELDS)}")
    joined = join_compounds(without_definition_frame(text))
    try:
        parsed = _restrict_and_exclude(_parser(schema).parse(joined))
    except Exception as error:  # noqa: BLE001 - the parser has no single error type
        raise QueryError(f"cannot parse query {text!r}: {error}") from None
    expansions: list[str] = []
    if acronyms is not None:
        parsed, expansions = expand_acronyms(parsed, acronyms, joined)
    parsed = _fuzzy(parsed, every_word=fuzzy)
    return _across_fields(parsed, joined), expansions


def _fuzzy(node: wq.Query, *, every_word: bool) -> wq.Query:
    """Makes fuzzy words (``word~``, or with ``every_word`` all plain words) match one edit
    away, two for long words.

    Fuzzy matching runs on stems, whose first letter is often where a typo lands after
    prefix stripping ("peyebaran" → "yebar" for "sebar"), so no prefix is fixed.
    """
    if every_word and type(node) is wq.Term and node.fieldname == "text":
        maxdist = 2 if len(node.text) >= 8 else 1
        return wq.FuzzyTerm("text", node.text, boost=node.boost, maxdist=maxdist, prefixlength=0)
    if isinstance(node, wq.FuzzyTerm):
        # Whoosh's `word~` syntax fixes the first letter: free it for the same reason. A
        # prefix longer than the word (`ab~1/5`) would crash Whoosh's automaton: clamp it.
        prefix = 0 if node.prefixlength == 1 else min(node.prefixlength, len(node.text))
        if prefix != node.prefixlength:
            node = node.copy()
            node.prefixlength = prefix
        return node
    return node.apply(lambda child: _fuzzy(child, every_word=every_word))


def _across_fields(node: wq.Query, text: str) -> wq.Query:
    """Searches every plain word and phrase of the text field in the title as well, and
    gives a plain word a small bonus where the passage has it exactly as typed."""
    if type(node) in (wq.Term, wq.Phrase) and node.fieldname == "text":
        title = node.copy()
        title.fieldname = "title"
        title.boost = node.boost * TITLE_BOOST
        alternatives = [node, title]
        if type(node) is wq.Term and node.startchar is not None:
            # The exact form ranks a passage saying "penangkapan" above one that only says
            # "ditangkap" for the query "penangkapan" (+0.005 nDCG@10 on TyDi, +0.003 on
            # FacQA; benchmarks/retrieval.py). Words from acronym expansion have no
            # position in the query, so they get no bonus.
            surface = surface_words(text[node.startchar : node.endchar])
            alternatives += [wq.Term(_SPELLING_FIELD, word, boost=node.boost * EXACT_BOOST) for word in surface]
        # An OR (sum), not Whoosh's DisjunctionMax: its matcher returns documents that match
        # none of its subqueries in whoosh 2.7.
        return wq.Or(alternatives)
    return node.apply(lambda child: _across_fields(child, text))


_ALL_PASSAGES = wq.Term("kind", "passage")
# Clauses on these fields narrow the results rather than add alternatives to rank.
_RESTRICTING_FIELDS = frozenset({"date", "source", "doc_id"})


def _is_restriction(query: wq.Query) -> bool:
    fieldname = getattr(query, "fieldname", None)
    if fieldname is not None:
        return fieldname in _RESTRICTING_FIELDS
    fields = {fieldname for fieldname, _ in query.iter_all_terms()}
    return bool(fields) and fields <= _RESTRICTING_FIELDS


def _restrict_and_exclude(query: wq.Query) -> wq.Query:
    """Makes ``a b NOT c date:[2022 TO 2023]`` mean "a or b, but not c, and from 2022–2023".

    With OR as the default group Whoosh reads it as ``a OR b OR (NOT c) OR date:[...]``,
    which matches nearly everything; analysts mean exclusion and filtering. Queries that
    could match every document ("NOT c", ``*:*``) are held to passages: the article
    documents that share the index must never match.
    """
    query = _group_clauses(query)
    return wq.AndNot(_ALL_PASSAGES, query.query) if isinstance(query, wq.Not) else query


def _group_clauses(query: wq.Query) -> wq.Query:
    if isinstance(query, wq.Every) and query.fieldname in (None, "*"):
        return _ALL_PASSAGES
    if not isinstance(query, wq.CompoundQuery):
        return query
    query = query.apply(_group_clauses)
    if not isinstance(query, wq.Or):
        return query
    negated = [child.query for child in query.subqueries if isinstance(child, wq.Not)]
    required = [child for child in query.subqueries if not isinstance(child, wq.Not) and _is_restriction(child)]
    ranked = [child for child in query.subqueries if not isinstance(child, wq.Not) and not _is_restriction(child)]
    if not (negated or required):
        return query
    query.subqueries = ranked
    wanted = query if len(ranked) > 1 else ranked[0] if ranked else _ALL_PASSAGES
    if required:
        wanted = wq.And([wanted, *required])
    if negated:
        wanted = wq.AndNot(wanted, negated[0] if len(negated) == 1 else wq.Or(negated))
    return wanted



def _word_of(query: wq.Query) -> str | None:
    """The analyzed word a parsed node stands for, if it is one plain word of the text."""
    if type(query) is wq.Term and query.fieldname == "text":
        return query.text
    return None


def _words_query(words: tuple[str, ...]) -> wq.Query:
    return wq.Term("text", words[0]) if len(words) == 1 else wq.Phrase("text", list(words))


def expand_acronyms(query: wq.Query, table: AcronymTable, text: str = "") -> tuple[wq.Query, list[str]]:
    """Adds the other form of every acronym or long form the query contains.

    A run of query words that spells a rule's trigger becomes :class:`Synonyms` of "the
    words" and "the alternative as a phrase", so "Rencana Aksi Nasional" also finds passages
    that only say "RAN PE". Phrases and negated parts are left alone: the user asked for
    exactly those words. ``text`` is the query the nodes were parsed from: a long form must be
    written as it is in the query, not merely share its stems.
    """

    def written(node: wq.Query) -> str | None:
        start = getattr(node, "startchar", None)
        return None if start is None else written_form(text[start : node.endchar])

    notes: list[str] = []

    def expand(node: wq.Query) -> wq.Query:
        if isinstance(node, (wq.Not, wq.Phrase)) or not isinstance(node, wq.CompoundQuery):
            return node
        if isinstance(node, wq.AndNot):
            return wq.AndNot(expand(node.a), node.b)
        children = [expand(child) for child in node.subqueries]
        words = [_word_of(child) for child in children]
        rebuilt = []
        position = 0
        while position < len(children):
            rule = next(
                (
                    r
                    for r in table.rules_starting_with(words[position] or "")
                    if tuple(words[position : position + len(r.trigger)]) == r.trigger
                    and (
                        not r.surface
                        or tuple(written(c) for c in children[position : position + len(r.trigger)]) == r.surface
                    )
                ),
                None,
            )
            if rule is None:
                rebuilt.append(children[position])
                position += 1
                continue
            run = children[position : position + len(rule.trigger)]
            alternative = _words_query(rule.alternative)
            # A phrase scores about the sum of its words: weigh the alternative like the
            # words it stands for, so a four-word long form does not outweigh one acronym.
            alternative.boost = min(1.0, len(rule.trigger) / len(rule.alternative))
            rebuilt.append(Synonyms([run[0] if len(run) == 1 else wq.Or(run), alternative]))
            notes.append(rule.description)
            position += len(rule.trigger)
        expanded = node.copy()
        expanded.subqueries = rebuilt
        return expanded

    if _word_of(query) is not None:
        # A one-word query is a bare Term, not a group of words.
        expanded = expand(wq.And([query]))
        return (expanded.subqueries[0] if len(expanded.subqueries) == 1 else expanded), notes
    return expand(query), notes


@dataclass(frozen=True)
class Wanted:
    """What a query looks for in text and title, for highlighting: single words, and exact
    phrases (as analyzed terms) whose words count only where the whole phrase stands."""

    words: frozenset[str]
    phrases: frozenset[tuple[str, ...]]

    @property
    def terms(self) -> frozenset[str]:
        return self.words.union(*self.phrases)


def wanted_terms(query: wq.Query, reader) -> Wanted:
    """The positive words and phrases of ``query`` (negated parts excluded; a fuzzy word
    stands for the indexed words it reaches; a sloppy phrase counts as its words)."""
    words: set[str] = set()
    phrases: set[tuple[str, ...]] = set()

    def walk(node: wq.Query) -> None:
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a)
        elif isinstance(node, wq.Phrase):
            if node.fieldname in _TEXT_FIELDS and node.slop <= 1:
                phrases.add(tuple(node.words))
            elif node.fieldname in _TEXT_FIELDS:
                words.update(node.words)
        elif isinstance(node, wq.FuzzyTerm):
            if node.fieldname in _TEXT_FIELDS:
                words.update(text for _, text in node.expanded_terms(reader))
        elif isinstance(node, wq.Term):
            if node.fieldname in _TEXT_FIELDS:
                words.add(node.text)
        else:
            for child in node.children():
                walk(child)

    walk(query)
    return Wanted(frozenset(words), frozenset(phrases))


def highlight_spans(passage: str, wanted: Wanted) -> tuple[tuple[int, int], ...]:
    """Spans of the words in ``passage`` that the query matched: a query for "penangkapan"
    marks "ditangkap" (both become "tangkap"); a phrase is marked only where it stands whole."""
    tokens = term_spans(passage)
    spans = [(start, end) for term, start, end in tokens if term in wanted.words]
    terms = [term for term, _, _ in tokens]
    for phrase in wanted.phrases:
        size = len(phrase)
        for position in range(len(terms) - size + 1):
            if tuple(terms[position : position + size]) == phrase:
                spans.extend((start, end) for _, start, end in tokens[position : position + size])
    return tuple(merge_spans(sorted(set(spans)), passage))


@dataclass(frozen=True)
class SearchRequest:
    """Everything :meth:`bnptsearch.Index.search` was asked, checked and ready to run."""

    query: str
    limit: int = 10
    offset: int = 0
    per_article: int | None = 3
    expand: bool = True  # also search the other form of acronyms and long forms
    fuzzy: bool = False
    sources: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    doc_ids: tuple[str, ...] = ()
    facets: bool = False
    explain: bool = False
    count: bool = False

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise QueryError(f"limit must be at least 1, not {self.limit}")
        if self.offset < 0:
            raise QueryError(f"offset cannot be negative ({self.offset})")
        if self.per_article is not None and self.per_article < 1:
            raise QueryError(f"per_article must be at least 1, not {self.per_article}")
        since, until = _parse_day(self.since, "since", end=False), _parse_day(self.until, "until", end=True)
        if since and until and since > until:
            raise QueryError(f"since ({self.since}) is after until ({self.until})")


_DAY = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def _parse_day(value: str | None, name: str, *, end: bool) -> datetime | None:
    """``2022``, ``2022-03`` or ``2022-03-23`` as the first (or, with ``end``, last) moment
    of that period."""
    if value is None:
        return None
    match = _DAY.fullmatch(value.strip())
    try:
        if not match:
            raise ValueError
        year, month, day = int(match[1]), int(match[2] or 0), int(match[3] or 0)
        if not end:
            return datetime(year, month or 1, day or 1)
        if not month:
            return datetime(year, 12, 31, 23, 59, 59)
        if not day:
            last = monthrange(year, month)[1]
            return datetime(year, month, last, 23, 59, 59)
        return datetime(year, month, day, 23, 59, 59)
    except ValueError:
        raise QueryError(f"{name} must be a date like 2022, 2022-03 or 2022-03-23, not {value!r}") from None


def _filter_query(request: SearchRequest, schema) -> wq.Query | None:
    clauses: list[wq.Query] = []
    if request.sources:
        analyzer = schema["source"].analyzer
        per_source = []
        for source in request.sources:
            words = [t.text for t in analyzer(source)]
            if words:
                per_source.append(wq.Term("source", words[0]) if len(words) == 1 else wq.Phrase("source", words))
        clauses.append(wq.Or(per_source) if per_source else wq.NullQuery)
    if request.since or request.until:
        clauses.append(
            wq.DateRange(
                "date",
                _parse_day(request.since, "since", end=False),
                _parse_day(request.until, "until", end=True),
            )
        )
    if request.doc_ids:
        clauses.append(wq.Or([wq.Term("doc_id", doc_id) for doc_id in request.doc_ids]))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.And(clauses)


def whoosh_top(searcher: WhooshSearcher, query: wq.Query, limit: int, *, filter_query=None, terms: bool = False):
    """Whoosh's ``limit`` best documents for ``query``, every match scored.

    Whoosh 2.7's top-k collector prunes its matcher tree by each branch's maximum score,
    and a phrase's matcher under-reports that maximum: on the seed corpus
    ``terorisme "kerja sama"`` ranks other passages first at limit 3 than at limit=None
    (tests/test_ranking.py; upstream whoosh #413 is the same family). Pruning and block
    skipping are therefore off here.
    """
    collector = collectors.TopCollector(limit, usequality=False, replace=0)
    if terms:
        collector = collectors.TermsCollector(collector)
    if filter_query is not None:
        collector = collectors.FilterCollector(collector, allow=filter_query)
    searcher.search_with_collector(query, collector)
    return collector.results()


@dataclass(frozen=True)
class _Ranked:
    """A ranked passage before its stored fields are loaded."""

    docnum: int
    score: float
    matched_terms: tuple = ()  # (field, term) pairs, collected only for --explain


class Searcher:
    """A Whoosh searcher with bnptsearch's ranking; :meth:`bnptsearch.Index.searcher` makes one."""

    def __init__(self, searcher: WhooshSearcher):
        self._searcher = searcher
        self._stats = None  # vectorized.CollectionStats of the current searcher, made on first use

    def refresh(self, index) -> None:
        """Moves to the latest committed state of ``index`` if it changed.

        Not Whoosh's ``Searcher.refresh()``: it reuses the readers of segments it believes
        unchanged, and those keep reporting documents deleted since (measured here).
        """
        if not self._searcher.up_to_date():
            self._searcher.close()
            self._searcher = index.searcher()
            self._stats = None

    @property
    def whoosh(self) -> WhooshSearcher:
        """The underlying Whoosh searcher."""
        return self._searcher

    def close(self) -> None:
        self._searcher.close()

    def search(self, request: SearchRequest, acronyms: AcronymTable | None = None) -> SearchResults:
        """Runs ``request``; :meth:`bnptsearch.Index.search` is the public way in."""
        searcher = self._searcher
        parsed, expansions = parse_query(request.query, searcher.schema, acronyms, fuzzy=request.fuzzy)
        wanted = wanted_terms(parsed, searcher.reader())
        # Scoring parameters live here, not in the schema, so tuning them needs no rebuild.
        searcher.weighting = LuceneBM25(B=BM25_B, K1=BM25_K1, idf_power=IDF_POWER)
        filter_query = _filter_query(request, searcher.schema)
        hits = [
            self._hit(rank, result, wanted, request.explain)
            for rank, result in enumerate(self._ranked(parsed, filter_query, request), 1)
            if rank > request.offset
        ]
        matching = None
        if request.count or request.facets:
            matching = searcher.search(parsed, filter=filter_query, limit=None, scored=False)
        few = len(matching) < SUGGEST_BELOW if matching is not None else not request.offset and len(hits) < SUGGEST_BELOW
        return SearchResults(
            query=request.query,
            hits=tuple(hits),
            total=len(matching) if matching is not None else None,
            offset=request.offset,
            terms=tuple(sorted(wanted.terms)),
            expansions=tuple(expansions),
            suggestion=self._suggestion(request.query) if few else None,
            facets=self._facets(matching.docs()) if request.facets else None,
            parsed=str(parsed),
        )

    def _ranked(self, parsed: wq.Query, filter_query: wq.Query | None, request: SearchRequest) -> list[_Ranked]:
        """The best passages up to the requested page, at most ``per_article`` per article.

        The cap is applied here to an ordinary top-k result, fetched deeper while the cap
        throws too many away, rather than with Whoosh's collapsing collector: that one
        scores every matching passage, where top-k skips blocks that cannot rank.
        """
        needed = request.offset + request.limit
        fetch = needed if request.per_article is None else 2 * needed
        doc_ids = self._searcher.reader().column_reader("doc_id")
        top = self._top_function(parsed, filter_query, request.explain)
        while True:
            results = top(fetch)
            if request.per_article is None:
                return results
            kept, seen = [], Counter()
            for result in results:
                doc_id = doc_ids[result.docnum]
                if seen[doc_id] < request.per_article:
                    seen[doc_id] += 1
                    kept.append(result)
                    if len(kept) == needed:
                        return kept
            if len(results) < fetch:
                return kept
            fetch *= 4

    def _top_function(self, parsed: wq.Query, filter_query: wq.Query | None, explain: bool):
        """A function from k to the k best passages: numpy BM25 for a bag of words on a
        large index (the common case, several times faster), Whoosh's matchers otherwise.
        Both rank alike; on a small index Whoosh is as quick and numpy's import is not."""
        summed = score_sum(parsed, SCORED_FIELDS) if filter_query is None and not explain else None
        if summed is not None and self._searcher.doc_count_all() >= VECTORIZED_FROM:
            from .vectorized import CollectionStats, top_documents  # numpy: 60 ms to import

            if self._stats is None:
                self._stats = CollectionStats(self._searcher)
            stats = self._stats

            def top(k: int) -> list[_Ranked]:
                ranked = top_documents(stats, summed, k)
                return [_Ranked(docnum, score) for docnum, score in ranked]

            return top

        def top_whoosh(k: int) -> list[_Ranked]:
            results = whoosh_top(self._searcher, parsed, k, filter_query=filter_query, terms=explain)
            return [_Ranked(r.docnum, r.score, tuple(r.matched_terms() or ()) if explain else ()) for r in results]

        return top_whoosh

    def _hit(self, rank: int, result: _Ranked, wanted: Wanted, explain: bool) -> Hit:
        fields = self._searcher.stored_fields(result.docnum)
        return Hit(
            rank=rank,
            doc_id=fields["doc_id"],
            title=fields.get("title", ""),
            source=fields.get("source") or None,
            date=fields.get("date_text") or None,
            score=float(result.score),
            passage=fields["text"],
            spans=highlight_spans(fields["text"], wanted),
            start=fields["start"],
            end=fields["end"],
            explanation=self._explain(result) if explain else (),
        )

    def _explain(self, result: _Ranked) -> tuple[TermScore, ...]:
        """Each matched term's own BM25F score in this passage, title and exact-form boosts included."""
        searcher = self._searcher
        context = searcher.context(weighting=searcher.weighting)
        scores = []
        for fieldname, text in sorted(result.matched_terms):
            if fieldname not in SCORED_FIELDS:
                continue
            word = text.decode("utf-8") if isinstance(text, bytes) else text
            boost = {"title": TITLE_BOOST, _SPELLING_FIELD: EXACT_BOOST}.get(fieldname, 1.0)
            matcher = wq.Term(fieldname, word, boost=boost).matcher(searcher, context)
            if matcher.is_active():
                matcher.skip_to(result.docnum)
            if matcher.is_active() and matcher.id() == result.docnum:
                scores.append(TermScore(fieldname, word, float(matcher.score())))
        return tuple(sorted(scores, key=lambda t: -t.score))

    def _suggestion(self, query: str) -> str | None:
        """The query with likely misspellings replaced by frequent indexed words, if any.

        Suggestions come from the unstemmed words of the passages: correcting stems would
        propose non-words.
        """
        reader = self._searcher.reader()
        corrected = query
        changed = False
        for match in _SUGGESTABLE_WORD.finditer(query):
            word = match.group().lower()
            if word in search_stopwords():
                continue
            seen = reader.doc_frequency(_SPELLING_FIELD, word)
            candidates = [
                c for c in self._searcher.suggest(_SPELLING_FIELD, word, limit=5, maxdist=2, prefix=1) if c != word
            ]
            best = max(candidates, key=lambda c: reader.doc_frequency(_SPELLING_FIELD, c), default=None)
            # Only a clearly more common word is a correction: the corpus's own typos
            # ("kemitraaan") are rare, the word meant ("kemitraan") is not.
            if best is not None and reader.doc_frequency(_SPELLING_FIELD, best) > 2 * seen:
                corrected = corrected.replace(match.group(), best, 1)
                changed = True
        return corrected if changed else None

    def _facets(self, docnums) -> dict[str, dict[str, int]]:
        """Matching articles per source and per year (each article counted once)."""
        reader = self._searcher.reader()
        doc_ids = reader.column_reader("doc_id")
        sources = reader.column_reader("source_name")
        years = reader.column_reader("year")
        articles: dict[str, tuple[str, str]] = {}
        for docnum in docnums:
            articles.setdefault(doc_ids[docnum], (sources[docnum] or "(none)", years[docnum] or "(none)"))
        facets: dict[str, dict[str, int]] = {"source": {}, "year": {}}
        for source, year in articles.values():
            facets["source"][source] = facets["source"].get(source, 0) + 1
            facets["year"][year] = facets["year"].get(year, 0) + 1
        return {name: dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))) for name, counts in facets.items()}
