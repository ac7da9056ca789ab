"""Property-based tests: arbitrary text and queries never break the analyzer or the search.

:data:`query_syntax` generates the query language's shapes (operators, fields, ranges, fuzzy
words, proximity, wildcards, unbalanced brackets and quotes, control characters, bytes that
are not UTF-8) so such queries are generated rather than hand-picked; every one must give
results or a :class:`~bnptsearch.QueryError`. ``benchmarks/fuzz_queries.py`` runs the same
strategy for a large campaign.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bnptsearch import BnptSearchError, Index, QueryError, analyze, analyze_tokens
from bnptsearch.highlight import render

# Text with the characters that matter here: letters (Latin and others), digits, hyphens,
# dashes, quotes, query syntax and whitespace.
_ALPHABET = st.sampled_from(list("aeiouknrstgpmbBNPTRAN-–—'’\"()[]{}:^~*?!&|/\\ \n\t0123456789éßالعربية"))
texts = st.one_of(st.text(max_size=200), st.text(_ALPHABET, max_size=200))
queries = st.one_of(
    texts,
    st.lists(
        st.sampled_from(["BNPT", "AND", "OR", "NOT", '"', "(", ")", "title:", "source:", "date:[2022 TO", "~", "^2", "kerja", "sama", "?", "*"]),
        max_size=8,
    ).map(" ".join),
)


@given(texts)
@settings(max_examples=300, deadline=None)
def test_analyzer_never_fails_and_spans_fit(text: str) -> None:
    terms = analyze(text)
    tokens = analyze_tokens(text)
    assert terms == [t.term for t in tokens if t.term is not None]
    for token in tokens:
        assert 0 <= token.start < token.end <= len(text)
        assert text[token.start : token.end] == token.surface


@given(queries)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_search_raises_only_our_errors_and_spans_cover_matches(seed_index: Index, query: str) -> None:
    try:
        results = seed_index.search(query, limit=5, facets=True)
    except BnptSearchError:
        return
    for hit in results.hits:
        previous_end = 0
        for start, end in hit.spans:
            assert previous_end <= start < end <= len(hit.passage)
            previous_end = end
        assert render(hit.passage, hit.spans).replace("**", "") == hit.passage


# -- the query language ------------------------------------------------------------------

_WORD = st.sampled_from(
    ["teroris", "BNPT", "kerja", "sama", "Banten", "pemberantasanterorisme", "polisi", "a", "TO", "2022", "x-y", "é"]
)
# Characters that are not plain text: C0/C1 controls, format characters, lone surrogates (what
# Python decodes bytes that are not UTF-8 in a command line to), and query syntax.
_ODD_CHAR = st.one_of(
    st.characters(categories=["Cc", "Cf", "Cs", "Zl", "Zp"]),
    st.sampled_from(list('\\"\'()[]{}:^~*?!+-/<>=&|')),
)
_NOT_UTF8 = st.binary(min_size=1, max_size=12).map(lambda data: data.decode("utf-8", "surrogateescape"))
_NUMBER = st.one_of(st.integers(-3, 12).map(str), st.sampled_from(["", "0.5", "1e400", "-", "x"]))
_DATE = st.sampled_from(["2022", "2022-03", "2022-03-23", "2022-13", "20220323", "zzz", "", "*", "a", "1900", "9999-12-31"])
_FIELD = st.sampled_from(["", "", "title:", "source:", "date:", "doc_id:", "unknown:", "text:", "words:", "kind:", "pid:", ":"])


def _fuzzy(word: str, distance: str, prefix: str | None) -> str:
    return f"{word}~{distance}" + (f"/{prefix}" if prefix is not None else "")


_TERM = st.one_of(
    _WORD,
    st.builds(_fuzzy, _WORD, _NUMBER, st.none() | _NUMBER),
    st.builds(lambda word, boost: f"{word}^{boost}", _WORD, _NUMBER),
    st.builds(lambda word, wild: word + wild, _WORD, st.sampled_from(["*", "?", "*?", "[a-z]"])),
    st.builds(lambda words, slop: '"' + " ".join(words) + '"' + slop, st.lists(_WORD, max_size=3), st.sampled_from(["", "~", "~3", "~-1", "~99999"])),
    st.builds(
        lambda opening, start, end, closing: f"{opening}{start} TO {end}{closing}",
        st.sampled_from(["[", "{"]),
        _DATE | _WORD,
        _DATE | _WORD,
        st.sampled_from(["]", "}", "", ")"]),
    ),
    st.builds(lambda word, odd: word + odd, _WORD, st.text(_ODD_CHAR, min_size=1, max_size=4)),
    _NOT_UTF8,
    st.sampled_from(["*", "*:*", "()", '"', "(", ")", "NOT", "AND", "'"]),
)
_CLAUSE = st.builds(lambda negated, field, term: negated + field + term, st.sampled_from(["", "", "NOT ", "-", "+"]), _FIELD, _TERM)
_OPERATOR = st.sampled_from([" ", " AND ", " OR ", " NOT ", " ANDNOT ", " ANDMAYBE ", " && ", " || "])
query_syntax = st.recursive(
    _CLAUSE,
    lambda inner: st.one_of(
        st.builds(lambda a, op, b: a + op + b, inner, _OPERATOR, inner),
        inner.map(lambda q: f"({q})"),
        inner.map(lambda q: f"({q}"),
        inner.map(lambda q: f"{q})"),
        inner.map(lambda q: f"NOT {q}"),
    ),
    max_leaves=8,
)
search_options = st.fixed_dictionaries(
    {},
    optional={
        "fuzzy": st.sampled_from([None, True, False]),
        "expand": st.booleans(),
        "facets": st.booleans(),
        "explain": st.booleans(),
        "count": st.booleans(),
        "per_article": st.sampled_from([None, 1, 3]),
        "limit": st.sampled_from([1, 5, 50]),
    },
)


@given(query_syntax, search_options)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_query_gives_results_or_a_query_error(seed_index: Index, query: str, options: dict) -> None:
    try:
        results = seed_index.search(query, **options)
    except QueryError as error:
        assert "\n" not in str(error)
        return
    for hit in results.hits:
        # Never one of the per-article bookkeeping documents.
        assert hit.doc_id and hit.passage
