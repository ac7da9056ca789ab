"""Renderers of highlight spans."""

from __future__ import annotations

from bnptsearch.highlight import ANSI_MARKERS, merge_spans, render, render_html


def test_plain_and_ansi_markers() -> None:
    assert render("RAN PE di Banten", [(0, 6), (10, 16)]) == "**RAN PE** di **Banten**"
    assert render("Banten", [(0, 6)], ANSI_MARKERS) == "\x1b[1;33mBanten\x1b[0m"


def test_html_escapes_passage_text() -> None:
    out = render_html("<script>alert(1)</script> BNPT", [(26, 30)])
    assert "<script>" not in out
    assert out.endswith("<mark>BNPT</mark>")


def test_merge_spans_joins_neighbours_only_across_spaces() -> None:
    text = "RAN PE, Banten"
    assert merge_spans([(4, 6), (0, 3), (8, 14)], text) == [(0, 6), (8, 14)]
