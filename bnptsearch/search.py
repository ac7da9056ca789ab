"""Query parsing, ranking and result objects.

Ranking is BM25F over passage text and article title (title boosted), as an OR of the query
terms with a coordination bonus: passages matching more of the terms rank higher, so a
natural-language question works without the user writing AND. Whoosh's query syntax stays
available (AND/OR/NOT, "phrases", ``title:``, ``source:``), but wildcards are off: in a
question, ``?`` and ``*`` are punctuation.

>>> parse_query("Siapa yang menandatangani nota kesepahaman dengan BNPT?")  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh import scoring, sorting
from whoosh.qparser import OrGroup, QueryParser, WildcardPlugin
from whoosh.searching import Searcher as WhooshSearcher

from .acronyms import AcronymTable
from .analysis import analyze_tokens, join_compounds
from .errors import QueryError
from .highlight import merge_spans, render

__all__ = ["Hit", "SearchResults", "Searcher", "parse_query"]

MAX_QUERY_CHARS = 1000
# Ranking parameters, chosen on the retrieval benchmark (benchmarks/retrieval.py).
TITLE_BOOST = 2.0
COORDINATION = 0.9
BM25_B = 0.75
BM25_K1 = 1.2


@dataclass(frozen=True)
class Hit:
    """One ranked passage. ``spans`` are ``(start, end)`` ranges of matched words in ``passage``;
    ``start``/``end`` locate the passage in its article's clean body."""

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

    @property
    def highlighted(self) -> str:
        """The passage with matched words wrapped in ``**``."""
        return render(self.passage, self.spans)

    def to_dict(self) -> dict:
        """A JSON-ready dict, as ``bnptsearch query --json`` prints it."""
        return {
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


@dataclass(frozen=True)
class SearchResults:
    """The answer to one query: ``hits`` best first; ``terms`` are the analyzed query terms."""

    query: str
    hits: tuple[Hit, ...]
    terms: tuple[str, ...] = field(default=())
    expansions: tuple[str, ...] = field(default=())
    parsed: str = ""

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "expansions": list(self.expansions),
            "hits": [hit.to_dict() for hit in self.hits],
        }


def _parser(schema) -> QueryParser:
    # Parsed against "text" only; :func:`_across_fields` then searches each word in the title
    # too. Parsing per field directly would flatten the fields into one OR, so a word would
    # count twice for the coordination bonus and acronym runs could not be recognised.
    parser = QueryParser("text", schema, group=OrGroup.factory(COORDINATION) if COORDINATION else OrGroup)
    parser.remove_plugin_class(WildcardPlugin)
    return parser


def parse_query(text: str, schema, acronyms: AcronymTable | None = None) -> tuple[wq.Query, list[str]]:
    """Parses a user's query leniently, expanding acronyms when a table is given.

    Returns the query and the expansions made; raises :class:`QueryError` with a one-line
    reason for an empty, overlong or unparseable query.
    """
    if not text.strip():
        raise QueryError("empty query: type some words to search for")
    if len(text) > MAX_QUERY_CHARS:
        # Whoosh's parser slows down badly on very long inputs (seconds for 40 KB).
        raise QueryError(f"query too long ({len(text)} characters; the limit is {MAX_QUERY_CHARS})")
    try:
        parsed = _exclude_negations(_parser(schema).parse(join_compounds(text)))
    except Exception as error:  # noqa: BLE001 - the parser has no single error type
        raise QueryError(f"cannot parse query {text!r}: {error}") from None
    expansions: list[str] = []
    if acronyms is not None:
        parsed, expansions = expand_acronyms(parsed, acronyms)
    return _across_fields(parsed), expansions


def _across_fields(node: wq.Query) -> wq.Query:
    """Searches every plain word and phrase of the text field in the title as well."""
    if type(node) in (wq.Term, wq.Phrase) and node.fieldname == "text":
        title = node.copy()
        title.fieldname = "title"
        title.boost = node.boost * TITLE_BOOST
        # An OR (sum), not Whoosh's DisjunctionMax: its matcher returns documents that match
        # none of its subqueries in whoosh 2.7.
        return wq.Or([node, title])
    return node.apply(_across_fields)


def _exclude_negations(query: wq.Query) -> wq.Query:
    """Makes ``a b NOT c`` mean "a or b, but not c".

    With OR as the default group Whoosh reads it as ``a OR b OR (NOT c)``, which matches
    nearly everything; analysts mean exclusion.
    """
    if not isinstance(query, wq.CompoundQuery):
        return query
    query = query.apply(_exclude_negations)
    negated = [child.query for child in query.subqueries if isinstance(child, wq.Not)]
    positive = [child for child in query.subqueries if not isinstance(child, wq.Not)]
    if not isinstance(query, wq.Or) or not negated or not positive:
        return query
    query.subqueries = positive
    wanted = positive[0] if len(positive) == 1 else query
    unwanted = negated[0] if len(negated) == 1 else wq.Or(negated)
    return wq.AndNot(wanted, unwanted)


def _word_of(query: wq.Query) -> str | None:
    """The analyzed word a parsed node stands for, if it is one plain word of the text."""
    if type(query) is wq.Term and query.fieldname == "text":
        return query.text
    return None


def _words_query(words: tuple[str, ...]) -> wq.Query:
    return wq.Term("text", words[0]) if len(words) == 1 else wq.Phrase("text", list(words))


def expand_acronyms(query: wq.Query, table: AcronymTable) -> tuple[wq.Query, list[str]]:
    """Adds the other form of every acronym or long form the query contains.

    A run of query words that spells a rule's trigger becomes one clause "the words OR the
    alternative as a phrase", so "Rencana Aksi Nasional" also finds passages that only say
    "RAN PE", and the run counts once for the coordination bonus. Phrases and negated parts are left
    alone: the user asked for exactly those words.
    """
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
            rebuilt.append(wq.Or([*run, alternative]))
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


def positive_terms(query: wq.Query) -> set[str]:
    """Analyzed words the query looks for in text or title (negated parts excluded)."""
    if isinstance(query, wq.Not):
        return set()
    if isinstance(query, wq.AndNot):
        return positive_terms(query.a)
    if isinstance(query, wq.Phrase):
        return set(query.words) if query.fieldname in ("text", "title") else set()
    if isinstance(query, wq.Term):
        return {query.text} if query.fieldname in ("text", "title") else set()
    terms: set[str] = set()
    for child in query.children():
        terms |= positive_terms(child)
    return terms


def highlight_spans(passage: str, terms: set[str]) -> tuple[tuple[int, int], ...]:
    """Spans of the words in ``passage`` whose analyzed form is one of ``terms``: a query for
    "penangkapan" marks "ditangkap" because both become "tangkap"."""
    spans = [(t.start, t.end) for t in analyze_tokens(passage) if t.term in terms]
    return tuple(merge_spans(spans, passage))


class Searcher:
    """A Whoosh searcher with bnptsearch's ranking; :meth:`bnptsearch.Index.searcher` makes one."""

    def __init__(self, searcher: WhooshSearcher):
        self._searcher = searcher

    def refresh(self) -> None:
        """Moves to the latest committed state if the index changed.

        Whoosh's ``refresh()`` reuses the unchanged segment readers and releases the rest, so
        the old searcher must not be closed as well (that would close the shared readers).
        """
        self._searcher = self._searcher.refresh()

    def close(self) -> None:
        self._searcher.close()

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        per_article: int | None = None,
        acronyms: AcronymTable | None = None,
    ) -> SearchResults:
        if limit < 1:
            raise QueryError(f"limit must be at least 1, not {limit}")
        parsed, expansions = parse_query(query, self._searcher.schema, acronyms)
        terms = positive_terms(parsed)
        # Scoring parameters live here, not in the schema, so tuning them needs no rebuild.
        self._searcher.weighting = scoring.BM25F(B=BM25_B, K1=BM25_K1)
        collapse = {}
        if per_article is not None:
            collapse = {"collapse": sorting.FieldFacet("doc_id"), "collapse_limit": per_article}
        results = self._searcher.search(parsed, limit=limit, **collapse)
        hits = []
        for rank, result in enumerate(results, 1):
            fields = result.fields()
            hits.append(
                Hit(
                    rank=rank,
                    doc_id=fields["doc_id"],
                    title=fields.get("title", ""),
                    source=fields.get("source") or None,
                    date=fields.get("date") or None,
                    score=float(result.score),
                    passage=fields["text"],
                    spans=highlight_spans(fields["text"], terms),
                    start=fields["start"],
                    end=fields["end"],
                )
            )
        return SearchResults(
            query=query,
            hits=tuple(hits),
            terms=tuple(sorted(terms)),
            expansions=tuple(expansions),
            parsed=str(parsed),
        )
