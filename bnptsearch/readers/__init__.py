"""One reader per file format; :func:`format_of` picks one by a file's content and extension.

Each reader takes a :class:`~bnptsearch.readers.base.Reading` (the file, the field mapping
for archive records, the hashes already indexed) and returns the file's articles (JSON
Lines yields them as it reads), each problem a warning. ``raw`` gives an article's text as it is in its file, before cleaning.

>>> format_of(Path("berita.txt"), b"<!DOCTYPE html><html>").name
'html'
>>> format_of(Path("laporan.txt"), b"%PDF-1.7").name
'pdf'
>>> format_of(Path("foto.jpg"), b"\\xff\\xd8\\xff") is None
True
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from . import docx, html, jsonl, pdf, table, txt
from .base import Located, Reading

__all__ = ["EXTENSIONS", "FORMATS", "SNIFF_BYTES", "Format", "describe", "format_of"]


@dataclass(frozen=True)
class Format:
    """A file format: its name, extensions, its reader and raw-text functions, and whether
    its files hold records read by a field mapping."""

    name: str
    extensions: tuple[str, ...]
    read: Callable[[Reading], Iterable[Located]]
    raw: Callable[[Reading, str], str | None]
    records: bool = False


FORMATS: tuple[Format, ...] = (
    Format("txt", (".txt",), txt.read, txt.raw),
    Format("jsonl", (".jsonl",), jsonl.read, jsonl.raw, records=True),
    Format("html", (".html", ".htm"), html.read, html.raw),
    Format("pdf", (".pdf",), pdf.read, pdf.raw),
    Format("docx", (".docx",), docx.read, docx.raw),
    Format("csv", (".csv",), table.read_csv, table.raw_csv, records=True),
    Format("tsv", (".tsv",), table.read_tsv, table.raw_tsv, records=True),
    Format("json", (".json",), table.read_json, table.raw_json, records=True),
)
_BY_NAME = {f.name: f for f in FORMATS}
_BY_EXTENSION = {extension: f for f in FORMATS for extension in f.extensions}
# Every extension a corpus file may have.
EXTENSIONS = tuple(_BY_EXTENSION)
# How many bytes of a file :func:`format_of` needs to see.
SNIFF_BYTES = 512

# What a file of another kind is, to name it in the warning (beyond what mimetypes knows).
_KINDS = {
    ".doc": "old Word document; save it as .docx",
    ".xls": "Excel workbook; export it as CSV",
    ".xlsx": "Excel workbook; export it as CSV",
    ".odt": "OpenDocument text; save it as .docx",
    ".rtf": "RTF document; save it as .docx",
    ".md": "Markdown text; rename it .txt to index it",
}
_MAGIC = (
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\xd0\xcf\x11\xe0", "old Office document"),
)


def format_of(path: Path, head: bytes) -> Format | None:
    """The format of the file ``path`` whose first bytes are ``head`` (:data:`SNIFF_BYTES`
    of them), or None if it is not one bnptsearch reads.

    The content wins where it is unmistakable: a PDF is a PDF whatever its name, and a web
    page saved as ``.txt`` is read as HTML.
    """
    extension = path.suffix.lower()
    if head.startswith(b"%PDF-"):
        return _BY_NAME["pdf"]
    if extension in (".txt", ".html", ".htm") and html.looks_like_html(head):
        return _BY_NAME["html"]
    return _BY_EXTENSION.get(extension)


def describe(path: Path, head: bytes) -> str:
    """What kind of file ``path`` is, for the warning about a file that is not read.

    >>> describe(Path("foto.JPG"), b"\\xff\\xd8\\xff\\xe0"), describe(Path("catatan.md"), b"# Catatan")
    ('JPEG image', 'Markdown text; rename it .txt to index it')
    """
    extension = path.suffix.lower()
    if extension in _KINDS:
        return _KINDS[extension]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    guessed, _ = mimetypes.guess_type(path.name, strict=False)
    if guessed:
        return guessed
    return f"{extension} file" if extension else "file without extension"
