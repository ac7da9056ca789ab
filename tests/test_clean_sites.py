"""Scraped pages of other Indonesian news sites (detik, Republika) are cleaned like the seed
sites: their chrome is not searchable and their metadata comes out right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bnptsearch import Index, clean
from bnptsearch.corpus import parse_article

# A detik page copied from the browser: headline, byline, date, ad labels, a "Baca juga"
# link, editor initials at the end, the "Baca artikel ... selengkapnya" footer and the app ad.
DETIK = """\
Densus 88 Tangkap Terduga Teroris di Sidoarjo, Sita Buku dan Ponsel
Tim detikJatim - detikNews
Selasa, 14 Mei 2024 09:30 WIB
Sidoarjo - Tim Densus 88 Antiteror Polri menangkap seorang terduga teroris di Kecamatan Waru, \
Sidoarjo. Penangkapan dilakukan pada Selasa pagi sekitar pukul 06.00 WIB.

ADVERTISEMENT

SCROLL TO CONTINUE WITH CONTENT

Kapolresta Sidoarjo Kombes Pol Budi Santoso membenarkan adanya penangkapan tersebut. "Benar, ada \
penangkapan oleh Densus 88. Kami hanya membantu pengamanan," kata Budi kepada wartawan.

Baca juga: Polisi Amankan Dua Remaja Pelaku Tawuran di Surabaya

[Gambas:Video 20detik]

Terduga teroris berinisial AS (35) itu diduga terafiliasi dengan jaringan Jamaah Ansharut Daulah \
(JAD). Barang bukti yang disita antara lain buku-buku jihad dan telepon genggam. (abc/dpe)

Baca artikel detikjatim, "Densus 88 Tangkap Terduga Teroris di Sidoarjo, Sita Buku dan Ponsel" \
selengkapnya https://www.detik.com/jatim/hukum-dan-kriminal/d-7340123/densus-88-tangkap-terduga-teroris.

Download Apps Detikcom Sekarang https://apps.detik.com/detik/
"""

# A Republika page: headline, reporter and editor lines, a photo credit, the dateline with the
# publisher first ("REPUBLIKA.CO.ID, POSO --"), and the wire credit at the end.
REPUBLIKA = """\
Densus 88 Tangkap Tiga Terduga Anggota MIT di Poso
Rep: Rizky Suryarandika/ Red: Ani Nursalikah
Foto: ANTARA FOTO/Mohamad Hamzah
REPUBLIKA.CO.ID, POSO -- Detasemen Khusus 88 Antiteror Polri menangkap tiga terduga teroris di \
Kabupaten Poso, Sulawesi Tengah, Senin (13/5/2024). Ketiganya diduga anggota kelompok Mujahidin \
Indonesia Timur (MIT) yang masih tersisa.

Kepala Bidang Humas Polda Sulawesi Tengah Kombes Pol Djoko Wienartono mengatakan penangkapan \
dilakukan tanpa perlawanan. "Ketiganya saat ini menjalani pemeriksaan intensif," ujarnya.

Ia meminta masyarakat Poso tetap tenang dan melaporkan hal mencurigakan kepada aparat setempat.

Red: Ani Nursalikah
Sumber : Antara
"""


@pytest.mark.parametrize(
    ("page", "title", "metadata", "starts", "ends", "chrome"),
    [
        (
            DETIK,
            "Densus 88 Tangkap Terduga Teroris di Sidoarjo, Sita Buku dan Ponsel",
            ("Sidoarjo", "detikNews", "2024-05-14"),
            "Sidoarjo - Tim Densus 88 Antiteror Polri menangkap",
            "buku-buku jihad dan telepon genggam.",
            ("Tim detikJatim", "Selasa, 14 Mei", "ADVERTISEMENT", "SCROLL", "Tawuran", "Gambas",
             "(abc/dpe)", "Baca artikel", "selengkapnya", "https://", "Download Apps"),
        ),
        (
            REPUBLIKA,
            "Densus 88 Tangkap Tiga Terduga Anggota MIT di Poso",
            # The publisher's domain is the source, the city the place: not the other way round.
            ("POSO", "REPUBLIKA.CO.ID", "2024-05-13"),
            "REPUBLIKA.CO.ID, POSO -- Detasemen Khusus 88",
            "kepada aparat setempat.",
            ("Rep:", "Red:", "Nursalikah", "Foto:", "Hamzah", "Sumber"),
        ),
    ],
    ids=["detik", "republika"],
)  # fmt: skip
def test_site_chrome_is_removed_and_metadata_found(
    page: str, title: str, metadata: tuple, starts: str, ends: str, chrome: tuple[str, ...]
) -> None:
    article = parse_article(page, "x")
    assert article is not None
    assert article.title == title
    assert (article.place, article.source, article.date) == metadata
    assert article.body.startswith(starts) and article.body.endswith(ends)
    for text in chrome:
        assert text not in article.body, text


@pytest.mark.parametrize(
    ("line", "chrome"),
    [
        ("Deny Prastyo Utomo - detikJatim", True),
        ("(rdp/imk)", True),
        ("Red: Friska Yolandha", True),
        ("Sumber: Antara/Reuters", True),
        # Article sentences that merely look alike stay.
        ("Sumber: dana hibah dari APBN sebesar Rp 2 miliar.", False),
        ("Ia menyebut sumber dana: hibah dari luar negeri.", False),
        ("Kegiatan dihadiri 20 orang (dan/atau wakilnya) dari tiap desa.", False),
    ],
)
def test_site_rules_do_not_eat_article_sentences(line: str, chrome: bool) -> None:
    article = parse_article(f"Jakarta – Polisi menangkap dua orang di Bekasi.\n\n{line}", "x")
    assert article is not None
    assert (line not in article.body) == chrome


def test_site_rules_are_data() -> None:
    # Each site is rows in the tables, each row a pattern of its own; none eats article text.
    for rule in (*clean.FOOTER_LINES, *clean.NOISE_LINES, *clean.SOURCE_LINES, *clean.END_MARKS):
        assert re.compile(rule).fullmatch("Polisi menangkap dua orang di Bekasi.") is None
    assert all("(?P<source>" in rule for rule in clean.SOURCE_LINES)


def test_site_chrome_is_not_searchable(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "detik.txt").write_text(DETIK, encoding="utf-8")
    (corpus / "republika.txt").write_text(REPUBLIKA, encoding="utf-8")
    index, report = Index.build(corpus, tmp_path / "index")
    with index:
        assert report.warnings == ()
        assert {hit.doc_id for hit in index.search("Densus 88 teroris").hits} == {"detik", "republika"}
        for chrome in ("Tawuran", "Download Apps", "selengkapnya", "Nursalikah", "Suryarandika", "Hamzah"):
            assert index.search(chrome, expand=False).hits == (), chrome
        assert [hit.doc_id for hit in index.search("Poso", sources=["REPUBLIKA.CO.ID"]).hits] == ["republika"]
