"""Everything the ``bnptsearch`` command prints, in one registry of formatters.

:data:`FORMATTERS` maps ``(command, format)`` to a function from the command's answer (search
results, an article, index details, analyzed tokens) and a :class:`View` to the text to
print. Search results have six formats: text, JSON, JSON lines, CSV, a self-contained HTML
page, and TREC run lines; :func:`results_to_dict` is their one JSON shape.

Text output shows control characters from articles escaped
(:func:`bnptsearch.terminal.escape_controls`); JSON escapes them as JSON does.

>>> hit = Hit(1, "004_712c", "Judul", None, None, 14.66123, "teks", (), 0, 4)
>>> print(format_output("query", "trec", SearchResults("q", (hit,)), View(qid="q1")), end="")
q1 Q0 004_712c 1 14.6612 bnptsearch
>>> print(to_text(SearchResults("teroris", ())), end="")
No passages match 'teroris'.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .analysis import AnalyzedToken
from .corpus import Article
from .highlight import PLAIN_MARKERS, render, render_html
from .results import NONE_LABEL, ArticlePage, Hit, SearchResults
from .terminal import escape_controls

if TYPE_CHECKING:
    from .index import IndexInfo
    from .store import CheckReport

__all__ = [
    "FORMATS",
    "FORMATTERS",
    "View",
    "format_output",
    "wrap_visible",
    "formats_of",
    "hit_to_dict",
    "results_to_dict",
    "to_csv",
    "to_html",
    "to_json",
    "to_jsonl",
    "to_text",
    "to_trec",
]


@dataclass(frozen=True)
class View:
    """How the command presents an answer: the terminal's markers, width and bold for text;
    results grouped per article; the parsed query in JSON; the query id of TREC lines."""

    markers: tuple[str, str] = PLAIN_MARKERS
    width: int = 100
    by_article: bool = False
    bold: tuple[str, str] = ("", "")
    parsed: bool = False
    qid: str = "1"


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    """A hit as JSON-ready data, as ``bnptsearch query --json`` prints it.

    >>> hit_to_dict(Hit(1, "d1", "T", None, None, 1.23456, "a b", ((0, 1),), 0, 3))["highlighted"]
    '**a** b'
    """
    data: dict[str, Any] = {
        "rank": hit.rank,
        "doc_id": hit.doc_id,
        "title": hit.title,
        "source": hit.source,
        "date": hit.date,
        "author": hit.author,
        "url": hit.url,
        "page": hit.page,
        "score": round(hit.score, 4),
        "passage": hit.passage,
        "highlighted": hit.highlighted,
        "spans": [list(span) for span in hit.spans],
    }
    if hit.explanation:
        data["explanation"] = [{"field": t.field, "term": t.term, "score": round(t.score, 4)} for t in hit.explanation]
    if hit.semantic_only:
        data["semantic_only"] = True
    if hit.lexical_score is not None or hit.cosine is not None:
        data["lexical_score"] = None if hit.lexical_score is None else round(hit.lexical_score, 4)
        data["cosine"] = None if hit.cosine is None else round(hit.cosine, 4)
    if hit.factors:
        data["factors"] = [{"name": f.name, "factor": round(f.factor, 4)} for f in hit.factors]
    return data


def results_to_dict(results: SearchResults) -> dict[str, Any]:
    """Search results as JSON-ready data: query, total, offset, expansions, suggestion,
    undated, sort, articles (how many match), grouped (passages hidden by the per-article
    cap), hits (and facets when asked for).

    >>> results_to_dict(SearchResults("teroris", ()))["total"] is None
    True
    """
    data: dict[str, Any] = {
        "query": results.query,
        "total": results.total,
        "offset": results.offset,
        "expansions": list(results.expansions),
        "suggestion": results.suggestion,
        "corrected": results.corrected,
        "timed_out": results.timed_out,
        "notes": list(results.notes),
        "undated": results.undated,
        "sort": results.sort,
        "mode": results.mode,
        "articles": results.articles,
        "grouped": results.grouped,
        "hits": [hit_to_dict(hit) for hit in results.hits],
    }
    if results.facets is not None:
        data["facets"] = results.facets
    return data


# json.dumps escapes C0 controls but leaves DEL, C1 controls and lone surrogates raw; each is
# only ever inside a JSON string, where its \u escape means the same.
_UNESCAPED_BY_JSON = re.compile("[\x7f-\x9f\ud800-\udfff]")


def _dumps(data: object, indent: int | None = None) -> str:
    r"""JSON text with no control character left raw, safe for a terminal.

    >>> print(_dumps({"t": "a\x1b\x9b"}))
    {"t": "a\u001b\u009b"}
    """
    text = json.dumps(data, ensure_ascii=False, indent=indent)
    return _UNESCAPED_BY_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _json(data: object) -> str:
    return _dumps(data, indent=2) + "\n"


def _page(results: SearchResults) -> str:
    """"Passages 1–10" (or "Articles 1–3" when the page counts articles): the hits' place
    among all matches.

    >>> _page(SearchResults("q", (), offset=10))
    'Passages 11–10'
    """
    if results.article_page:
        return f"Articles {results.offset + 1}–{results.offset + len(results.by_article())}"
    return f"Passages {results.offset + 1}–{results.offset + len(results.hits)}"


def _asked(results: SearchResults, verb: str = "matching") -> str:
    """What the results answer: "matching 'q'", "like d1", or both.

    >>> _asked(SearchResults("", (), like="d1"))
    'like d1'
    """
    like = f"like {results.like}" if results.like else ""
    searched = results.corrected or results.query
    if not searched.strip():
        return like
    return f"{verb} {searched!r}" + (f" or {like}" if like else "")


def _header(results: SearchResults) -> str:
    """The first line of a result page: where the page is among what the user can page
    through (passages hidden by the per-article cap are counted apart).

    >>> _header(SearchResults("q", (), total=10, grouped=6))
    "Passages 1–0 of 4 matching 'q' (6 more passages of the same articles grouped away; --per-article 0 shows them)"
    >>> _header(SearchResults("q", (), total=10, mode="hybrid"))
    "Passages 1–0 matching 'q' (hybrid search; 10 passages match its words)"
    """
    if results.article_page:
        of_total = f" of {results.articles}" if results.articles is not None else ""
        return f"{_page(results)}{of_total} {_asked(results)}"
    if results.total is None:  # known only when the search counted (``count=True`` or facets)
        return f"{_page(results)} {_asked(results)}"
    if results.mode != "lexical":
        # Meaning finds passages without the query's words: the count is of word matches only.
        return f"{_page(results)} {_asked(results)} ({results.mode} search; {results.total} passages match its words)"
    grouped = results.grouped or 0
    line = f"{_page(results)} of {results.total - grouped} {_asked(results)}"
    if grouped:
        passages = "passage" if grouped == 1 else "passages"
        line += f" ({grouped} more {passages} of the same articles grouped away; --per-article 0 shows them)"
    return line


# A terminal colour code: it takes no column on screen.
_ANSI_CODE = re.compile(r"\x1b\[[0-9;]*m")


def wrap_visible(text: str, width: int, indent: str = "") -> list[str]:
    """``text`` in lines of at most ``width`` columns as the terminal shows them (colour
    codes take none), each starting with ``indent``, broken between words only: a word
    longer than a line gets a line of its own.

    >>> wrap_visible("\\x1b[1mKepala\\x1b[0m BNPT hadir", 12, "  ")
    ['  \\x1b[1mKepala\\x1b[0m', '  BNPT hadir']
    """
    lines: list[str] = []
    words: list[str] = []
    used = len(indent)
    for word in text.split():
        length = len(_ANSI_CODE.sub("", word))
        if words and used + 1 + length > width:
            lines.append(indent + " ".join(words))
            words, used = [], len(indent)
        used += length + (1 if words else 0)
        words.append(word)
    if words:
        lines.append(indent + " ".join(words))
    return lines


def _page_label(page: int | None) -> str | None:
    return f"p. {page}" if page is not None else None


def _meta_line(hit: Hit, *, url: bool = True) -> str:
    """"source · by author · date · doc_id · p. 3 · score 1.23 · url": what is known of a
    hit's article. Metadata comes from the files as their authors wrote it: control
    characters are shown escaped, so an escape sequence in a title or url cannot drive the
    user's terminal."""
    parts = (
        hit.source,
        _author_label(hit.author),
        hit.date,
        hit.doc_id,
        _page_label(hit.page),
        f"score {hit.score:.2f}",
        hit.url if url else None,
    )
    return escape_controls(" · ".join(part for part in parts if part))


def _author_label(author: str | None) -> str | None:
    return f"by {author}" if author else None


def _undated_note(results: SearchResults) -> str | None:
    """The line saying how many undated articles the date bounds left out, if any.

    >>> _undated_note(SearchResults("q", (), undated=3))
    '3 undated articles match too; --include-undated shows them'
    """
    if not results.undated:
        return None
    if results.undated == 1:
        return "1 undated article matches too; --include-undated shows it"
    return f"{results.undated} undated articles match too; --include-undated shows them"


def _explanation(hit: Hit) -> str:
    terms = ", ".join(f"{t.field}:{escape_controls(t.term)} {t.score:.2f}" for t in hit.explanation)
    factors = "".join(f"; {f.name} ×{f.factor:.2f}" for f in hit.factors)
    return (f"matched: {terms}" if terms else "matched: (no scoring terms)") + factors


# Shown with a hit found by meaning alone, where a reader would look for highlights.
SEMANTIC_ONLY_NOTE = "found by meaning: no query word to highlight"


def _fusion_line(hit: Hit) -> str:
    """The scores a hybrid hit's score fused, for ``--explain``.

    >>> _fusion_line(Hit(1, "d", "", None, None, 0.75, "", (), 0, 0, lexical_score=None, cosine=0.8312))
    'words: (not a word match) · cosine 0.831 · fused 0.750'
    """
    words = "(not a word match)" if hit.lexical_score is None else f"{hit.lexical_score:.2f}"
    cosine = "(no vector yet)" if hit.cosine is None else f"{hit.cosine:.3f}"
    return f"words: {words} · cosine {cosine} · fused {hit.score:.3f}"


def to_text(
    results: SearchResults,
    *,
    markers: tuple[str, str] = PLAIN_MARKERS,
    width: int = 100,
    by_article: bool = False,
    bold: tuple[str, str] = ("", ""),
) -> str:
    """Human-readable results: a header line, then each hit (or each article with its hits).
    Control characters from the articles are shown escaped, never sent to the terminal."""
    shown = escape_controls
    lines = []
    if results.suggestion:
        lines.append(f"Did you mean: {shown(results.suggestion)}?")
    if results.corrected:
        lines.append(f"Showing results for: {shown(results.corrected)} (--exact searches {shown(results.query)!r} as typed)")
    if not results.hits:
        if results.timed_out:
            lines.append(f"No passages found {_asked(results, 'for')} in the time allowed.")
        else:
            lines.append(f"No passages {_asked(results, 'match')}." if not results.offset else "No more results.")
        lines.extend(filter(None, [_undated_note(results)]))
        return "\n".join(lines) + "\n"
    lines.append(_header(results))
    lines.append("")

    def title_lines(number: int, title: str) -> list[str]:
        first, *rest = wrap_visible(escape_controls(title), width - len(f"{number}. ")) or [""]
        return [f"{bold[0]}{number}. {first}{bold[1]}", *(f"{bold[0]}{' ' * len(f'{number}. ')}{line}{bold[1]}" for line in rest)]

    def passage_lines(hit: Hit, indent: str) -> list[str]:
        # Line breaks are kept through escaping only to be folded into spaces here.
        text = render(hit.passage, hit.spans, markers, lambda s: shown(s, keep_lines=True))
        out = wrap_visible(text, width, indent)
        if hit.semantic_only:
            out.append(f"{indent}({SEMANTIC_ONLY_NOTE})")
        if hit.explanation or hit.factors:
            out.append(f"{indent}{_explanation(hit)}")
        if hit.lexical_score is not None or hit.cosine is not None:
            out.append(f"{indent}{_fusion_line(hit)}")
        return out

    if by_article or results.article_page:
        for number, article in enumerate(results.by_article(), results.offset + 1 if results.article_page else 1):
            parts = (article.source, _author_label(article.author), article.date, article.doc_id, article.url)
            meta = " · ".join(part for part in parts if part)
            lines.extend(title_lines(number, article.title or article.doc_id))
            lines.append(f"   {shown(meta)}")
            for hit in article.hits:
                where = " · ".join(filter(None, (_page_label(hit.page), f"score {hit.score:.2f}")))
                lines.append(f"   [{hit.rank}] {where}")
                lines.extend(passage_lines(hit, "     "))
            lines.append("")
    else:
        for hit in results.hits:
            lines.extend(title_lines(hit.rank, hit.title or hit.doc_id))
            lines.append(f"   {_meta_line(hit)}")
            lines.extend(passage_lines(hit, "   "))
            lines.append("")
    if results.facets:
        for name, counts in results.facets.items():
            lines.append(f"{name}: " + ", ".join(f"{shown(value)} ({count})" for value, count in counts.items()))
    lines.extend(filter(None, [_undated_note(results)]))
    return "\n".join(lines).rstrip("\n") + "\n"


def to_json(results: SearchResults, *, parsed: bool = False) -> str:
    """One JSON object: query, total, expansions, suggestion, hits (and facets)."""
    data = results_to_dict(results)
    if parsed:
        data["parsed"] = results.parsed
    return _json(data)


def to_jsonl(results: SearchResults) -> str:
    """One JSON object per hit, each carrying the query: easy to stream into other tools."""
    return "".join(_dumps({"query": results.query, **hit_to_dict(hit)}) + "\n" for hit in results.hits)


CSV_COLUMNS = ("rank", "doc_id", "title", "source", "date", "score", "passage", "highlighted", "url", "page", "author")


def to_csv(results: SearchResults) -> str:
    """A header row and one row per hit (spreadsheet-friendly)."""
    rows = [hit_to_dict(hit) for hit in results.hits]
    return _rows_csv(CSV_COLUMNS, [[row[column] for column in CSV_COLUMNS] for row in rows])


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


def _html_link(url: str) -> str:
    """``url`` as a link if it is a web address, else as text: a ``javascript:`` or
    ``file:`` url from an article's metadata must not become clickable. Always escaped.

    >>> _html_link("https://a.id/?q=1&r=2")
    '<a href="https://a.id/?q=1&amp;r=2" rel="noopener noreferrer">https://a.id/?q=1&amp;r=2</a>'
    >>> _html_link("javascript:alert(1)")
    'javascript:alert(1)'
    """
    shown = html.escape(escape_controls(url))
    if urlsplit(url.strip()).scheme.lower() not in ("http", "https") or escape_controls(url) != url:
        return shown
    return f'<a href="{html.escape(url.strip(), quote=True)}" rel="noopener noreferrer">{shown}</a>'


def to_html(results: SearchResults) -> str:
    """A self-contained HTML page; all article text is escaped, matches are in ``<mark>``."""
    hits = []
    for hit in results.hits:
        meta = html.escape(_meta_line(hit, url=False))
        if hit.url:
            meta += f" · {_html_link(hit.url)}"
        if hit.semantic_only:
            meta += f" · {SEMANTIC_ONLY_NOTE}"
        hits.append(
            f'<div class="hit"><h2>{hit.rank}. {html.escape(escape_controls(hit.title or hit.doc_id))}</h2>'
            f'<p class="meta">{meta}</p><p>{render_html(hit.passage, hit.spans)}</p></div>'
        )
    summary = f"{results.total} matching passages" if results.total is not None else _page(results)
    if results.suggestion:
        summary += f" · Did you mean: {html.escape(results.suggestion)}?"
    if results.corrected:
        summary += f" · Showing results for: {html.escape(results.corrected)}"
    note = _undated_note(results)
    if note:
        summary += f" · {note}"
    return _PAGE.format(
        title=html.escape(f"bnptsearch: {results.query}"), summary=summary, hits="\n".join(hits) or "<p>No passages match.</p>"
    )


def _article_text(article: Article, view: View) -> str:
    fields = (
        ("id", article.doc_id),
        ("title", article.title),
        ("source", article.source),
        ("author", article.author),
        ("place", article.place),
        ("date", article.date),
        ("url", article.url),
        ("file", article.path),
    )
    lines = [f"{label + ':':<8}{escape_controls(value)}" for label, value in fields if value]
    return "\n".join([*lines, "", escape_controls(article.body, keep_lines=True)]) + "\n"


def _info_text(info: IndexInfo, view: View) -> str:
    return (
        f"index:     {escape_controls(str(Path(info.path).resolve()))}\n"
        f"articles:  {info.articles}\n"
        f"passages:  {info.passages}\n"
        f"format:    {info.format_version} (parser {info.parser_version})\n"
        f"analyzer:  {info.analyzer_version}: {info.analyzer}\n"
    )


def _check_text(report: CheckReport, view: View) -> str:
    where = f"generation {report.generation} of " if report.generation is not None else ""
    lines = [f"checked {len(report.checked)} files ({report.size:,} bytes) of {where}{Path(report.path).resolve()}"]
    lines += [f"damaged: {file.name}: {file.problem}" for file in report.damaged]
    lines += [f"note: {note}" for note in report.notes]
    return "\n".join(lines) + "\n"


def _analysis_text(analysis: tuple[str, Sequence[AnalyzedToken]], view: View) -> str:
    _, tokens = analysis
    surfaces = [escape_controls(t.surface) for t in tokens]
    width = max((len(surface) for surface in surfaces), default=0)
    return "".join(
        f"{surface:<{width}}  → {escape_controls(t.term) if t.term is not None else '(stopword)'}\n"
        for surface, t in zip(surfaces, tokens)
    )


def _analysis_json(analysis: tuple[str, Sequence[AnalyzedToken]], view: View) -> str:
    text, tokens = analysis
    return _json(
        {
            "text": text,
            "terms": [t.term for t in tokens if t.term is not None],
            "tokens": [asdict(t) for t in tokens],
        }
    )


LIST_COLUMNS = ("doc_id", "date", "source", "passages", "title", "url")


def _list_text(page: ArticlePage, view: View) -> str:
    """One line per article: id, date, source, passages, title; then the count (which of
    how many, for a page of a longer list).

    >>> from bnptsearch.results import ArticleSummary
    >>> print(_list_text(ArticlePage((ArticleSummary("d1", "Judul", None, None, None, 2),), 5, 2), View()), end="")
    d1  (no date)   (none)    2 passages  Judul
    Articles 3–3 of 5
    """
    articles, shown = page.articles, len(page.articles)
    lines = [
        escape_controls(f"{a.doc_id}  {a.date or '(no date)':<10}  {a.source or NONE_LABEL}  {a.passages:>3} passages  ")
        + escape_controls(a.title)
        for a in articles
    ]
    if page.offset == 0 and shown == page.total:
        lines.append(f"{shown} article{'' if shown == 1 else 's'}")
    elif not shown:
        lines.append(f"No more articles ({page.total} in all).")
    else:
        lines.append(f"Articles {page.offset + 1}–{page.offset + shown} of {page.total}")
    return "\n".join(lines) + "\n"


def _rows_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([["" if value is None else value for value in row] for row in rows])
    return buffer.getvalue()


def _list_csv(page: ArticlePage, view: View) -> str:
    return _rows_csv(LIST_COLUMNS, [[getattr(a, column) for column in LIST_COLUMNS] for a in page.articles])


def _sources_text(counts: dict[str, int], view: View) -> str:
    width = max((len(str(count)) for count in counts.values()), default=1)
    return "".join(escape_controls(f"{count:>{width}}  {source}") + "\n" for source, count in counts.items())


def _batch_jsonl(results: SearchResults, view: View) -> str:
    # One object per query (``query --format jsonl`` prints one per hit).
    return _dumps({"qid": view.qid, **results_to_dict(results)}) + "\n"


# (command, format) → formatter of that command's answer. Dataclass answers (articles, index
# details) are printed as JSON field for field.
FORMATTERS: dict[tuple[str, str], Callable[[Any, View], str]] = {
    ("query", "text"): lambda results, view: to_text(
        results, markers=view.markers, width=view.width, by_article=view.by_article, bold=view.bold
    ),
    ("query", "json"): lambda results, view: to_json(results, parsed=view.parsed),
    ("query", "jsonl"): lambda results, view: to_jsonl(results),
    ("query", "csv"): lambda results, view: to_csv(results),
    ("query", "html"): lambda results, view: to_html(results),
    ("query", "trec"): lambda results, view: to_trec(results, view.qid),
    ("batch", "trec"): lambda results, view: to_trec(results, view.qid),
    ("batch", "jsonl"): _batch_jsonl,
    ("list", "text"): _list_text,
    ("list", "json"): lambda page, view: _json([asdict(a) for a in page.articles]),
    ("list", "csv"): _list_csv,
    ("sources", "text"): _sources_text,
    ("sources", "json"): lambda counts, view: _json(counts),
    ("sources", "csv"): lambda counts, view: _rows_csv(("source", "articles"), list(counts.items())),
    ("show", "text"): _article_text,
    ("show", "json"): lambda article, view: _json(asdict(article)),
    ("info", "text"): _info_text,
    ("info", "json"): lambda info, view: _json(asdict(info)),
    ("check", "text"): _check_text,
    ("check", "json"): lambda report, view: _json(asdict(report) | {"ok": report.ok}),
    ("analyze", "text"): _analysis_text,
    ("analyze", "json"): _analysis_json,
}


def formats_of(command: str) -> tuple[str, ...]:
    """The formats ``command`` can print, its default first.

    >>> formats_of("batch")
    ('trec', 'jsonl')
    """
    return tuple(name for of, name in FORMATTERS if of == command)


# The output formats of ``bnptsearch query``.
FORMATS = formats_of("query")


def format_output(command: str, name: str, answer: Any, view: View | None = None) -> str:
    """``answer`` (what ``command`` got from the API) as format ``name`` prints it."""
    return FORMATTERS[command, name](answer, view or View())
