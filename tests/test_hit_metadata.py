"""Each hit carries its article's url and, for paged documents, the page of its passage."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner
from whoosh.filedb.filestore import RamStorage

from bnptsearch import Index
from bnptsearch.cli import cli
from bnptsearch.corpus import Article
from bnptsearch.query import SearchRequest
from bnptsearch.schema import PAGE, URL, _article_documents, passage_schema
from bnptsearch.search import Searcher

# Three pages of a report, each a paragraph long enough to be a passage of its own.
PAGE_TEXTS = [
    "Halaman pertama membahas pendahuluan laporan tahunan. " * 8,
    "Halaman kedua membahas deradikalisasi narapidana terorisme di lembaga pemasyarakatan. " * 6,
    "Halaman ketiga membahas kesiapsiagaan nasional dan kerja sama internasional. " * 6,
]


def _report() -> Article:
    body = "\n\n".join(text.strip() for text in PAGE_TEXTS)
    # Body offsets where pages 2 and 3 start, as a PDF reader gives them.
    pages = tuple(body.index(text.strip()) for text in PAGE_TEXTS[1:])
    return Article(
        "laporan-2023", "Laporan Tahunan", body, "BNPT", None, "2023-12-01",
        "https://bnpt.go.id/laporan-2023.pdf", "laporan.pdf", "h", pages,
    )  # fmt: skip


def test_each_passage_document_stores_the_url_and_its_page() -> None:
    documents = [d for d in _article_documents(_report(), "f") if d.get("kind") == "passage"]
    assert [d[PAGE] for d in documents] == [1, 2, 3]
    assert {d[URL] for d in documents} == {"https://bnpt.go.id/laporan-2023.pdf"}


def test_a_text_without_pages_has_no_page() -> None:
    article = Article("x", "T", "Isi berita pendek.", None, None, None, None, "x.txt", "h")
    (passage, _) = _article_documents(article, "f")
    assert passage[PAGE] is None and passage[URL] is None


def test_hits_say_their_page_and_url() -> None:
    ix = RamStorage().create_index(passage_schema())
    with ix.writer() as writer:
        for document in _article_documents(_report(), "f"):
            writer.add_document(**document)
    searcher = Searcher(ix.searcher())
    try:
        (hit,) = searcher.search(SearchRequest("deradikalisasi narapidana")).hits
        assert (hit.page, hit.url) == (2, "https://bnpt.go.id/laporan-2023.pdf")
        (hit,) = searcher.search(SearchRequest("kesiapsiagaan")).hits
        assert hit.page == 3
    finally:
        searcher.close()


def test_a_jsonl_url_reaches_the_hits(tmp_path: Path) -> None:
    record = {"id": "r1", "text": "Densus 88 menangkap terduga teroris di Poso.", "url": "https://contoh.id/berita/1"}
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "news.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    index, _ = Index.build(corpus, tmp_path / "index")
    with index:
        (hit,) = index.search("teroris Poso").hits
    assert (hit.url, hit.page) == ("https://contoh.id/berita/1", None)
    runner = CliRunner()
    result = runner.invoke(cli, ["query", "teroris Poso", "--format", "csv", "--index", str(tmp_path / "index")])
    (row,) = list(csv.DictReader(io.StringIO(result.output)))
    assert (row["url"], row["page"]) == ("https://contoh.id/berita/1", "")
    result = runner.invoke(cli, ["query", "teroris Poso", "--index", str(tmp_path / "index")])
    assert "   r1 · score " in result.output and result.output.splitlines()[3].endswith(" · https://contoh.id/berita/1")
