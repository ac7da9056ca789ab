"""The query language: :class:`SearchRequest` (what a search asks, checked), parsing a
user's query into a Whoosh query (:func:`parse_query`) with its rewrites, acronym expansion
(:func:`expand_acronyms`), and the filter query of a request (:func:`filter_query`).

Queries are an OR of their words: a natural-language question works without the user
writing AND, and a passage matching more of its rare words scores higher. Whoosh's query
syntax stays available (AND/OR/NOT, "phrases", ``title:``, ``source:``), but wildcards are
off: in a question, ``?`` and ``*`` are punctuation.

>>> SearchRequest("teroris", since="2022").since_moment
datetime.datetime(2022, 1, 1, 0, 0)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from whoosh import query as wq
from whoosh.fields import Schema
from whoosh.qparser import FuzzyTermPlugin, OrGroup, QueryParser, WildcardPlugin

from .acronyms import AcronymTable, written_form
from .analysis import join_compounds, surface_words
from .dates import query_bound
from .errors import QueryError
from .ranking import DEFAULT_RANKING, BestField, RankingParams, Synonyms
from .schema import DATE, DOC_ID, KIND, SOURCE, TEXT, TITLE, UNDATED, UNDATED_TERM, WORDS

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_EXPANSIONS",
    "MAX_PASTED_CHARS",
    "MODES",
    "MAX_QUERY_CHARS",
    "SORTS",
    "SORT_ALIASES",
    "SearchRequest",
    "TermWeight",
    "TypoStems",
    "expand_acronyms",
    "filter_query",
    "parse_query",
    "undated_query",
    "without_definition_frame",
]

MAX_QUERY_CHARS = 1000
# Longer input is pasted text: searched as a like-this query of its most distinctive words
# (bnptsearch.search), up to this hard cap, beyond which it is refused.
MAX_PASTED_CHARS = 100_000
# The orders a search can return hits in: best first, or by the article's date.
SORTS = ("relevance", "newest", "oldest")
# Other spellings of SORTS: "date"/"-date" as command-line tools name sort keys. Accepted by
# SearchRequest (and so the CLI), which keeps the canonical name: the one place they map.
SORT_ALIASES = {"date": "oldest", "-date": "newest"}
# How passages are found: by words, by words and meaning fused (an index with passage
# vectors), or by meaning alone (the cosine of passage and query vectors).
MODES = ("lexical", "hybrid", "semantic")
# A fuzzy word or a range searches at most this many indexed terms, the most frequent first
# (Elasticsearch's ``max_expansions``): ``text:[a TO z]`` would otherwise OR together every
# term of the index, and each term is a matcher in memory.
MAX_EXPANSIONS = 50
# Seconds a search may run before it returns what it has found (SearchRequest.timeout).
DEFAULT_TIMEOUT = 5.0
# Fields a query may name (``title:teror``); the others are bookkeeping, and some belong to
# the per-article documents that must never be returned as passages.
_USER_FIELDS = (TEXT, TITLE, WORDS, SOURCE, DATE, DOC_ID)
_FIELD_PREFIX = re.compile(r"(?<![\w:])(\w+):")

# Given a word as typed, how many edits to allow and how many leading letters to keep, the
# stems of the indexed words that close to it, best first (the searcher looks them up in the
# unstemmed-word field).
TypoStems = Callable[[str, int, int], tuple[str, ...]]
# A term of the text field's weight in the index (its idf), for weighing an acronym against
# the words of its long form.
TermWeight = Callable[[str], float]



def _parser(schema) -> QueryParser:
    # Parsed against "text" only; :func:`_across_fields` then searches each word in the title
    # too. Parsing per field directly would flatten the fields into one OR, where the words
    # of an acronym's run could no longer be recognised.
    parser = QueryParser(TEXT, schema, group=OrGroup)
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
    text: str,
    schema: Schema,
    acronyms: AcronymTable | None = None,
    *,
    fuzzy: bool = False,
    ranking: RankingParams = DEFAULT_RANKING,
    typo_stems: TypoStems | None = None,
    term_weight: TermWeight | None = None,
) -> tuple[wq.Query, list[str]]:
    """Parses a user's query leniently, expanding acronyms when a table is given (weighed
    with ``term_weight``, see :func:`expand_acronyms`) and making every plain word
    typo-tolerant with ``fuzzy``. A definition question's frame ("apa yang
    dimaksud dengan") is dropped; each word is also searched in the title and, as typed, in
    the exact-word field, boosted by ``ranking``.

    Returns the query and the expansions made; raises :class:`QueryError` with a one-line
    reason for an empty, overlong or unparseable query.

    >>> from bnptsearch.schema import passage_schema
    >>> str(parse_query("teroris NOT bom", passage_schema())[0])
    '(((text:teror | title:teror^2.0) OR words:teroris^0.3) ANDNOT ((text:bom | title:bom^2.0) OR words:bom^0.3))'
    """
    _check_text(text, schema)
    joined = join_compounds(without_definition_frame(text))
    try:
        parsed = _parser(schema).parse(joined)
        # Whoosh turns a value it cannot read (``date:zzz``) into a query matching nothing.
        problem: object = next(_parse_errors(parsed, schema), None)
        if problem is None:
            parsed = _restrict_and_exclude(parsed)
    except Exception as error:  # noqa: BLE001 - the parser has no single error type
        problem = error
    if problem is not None:
        raise QueryError(f"cannot parse query {text!r}: {problem}")
    if parsed is wq.NullQuery and re.search(r"\w", joined):
        # Every word was dropped by the analyzer: say why rather than find nothing.
        raise QueryError(f"every word of {text.strip()!r} is a stopword; add a word that says what to find")
    expansions: list[str] = []
    if acronyms is not None:
        parsed, expansions = expand_acronyms(parsed, acronyms, joined, term_weight)
    parsed = _fuzzy(parsed, every_word=fuzzy, text=joined, typo_stems=typo_stems)
    return _across_fields(parsed, joined, ranking), expansions


def _check_text(text: str, schema: Schema) -> None:
    """Raises QueryError for a query that cannot be searched as written."""
    if not text.strip():
        raise QueryError("empty query: type some words to search for")
    if len(text) > MAX_QUERY_CHARS:
        # Whoosh's parser slows down badly on very long inputs (seconds for 40 KB).
        raise QueryError(f"query too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
    undecodable = _SURROGATE.search(text)
    if undecodable:
        # Python decodes bytes that are not UTF-8 in a command line to lone surrogates;
        # Whoosh cannot encode them back.
        raise QueryError(f"query is not valid UTF-8 text (at character {undecodable.start() + 1})")
    unclosed = _UNCLOSED_RANGE.search(text)
    if unclosed:
        # Whoosh would search "date:[2022 TO" as the words "2022" and "to".
        raise QueryError(f"unclosed range {unclosed.group()!r}: write it as date:[2022 TO 2023] or [a TO b]")
    for name in _FIELD_PREFIX.findall(text):
        if name in schema.names() and name not in _USER_FIELDS:
            raise QueryError(f"{name}: is not a field to search; use one of {', '.join(f + ':' for f in _USER_FIELDS)}")


_SURROGATE = re.compile("[\ud800-\udfff]")
# "field:[" or "{", or a bracket followed by "TO", that no bracket closes.
_UNCLOSED_RANGE = re.compile(r"(?:\w+:[\[{]|[\[{](?=[^\]}]*\bTO\b))[^\]}]*$")


def _parse_errors(node: wq.Query, schema: Schema) -> Iterator[str]:
    """The messages Whoosh attached to the parts of a parsed query it could not read, and
    the words it left for the search to fail on (a quoted date: ``date:"zzz"``)."""
    error = getattr(node, "error", None)
    if error is not None:
        yield str(error)
    if type(node) is wq.Term and node.fieldname in schema.names():
        try:
            schema[node.fieldname].to_bytes(node.text)
        except Exception as problem:  # noqa: BLE001 - Whoosh's fields raise bare Exception
            yield str(problem)
    if isinstance(node, wq.Phrase) and node.fieldname in schema.names():
        if not schema[node.fieldname].format.supports("positions"):
            yield f'{node.fieldname}: has no phrases; write the words without quotes'
    for child in node.children():
        yield from _parse_errors(child, schema)


def _max_edits(word: str) -> int:
    """The typos a fuzzy word tolerates: one, two for words of eight letters or more. The
    cap holds for ``word~N`` too: each edit allowed multiplies the terms the automaton visits
    (``word~9`` ran for minutes).

    >>> _max_edits("teror"), _max_edits("kesepahaman")
    (1, 2)
    """
    return 2 if len(word) >= 8 else 1


def _fuzzy(node: wq.Query, *, every_word: bool, text: str = "", typo_stems: TypoStems | None = None) -> wq.Query:
    """Makes fuzzy words (``word~``, or with ``every_word`` all plain words) match one edit
    away, two for long words.

    With ``typo_stems`` the word is matched as typed: a typo often breaks the stemmer
    ("terorsme" stems to "orsme", nowhere near "teror"), so fuzzy stems cannot find it,
    while the unstemmed "terorisme" is one edit away. Without it, or when no indexed word
    is close, fuzzy matching runs on stems, whose first letter is often where a typo lands
    after prefix stripping ("peyebaran" → "yebar" for "sebar"), so no prefix is fixed.
    """
    fuzzy_word = (every_word and type(node) is wq.Term) or isinstance(node, wq.FuzzyTerm)
    if fuzzy_word and node.fieldname == TEXT and typo_stems is not None and node.startchar is not None:
        typed = surface_words(text[node.startchar : node.endchar])
        if len(typed) == 1:
            word = typed[0]
            if isinstance(node, wq.FuzzyTerm):
                # `word~2/3` keeps 3 letters; a typed word keeps at least its first.
                maxdist, prefix = max(0, min(node.maxdist, _max_edits(word))), max(1, min(node.prefixlength, len(word)))
            else:
                maxdist, prefix = _max_edits(word), 1
            stems = typo_stems(word, maxdist, prefix)
            if stems:
                return Synonyms([wq.Term(TEXT, stem) for stem in stems], boost=node.boost)
    if every_word and type(node) is wq.Term and node.fieldname == TEXT:
        return wq.FuzzyTerm(TEXT, node.text, boost=node.boost, maxdist=_max_edits(node.text), prefixlength=0)
    if isinstance(node, wq.FuzzyTerm):
        # Whoosh's `word~` syntax fixes the first letter: free it for the same reason. A
        # prefix longer than the word (`ab~1/5`) would crash Whoosh's automaton: clamp it.
        prefix = 0 if node.prefixlength == 1 else min(node.prefixlength, len(node.text))
        maxdist = max(0, min(node.maxdist, _max_edits(node.text)))
        if (prefix, maxdist) != (node.prefixlength, node.maxdist):
            node = node.copy()
            node.prefixlength, node.maxdist = prefix, maxdist
        return node
    return node.apply(lambda child: _fuzzy(child, every_word=every_word, text=text, typo_stems=typo_stems))


def _across_fields(node: wq.Query, text: str, ranking: RankingParams) -> wq.Query:
    """Searches every plain word and phrase of the text field in the title as well (scored
    by the better of the two), and gives a plain word a small bonus where the passage has it
    exactly as typed."""
    if type(node) in (wq.Term, wq.Phrase) and node.fieldname == TEXT:
        title = node.copy()
        title.fieldname = TITLE
        title.boost = node.boost * ranking.title_boost
        alternatives: list[wq.Query] = [BestField([node, title])]
        if type(node) is wq.Term and node.startchar is not None:
            # The exact form ranks a passage saying "penangkapan" above one that only says
            # "ditangkap" for the query "penangkapan" (+0.005 nDCG@10 on TyDi, +0.003 on
            # FacQA; benchmarks/retrieval.py). Words from acronym expansion have no
            # position in the query, so they get no bonus.
            surface = surface_words(text[node.startchar : node.endchar])
            alternatives += [wq.Term(WORDS, word, boost=node.boost * ranking.exact_boost) for word in surface]
        # An OR (sum), not Whoosh's DisjunctionMax: its matcher returns documents that match
        # none of its subqueries in whoosh 2.7.
        return wq.Or(alternatives) if len(alternatives) > 1 else alternatives[0]
    return node.apply(lambda child: _across_fields(child, text, ranking))


_ALL_PASSAGES = wq.Term(KIND, "passage")
# Clauses on these fields narrow the results rather than add alternatives to rank.
_RESTRICTING_FIELDS = frozenset({DATE, SOURCE, DOC_ID})


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
    if isinstance(query, wq.Not):
        return wq.AndNot(_ALL_PASSAGES, query.query)
    # A negation left inside another operator (``NOT a ANDNOT b``) still matches documents
    # with none of the query's words: the article documents among them.
    return wq.Require(query, _ALL_PASSAGES) if _matches_without_terms(query) else query


def _matches_without_terms(query: wq.Query) -> bool:
    """Whether ``query`` can match a document that has none of its terms (only a negation
    or "everything" can)."""
    if isinstance(query, (wq.Not, wq.Every)):
        return True
    if isinstance(query, (wq.And, wq.Require)):
        return all(_matches_without_terms(child) for child in query.children())
    if isinstance(query, (wq.AndNot, wq.AndMaybe)):
        return _matches_without_terms(query.a)
    if isinstance(query, wq.CompoundQuery):
        return any(_matches_without_terms(child) for child in query.children())
    return False


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
    if type(query) is wq.Term and query.fieldname == TEXT:
        return query.text
    return None


def _words_query(words: tuple[str, ...]) -> wq.Query:
    return wq.Term(TEXT, words[0]) if len(words) == 1 else wq.Phrase(TEXT, list(words))


def expand_acronyms(
    query: wq.Query, table: AcronymTable, text: str = "", term_weight: TermWeight | None = None
) -> tuple[wq.Query, list[str]]:
    """Adds the other form of every acronym or long form the query contains.

    A run of query words that spells a rule's trigger becomes :class:`Synonyms` of "the
    words" and "the alternative as a phrase", so "Rencana Aksi Nasional" also finds passages
    that only say "RAN PE". Phrases and negated parts are left alone: the user asked for
    exactly those words. ``text`` is the query the nodes were parsed from: a long form must be
    written as it is in the query, not merely share its stems.

    With ``term_weight`` (each term's idf), the alternative is boosted to weigh what the words
    typed weigh: an acronym found scores about as the long form written out would. Without
    it, by the count of words.
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
            alternative.boost = _alternative_boost(rule.trigger, rule.alternative, term_weight)
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


def _alternative_boost(typed: tuple[str, ...], alternative: tuple[str, ...], term_weight: TermWeight | None) -> float:
    """The boost that makes ``alternative`` (an acronym or a long form) score like the words
    ``typed``: a phrase scores about the sum of its words' idf, so the ratio of the summed idfs.

    By the count of words alone (at most 1), "FKPT" scored as one rare word, and a passage
    with "koordinasi", "pencegahan" and "terorisme" scattered about beat 001's passage naming
    the Forum Koordinasi Pencegahan Terorisme by its acronym.

    >>> _alternative_boost(("a", "b"), ("ab",), {"a": 2.0, "b": 3.0, "ab": 4.0}.get)
    1.25
    >>> _alternative_boost(("ab",), ("a", "b"), None)
    0.5
    """
    if term_weight is None:
        return min(1.0, len(typed) / len(alternative))
    return sum(map(term_weight, typed)) / (sum(map(term_weight, alternative)) or 1.0)


@dataclass(frozen=True)
class SearchRequest:
    """Everything :meth:`bnptsearch.Index.search` was asked, checked and ready to run."""

    query: str
    limit: int = 10
    offset: int = 0
    per_article: int | None = 3
    expand: bool = True
    # True: every word tolerates a typo or two. None (default): a word that matches nothing
    # is replaced by the closest indexed word, as web search does ("showing results for",
    # SearchResults.corrected). False: words are searched exactly as typed, with a suggestion.
    fuzzy: bool | None = None
    sources: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    doc_ids: tuple[str, ...] = ()
    facets: bool = False
    explain: bool = False
    count: bool = False
    ranking: RankingParams = DEFAULT_RANKING
    # "relevance" (best first), "newest" or "oldest" (articles without a date last); "-date"
    # and "date" are accepted for the latter two (SORT_ALIASES).
    sort: str = "relevance"
    # With ``since``/``until``, also keep articles that have no date (by default they are
    # left out, and SearchResults.undated says how many matched).
    include_undated: bool = False
    # An article id: also search for (or, with an empty ``query``, only for) passages like
    # that article's, the article itself left out ("more like this").
    like: str | None = None
    # ``limit`` and ``offset`` count articles (each with up to ``per_article`` passages).
    by_article: bool = False
    # Seconds before the search returns what it has found (``results.timed_out``); None: no limit.
    timeout: float | None = DEFAULT_TIMEOUT
    # One of MODES; None: "hybrid" where the index has passage vectors, else "lexical".
    mode: str | None = None
    # ``since``/``until`` as the first and last moment they name, parsed once on creation.
    since_moment: datetime | None = field(init=False, repr=False, compare=False)
    until_moment: datetime | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Callers may pass any sequence; a frozen request keeps tuples.
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "doc_ids", tuple(self.doc_ids))
        object.__setattr__(self, "sort", SORT_ALIASES.get(self.sort, self.sort))
        if len(self.query) > MAX_PASTED_CHARS:
            raise QueryError(f"query too long ({len(self.query):,} characters; pasted text is limited to {MAX_PASTED_CHARS:,})")
        if self.limit < 1:
            raise QueryError(f"limit must be at least 1, not {self.limit}")
        if self.offset < 0:
            raise QueryError(f"offset cannot be negative ({self.offset})")
        if self.sort not in SORTS:
            raise QueryError(f"sort must be one of {', '.join(SORTS)} (or {', '.join(SORT_ALIASES)}), not {self.sort!r}")
        if self.mode is not None and self.mode not in MODES:
            raise QueryError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.per_article is not None and self.per_article < 1:
            raise QueryError(f"per_article must be at least 1, not {self.per_article}")
        if self.timeout is not None and not self.timeout > 0:
            raise QueryError(f"timeout must be a positive number of seconds, not {self.timeout}")
        since, until = query_bound(self.since, "since", end=False), query_bound(self.until, "until", end=True)
        object.__setattr__(self, "since_moment", since)
        object.__setattr__(self, "until_moment", until)
        if since and until and since > until:
            raise QueryError(f"since ({self.since}) is after until ({self.until})")


def filter_query(request: SearchRequest, schema: Schema) -> wq.Query | None:
    """The restrictions of ``request`` (sources, dates, article ids) as one query, or None.

    >>> from bnptsearch.schema import passage_schema
    >>> str(filter_query(SearchRequest("x", sources=("CNN Banten",), doc_ids=("d1",)), passage_schema()))
    '((source:"cnn banten") AND (doc_id:d1))'
    """
    dates = None
    if request.since_moment or request.until_moment:
        dates = wq.DateRange(DATE, request.since_moment, request.until_moment)
        if request.include_undated:
            dates = wq.Or([dates, _UNDATED])
    return _restrictions(request, schema, dates)


def undated_query(request: SearchRequest, schema: Schema) -> wq.Query | None:
    """The passages that the date bounds of ``request`` leave out for having no date (but
    that meet its other restrictions), or None when no undated passage is left out.

    >>> from bnptsearch.schema import passage_schema
    >>> str(undated_query(SearchRequest("x", since="2022", doc_ids=("d1",)), passage_schema()))
    '(undated:yes AND (doc_id:d1))'
    >>> undated_query(SearchRequest("x", since="2022", include_undated=True), passage_schema()) is None
    True
    """
    if request.include_undated or not (request.since_moment or request.until_moment):
        return None
    return _restrictions(request, schema, _UNDATED)


# Passages without a date: of an article whose file or record states none.
_UNDATED = wq.Term(UNDATED, UNDATED_TERM)


def _restrictions(request: SearchRequest, schema: Schema, dates: wq.Query | None) -> wq.Query | None:
    """The sources and article ids of ``request`` and ``dates``, as one query or None."""
    clauses: list[wq.Query] = []
    if request.sources:
        analyzer = schema[SOURCE].analyzer
        per_source = []
        for source in request.sources:
            words = [t.text for t in analyzer(source)]
            if words:
                per_source.append(wq.Term(SOURCE, words[0]) if len(words) == 1 else wq.Phrase(SOURCE, words))
        clauses.append(wq.Or(per_source) if per_source else wq.NullQuery)
    if dates is not None:
        clauses.append(dates)
    if request.doc_ids:
        clauses.append(wq.Or([wq.Term(DOC_ID, doc_id) for doc_id in request.doc_ids]))
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else wq.And(clauses)
