"""Plain-text pages (``.txt``): a scraped page is one article, cleaned by :mod:`bnptsearch.clean`.

>>> a = parse_article("Judul Berita Hari Ini\\n\\nJAKARTA, KOMPAS.com – Polisi menangkap"
...                   " dua orang, Rabu (23/3/2022).\\n\\nTinggalkan Balasan", "x")
>>> (a.title, a.place, a.source, a.date)
('Judul Berita Hari Ini', 'JAKARTA', 'KOMPAS.com', '2022-03-23')
"""

from __future__ import annotations

from ..clean import clean
from .base import Article, Located, Reading, content_hash, decode, read_text

__all__ = ["parse_article", "raw", "read"]


def parse_article(raw: str, doc_id: str, path: str = "", content_hash: str = "") -> Article | None:
    """Cleans one scraped page (see :func:`bnptsearch.clean.clean`) into an Article.

    Returns None when nothing but site boilerplate is left.
    """
    page = clean(raw)
    if page is None:
        return None
    return Article(doc_id, page.title, page.body, page.source, page.place, page.date, None, path, content_hash)


def read(reading: Reading) -> list[Located]:
    """A page of text is one article, its id the file name without extension."""
    found = read_text(reading)
    if found is None:
        return []
    text, data = found
    article = parse_article(text, reading.path.stem, reading.name, content_hash(data))
    if article is None:
        reading.warn("nothing but site boilerplate; skipped")
        return []
    return [(article, None)]


def raw(reading: Reading, doc_id: str) -> str | None:
    """The whole file, decoded."""
    return decode(reading.path.read_bytes())[0]
