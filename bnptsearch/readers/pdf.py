"""PDF reports and regulations: text per page (pypdf), title and date, page starts kept.

The body is the pages' paragraphs in order; :attr:`Article.pages` records where pages 2,
3, … start in it, so a hit can say "p. 3". The title is the document info's, or the first
page's first line when it reads like a heading; the date is the info dict's creation date,
or the first date the text states. A scan without a text layer is skipped with a warning
rather than indexed as an empty article.

pypdf (BSD, pure Python, about 4 MB) is a default dependency.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from ..clean import plain_paragraphs
from ..dates import first_date, iso_date
from .base import MAX_DOCUMENT_BYTES, Located, Reading, content_hash, document_article, fits

__all__ = ["document_title", "raw", "read"]

# A first line longer than this, or ending like a sentence, is text, not a heading.
_MAX_HEADING_CHARS = 200
# "Microsoft Word - laporan.docx": the info title some converters write.
_CONVERTER_TITLE = re.compile(r"(?i:microsoft (?:word|powerpoint) - .*|untitled|.*\.(?:docx?|pdf|pptx?))")

# pypdf logs every recoverable oddity of a real-world file; a warning per file is ours to give.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def read(reading: Reading) -> list[Located]:
    """The document as one article; its id is the file name without extension."""
    found = _pages(reading)
    if found is None:
        return []
    pages, info, data_hash = found
    paragraphs = [plain_paragraphs(page) for page in pages]
    if not any(paragraphs):
        reading.warn("no text layer (a scan?); skipped")
        return []
    title = document_title(str(info.get("/Title") or ""))
    first_page = paragraphs[0] if paragraphs else []
    if not title and first_page and _is_heading(first_page[0]):
        title = first_page[0]
    if first_page and title and first_page[0].casefold() == title.casefold():
        paragraphs[0] = first_page[1:]
    body, starts = _join(paragraphs)
    date = _info_date(info) or first_date([title, body])
    return document_article(reading, title, body, date, data_hash, starts, author=str(info.get("/Author") or ""))


def raw(reading: Reading, doc_id: str) -> str | None:
    """The text of each page as extracted, pages separated by a form feed."""
    found = _pages(reading)
    return "\f".join(found[0]) if found else None


def document_title(title: str) -> str:
    """A document's stored title, or "" when it is a converter's placeholder.

    >>> document_title("Microsoft Word - laporan_final.docx"), document_title(" Laporan Tahunan BNPT ")
    ('', 'Laporan Tahunan BNPT')
    """
    title = " ".join(title.split())
    return "" if _CONVERTER_TITLE.fullmatch(title) else title


def _pages(reading: Reading) -> tuple[list[str], dict[str, Any], str] | None:
    """(each page's text, the info dict, the file's hash), or None with a warning."""
    if not fits(reading, MAX_DOCUMENT_BYTES, "a PDF"):
        return None
    from pypdf import PdfReader

    data = reading.read_bytes()
    try:
        pdf = PdfReader(reading.path)
        if pdf.is_encrypted and not pdf.decrypt(""):
            reading.warn("encrypted PDF (needs a password); skipped")
            return None
        pages = [page.extract_text() or "" for page in pdf.pages]
        info = dict(pdf.metadata or {})
    except Exception as error:  # noqa: BLE001 - a damaged PDF fails in many ways, each a warning
        reading.warn(f"cannot read PDF ({type(error).__name__}: {error}); skipped")
        return None
    return pages, info, content_hash(data)


def _is_heading(line: str) -> bool:
    """A title-like first line: short, a few words with letters ("3" or a running header's
    URL is not), not ending like a sentence."""
    words = [word for word in line.split() if any(c.isalpha() for c in word)]
    return len(line) <= _MAX_HEADING_CHARS and len(words) >= 2 and not line.endswith((".", ",", ";", ":"))


def _join(pages: list[list[str]]) -> tuple[str, tuple[int, ...]]:
    """The body (paragraphs separated by a blank line) and where pages 2.. start in it.

    >>> _join([["Satu."], [], ["Tiga.", "Empat."]])
    ('Satu.\\n\\nTiga.\\n\\nEmpat.', (7, 7))
    """
    parts: list[str] = []
    length = 0
    starts: list[int] = []
    for number, paragraphs in enumerate(pages):
        if number:
            # A page with no text starts where the next text does.
            starts.append(length + 2 if parts else 0)
        for paragraph in paragraphs:
            length += len(paragraph) + (2 if parts else 0)
            parts.append(paragraph)
    body = "\n\n".join(parts)
    return body, tuple(min(start, len(body)) for start in starts)


def _info_date(info: dict[str, Any]) -> str | None:
    """The creation (or else modification) date of the info dict: "D:20240315093000+07'00'"."""
    for key in ("/CreationDate", "/ModDate"):
        match = re.match(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?", str(info.get(key) or ""))
        date = iso_date("-".join(part for part in match.groups() if part)) if match else None
        if date:
            return date
    return None
