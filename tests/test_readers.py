"""Tests of the readers (bnptsearch.readers): saved web pages, PDF, Word, CSV/TSV/JSON exports
with a field mapping, UTF-16 text, URLs fetched from a local server, and the files the
corpus loader does not read. Every fixture is written by the test itself."""

from __future__ import annotations

import http.server
import json
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bnptsearch import Index, load_corpus, read_file
from bnptsearch.cli import cli
from bnptsearch.corpus import FIELDS_FILE, IGNORE_FILE, raw_text
from bnptsearch.errors import CorpusError
from bnptsearch.fetch import fetch_page, page_file_name
from bnptsearch.readers.records import parse_fields, save_fields

from .pdf_fixtures import pdf_document, text_lines

# --------------------------------------------------------------------------- fixtures

NEWS_PAGE = """<!DOCTYPE html>
<html lang="id"><head>
<meta charset="utf-8">
<title>Densus 88 Tangkap Terduga Teroris di Sukoharjo - Kabar Warta</title>
<meta property="og:title" content="Densus 88 Tangkap Terduga Teroris di Sukoharjo">
<meta property="og:site_name" content="Kabar Warta">
<meta property="article:published_time" content="2024-08-15T09:30:00+07:00">
<meta name="author" content="Budi Santoso">
<link rel="canonical" href="https://kabarwarta.example/read/2024/08/15/densus-sukoharjo">
<script>var iklanKeyword = "skripiklanrahasia"; window.dataLayer = [];</script>
<style>.menu { color: red } /* gayacsstersembunyi */</style>
</head><body>
<header><nav><ul><li><a href="/">Beranda</a></li><li><a href="/nasional">Nasional</a></li>
<li><a href="/menu">Menunavigasiutama</a></li></ul></nav></header>
<div class="ads banner">Promo kartukreditspesial diskon besar hari ini</div>
<main><article>
<h1>Densus 88 Tangkap Terduga Teroris di Sukoharjo</h1>
<p class="byline">Penulis: Budi Santoso</p>
<p>SUKOHARJO, KABARWARTA – Detasemen Khusus 88 Antiteror menangkap seorang terduga teroris berinisial AB
di Kecamatan Grogol, Kamis (15/8/2024). Penangkapan berlangsung tanpa perlawanan dan disaksikan ketua RT setempat.</p>
<p>Kepala Bagian Penerangan Umum menyebut tersangka terhubung dengan jaringan yang aktif merekrut anggota
melalui aplikasi percakapan kriptografis dan kanal tertutup di media sosial.</p>
<p>Polisi menyita sejumlah barang bukti berupa buku, telepon genggam, dan bahan kimia dari rumah kontrakan
tersangka di pinggiran kota.</p>
</article></main>
<aside class="related"><h3>Berita Terkait</h3><ul>
<li><a href="/a">Artis selebritaszz menikah di Bali</a></li>
<li><a href="/b">Harga cabairawit naik lagi</a></li></ul></aside>
<section id="comments"><h3>Komentar</h3>
<div class="comment"><p>Komentatorxyz: mantap pak polisi, lanjutkan!</p></div></section>
<footer><p>Hak cipta 2024 Kabar Warta footerkatarahasia. Semua hak dilindungi.</p></footer>
</body></html>
"""
PAGE_WORDS = ("kriptografis", "Grogol", "kontrakan")
BOILERPLATE_WORDS = (
    "skripiklanrahasia",
    "gayacsstersembunyi",
    "Menunavigasiutama",
    "kartukreditspesial",
    "selebritaszz",
    "cabairawit",
    "Komentatorxyz",
    "footerkatarahasia",
)


def make_pdf(pages: list[list[str]], info: dict[str, str] | None = None) -> bytes:
    """A PDF with a text layer: each page a list of lines."""
    return pdf_document([text_lines(lines) for lines in pages], info)


REPORT_PAGES = [
    [
        "LAPORAN KINERJA DERADIKALISASI 2023",
        "Badan Nasional Penanggulangan Terorisme menyusun laporan ini",
        "tentang program deradikalisasi warga binaan pemasyarakatan.",
    ],
    [
        "Halaman kedua membahas sinergi antarkementerian dalam",
        "pendampingan mitra deradikalisasi di Poso dan Bima.",
    ],
]


def make_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "Notulen Rapat Koordinasi Pencegahan"
    document.core_properties.created = datetime(2024, 5, 14, 9, 30)
    document.add_heading("Notulen Rapat Koordinasi Pencegahan", level=1)
    document.add_paragraph("Rapat dipimpin Deputi Pencegahan dan membahas literasi digital santri di Lamongan.")
    document.add_paragraph("Peserta sepakat menyusun modul kewaspadaan dini untuk pesantren mitra.")
    document.save(str(path))


CSV_EXPORT = (
    "link,judul,isi,tanggal,media\n"
    '101,Patroli Siber Temukan Konten Radikal,"Jakarta – Tim patroli siber menemukan ratusan konten radikal di kanal video.\n\n'
    'Konten itu diturunkan bersama platform.",2024-02-20,Warta Siber\n'
    "102,Sosialisasi di Kampus,Surabaya – Mahasiswa mengikuti sosialisasi bahaya intoleransi di aula rektorat.,2024-03-01,Kabar Kampus\n"
)
CSV_FIELDS = "id=link,title=judul,text=isi,date=tanggal,source=media"


def build(corpus: Path, tmp_path: Path, **options) -> Index:
    index, report = Index.build(corpus, tmp_path / "index", **options)
    return index


def found(index: Index, query: str) -> set[str]:
    return {hit.doc_id for hit in index.search(query, limit=50).hits}


# --------------------------------------------------------------------------- HTML


def test_a_saved_news_page_yields_its_article_and_metadata_only(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "densus.html").write_text(NEWS_PAGE, encoding="utf-8")
    load = load_corpus(corpus)
    assert load.warnings == ()
    (article,) = load.articles
    assert article.doc_id == "densus"
    assert article.title == "Densus 88 Tangkap Terduga Teroris di Sukoharjo"
    assert article.date == "2024-08-15"
    assert article.source == "Kabar Warta"
    assert article.url == "https://kabarwarta.example/read/2024/08/15/densus-sukoharjo"
    assert article.place == "SUKOHARJO"
    with build(corpus, tmp_path) as index:
        for word in PAGE_WORDS:
            assert found(index, word) == {"densus"}, word
        for word in BOILERPLATE_WORDS:
            assert found(index, word) == set(), word


def test_an_html_page_saved_as_txt_is_read_as_html(tmp_path: Path) -> None:
    page = tmp_path / "halaman.txt"
    page.write_text("\ufeff\n" + NEWS_PAGE, encoding="utf-8")
    (article,) = read_file(page).articles
    assert article.title == "Densus 88 Tangkap Terduga Teroris di Sukoharjo"
    assert "DOCTYPE" not in article.body and "iklanKeyword" not in article.body
    assert "kriptografis" in article.body


def test_a_page_in_its_declared_charset_is_decoded_without_a_warning(tmp_path: Path) -> None:
    page = tmp_path / "lama.html"
    html = NEWS_PAGE.replace('<meta charset="utf-8">', '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">')
    page.write_bytes(html.replace("tersangka di pinggiran kota", "tersangka, kata Pak Andrés").encode("cp1252"))
    load = read_file(page)
    assert load.warnings == ()
    assert "kata Pak Andrés" in load.articles[0].body


def test_a_page_needs_the_html_extra_and_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # import fails as if not installed
    page = tmp_path / "page.html"
    page.write_text(NEWS_PAGE, encoding="utf-8")
    load = read_file(page)
    assert load.articles == ()
    assert [str(w) for w in load.warnings] == [f"{page}: needs the html extra: pip install 'bnptsearch[html]'; skipped"]


def test_show_raw_of_a_page_is_its_html(tmp_path: Path) -> None:
    page = tmp_path / "densus.html"
    page.write_text(NEWS_PAGE, encoding="utf-8")
    assert raw_text(page, "densus") == NEWS_PAGE


# --------------------------------------------------------------------------- PDF


def test_a_two_page_pdf_keeps_title_date_and_page_starts(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    info = {"Title": "Laporan Kinerja Deradikalisasi 2023", "CreationDate": "D:20240315093000+07'00'"}
    (corpus / "laporan.pdf").write_bytes(make_pdf(REPORT_PAGES, info))
    (article,) = load_corpus(corpus).articles
    assert (article.title, article.date, article.url) == ("Laporan Kinerja Deradikalisasi 2023", "2024-03-15", None)
    # The title printed atop page 1 is not counted again as body text.
    assert not article.body.startswith("LAPORAN")
    (page_two,) = article.pages
    assert article.body[page_two:].startswith("Halaman kedua membahas sinergi")
    assert article.body[:page_two].rstrip().endswith("warga binaan pemasyarakatan.")
    with build(corpus, tmp_path) as index:
        assert found(index, "antarkementerian") == {"laporan"}
        assert found(index, "pemasyarakatan") == {"laporan"}


def test_a_pdf_title_comes_from_its_first_heading_and_date_from_its_text(tmp_path: Path) -> None:
    pages = [["Rencana Aksi Nasional Pencegahan Ekstremisme", "Ditetapkan di Jakarta pada 6 Januari 2021 oleh Presiden."]]
    pdf = tmp_path / "perpres.pdf"
    pdf.write_bytes(make_pdf(pages, {"Title": "Microsoft Word - perpres_final.docx"}))
    (article,) = read_file(pdf).articles
    assert (article.title, article.date, article.pages) == ("Rencana Aksi Nasional Pencegahan Ekstremisme", "2021-01-06", ())
    assert article.body == "Ditetapkan di Jakarta pada 6 Januari 2021 oleh Presiden."


def test_a_pdf_without_a_text_layer_is_skipped_with_a_warning(tmp_path: Path) -> None:
    scan = tmp_path / "pindaian.pdf"
    scan.write_bytes(make_pdf([[], []]))
    load = read_file(scan)
    assert load.articles == ()
    assert [str(w) for w in load.warnings] == [f"{scan}: no text layer (a scan?); skipped"]


def test_a_damaged_pdf_is_a_warning(tmp_path: Path) -> None:
    broken = tmp_path / "rusak.pdf"
    broken.write_bytes(make_pdf(REPORT_PAGES)[:200])
    load = read_file(broken)
    assert load.articles == () and "cannot read PDF" in str(load.warnings[0])


# --------------------------------------------------------------------------- DOCX


def test_a_word_document_gives_paragraphs_title_and_date(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    make_docx(corpus / "notulen.docx")
    (article,) = load_corpus(corpus).articles
    assert (article.title, article.date) == ("Notulen Rapat Koordinasi Pencegahan", "2024-05-14")
    assert article.body.split("\n\n")[0].startswith("Rapat dipimpin Deputi Pencegahan")
    with build(corpus, tmp_path) as index:
        assert found(index, "Lamongan") == {"notulen"}
        assert found(index, "kewaspadaan dini") == {"notulen"}


def test_a_word_document_without_a_stored_title_takes_its_heading(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Kajian Literasi Digital", level=1)
    document.add_paragraph("Isi kajian tentang literasi digital remaja.")
    path = tmp_path / "kajian.docx"
    document.save(str(path))
    (article,) = read_file(path).articles
    assert (article.title, article.body) == ("Kajian Literasi Digital", "Isi kajian tentang literasi digital remaja.")


# --------------------------------------------------------------------------- exports


def test_a_csv_export_with_indonesian_columns_is_read_by_its_field_mapping(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ekspor.csv").write_text(CSV_EXPORT, encoding="utf-8")
    with build(corpus, tmp_path, fields=parse_fields(CSV_FIELDS)) as index:
        assert found(index, "ratusan konten radikal") == {"101"}
        assert found(index, "rektorat") == {"102"}
    assert json.loads((corpus / FIELDS_FILE).read_text(encoding="utf-8"))["*"]["title"] == "judul"
    # The mapping kept beside the corpus: a later read of the folder needs no option.
    articles = {a.doc_id: a for a in load_corpus(corpus).articles}
    first = articles["101"]
    assert (first.title, first.date, first.source, first.place) == (
        "Patroli Siber Temukan Konten Radikal",
        "2024-02-20",
        "Warta Siber",
        "Jakarta",
    )
    assert first.body.endswith("Konten itu diturunkan bersama platform.")
    assert raw_text(corpus / "ekspor.csv", "102").startswith("Surabaya – Mahasiswa")


def test_without_its_mapping_a_csv_says_which_column_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "ekspor.csv"
    path.write_text(CSV_EXPORT, encoding="utf-8")
    load = read_file(path)
    assert load.articles == ()
    assert [str(w) for w in load.warnings] == [f'{path}:2: record has no "id"; line skipped', f'{path}:5: record has no "id"; line skipped']


def test_tsv_and_json_exports_and_numeric_ids(tmp_path: Path) -> None:
    tsv = tmp_path / "data.tsv"
    tsv.write_text("no\tjudul\tisi\n7\tJudul Tujuh\tPekanbaru – Isi berita ketujuh tentang pencegahan.\n", encoding="utf-8")
    items = {"data": [{"ID": 8, "Judul": "Judul Delapan", "Isi": "Ambon – Isi kedelapan.", "url": "https://x.example/8"}]}
    array = tmp_path / "data.json"
    array.write_text(json.dumps(items), encoding="utf-8")
    fields = {"id": "no", "title": "judul", "text": "isi"}
    (seven,) = read_file(tsv, fields=fields).articles
    (eight,) = read_file(array, fields=fields).articles
    assert (seven.doc_id, seven.title, seven.place) == ("7", "Judul Tujuh", "Pekanbaru")
    assert (eight.doc_id, eight.title, eight.url) == ("8", "Judul Delapan", "https://x.example/8")
    jsonl = tmp_path / "angka.jsonl"
    jsonl.write_text(json.dumps({"id": 12, "text": "Isi dua belas."}) + "\n", encoding="utf-8")
    assert [a.doc_id for a in read_file(jsonl).articles] == ["12"]


def test_a_bad_field_mapping_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="unknown field 'judul'"):
        parse_fields("judul=title")
    with pytest.raises(CorpusError, match="is not FIELD=COLUMN"):
        parse_fields("title")
    result = CliRunner().invoke(cli, ["index", "--corpus", str(tmp_path), "--index", str(tmp_path / "ix"), "--fields", "x=y"])
    assert result.exit_code == 1 and result.stderr.startswith("Error: unknown field 'x'")


def test_a_broken_mapping_file_is_a_warning_and_the_default_fields_are_used(tmp_path: Path) -> None:
    (tmp_path / FIELDS_FILE).write_text('{"*": ["not", "a", "mapping"]}', encoding="utf-8")
    (tmp_path / "data.csv").write_text("id,text\nd1,Bima – Isi.\n", encoding="utf-8")
    (tmp_path / "berita.txt").write_text("Bima – Isi berita.", encoding="utf-8")
    load = load_corpus(tmp_path)
    assert sorted(a.doc_id for a in load.articles) == ["berita", "d1"]
    (warning,) = load.warnings
    assert str(warning).startswith(f"{tmp_path / FIELDS_FILE}: cannot read the field mapping (")
    assert str(warning).endswith("); default fields used")
    with pytest.raises(CorpusError, match="cannot read the field mapping .*; fix or delete it"):
        save_fields(tmp_path, {"title": "judul"})


def test_save_fields_says_whether_the_mapping_changed(tmp_path: Path) -> None:
    assert save_fields(tmp_path, {"title": "judul"}) is True
    assert save_fields(tmp_path, {"title": "judul"}) is False
    assert save_fields(tmp_path, {}) is True and not (tmp_path / FIELDS_FILE).exists()


def test_cli_index_with_fields_rebuilds_when_the_mapping_changes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ekspor.csv").write_text(CSV_EXPORT, encoding="utf-8")
    runner = CliRunner()
    where = ["--corpus", str(corpus), "--index", str(tmp_path / "index")]
    first = runner.invoke(cli, ["index", *where])
    assert first.exit_code == 0 and "0 added" in first.stdout and 'record has no "id"' in first.stderr
    second = runner.invoke(cli, ["index", *where, "--fields", CSV_FIELDS])
    assert second.exit_code == 0, second.output
    assert "rebuilding" in second.stderr and "Built: 2 added" in second.stdout
    third = runner.invoke(cli, ["index", *where])
    assert third.exit_code == 0 and "2 unchanged" in third.stdout


def test_cli_add_with_fields_keeps_one_mapping_per_file(tmp_path: Path) -> None:
    downloads = tmp_path / "unduhan"
    downloads.mkdir()
    (downloads / "ekspor.csv").write_text(CSV_EXPORT, encoding="utf-8")
    (downloads / "data.tsv").write_text("no\tjudul\tisi\n7\tJudul Tujuh\tPekanbaru – Isi ketujuh.\n", encoding="utf-8")
    runner = CliRunner()
    where = ["--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index")]
    result = runner.invoke(cli, ["add", str(downloads / "ekspor.csv"), "--fields", CSV_FIELDS, *where])
    assert result.exit_code == 0 and "2 added" in result.stdout, result.output
    result = runner.invoke(cli, ["add", str(downloads / "data.tsv"), "--fields", "id=no,title=judul,text=isi", *where])
    assert result.exit_code == 0 and "1 added" in result.stdout, result.output
    # A rebuild re-reads each export with its own mapping.
    rebuilt = runner.invoke(cli, ["index", "--rebuild", *where])
    assert rebuilt.exit_code == 0 and "Built: 3 added" in rebuilt.stdout and not rebuilt.stderr, rebuilt.output
    for doc_id, title in [("101", "Patroli Siber Temukan Konten Radikal"), ("7", "Judul Tujuh")]:
        shown = runner.invoke(cli, ["show", doc_id, "--json", "--index", str(tmp_path / "index")])
        assert json.loads(shown.stdout)["title"] == title


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_text_with_a_byte_order_mark_is_decoded(tmp_path: Path, encoding: str) -> None:
    text = "Kerja Sama Pencegahan di Kendari\n\nKENDARI – Warga Kendari dan aparat menggelar dialog kebangsaan, Senin (5/2/2024)."
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "kendari.txt").write_bytes(data)
    load = load_corpus(corpus)
    assert load.warnings == ()
    (article,) = load.articles
    assert (article.title, article.place, article.date) == ("Kerja Sama Pencegahan di Kendari", "KENDARI", "2024-02-05")
    with build(corpus, tmp_path) as index:
        assert found(index, "dialog kebangsaan") == {"kendari"}


def test_a_utf16_jsonl_gets_a_clear_warning(tmp_path: Path) -> None:
    path = tmp_path / "arsip.jsonl"
    path.write_bytes('{"id": "a", "text": "Isi."}\n'.encode("utf-16"))
    load = read_file(path)
    assert load.articles == ()
    assert [str(w) for w in load.warnings] == [f"{path}: UTF-16 JSON Lines are not read; save the file as UTF-8; skipped"]


def test_a_utf16_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("id,text\nu1,Bima – Isi dari Excel.\n".encode("utf-16"))
    assert [a.doc_id for a in read_file(path).articles] == ["u1"]


# --------------------------------------------------------------------------- other files


def test_other_files_get_one_warning_each_and_an_ignore_file_silences_them(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "lampiran").mkdir(parents=True)
    (corpus / "berita.txt").write_text("Jakarta – Isi berita.", encoding="utf-8")
    (corpus / "foto.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    (corpus / "lampiran" / "tabel.xlsx").write_bytes(b"PK\x03\x04")
    (corpus / "lampiran" / "catatan.md").write_text("# Catatan", encoding="utf-8")
    (corpus / "tanpa_ekstensi").write_bytes(make_pdf(REPORT_PAGES))
    load = load_corpus(corpus)
    assert sorted(a.doc_id for a in load.articles) == ["berita", "tanpa_ekstensi"]
    hint = f"ignored (list it in {IGNORE_FILE} to silence this)"
    assert sorted(str(w) for w in load.warnings) == [
        f"{corpus / 'foto.jpg'}: not an article file (JPEG image); {hint}",
        f"{corpus / 'lampiran' / 'catatan.md'}: not an article file (Markdown text; rename it .txt to index it); {hint}",
        f"{corpus / 'lampiran' / 'tabel.xlsx'}: not an article file (Excel workbook; export it as CSV); {hint}",
    ]
    (corpus / IGNORE_FILE).write_text("# foto dan lampiran\n*.jpg\nlampiran/\n/berita.txt\n", encoding="utf-8")
    load = load_corpus(corpus)
    assert load.warnings == () and [a.doc_id for a in load.articles] == ["tanpa_ekstensi"]


def test_the_assets_folder_of_a_saved_page_is_skipped_quietly(tmp_path: Path) -> None:
    (tmp_path / "densus_files").mkdir()
    (tmp_path / "densus_files" / "logo.png").write_bytes(b"\x89PNG\r\n")
    (tmp_path / "densus_files" / "main.js").write_text("var x = 1;", encoding="utf-8")
    (tmp_path / "densus.html").write_text(NEWS_PAGE, encoding="utf-8")
    (tmp_path / "lain_files").mkdir()
    (tmp_path / "lain_files" / "foto.png").write_bytes(b"\x89PNG\r\n")
    load = load_corpus(tmp_path)
    assert [a.doc_id for a in load.articles] == ["densus"]
    assert [str(w) for w in load.warnings] == [
        f"{tmp_path / 'lain_files' / 'foto.png'}: not an article file (PNG image); ignored (list it in {IGNORE_FILE} to silence this)"
    ]


def test_index_reports_other_files_once_per_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "berita.txt").write_text("Jakarta – Isi berita.", encoding="utf-8")
    (corpus / "laporan.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    index, report = Index.build(corpus, tmp_path / "index")
    with index:
        assert report.warnings == (f"{corpus / 'laporan.doc'}: not an article file (old Word document; save it as .docx); ignored (list it in {IGNORE_FILE} to silence this)",)
        assert len(index.update(corpus).warnings) == 1


# --------------------------------------------------------------------------- URLs


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[str, dict[str, tuple[int, str, bytes]]]]:
    """A local web server on 127.0.0.1 serving ``pages`` {path: (status, type, body)}."""
    pages: dict[str, tuple[int, str, bytes]] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            status, content_type, body = pages.get(self.path, (404, "text/plain", b"not found"))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", pages
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_add_url_fetches_stores_and_indexes_the_page(tmp_path: Path, web) -> None:
    base, pages = web
    page = NEWS_PAGE.replace('<link rel="canonical" href="https://kabarwarta.example/read/2024/08/15/densus-sukoharjo">', "")
    pages["/read/densus-sukoharjo"] = (200, "text/html; charset=utf-8", page.encode("utf-8"))
    url = f"{base}/read/densus-sukoharjo"
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    runner = CliRunner()
    where = ["--corpus", str(corpus), "--index", str(index)]
    result = runner.invoke(cli, ["add", url, *where])
    assert result.exit_code == 0, result.output
    assert "1 added" in result.stdout
    saved = corpus / page_file_name(url)
    assert saved.is_file() and saved.name.startswith("127.0.0.1_densus-sukoharjo_")
    doc_id = saved.stem
    shown = json.loads(runner.invoke(cli, ["show", doc_id, "--json", "--index", str(index)]).stdout)
    assert (shown["url"], shown["title"], shown["date"]) == (url, "Densus 88 Tangkap Terduga Teroris di Sukoharjo", "2024-08-15")
    hits = json.loads(runner.invoke(cli, ["query", "kriptografis", "--json", *where]).stdout)["hits"]
    assert [hit["doc_id"] for hit in hits] == [doc_id]
    # The same URL again: the same file, the article unchanged.
    again = runner.invoke(cli, ["add", url, *where])
    assert again.exit_code == 0 and "1 unchanged" in again.stdout
    assert sorted(p.name for p in corpus.iterdir()) == [saved.name]


def test_add_url_errors_are_one_line(tmp_path: Path, web) -> None:
    base, pages = web
    pages["/laporan.pdf"] = (200, "application/pdf", b"%PDF-1.4")
    pages["/besar"] = (200, "text/html", b"<html>" + b"x" * 2000)
    runner = CliRunner()
    where = ["--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "index")]
    for path, reason in [("/hilang", "HTTP 404 Not Found"), ("/laporan.pdf", "not a web page (application/pdf)")]:
        result = runner.invoke(cli, ["add", f"{base}{path}", *where])
        assert result.exit_code == 1
        assert result.stderr.strip() == f"Error: cannot fetch URL: {base}{path}: {reason}"
    with pytest.raises(CorpusError, match="larger than"):
        fetch_page(f"{base}/besar", tmp_path, max_bytes=1000)
    closed = runner.invoke(cli, ["add", "http://127.0.0.1:9/", *where])
    assert closed.exit_code == 1 and closed.stderr.startswith("Error: cannot fetch URL: http://127.0.0.1:9/: ")
    assert not (tmp_path / "corpus").exists() or not any((tmp_path / "corpus").iterdir())


# --------------------------------------------------------------------------- damaged files


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("rusak.docx", b"PK\x03\x04" + bytes(range(256)) * 4),
        ("rusak.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 4),
        ("rusak.html", b"<html><body>" + bytes(range(1, 256)) * 4),
        ("rusak.csv", b"id,text\n\x00\x01,\xff\xfe\n"),
        ("rusak.json", b"[" * 100_000),
    ],
)
def test_a_damaged_file_is_at_most_a_warning(tmp_path: Path, name: str, data: bytes) -> None:
    (tmp_path / name).write_bytes(data)
    (tmp_path / "baik.txt").write_text("Bima – Isi berita yang baik.", encoding="utf-8")
    load = load_corpus(tmp_path)
    assert "baik" in [a.doc_id for a in load.articles]  # and no exception
    assert all(str(w).startswith(str(tmp_path / name)) for w in load.warnings)


def test_an_extractor_failure_is_a_warning(tmp_path: Path, monkeypatch) -> None:
    from bnptsearch.readers import docx as docx_reader
    from bnptsearch.readers import html as html_reader

    def fail(*args: object) -> None:
        raise ValueError("rusak di dalam")

    monkeypatch.setattr(html_reader, "_extract", fail)
    monkeypatch.setattr(docx_reader, "_contents", fail)
    (tmp_path / "page.html").write_text(NEWS_PAGE, encoding="utf-8")
    make_docx(tmp_path / "notulen.docx")
    load = load_corpus(tmp_path)
    assert load.articles == ()
    assert sorted(str(w) for w in load.warnings) == [
        f"{tmp_path / 'notulen.docx'}: cannot read Word document (ValueError: rusak di dalam); skipped",
        f"{tmp_path / 'page.html'}: cannot extract the page (ValueError: rusak di dalam); skipped",
    ]


def test_a_hit_on_the_second_page_of_a_pdf_says_page_2(tmp_path: Path) -> None:
    filler = "Laporan ini mencatat kegiatan pencegahan di daerah bersama pemerintah dan masyarakat."
    first = ["Kegiatan di Sulawesi Tengah"] + [filler] * 20 + ["Dialog lintas iman berlangsung di Palu."]
    second = ["Kegiatan di Nusa Tenggara Barat"] + [filler] * 20 + ["Pelatihan wirausaha mantan narapidana di Mataram."]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "laporan.pdf").write_bytes(make_pdf([first, second], {"Title": "Laporan Kegiatan"}))
    with build(corpus, tmp_path) as index:
        (palu,) = index.search("Palu").hits
        (mataram,) = index.search("Mataram").hits
        assert (palu.page, mataram.page) == (1, 2)
