"""Word documents (``.docx``): paragraphs, title and date (python-docx).

The title is the core properties' title, or the first paragraph styled as a heading or
title; the date is the core properties' creation date. python-docx brings lxml (about
15 MB), so it is the optional ``docx`` extra.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..clean import plain_paragraphs
from ..dates import first_date
from .base import MAX_DOCUMENT_BYTES, Located, Reading, content_hash, document_article, fits
from .pdf import document_title

__all__ = ["EXTRA_HINT", "raw", "read"]

EXTRA_HINT = "needs the docx extra: pip install 'bnptsearch[docx]'; skipped"


def read(reading: Reading) -> list[Located]:
    """The document as one article; its id is the file name without extension."""
    found = _open(reading)
    if found is None:
        return []
    document, data_hash = found
    try:
        title, paragraphs, created = _contents(document)
        author = document.core_properties.author
    except Exception as error:  # noqa: BLE001 - a malformed part of the file, whatever it is, is a warning
        reading.warn(f"cannot read Word document ({type(error).__name__}: {error}); skipped")
        return []
    if not paragraphs:
        reading.warn("no text in the document; skipped")
        return []
    body = "\n\n".join(paragraphs)
    date = created.date().isoformat() if created else first_date([title, body])
    return document_article(reading, title, body, date, data_hash, author=author)


def _contents(document: Any) -> tuple[str, list[str], datetime | None]:
    """(title, paragraphs, creation time) of a python-docx Document."""
    paragraphs: list[str] = []
    heading = ""
    for paragraph in document.paragraphs:
        text = " ".join(plain_paragraphs(paragraph.text))
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if not heading and not paragraphs and style.lower().startswith(("heading", "title", "judul")):
            heading = text
            continue
        paragraphs.append(text)
    properties = document.core_properties
    title = document_title(properties.title or "") or heading
    if heading and heading != title:
        paragraphs.insert(0, heading)
    return title, paragraphs, properties.created


def raw(reading: Reading, doc_id: str) -> str | None:
    """The document's paragraphs as written, one per line."""
    found = _open(reading)
    return "\n".join(paragraph.text for paragraph in found[0].paragraphs) if found else None


def _open(reading: Reading) -> tuple[Any, str] | None:
    """(the python-docx Document, the file's hash), or None with a warning."""
    if not fits(reading, MAX_DOCUMENT_BYTES, "a Word document"):
        return None
    try:
        import docx  # optional extra: imported only when a Word file is read
    except ImportError:
        reading.warn(EXTRA_HINT)
        return None
    data = reading.read_bytes()
    try:
        document = docx.Document(str(reading.path))
    except Exception as error:  # noqa: BLE001 - a damaged file fails in many ways, each a warning
        reading.warn(f"cannot read Word document ({type(error).__name__}: {error}); skipped")
        return None
    return document, content_hash(data)
