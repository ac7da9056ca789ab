"""Every output format, on results built by hand: no index needed."""

from __future__ import annotations

import csv
import io
import json

import pytest

from bnptsearch.analysis import AnalyzedToken
from bnptsearch.corpus import Article
from bnptsearch.formats import (
    FORMATS,
    View,
    format_output,
    formats_of,
    to_html,
    to_text,
)
from bnptsearch.index import IndexInfo
from bnptsearch.results import Hit, SearchResults, TermScore

HIT = Hit(
    rank=1,
    doc_id="004_712c4dcd13143a1e",
    title="Pemprov Banten <b>",
    source="CNNBanten.id",
    date="2022-03-23",
    score=14.661234,
    passage="Kerja sama BNPT dan Pemprov Banten",
    spans=((11, 15),),
    start=0,
    end=34,
    explanation=(TermScore("text", "bnpt", 3.21),),
)
SECOND = Hit(2, "002_c1e97dfba439882a", "", None, None, 2.5, "RAN PE", ((0, 6),), 40, 46)
COUNTED = SearchResults("BNPT Banten", (HIT, SECOND), total=7, expansions=("BNPT → Badan Nasional",), parsed="p")
UNCOUNTED = SearchResults("BNPT Banten", (HIT,))


def test_the_query_formats_are_registered() -> None:
    assert FORMATS == ("text", "json", "jsonl", "csv", "html", "trec")
    assert formats_of("batch") == ("trec", "jsonl")
    assert formats_of("show") == formats_of("info") == formats_of("analyze") == ("text", "json")


def test_text() -> None:
    text = format_output("query", "text", COUNTED, View(width=60))
    assert text.splitlines()[0] == "Passages 1–2 of 7 matching 'BNPT Banten'"
    assert "Kerja sama **BNPT** dan Pemprov Banten" in text
    assert "CNNBanten.id · 2022-03-23 · 004_712c4dcd13143a1e · score 14.66" in text
    assert "matched: text:bnpt 3.21" in text
    assert "2. 002_c1e97dfba439882a" in text  # no title: the id stands in


def test_text_by_article_and_markers() -> None:
    text = format_output("query", "text", COUNTED, View(by_article=True, markers=("[", "]")))
    assert "1. Pemprov Banten <b>" in text and "   [1] score 14.66" in text
    assert "Kerja sama [BNPT] dan" in text


@pytest.mark.parametrize("render", [to_text, to_html])
def test_results_without_a_count_never_say_none(render) -> None:
    # The API counts only when asked (count=False by default): total is None.
    output = render(UNCOUNTED)
    assert "None" not in output
    assert "Passages 1–1" in output


def test_empty_results() -> None:
    assert to_text(SearchResults("x", ())) == "No passages match 'x'.\n"
    assert to_text(SearchResults("x", (), offset=10)) == "No more results.\n"
    assert "<p>No passages match.</p>" in to_html(SearchResults("x", ()))


def test_json_and_jsonl() -> None:
    data = json.loads(format_output("query", "json", COUNTED, View(parsed=True)))
    assert data["total"] == 7 and data["parsed"] == "p" and data["expansions"] == ["BNPT → Badan Nasional"]
    assert data["hits"][0]["score"] == 14.6612
    assert data["hits"][0]["highlighted"] == "Kerja sama **BNPT** dan Pemprov Banten"
    assert data["hits"][0]["spans"] == [[11, 15]]
    assert data["hits"][0]["explanation"] == [{"field": "text", "term": "bnpt", "score": 3.21}]
    assert "explanation" not in data["hits"][1] and "facets" not in data
    assert "parsed" not in json.loads(format_output("query", "json", COUNTED))
    lines = [json.loads(line) for line in format_output("query", "jsonl", COUNTED).splitlines()]
    assert [(line["query"], line["rank"]) for line in lines] == [("BNPT Banten", 1), ("BNPT Banten", 2)]


def test_csv() -> None:
    rows = list(csv.reader(io.StringIO(format_output("query", "csv", COUNTED))))
    assert rows[0] == ["rank", "doc_id", "title", "source", "date", "score", "passage", "highlighted", "url", "page", "author"]
    assert rows[2][3:5] == ["", ""]  # None is an empty cell
    assert rows[2][8:] == ["", "", ""]


# A passage of a PDF's third page, with the address it was fetched from.
PAGED = Hit(1, "laporan", "Laporan <Tahunan>", "BNPT", None, 3.0, "Isi laporan", (), 500, 511,
            url="https://bnpt.go.id/laporan?tahun=2023&bagian=\"1\"", page=3)  # fmt: skip
# An article whose metadata tries to be a script link and to drive the terminal.
HOSTILE = Hit(2, "jahat", "Judul\x1b[2J", None, None, 1.0, "Isi", (), 0, 3, url="javascript:alert('x')\x1b[31m")
LINKED = SearchResults("laporan", (PAGED, HOSTILE), total=2)


def test_every_format_carries_the_url_and_page() -> None:
    data = json.loads(format_output("query", "json", LINKED))
    assert (data["hits"][0]["url"], data["hits"][0]["page"]) == ('https://bnpt.go.id/laporan?tahun=2023&bagian="1"', 3)
    assert (data["hits"][1]["url"], data["hits"][1]["page"]) == ("javascript:alert('x')\x1b[31m", None)
    line = json.loads(format_output("query", "jsonl", LINKED).splitlines()[0])
    assert (line["url"], line["page"]) == ('https://bnpt.go.id/laporan?tahun=2023&bagian="1"', 3)
    rows = list(csv.reader(io.StringIO(format_output("query", "csv", LINKED))))
    assert rows[1][8:10] == ['https://bnpt.go.id/laporan?tahun=2023&bagian="1"', "3"]
    text = format_output("query", "text", LINKED)
    assert '   BNPT · laporan · p. 3 · score 3.00 · https://bnpt.go.id/laporan?tahun=2023&bagian="1"' in text.splitlines()
    grouped = format_output("query", "text", LINKED, View(by_article=True))
    assert '   BNPT · laporan · https://bnpt.go.id/laporan?tahun=2023&bagian="1"' in grouped.splitlines()
    assert "   [1] p. 3 · score 3.00" in grouped.splitlines()


def test_only_web_urls_become_links_and_everything_is_escaped() -> None:
    page = format_output("query", "html", LINKED)
    link = "https://bnpt.go.id/laporan?tahun=2023&amp;bagian=&quot;1&quot;"
    assert f'<a href="{link}" rel="noopener noreferrer">{link}</a>' in page
    assert "p. 3" in page and "Laporan &lt;Tahunan&gt;" in page
    assert "javascript:alert(&#x27;x&#x27;)\\x1b[31m" in page
    assert page.count("<a ") == 1 and "\x1b" not in page


def test_text_output_never_prints_control_characters() -> None:
    for view in (View(), View(by_article=True)):
        text = format_output("query", "text", LINKED, view)
        assert "\x1b" not in text
        assert "Judul\\x1b[2J" in text and "javascript:alert('x')\\x1b[31m" in text


def test_html_escapes_article_text() -> None:
    page = format_output("query", "html", COUNTED)
    assert "Pemprov Banten &lt;b&gt;" in page and "<mark>BNPT</mark>" in page
    assert "7 matching passages" in page


def test_trec_and_batch() -> None:
    assert format_output("query", "trec", COUNTED, View(qid="q9")).splitlines() == [
        "q9 Q0 004_712c4dcd13143a1e 1 14.6612 bnptsearch",
        "q9 Q0 002_c1e97dfba439882a 2 2.5000 bnptsearch",
    ]
    line = json.loads(format_output("batch", "jsonl", COUNTED, View(qid="q9")))
    assert line["qid"] == "q9" and len(line["hits"]) == 2


def test_show_info_analyze() -> None:
    article = Article("d1", "Judul", "Isi.", "CNN", None, "2022-03-23", None, "a.txt", "h")
    assert format_output("show", "text", article).splitlines() == [
        "id:     d1",
        "title:  Judul",
        "source: CNN",
        "date:   2022-03-23",
        "file:   a.txt",
        "",
        "Isi.",
    ]
    assert json.loads(format_output("show", "json", article))["content_hash"] == "h"
    info = IndexInfo("index", 5, 90, 3, "p1", "a1", "words")
    assert json.loads(format_output("info", "json", info))["passages"] == 90
    assert "passages:  90" in format_output("info", "text", info)
    tokens = [AnalyzedToken("Penangkapan", "tangkap", 0, 11), AnalyzedToken("yang", None, 12, 16)]
    assert format_output("analyze", "text", ("Penangkapan yang", tokens)) == (
        "Penangkapan  → tangkap\nyang         → (stopword)\n"
    )
    data = json.loads(format_output("analyze", "json", ("Penangkapan yang", tokens)))
    assert data["terms"] == ["tangkap"] and data["tokens"][1] == {"surface": "yang", "term": None, "start": 12, "end": 16}


def test_undated_articles_left_out_are_reported_in_every_readable_format() -> None:
    results = SearchResults("BNPT", (SECOND,), undated=3)
    assert to_text(results).splitlines()[-1] == "3 undated articles match too; --include-undated shows them"
    assert "3 undated articles match too" in to_html(results)
    assert json.loads(format_output("query", "json", results))["undated"] == 3
    assert json.loads(format_output("query", "json", COUNTED))["undated"] is None
    assert "undated" not in to_text(COUNTED)
