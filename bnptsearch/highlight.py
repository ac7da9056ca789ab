"""Highlighting: which words of a passage a query matched (:func:`wanted_terms`,
:func:`highlight_spans`), and rendering those spans as plain markers, ANSI colour, or
escaped HTML.

Spans are ``(start, end)`` character ranges into the text, sorted and non-overlapping, as
:class:`bnptsearch.Hit` carries them.

>>> render("kerja sama BNPT", [(11, 15)])
'kerja sama **BNPT**'
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.reading import IndexReader

from .analysis import term_spans
from .schema import TEXT, TITLE

__all__ = [
    "ANSI_MARKERS",
    "PLAIN_MARKERS",
    "Wanted",
    "highlight_spans",
    "merge_spans",
    "render",
    "render_html",
    "wanted_terms",
]

PLAIN_MARKERS = ("**", "**")
ANSI_MARKERS = ("\x1b[1;33m", "\x1b[0m")


def merge_spans(spans: Sequence[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Joins spans separated only by spaces, so "RAN PE" is one highlight, not two.

    >>> merge_spans([(0, 3), (4, 6)], "RAN PE")
    [(0, 6)]
    """
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip(" ")):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _render(text: str, spans: Sequence[tuple[int, int]], mark: Callable[[str], str], plain: Callable[[str], str]) -> str:
    out = []
    cursor = 0
    for start, end in spans:
        out.append(plain(text[cursor:start]))
        out.append(mark(text[start:end]))
        cursor = end
    out.append(plain(text[cursor:]))
    return "".join(out)


def render(
    text: str, spans: Sequence[tuple[int, int]], markers: tuple[str, str] = PLAIN_MARKERS, escape: Callable[[str], str] = str
) -> str:
    """``text`` with each span wrapped in ``markers`` (``**`` by default, or ANSI codes), the
    text itself passed through ``escape`` (for a terminal, so only the markers are codes)."""
    before, after = markers
    return _render(text, spans, lambda s: f"{before}{escape(s)}{after}", escape)


def render_html(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` HTML-escaped, with spans in ``<mark>``: a passage with ``<script>`` shows as text.

    >>> render_html("<b> BNPT", [(4, 8)])
    '&lt;b&gt; <mark>BNPT</mark>'
    """
    return _render(text, spans, lambda s: f"<mark>{html.escape(s)}</mark>", html.escape)


@dataclass(frozen=True)
class Wanted:
    """What a query looks for in text and title, for highlighting: single words, and exact
    phrases (as analyzed terms) whose words count only where the whole phrase stands."""

    words: frozenset[str]
    phrases: frozenset[tuple[str, ...]]

    @property
    def terms(self) -> frozenset[str]:
        """Every analyzed term wanted, alone or in a phrase."""
        return self.words.union(*self.phrases)


def wanted_terms(query: wq.Query, reader: IndexReader) -> Wanted:
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
            if node.fieldname in (TEXT, TITLE) and node.slop <= 1:
                phrases.add(tuple(node.words))
            elif node.fieldname in (TEXT, TITLE):
                words.update(node.words)
        elif isinstance(node, wq.FuzzyTerm):
            if node.fieldname in (TEXT, TITLE):
                words.update(text for _, text in node.expanded_terms(reader))
        elif isinstance(node, wq.Term):
            if node.fieldname in (TEXT, TITLE):
                words.add(node.text)
        else:
            for child in node.children():
                walk(child)

    walk(query)
    return Wanted(frozenset(words), frozenset(phrases))


def highlight_spans(passage: str, wanted: Wanted) -> tuple[tuple[int, int], ...]:
    """Spans of the words in ``passage`` that the query matched: a query for "penangkapan"
    marks "ditangkap" (both become "tangkap"); a phrase is marked only where it stands whole.

    >>> highlight_spans("Polisi menangkap teroris", Wanted(frozenset({"tangkap"}), frozenset()))
    ((7, 16),)
    """
    tokens = term_spans(passage)
    spans = [(start, end) for term, start, end in tokens if term in wanted.words]
    terms = [term for term, _, _ in tokens]
    for phrase in wanted.phrases:
        size = len(phrase)
        for position in range(len(terms) - size + 1):
            if tuple(terms[position : position + size]) == phrase:
                spans.extend((start, end) for _, start, end in tokens[position : position + size])
    return tuple(merge_spans(sorted(set(spans)), passage))
