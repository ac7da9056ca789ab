"""An article's author, from each reader's metadata to every output (issue 12)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from bnptsearch import Index, read_file
from bnptsearch.cli import cli
from bnptsearch.errors import IndexOutdatedError
from bnptsearch.store import META_FILE
from bnptsearch.web import create_app

from .test_readers import NEWS_PAGE, REPORT_PAGES, make_pdf
from .test_web import injected

# An author a terminal or a browser must show as text: markup and an escape sequence.
HOSTILE_AUTHOR = "<script>alert('penulis')</script> Rina\x1b[31m"


def _record(doc_id: str, author: str | None, **extra: str) -> str:
    record = {"id": doc_id, "text": "Densus 88 menangkap terduga teroris di Poso pada Senin.", **extra}
    if author is not None:
        record["author"] = author
    return json.dumps(record) + "\n"


def test_a_page_author_comes_from_its_metadata(tmp_path: Path) -> None:
    path = tmp_path / "densus.html"
    path.write_text(NEWS_PAGE, encoding="utf-8")
    assert read_file(path).articles[0].author == "Budi Santoso"


def test_a_pdf_author_comes_from_its_info_dict(tmp_path: Path) -> None:
    path = tmp_path / "laporan.pdf"
    path.write_bytes(make_pdf(REPORT_PAGES, {"Title": "Laporan Kinerja", "Author": "Biro Perencanaan  BNPT"}))
    assert read_file(path).articles[0].author == "Biro Perencanaan BNPT"
    path.write_bytes(make_pdf(REPORT_PAGES, {"Title": "Laporan Kinerja"}))
    assert read_file(path).articles[0].author is None


def test_a_word_author_comes_from_its_core_properties(tmp_path: Path) -> None:
    import docx
    document = docx.Document()
    document.core_properties.author = "Deputi Pencegahan"
    document.core_properties.created = datetime(2024, 5, 14)
    document.add_paragraph("Rapat membahas literasi digital santri di Lamongan.")
    document.save(str(tmp_path / "notulen.docx"))
    assert read_file(tmp_path / "notulen.docx").articles[0].author == "Deputi Pencegahan"


def test_a_record_author_is_read_by_the_field_mapping(tmp_path: Path) -> None:
    path = tmp_path / "ekspor.csv"
    path.write_text("link,isi,penulis\n7,Densus 88 menangkap terduga teroris di Poso.,Tim Redaksi\n", encoding="utf-8")
    (article,) = read_file(path, fields={"id": "link", "text": "isi", "author": "penulis"}).articles
    assert article.author == "Tim Redaksi"
    path = tmp_path / "news.jsonl"
    path.write_text(_record("r1", "Andi") + _record("r2", None), encoding="utf-8")
    assert [a.author for a in read_file(path).articles] == ["Andi", None]


@pytest.fixture(scope="module")
def author_index(tmp_path_factory) -> Path:
    corpus = tmp_path_factory.mktemp("author") / "corpus"
    corpus.mkdir()
    lines = _record("r1", "Andi Saputra", url="https://contoh.id/1") + _record("evil", HOSTILE_AUTHOR)
    (corpus / "news.jsonl").write_text(lines.replace("Poso", "Sigi", 1).replace("Poso", "Palu"), encoding="utf-8")
    path = corpus.parent / "index"
    Index.build(corpus, path)[0].close()
    return path


def _query(index: Path, *options: str) -> str:
    result = CliRunner().invoke(cli, ["query", *options, "--index", str(index)])
    assert result.exit_code == 0, result.output
    return result.output


def test_hits_carry_the_author_in_every_format(author_index: Path) -> None:
    with Index.open(author_index) as index:
        (hit,) = index.search("Sigi").hits
        assert hit.author == "Andi Saputra"
        assert index.article("r1").author == "Andi Saputra"
    assert "   by Andi Saputra · r1 · score " in _query(author_index, "Sigi")
    assert "by Andi Saputra" in _query(author_index, "Sigi", "--per-article", "3")
    assert json.loads(_query(author_index, "Sigi", "--json"))["hits"][0]["author"] == "Andi Saputra"
    assert json.loads(_query(author_index, "Sigi", "--format", "jsonl"))["author"] == "Andi Saputra"
    (row,) = csv.DictReader(io.StringIO(_query(author_index, "Sigi", "--format", "csv")))
    assert row["author"] == "Andi Saputra"
    assert "by Andi Saputra" in _query(author_index, "Sigi", "--format", "html")
    shown = CliRunner().invoke(cli, ["show", "r1", "--index", str(author_index)]).output
    assert "author: Andi Saputra" in shown


def test_a_hostile_author_is_escaped_in_the_terminal_and_html(author_index: Path) -> None:
    text = _query(author_index, "Palu")
    assert "\x1b" not in text and "by <script>alert('penulis')</script> Rina\\x1b[31m" in text
    page = _query(author_index, "Palu", "--format", "html")
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_the_web_app_shows_the_author_escaped(author_index: Path) -> None:
    with TestClient(create_app(author_index)) as client:
        page = client.get("/", params={"q": "Sigi"}).text
        assert '<span class="author">oleh Andi Saputra</span>' in page
        grouped = client.get("/", params={"q": "Sigi", "group": "1", "lang": "en"}).text
        assert '<span class="author">by Andi Saputra</span>' in grouped
        assert "<dt>Penulis</dt><dd>Andi Saputra</dd>" in client.get("/articles/r1").text
        hostile = client.get("/", params={"q": "Palu"}).text
        assert not injected(hostile) and "&lt;script&gt;alert(&#39;penulis&#39;)&lt;/script&gt; Rina" in hostile
        assert not injected(client.get("/articles/evil").text)


def test_an_index_without_authors_asks_for_a_rebuild(author_index: Path, tmp_path: Path) -> None:
    meta = json.loads((author_index / META_FILE).read_text(encoding="utf-8"))
    old = tmp_path / "old"
    old.mkdir()
    # Format 6 stored no author: reading it would show every article without one.
    meta = {key: value for key, value in meta.items() if key != "crc32"} | {"format": 6}
    (old / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexOutdatedError, match=r"'format': 6.*run `bnptsearch index --rebuild`"):
        Index.open(old)
