"""Rendering highlight spans: plain markers, ANSI colour, or escaped HTML.

Spans are ``(start, end)`` character ranges into the text, sorted and non-overlapping, as
:class:`bnptsearch.Hit` carries them. Nothing here knows about Whoosh or the analyzer.

>>> render("kerja sama BNPT", [(11, 15)])
'kerja sama **BNPT**'
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

__all__ = ["ANSI_MARKERS", "PLAIN_MARKERS", "merge_spans", "render", "render_html"]

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


def render(text: str, spans: Sequence[tuple[int, int]], markers: tuple[str, str] = PLAIN_MARKERS) -> str:
    """``text`` with each span wrapped in ``markers`` (``**`` by default, or ANSI codes)."""
    before, after = markers
    return _render(text, spans, lambda s: f"{before}{s}{after}", str)


def render_html(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` HTML-escaped, with spans in ``<mark>``: a passage with ``<script>`` shows as text.

    >>> render_html("<b> BNPT", [(4, 8)])
    '&lt;b&gt; <mark>BNPT</mark>'
    """
    return _render(text, spans, lambda s: f"<mark>{html.escape(s)}</mark>", html.escape)
