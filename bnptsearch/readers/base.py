"""What every reader shares: the Article it produces, warnings, decoding and size limits.

A reader turns one file's bytes into articles (see :mod:`bnptsearch.readers`); it never
raises for bad content: each problem becomes a :class:`CorpusWarning` and the rest is read.

>>> decode("Pak Andr\\u00e9s".encode("utf-16"))
('Pak Andrés', None)
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

__all__ = [
    "MAX_ARTICLE_BYTES",
    "MAX_DOCUMENT_BYTES",
    "Article",
    "CorpusWarning",
    "Located",
    "Reading",
    "binary_file",
    "cannot_read",
    "content_digest",
    "content_hash",
    "file_content_hash",
    "decode",
    "document_article",
    "fits",
    "is_utf16",
    "megabytes",
    "one_line",
    "read_text",
    "read_whole",
]

# One article larger than this is not a news article (a dump, a log, a mis-saved file): it
# is skipped with a warning instead of being cut into hundreds of thousands of passages.
# Archive files (JSONL, CSV) may be any size; the limit applies to each record.
MAX_ARTICLE_BYTES = 10 * 2**20
# Reports (PDF, Word) run to tens of megabytes of images around little text.
MAX_DOCUMENT_BYTES = 200 * 2**20
# Files are hashed in pieces of this size, so a file of any size hashes in constant memory.
_HASH_CHUNK_BYTES = 2**20


@dataclass(frozen=True)
class Article:
    """One clean article; ``body`` paragraphs are separated by a blank line.

    ``pages`` are the offsets in ``body`` where pages 2, 3, … of a paged document (PDF)
    start; page 1 starts at 0, and other formats have none. ``author`` is the writer named
    by the file's metadata (a page's byline, a document's properties, a record's field).
    """

    doc_id: str
    title: str
    body: str
    source: str | None
    place: str | None
    date: str | None
    url: str | None
    path: str
    content_hash: str
    pages: tuple[int, ...] = ()
    author: str | None = None


@dataclass(frozen=True)
class CorpusWarning:
    """A corpus problem that was skipped over.

    >>> str(CorpusWarning("news.jsonl", "malformed JSON; line skipped", 3))
    'news.jsonl:3: malformed JSON; line skipped'
    """

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


# Each article with its line in an archive file (None for a file that is one article), so a
# duplicate can be reported at its line.
Located = tuple[Article, int | None]


@dataclass
class Reading:
    """One file being read: where it is, the field mapping for records, what is known.

    ``known`` maps content hashes to doc_ids already indexed: archive records with one of
    those hashes are not parsed again, only listed in ``unchanged``. A reader that reads
    the whole file sets ``file_hash`` (:func:`content_hash` of its bytes), so that a new
    file is hashed and parsed in one pass.
    """

    path: Path
    fields: Mapping[str, str] = field(default_factory=dict)
    known: Mapping[str, str] = field(default_factory=dict)
    warnings: list[CorpusWarning] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    file_hash: str | None = None

    def read_bytes(self) -> bytes:
        """The whole file, its hash recorded in ``file_hash``."""
        data = self.path.read_bytes()
        self.file_hash = content_hash(data)
        return data

    @property
    def name(self) -> str:
        return str(self.path)

    def warn(self, message: str, line: int | None = None) -> None:
        self.warnings.append(CorpusWarning(self.name, message, line))


def content_hash(data: bytes) -> str:
    """The hash that tells whether a file or record changed since it was indexed.

    >>> content_hash(b"")[:16]
    'e3b0c44298fc1c14'
    """
    return content_digest(data).hexdigest()


def content_digest(data: bytes = b"") -> Any:
    """:func:`content_hash` to be fed piece by piece (``update``, then ``hexdigest``).

    >>> digest = content_digest(b"Ja"); digest.update(b"karta"); digest.hexdigest() == content_hash(b"Jakarta")
    True
    """
    return hashlib.sha256(data)


def file_content_hash(file: BinaryIO) -> str:
    """:func:`content_hash` of the rest of an open binary file, read in chunks: a file of
    any size hashes in constant memory.

    >>> import io; file_content_hash(io.BytesIO(b"")) == content_hash(b"")
    True
    """
    digest = content_digest()
    while chunk := file.read(_HASH_CHUNK_BYTES):
        digest.update(chunk)
    return digest.hexdigest()


def decode(data: bytes, declared: Callable[[bytes], str | None] | None = None) -> tuple[str, str | None]:
    """(text, the warning to give if the Windows-1252 fallback was needed).

    UTF-8 with or without a byte-order mark, UTF-16 with one (what Windows Notepad saves as
    "Unicode"). Scrapes that are not UTF-8 are in practice Windows-1252 (a superset of
    Latin-1 for printable text); its five undefined bytes become U+FFFD rather than failing.
    ``declared`` finds the encoding a format states inside the file (a web page's charset),
    used when the bytes are not UTF-8.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Lone surrogates (a truncated file) become U+FFFD, not an error at index time.
        return data.decode("utf-16", errors="replace"), None
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        encoding = declared(data) if declared else None
        if encoding and codecs.lookup(encoding).name != "utf-8":
            return data.decode(encoding, errors="replace"), None
        return data.decode("cp1252", errors="replace"), "not valid UTF-8; decoded as Windows-1252"


def is_utf16(head: bytes) -> bool:
    """Whether a file starting with ``head`` is UTF-16 with a byte-order mark (its NUL bytes
    are text, not a sign of a binary file)."""
    return head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def cannot_read(error: OSError) -> str:
    """The one wording of a file that could not be read, for warnings and errors.

    >>> cannot_read(PermissionError(13, "Permission denied"))
    'cannot read file: Permission denied'
    """
    return f"cannot read file: {error.strerror or error}"


def megabytes(size: int) -> str:
    return f"{size / 2**20:.0f} MB"


def read_whole(reading: Reading) -> bytes | None:
    """The bytes of a file that is one article, or None (with a warning) if it is larger than
    :data:`MAX_ARTICLE_BYTES`. An OSError is left to the caller, which reports it."""
    return reading.read_bytes() if fits(reading, MAX_ARTICLE_BYTES) else None


def fits(reading: Reading, limit: int, what: str = "one article") -> bool:
    """Whether the file is at most ``limit`` bytes; if not, a warning says it is skipped."""
    size = reading.path.stat().st_size
    if size > limit:
        reading.warn(f"{megabytes(size)} is too large for {what} (limit {megabytes(limit)}); skipped")
    return size <= limit


def binary_file(reading: Reading) -> None:
    # NUL never occurs in 8-bit text: an image or archive that was given a text extension.
    reading.warn("binary file (contains NUL bytes); skipped")


def read_text(reading: Reading, declared: Callable[[bytes], str | None] | None = None) -> tuple[str, bytes] | None:
    """(decoded text, bytes) of a text file that is one article, or None with a warning if
    it is too large, binary or empty; ``declared`` as for :func:`decode`."""
    data = read_whole(reading)
    if data is None:
        return None
    if b"\0" in data and not is_utf16(data):
        binary_file(reading)
        return None
    text, problem = decode(data, declared)
    if problem:
        reading.warn(problem)
    if not text.strip():
        reading.warn("empty file; skipped")
        return None
    return text, data


def one_line(value: str | None) -> str | None:
    """A metadata value (an author, say) on one line with single spaces; None if empty.

    >>> one_line(" Tim  detikNews\t"), one_line("  ")
    ('Tim detikNews', None)
    """
    return " ".join((value or "").split()) or None


def document_article(
    reading: Reading,
    title: str,
    body: str,
    date: str | None,
    data_hash: str,
    pages: tuple[int, ...] = (),
    author: str | None = None,
) -> list[Located]:
    """A document file (PDF, Word) as its one article: its id is the file name without
    extension, and it has no dateline (source, place) or URL of its own. ``author`` is the
    document's stored author, spaces tidied; None if it has none."""
    article = Article(reading.path.stem, title, body, None, None, date, None, reading.name, data_hash, pages, one_line(author))
    return [(article, None)]
