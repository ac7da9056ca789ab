"""Tests of bnptsearch.corpus: the seed articles' cleaning and metadata, and bad input."""

from __future__ import annotations

import doctest
import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bnptsearch import clean, corpus
from bnptsearch.corpus import (
    Article,
    CorpusWarning,
    content_hash,
    duplicate_id_warning,
    load_corpus,
    parse_article,
    read_file,
)
from bnptsearch.errors import CorpusError

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

# What each seed article must produce. 000 and 002 have no headline: their lede is not
# made into a title.
SEED_METADATA = {
    "000_d9719fe4b4a867df": {
        "title": "",
        "source": "DISWAY.ID",
        "place": "JAKARTA",
        "date": None,
    },
    "001_b906f770b361ad8d": {
        "title": "BNPT Promosikan Praktik Baik Indonesia di tingkat Pemerintah Pusat dan Daerah Dalam Penanganan"
        " Ekstremisme Berbasis Kekerasan dan Terorisme dalam Lokakarya Internasional",
        "source": None,
        "place": "Surabaya",
        "date": "2022-07-26",
    },
    "002_c1e97dfba439882a": {
        "title": "",
        "source": None,
        "place": "Jakarta",
        "date": "2023-03-07",
    },
    "003_219fc8fa0a90b567": {
        "title": "Pemerintah Kota Surakarta Gencar Berantas Intoleransi Melalui Kerjasama dengan BNPT",
        "source": None,
        "place": None,
        "date": None,
    },
    "004_712c4dcd13143a1e": {
        "title": "Pemprov Banten dan Masyarakat Sipil Perkuat Pencegahan dan Penanggulangan Terorisme",
        "source": "CNNBanten.id",
        "place": None,
        "date": "2022-03-23",
    },
}
# Site chrome in the seed files; none of it may be searchable.
BOILERPLATE = [
    "Nikita Mirzani",
    "Adib Miftahul",
    "BACA JUGA",
    "Tinggalkan Balasan",
    "Alamat email",
    "Content is protected",
    "Home / Hukrim",
    "About admin",
    "Check Also",
    "Detail Berita",
]


@pytest.fixture(scope="module")
def seed() -> dict[str, Article]:
    load = load_corpus(CORPUS)
    assert load.warnings == ()
    return {article.doc_id: article for article in load.articles}


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def jsonl(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records)


def messages(warnings: tuple[CorpusWarning, ...]) -> list[str]:
    return [str(w) for w in warnings]


# --------------------------------------------------------------------------- seed corpus


def test_seed_corpus_is_read_in_path_order_with_hashes_of_the_file_bytes(seed: dict[str, Article]) -> None:
    assert list(seed) == sorted(SEED_METADATA)
    for doc_id, article in seed.items():
        file = CORPUS / f"{doc_id}.txt"
        assert article.path == str(file)
        assert article.content_hash == hashlib.sha256(file.read_bytes()).hexdigest()
        assert article.url is None


@pytest.mark.parametrize("doc_id", sorted(SEED_METADATA))
def test_seed_metadata(seed: dict[str, Article], doc_id: str) -> None:
    article = seed[doc_id]
    got = {"title": article.title, "source": article.source, "place": article.place, "date": article.date}
    assert got == SEED_METADATA[doc_id]


@pytest.mark.parametrize("doc_id", sorted(SEED_METADATA))
def test_seed_boilerplate_is_gone(seed: dict[str, Article], doc_id: str) -> None:
    article = seed[doc_id]
    for text in (article.title, article.body):
        for chrome in BOILERPLATE:
            assert chrome not in text


@pytest.mark.parametrize("doc_id", sorted(SEED_METADATA))
def test_seed_body_shape(seed: dict[str, Article], doc_id: str) -> None:
    body = seed[doc_id].body
    paragraphs = body.split("\n\n")
    assert len(paragraphs) >= 5
    # Paragraphs are separated by exactly one blank line and hold no line breaks of their own.
    assert all(p and p == p.strip() and "\n" not in p for p in paragraphs)
    assert "Informasi" not in paragraphs  # the lone section label over 003


@pytest.mark.parametrize("doc_id", ["001_b906f770b361ad8d", "003_219fc8fa0a90b567", "004_712c4dcd13143a1e"])
def test_headline_is_the_title_and_not_repeated_in_the_body(seed: dict[str, Article], doc_id: str) -> None:
    article = seed[doc_id]
    assert article.title.casefold() not in article.body.casefold()


@pytest.mark.parametrize("doc_id", ["000_d9719fe4b4a867df", "002_c1e97dfba439882a"])
def test_without_headline_the_body_keeps_the_whole_lede(seed: dict[str, Article], doc_id: str) -> None:
    article = seed[doc_id]
    lede = {
        "000_d9719fe4b4a867df": "JAKARTA, DISWAY.ID – Salah satu upaya dalam tekan peyebaran Khilafatul Muslimin",
        "002_c1e97dfba439882a": "Jakarta – Penguatan kerjasama internasional terus dilakukan",
    }[doc_id]
    assert article.body.startswith(lede)
    assert article.title == ""


def test_seed_body_starts_and_ends(seed: dict[str, Article]) -> None:
    assert seed["001_b906f770b361ad8d"].body.startswith("Surabaya – Perwakilan Badan Nasional")
    assert seed["003_219fc8fa0a90b567"].body.startswith("Pemerintah Kota Surakarta terus mengupayakan")
    body = seed["004_712c4dcd13143a1e"].body
    assert body.startswith("CNNBanten.id – Pemerintah Provinsi (Pemprov) Banten tengah merancang")
    # The "(Duy)" reporter's initials stay: they are part of the article's last line.
    assert body.endswith("masyarakat tangguh di Provinsi Banten dan di seluruh.(Duy)")


def test_hard_wraps_are_joined(seed: dict[str, Article]) -> None:
    body = seed["004_712c4dcd13143a1e"].body
    assert "Antiteror Polri telah melakukan penangkapan terhadap" in body
    assert "di wilayah teritorial Tangerang Raya." in body
    assert "kunci keberhasilan pencegahan ekstremisme berbasis kekerasan" in body
    assert "bertumpu pada ketangguhan masyarakat akar rumput" in body
    # A list stays a list: items are separate paragraphs.
    assert "\n\n2. Penguatan kohesi sosial" in body


def test_content_hash_is_the_sha256_of_the_bytes() -> None:
    assert content_hash(b"Jakarta") == hashlib.sha256(b"Jakarta").hexdigest()


def test_duplicate_id_warning_names_both_places() -> None:
    warning = duplicate_id_warning("b/dup.txt", "dup", "a/dup.txt")
    assert (warning.path, warning.line) == ("b/dup.txt", None)
    assert str(warning) == "b/dup.txt: duplicate doc_id 'dup' (already read from a/dup.txt); skipped"
    assert str(duplicate_id_warning("c.jsonl", "x", "c.jsonl:2", 5)).startswith("c.jsonl:5: duplicate doc_id 'x'")


def test_read_file_reads_one_seed_file() -> None:
    load = read_file(CORPUS / "004_712c4dcd13143a1e.txt")
    assert load.warnings == ()
    assert [a.doc_id for a in load.articles] == ["004_712c4dcd13143a1e"]


# --------------------------------------------------------------------------- cleaning rules


def test_date_is_the_first_full_date_of_the_header_then_of_the_title_and_body() -> None:
    # The date rules themselves are tested in test_dates.py.
    article = parse_article("Jakarta – Berita hari ini.\nPada 20 September, lalu 26 -28 Juli 2022.", "x")
    assert article is not None and article.date == "2022-07-26"
    article = parse_article("Senin, 6 Maret 2023 | 10:15 WIB\n\nJakarta – Rapat 7 Maret 2023.", "x")
    assert article is not None and article.date == "2023-03-06"
    article = parse_article("Jakarta – Pada tanggal 20 September saja.", "x")
    assert article is not None and article.date is None


@pytest.mark.parametrize(
    ("lede", "place", "source"),
    [
        ("JAKARTA, DISWAY.ID – Polisi menangkap dua orang.", "JAKARTA", "DISWAY.ID"),
        ("Surabaya – Polisi menangkap dua orang.", "Surabaya", None),
        ("CNNBanten.id – Polisi menangkap dua orang.", None, "CNNBanten.id"),
        ("Jakarta (ANTARA) - Polisi menangkap dua orang.", "Jakarta", "ANTARA"),
        ("Jakarta, CNN Indonesia -- Polisi menangkap dua orang.", "Jakarta", "CNN Indonesia"),
        ("Praktik – praktik baik terus dilakukan.", None, None),
        ("Polisi menangkap dua orang – kata juru bicara.", None, None),
    ],
)
def test_dateline(lede: str, place: str | None, source: str | None) -> None:
    article = parse_article(lede, "x")
    assert article is not None
    assert (article.place, article.source) == (place, source)
    assert article.body == lede  # the body keeps the dateline


def test_generic_wordpress_chrome_is_removed() -> None:
    raw = (
        "Beranda » Nasional » Densus 88 Tangkap Terduga Teroris di Bekasi\n"
        "Penulis: Redaksi\n"
        "Senin, 6 Maret 2023 | 10:15 WIB\n\n"
        "Densus 88 Tangkap Terduga Teroris di Bekasi\n\n"
        "BEKASI, detik.com – Densus 88 menangkap seorang terduga teroris\n"
        "Baca juga: Artis Terkenal Menikah Lagi\n"
        "di Bekasi pada Minggu (5/3/2023).\n\n"
        "ADVERTISEMENT\n\n"
        "Penangkapan berlangsung tanpa perlawanan.\n\n"
        "Tags: densus, teroris\n\n"
        "Berita Terkait\n\n"
        "Artis Terkenal Bercerai\n\n"
        "Leave a Reply\n\n"
        "Your email address will not be published. Required fields are marked *\n"
    )
    article = parse_article(raw, "x")
    assert article is not None
    assert article.title == "Densus 88 Tangkap Terduga Teroris di Bekasi"
    assert (article.place, article.source, article.date) == ("BEKASI", "detik.com", "2023-03-06")
    assert article.body == (
        "BEKASI, detik.com – Densus 88 menangkap seorang terduga teroris di Bekasi pada Minggu (5/3/2023)."
        "\n\nPenangkapan berlangsung tanpa perlawanan."
    )


def test_breadcrumb_names_the_title_when_the_page_has_no_headline() -> None:
    article = parse_article("Home / Hukrim / Polisi Tangkap Dua Orang\n\nJakarta – Polisi menangkap dua orang.", "x")
    assert article is not None
    assert article.title == "Polisi Tangkap Dua Orang"
    assert article.body == "Jakarta – Polisi menangkap dua orang."


def test_a_page_without_headline_gets_no_title_made_from_its_lede() -> None:
    article = parse_article("Jakarta – Kata Komjen. Pol. Dr. Boy hari ini. Lalu pergi.", "x")
    assert article is not None and article.title == ""
    assert article.body == "Jakarta – Kata Komjen. Pol. Dr. Boy hari ini. Lalu pergi."


def test_hard_wrap_rules() -> None:
    article = parse_article("Polisi telah\nmelakukan penangkapan di masing-\nmasing kota,\nJakarta dan Bogor.", "x")
    assert article is not None
    assert article.body == "Polisi telah melakukan penangkapan di masing-masing kota, Jakarta dan Bogor."
    # A finished sentence, or a next line in capitals, is a paragraph break.
    article = parse_article("Satu kalimat.\nlalu kecil.\nTanpa titik\nBesar.", "x")
    assert article is not None
    assert article.body == "Satu kalimat.\n\nlalu kecil.\n\nTanpa titik\n\nBesar."


def test_nothing_but_boilerplate_is_none() -> None:
    raw = "Informasi\n\nDetail Berita\n\nBACA JUGA: Lain\n\nAbout admin\n\nCheck Also\n\nTeaser lain ..."
    assert parse_article(raw, "x") is None
    assert parse_article("", "x") is None
    assert parse_article("Judul Berita Saja\n\nJudul Berita Saja.", "x") is None  # a headline only


def test_invisible_characters_and_odd_spaces_are_normalized() -> None:
    article = parse_article("\ufeffJakarta\u00a0– Polisi\u200b menangkap\tdua  orang.\r\nLalu\u00adpergi.", "x")
    assert article is not None
    assert article.body == "Jakarta – Polisi menangkap dua orang.\n\nLalupergi."
    assert article.place == "Jakarta"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_parse_article_never_raises_and_keeps_its_shape(raw: str) -> None:
    article = parse_article(raw, "x")
    if article is not None:
        assert article.body and "\n\n\n" not in article.body
        assert all(p == p.strip() and p for p in article.body.split("\n\n"))
        assert "\n" not in article.title
        assert article.date is None or len(article.date) == 10


CHROME_LINES = [
    "BACA JUGA: Nikita Mirzani Menang Adu Jotos",
    "Baca juga : Adib Miftahul Bicara",
    "error: Content is protected !!",
    "ADVERTISEMENT",
    "Tags: Nikita Mirzani",
]
ARTICLE_LINES = [
    "",
    "Home / Hukrim / Polisi Tangkap Dua Orang",
    "Informasi",
    "Polisi Tangkap Dua Orang",
    "JAKARTA, DISWAY.ID – Polisi menangkap dua orang.",
    "Rabu (23/3/2022), di Serang.",
    "Tim Densus telah",
    "melakukan penangkapan.",
    "1. Butir pertama;",
    "“Kami siap,” kata Kapolri.",
]
FOOTER = ["About admin", "Check Also", "Tinggalkan Balasan", "Leave a Reply"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(ARTICLE_LINES + CHROME_LINES), max_size=15),
    st.sampled_from(FOOTER),
    st.lists(st.sampled_from(ARTICLE_LINES + CHROME_LINES), max_size=5),
)
def test_chrome_never_survives_in_any_arrangement(lines: list[str], footer: str, after: list[str]) -> None:
    article = parse_article("\n".join([*lines, footer, *after]), "x")
    if article is not None:
        for text in (article.title, article.body):
            assert "Nikita" not in text and "Adib" not in text and "protected" not in text
            assert "ADVERTISEMENT" not in text and footer not in text


def test_chrome_rules_are_tables_of_whole_line_patterns() -> None:
    # Every row is a pattern of its own: a row added for one site cannot break the others.
    for rule in (*clean.FOOTER_LINES, *clean.NOISE_LINES):
        assert re.compile(rule).fullmatch("Polisi menangkap dua orang di Bekasi.") is None


@pytest.mark.parametrize("module", [corpus, clean])
def test_doctests(module) -> None:
    assert doctest.testmod(module).failed == 0


# --------------------------------------------------------------------------- bad input


def test_latin1_file_falls_back_to_windows_1252(tmp_path: Path) -> None:
    file = write(tmp_path / "latin.txt", "Jakarta - Polisi menemukan bom di Café Ñusa, 7 Mei 2021.\n".encode("latin-1"))
    load = read_file(file)
    assert messages(load.warnings) == [f"{file}: not valid UTF-8; decoded as Windows-1252"]
    (article,) = load.articles
    assert "Café Ñusa" in article.body and article.date == "2021-05-07"


def test_cp1252_punctuation_is_decoded(tmp_path: Path) -> None:
    file = write(tmp_path / "smart.txt", "Jakarta – “Aman,” katanya.".encode("cp1252"))
    (article,) = read_file(file).articles
    assert article.body == "Jakarta – “Aman,” katanya."


def test_utf8_bom_and_crlf(tmp_path: Path) -> None:
    file = write(tmp_path / "bom.txt", "\ufeffJudul Berita Ini\r\n\r\nJakarta – Isi berita.\r\n")
    load = read_file(file)
    assert load.warnings == ()
    assert (load.articles[0].title, load.articles[0].body) == ("Judul Berita Ini", "Jakarta – Isi berita.")


def test_binary_empty_and_boilerplate_files_are_skipped_with_warnings(tmp_path: Path) -> None:
    write(tmp_path / "a_binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(tmp_path / "b_empty.txt", b"")
    write(tmp_path / "c_blank.txt", "  \n\n \t\n")
    write(tmp_path / "d_chrome.txt", "Home / Berita / Judul Halaman Ini\n\nBACA JUGA: Lain\n\nTinggalkan Balasan\n")
    write(tmp_path / "e_binary.jsonl", b'{"id": "a"\x00\x00}\n')
    write(tmp_path / "f_good.txt", "Jakarta – Isi berita.")
    load = load_corpus(tmp_path)
    assert [a.doc_id for a in load.articles] == ["f_good"]
    assert messages(load.warnings) == [
        f"{tmp_path / 'a_binary.txt'}: binary file (contains NUL bytes); skipped",
        f"{tmp_path / 'b_empty.txt'}: empty file; skipped",
        f"{tmp_path / 'c_blank.txt'}: empty file; skipped",
        f"{tmp_path / 'd_chrome.txt'}: nothing but site boilerplate; skipped",
        f"{tmp_path / 'e_binary.jsonl'}: binary file (contains NUL bytes); skipped",
    ]


def test_jsonl_malformed_line_keeps_the_others(tmp_path: Path) -> None:
    file = write(
        tmp_path / "news.jsonl",
        jsonl({"id": "a", "text": "Jakarta – Satu."}, '{"id": "b", "text": "Dua', "", {"id": "c", "text": "Tiga."}),
    )
    load = read_file(file)
    assert [a.doc_id for a in load.articles] == ["a", "c"]
    (warning,) = load.warnings
    assert (warning.path, warning.line) == (str(file), 2)
    assert str(warning).startswith(f"{file}:2: malformed JSON (")


def test_jsonl_bad_records_are_skipped_with_their_line(tmp_path: Path) -> None:
    file = write(
        tmp_path / "news.jsonl",
        jsonl(
            {"text": "Tanpa id."},
            {"id": "no-text"},
            {"id": 7.5, "text": "Id pecahan."},
            {"id": "a", "text": ["bukan", "teks"]},
            {"id": "b", "text": "Isi.", "source": 5},
            {"id": "  ", "text": "Id kosong."},
            ["bukan", "objek"],
            {"id": "c", "text": "BACA JUGA: Lain\nTinggalkan Balasan"},
            {"id": "ok", "text": "Jakarta – Isi yang sah.", "source": None},
        ),
    )
    load = read_file(file)
    assert [a.doc_id for a in load.articles] == ["ok"]
    assert messages(load.warnings) == [
        f'{file}:1: record has no "id"; line skipped',
        f'{file}:2: record has no "text"; line skipped',
        f'{file}:3: "id" must be a string, got float; line skipped',
        f'{file}:4: "text" must be a string, got list; line skipped',
        f'{file}:5: "source" must be a string, got int; line skipped',
        f'{file}:6: "id" is empty; line skipped',
        f"{file}:7: record is a JSON list, not an object; line skipped",
        f"{file}:8: record text is empty or nothing but site boilerplate; line skipped",
    ]


def test_jsonl_fields_win_over_the_text(tmp_path: Path) -> None:
    text = "Judul Rekaman\n\nJAKARTA, DISWAY.ID – Polisi menangkap dua orang, 7 Maret 2023.\nBACA JUGA: Lain"
    record = {
        "id": "r1",
        "title": "Judul Rekaman",
        "text": text,
        "source": "Kompas",
        "date": "2023-03",
        "url": "https://example.id/r1",
    }
    line = json.dumps(record)
    file = write(tmp_path / "news.jsonl", line + "\r\n")
    load = read_file(file)
    assert load.warnings == ()
    (article,) = load.articles
    assert article == Article(
        doc_id="r1",
        title="Judul Rekaman",
        body="JAKARTA, DISWAY.ID – Polisi menangkap dua orang, 7 Maret 2023.",
        source="Kompas",
        place="JAKARTA",
        date="2023-03",
        url="https://example.id/r1",
        path=str(file),
        content_hash=hashlib.sha256(line.encode()).hexdigest(),
    )


def test_jsonl_without_title_keeps_none_and_a_bad_date_falls_back_to_the_text(tmp_path: Path) -> None:
    file = write(
        tmp_path / "news.jsonl",
        jsonl({"id": "r1", "text": "Surabaya – Bom meledak, Rabu (23/3/2022). Lalu.", "date": "kemarin"}),
    )
    load = read_file(file)
    (article,) = load.articles
    # No title is made up from the first sentence: it would only count that sentence twice.
    assert (article.title, article.place, article.date) == ("", "Surabaya", "2022-03-23")
    assert messages(load.warnings) == [
        f"{file}:1: \"date\" 'kemarin' is not a date like 2024-05-14 or 14 Mei 2024; date taken from the text"
    ]


def test_jsonl_dates_written_out_are_read_like_dates_in_text(tmp_path: Path) -> None:
    records = [
        {"id": "a", "text": "Isi berita.", "date": "Selasa, 14/05/2024"},
        {"id": "b", "text": "Isi berita.", "date": "15 Agustus 2024"},
        {"id": "c", "text": "Isi berita.", "date": "14 Mei 2024 09:30 WIB"},
        {"id": "d", "text": "Isi berita.", "date": "2024-05-14T09:30:00+07:00"},
    ]
    load = read_file(write(tmp_path / "news.jsonl", "".join(jsonl(record) for record in records)))
    assert [article.date for article in load.articles] == ["2024-05-14", "2024-08-15", "2024-05-14", "2024-05-14"]
    assert load.warnings == ()


def test_a_broken_jsonl_reports_a_bounded_number_of_lines(tmp_path: Path) -> None:
    file = write(tmp_path / "broken.jsonl", "{not json\n" * 50 + jsonl({"id": "ok", "text": "Isi."}))
    load = read_file(file)
    assert [a.doc_id for a in load.articles] == ["ok"]
    assert len(load.warnings) == 21
    assert str(load.warnings[-1]) == f"{file}: 30 more problems in this file not listed"


def test_duplicate_doc_ids_keep_the_first_and_name_both(tmp_path: Path) -> None:
    first = write(tmp_path / "a" / "dup.txt", "Jakarta – Yang pertama.")
    second = write(tmp_path / "b" / "dup.txt", "Jakarta – Yang kedua.")
    records = write(tmp_path / "c.jsonl", jsonl({"id": "dup", "text": "Ketiga."}, {"id": "x", "text": "Satu."}))
    records_again = write(tmp_path / "d.jsonl", jsonl({"id": "x", "text": "Lagi."}))
    load = load_corpus(tmp_path)
    assert [(a.doc_id, a.body) for a in load.articles] == [("dup", "Jakarta – Yang pertama."), ("x", "Satu.")]
    assert messages(load.warnings) == [
        f"{second}: duplicate doc_id 'dup' (already read from {first}); skipped",
        f"{records}:1: duplicate doc_id 'dup' (already read from {first}); skipped",
        f"{records_again}:1: duplicate doc_id 'x' (already read from {records}:2); skipped",
    ]


def test_non_ascii_file_name_with_spaces(tmp_path: Path) -> None:
    file = write(tmp_path / "berita ñ Surabaya – 2023.txt", "Surabaya – Isi berita.")
    (article,) = load_corpus(tmp_path).articles
    assert (article.doc_id, article.path) == ("berita ñ Surabaya – 2023", str(file))


def test_unreadable_file_is_a_warning(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading")
    locked = write(tmp_path / "locked.txt", "Jakarta – Rahasia.")
    write(tmp_path / "open.txt", "Jakarta – Terbuka.")
    locked.chmod(0)
    try:
        load = load_corpus(tmp_path)
    finally:
        locked.chmod(0o644)
    assert [a.doc_id for a in load.articles] == ["open"]
    assert messages(load.warnings) == [f"{locked}: cannot read file: Permission denied"]


def test_read_errors_become_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Runs as root too: the OS error is simulated where chmod cannot provoke it.
    write(tmp_path / "locked.txt", "Jakarta – Rahasia.")
    write(tmp_path / "open.txt", "Jakarta – Terbuka.")
    read_bytes = Path.read_bytes

    def deny(path: Path) -> bytes:
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", deny)
    load = load_corpus(tmp_path)
    assert [a.doc_id for a in load.articles] == ["open"]
    assert messages(load.warnings) == [f"{tmp_path / 'locked.txt'}: cannot read file: Permission denied"]


def test_symlink_loops_do_not_hang(tmp_path: Path) -> None:
    write(tmp_path / "sub" / "a.txt", "Jakarta – Isi.")
    (tmp_path / "sub" / "up").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "self.txt").symlink_to(tmp_path / "self.txt")
    load = load_corpus(tmp_path)
    assert [a.doc_id for a in load.articles] == ["a"]
    (warning,) = load.warnings
    assert warning.path == str(tmp_path / "self.txt") and warning.message.startswith("cannot read file:")


def test_hidden_and_other_files_are_ignored(tmp_path: Path) -> None:
    write(tmp_path / ".git" / "x.txt", "Jakarta – Tersembunyi.")
    write(tmp_path / "._mac.txt", b"\x00\x05\x16\x07")
    write(tmp_path / "notes.md", "bukan korpus")
    write(tmp_path / "UPPER.TXT", "Jakarta – Besar.")
    assert [a.doc_id for a in load_corpus(tmp_path).articles] == ["UPPER"]


def test_missing_paths_and_wrong_types_raise_corpus_error(tmp_path: Path) -> None:
    write(tmp_path / "notes.md", "x")
    cases = {
        lambda: load_corpus(tmp_path / "nope"): f"{tmp_path / 'nope'}: no such folder",
        lambda: read_file(tmp_path / "nope.txt"): f"{tmp_path / 'nope.txt'}: no such file",
        lambda: read_file(tmp_path / "notes.md"): f"{tmp_path / 'notes.md'}: unsupported file type '.md'",
        lambda: read_file(tmp_path): f"{tmp_path}: is a folder, not a file",
    }
    for call, message in cases.items():
        with pytest.raises(CorpusError) as error:
            call()
        assert str(error.value).startswith(message) and "\n" not in str(error.value)


def test_load_corpus_of_a_file_reads_that_file() -> None:
    load = load_corpus(CORPUS / "003_219fc8fa0a90b567.txt")
    assert [a.doc_id for a in load.articles] == ["003_219fc8fa0a90b567"]


def test_big_inputs_stay_linear(tmp_path: Path) -> None:
    # Would take minutes if wrapping, dates or sentences were handled quadratically.
    wrapped = "kata kata kata\n" * 200_000
    numbers = "1, " * 1_000_000
    article = parse_article(wrapped + numbers, "x")
    assert article is not None and article.body.count("\n") == 2
    assert parse_article("Dr. " * 500_000, "x") is not None


def test_a_single_line_with_slashes_is_content_not_a_breadcrumb(tmp_path: Path) -> None:
    file = write(
        tmp_path / "news.jsonl",
        jsonl({"id": "s", "text": "Kepala bagian (KABAG / SEKDA / BUPATI) menyampaikan laporan kegiatan tahun ini."}),
    )
    (article,) = read_file(file).articles
    assert article.body.startswith("Kepala bagian (KABAG / SEKDA / BUPATI)")


def test_an_oversized_file_is_skipped_with_its_size(tmp_path: Path, monkeypatch) -> None:
    from bnptsearch.readers import base
    from bnptsearch.readers import jsonl as jsonl_reader

    monkeypatch.setattr(base, "MAX_ARTICLE_BYTES", 1000)
    monkeypatch.setattr(jsonl_reader, "MAX_ARTICLE_BYTES", 1000)
    write(tmp_path / "huge.txt", "Jakarta – Berita panjang. " * 100)
    write(tmp_path / "arsip.jsonl", jsonl({"id": "big", "text": "kata " * 400}, {"id": "ok", "text": "Jakarta – Isi."}))
    write(tmp_path / "small.txt", "Jakarta – Berita pendek tentang BNPT.")
    load = load_corpus(tmp_path)
    assert [a.doc_id for a in load.articles] == ["ok", "small"]
    text = messages(load.warnings)
    assert any("huge.txt" in m and "too large for one article" in m for m in text)
    assert any("arsip.jsonl:1" in m and "too large" in m for m in text)
