"""Property-based tests: arbitrary text and queries never break the analyzer or the search."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bnptsearch import BnptSearchError, Index, analyze, analyze_tokens
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
