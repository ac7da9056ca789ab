"""Serialising search results: text, JSON, JSON lines, CSV, a self-contained HTML page, TREC.

Pure functions from :class:`~bnptsearch.search.SearchResults` to strings; the CLI picks one.

>>> print(to_trec(results, "q1"))          # doctest: +SKIP
q1 Q0 004_712c4dcd13143a1e 1 14.6612 bnptsearch
"""

from __future__ import annotations

import csv
import html
import io
import json
import textwrap

from .highlight import PLAIN_MARKERS, render, render_html
from .search import Hit, SearchResults

__all__ = ["FORMATS", "to_csv", "to_html", "to_json", "to_jsonl", "to_text", "to_trec"]

FORMATS = ("text", "json", "jsonl", "csv", "html", "trec")


def _meta_line(hit: Hit) -> str:
    return " · ".join(part for part in (hit.source, hit.date, hit.doc_id, f"score {hit.score:.2f}") if part)


def _explanation(hit: Hit) -> str:
    terms = ", ".join(f"{t.field}:{t.term} {t.score:.2f}" for t in hit.explanation)
    return f"matched: {terms}" if terms else "matched: (no scoring terms)"


def to_text(
    results: SearchResults,
    *,
    markers: tuple[str, str] = PLAIN_MARKERS,
    width: int = 100,
    by_article: bool = False,
    bold: tuple[str, str] = ("", ""),
) -> str:
    """Human-readable results: a header line, then each hit (or each article with its hits)."""
    lines = []
    if results.suggestion:
        lines.append(f"Did you mean: {results.suggestion}?")
    if not results.hits:
        lines.append(f"No passages match {results.query!r}." if not results.offset else "No more results.")
        return "\n".join(lines) + "\n"
    first, last = results.offset + 1, results.offset + len(results.hits)
    lines.append(f"Passages {first}–{last} of {results.total} matching {results.query!r}")
    lines.append("")

    def passage_lines(hit: Hit, indent: str) -> list[str]:
        text = " ".join(render(hit.passage, hit.spans, markers).split())
        out = textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent)
        if hit.explanation:
            out.append(f"{indent}{_explanation(hit)}")
        return out

    if by_article:
        for number, article in enumerate(results.by_article(), 1):
            meta = " · ".join(part for part in (article.source, article.date, article.doc_id) if part)
            lines.append(f"{bold[0]}{number}. {article.title or article.doc_id}{bold[1]}")
            lines.append(f"   {meta}")
            for hit in article.hits:
                lines.append(f"   [{hit.rank}] score {hit.score:.2f}")
                lines.extend(passage_lines(hit, "     "))
            lines.append("")
    else:
        for hit in results.hits:
            lines.append(f"{bold[0]}{hit.rank}. {hit.title or hit.doc_id}{bold[1]}")
            lines.append(f"   {_meta_line(hit)}")
            lines.extend(passage_lines(hit, "   "))
            lines.append("")
    if results.facets:
        for name, counts in results.facets.items():
            lines.append(f"{name}: " + ", ".join(f"{value} ({count})" for value, count in counts.items()))
    return "\n".join(lines).rstrip("\n") + "\n"


def to_json(results: SearchResults, *, parsed: bool = False) -> str:
    """One JSON object: query, total, expansions, suggestion, hits (and facets)."""
    data = results.to_dict()
    if parsed:
        data["parsed"] = results.parsed
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def to_jsonl(results: SearchResults) -> str:
    """One JSON object per hit, each carrying the query: easy to stream into other tools."""
    return "".join(
        json.dumps({"query": results.query, **hit.to_dict()}, ensure_ascii=False) + "\n" for hit in results.hits
    )


CSV_COLUMNS = ("rank", "doc_id", "title", "source", "date", "score", "passage", "highlighted")


def to_csv(results: SearchResults) -> str:
    """A header row and one row per hit (spreadsheet-friendly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for hit in results.hits:
        row = hit.to_dict()
        writer.writerow([row[column] if row[column] is not None else "" for column in CSV_COLUMNS])
    return buffer.getvalue()


def to_trec(results: SearchResults, qid: str, tag: str = "bnptsearch") -> str:
    """TREC run lines ``qid Q0 doc_id rank score tag``."""
    return "".join(f"{qid} Q0 {hit.doc_id} {hit.rank} {hit.score:.4f} {tag}\n" for hit in results.hits)


_PAGE = """<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
.hit {{ border-top: 1px solid #ddd; padding: .75rem 0; }}
.meta {{ color: #555; font-size: .9rem; }}
mark {{ background: #ffe066; padding: 0 .1em; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="meta">{summary}</p>
{hits}
</body>
</html>
"""


def to_html(results: SearchResults) -> str:
    """A self-contained HTML page; all article text is escaped, matches are in ``<mark>``."""
    hits = []
    for hit in results.hits:
        meta = html.escape(_meta_line(hit))
        hits.append(
            f'<div class="hit"><h2>{hit.rank}. {html.escape(hit.title or hit.doc_id)}</h2>'
            f'<p class="meta">{meta}</p><p>{render_html(hit.passage, hit.spans)}</p></div>'
        )
    summary = f"{results.total} matching passages"
    if results.suggestion:
        summary += f" · Did you mean: {html.escape(results.suggestion)}?"
    return _PAGE.format(
        title=html.escape(f"bnptsearch: {results.query}"), summary=summary, hits="\n".join(hits) or "<p>No passages match.</p>"
    )
