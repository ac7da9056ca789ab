"""Saved web pages (``.html``, ``.htm``, or a page saved as ``.txt``): main text and metadata.

The article is told from navigation, ads, related-article lists, comments, scripts and
footers by trafilatura, a library made for news pages (with htmldate for the publication
date); its metadata gives the title (og:title, ``<h1>`` or ``<title>``, without the site's
suffix), the date, the site name (the article's source) and the canonical URL. A page
fetched by ``bnptsearch add URL`` or saved by a browser starts with a
``<!-- saved from url=(0042)https://… -->`` comment: that URL is the article's.

trafilatura and lxml add about 70 MB, so they are the optional ``html`` extra.

>>> saved_from('<!-- saved from url=(0022)https://example.id/a -->\\n<html>')
'https://example.id/a'
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from ..clean import clean
from .base import Article, Located, Reading, content_hash, decode, one_line, read_text

__all__ = ["EXTRA_HINT", "looks_like_html", "raw", "read", "saved_from", "saved_from_comment"]

EXTRA_HINT = "needs the html extra: pip install 'bnptsearch[html]'; skipped"
# What a page saved as .txt starts with (after a byte-order mark and blank space).
_HTML_START = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL)
_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->")
# "Judul Berita - Kompas.com", "Judul | Detik": a page title's site suffix.
_SUFFIX_SEPARATOR = r"\s+[-|–—:·]\s+"


def looks_like_html(head: bytes) -> bool:
    """Whether a file starting with ``head`` is an HTML page.

    >>> looks_like_html(b"\\xef\\xbb\\xbf\\n<!DOCTYPE html><html>"), looks_like_html(b"Judul berita")
    (True, False)
    """
    text = head.decode("utf-16", "replace").encode() if head[:2] in (b"\xff\xfe", b"\xfe\xff") else head
    return _HTML_START.match(text.removeprefix(b"\xef\xbb\xbf")) is not None


def saved_from(html: str) -> str | None:
    """The URL a saved page was fetched from, if the page says."""
    match = _SAVED_FROM.search(html[:2000])
    return match[1] if match else None


def saved_from_comment(url: str) -> str:
    """The comment that records where a page was fetched from (browsers write the same).

    >>> saved_from_comment("https://example.id/a")
    '<!-- saved from url=(0020)https://example.id/a -->'
    """
    return f"<!-- saved from url=({len(url):04d}){url} -->"


def _extract(html: str) -> Any:
    """trafilatura's extraction (main text and metadata), or None if nothing is extracted."""
    import trafilatura  # optional extra: imported only when a page is read

    return trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=True)


def read(reading: Reading) -> list[Located]:
    """The page's article; its id is the file name without extension."""
    found = read_text(reading, _declared_charset)
    if found is None:
        return []
    html, data = found
    try:
        document = _extract(html)
    except ImportError:
        reading.warn(EXTRA_HINT)
        return []
    except Exception as error:  # noqa: BLE001 - whatever a malformed page makes the extractor raise is a warning
        reading.warn(f"cannot extract the page ({type(error).__name__}: {error}); skipped")
        return []
    text = (document.text or "") if document is not None else ""
    if not text.strip():
        reading.warn("no article text found in the page; skipped")
        return []
    title = _without_site_suffix(document.title or "", document.sitename or "")
    # One paragraph per extracted block, so the cleaner does not join them.
    page = clean("\n\n".join(text.split("\n")), title=title)
    if page is None:
        reading.warn("nothing but site boilerplate; skipped")
        return []
    article = Article(
        doc_id=reading.path.stem,
        title=page.title,
        body=page.body,
        source=document.sitename or page.source,
        place=page.place,
        date=document.date or page.date,
        url=saved_from(html) or document.url or None,
        path=reading.name,
        content_hash=content_hash(data),
        # The byline trafilatura finds (meta author, JSON-LD, a byline element).
        author=one_line(document.author),
    )
    return [(article, None)]


def raw(reading: Reading, doc_id: str) -> str | None:
    """The page's HTML source."""
    return decode(reading.path.read_bytes(), _declared_charset)[0]


def _declared_charset(data: bytes) -> str | None:
    """The encoding a page declares (``<meta charset="…">`` or the http-equiv form) in its
    head, if Python knows it.

    >>> _declared_charset(b'<html><head><meta charset="iso-8859-1">'), _declared_charset(b"<html>")
    ('iso-8859-1', None)
    """
    match = _CHARSET.search(data[:4096])
    if not match:
        return None
    name = match[1].decode("ascii")
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


def _without_site_suffix(title: str, site: str) -> str:
    """``title`` without a trailing "- Site Name" (or a leading "Site Name |").

    >>> _without_site_suffix("Densus Tangkap Teroris - Kompas.com", "Kompas.com")
    'Densus Tangkap Teroris'
    """
    title = title.strip()
    if site:
        site_pattern = re.escape(site.strip())
        title = re.sub(f"{_SUFFIX_SEPARATOR}{site_pattern}$", "", title, flags=re.IGNORECASE)
        title = re.sub(f"^{site_pattern}{_SUFFIX_SEPARATOR}", "", title, flags=re.IGNORECASE)
    return title.strip()
