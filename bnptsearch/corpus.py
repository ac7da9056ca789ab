"""Read the news corpus: files of scraped ``.txt`` pages and ``.jsonl`` records become Articles.

This module finds the files, reads and decodes them (one reader per format, see
:data:`SUPPORTED_EXTENSIONS`) and reports what went wrong; what is article and what is site
chrome in a page's text is decided by :mod:`bnptsearch.clean`.

>>> load = load_corpus("corpus")                                  # doctest: +SKIP
>>> [a.doc_id for a in load.articles][:2]                         # doctest: +SKIP
['000_d9719fe4b4a867df', '001_b906f770b361ad8d']

Bad input never stops :func:`load_corpus`: each problem becomes a :class:`CorpusWarning`
naming the file (and the line, for JSONL) and the remaining files are still read.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .clean import clean
from .dates import metadata_date
from .errors import CorpusError

__all__ = [
    "MAX_ARTICLE_BYTES",
    "PARSER_VERSION",
    "SUPPORTED_EXTENSIONS",
    "Article",
    "CorpusLoad",
    "CorpusWarning",
    "content_hash",
    "corpus_files",
    "duplicate_id_warning",
    "load_corpus",
    "parse_article",
    "raw_text",
    "read_file",
]

# Bump when cleaning or metadata rules change: an index records it, because an unchanged
# file (same content hash) would otherwise keep the old cleaning until rebuilt.
PARSER_VERSION = "5"

# One broken multi-gigabyte JSONL must not drown the report in a million lines.
_MAX_LINE_WARNINGS_PER_FILE = 20
# One article larger than this is not a news article (a dump, a log, a mis-saved file): it
# is skipped with a warning instead of being cut into hundreds of thousands of passages.
# JSONL archives may be any size; the limit applies to each record.
MAX_ARTICLE_BYTES = 10 * 2**20
# Enough to see whether a .jsonl is really binary without reading it all.
_BINARY_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Article:
    """One clean article; ``body`` paragraphs are separated by a blank line."""

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


@dataclass(frozen=True)
class CorpusLoad:
    """The articles read, in path (then line) order, and the problems met on the way.

    ``unchanged`` lists the ids of JSONL records skipped because their content hash was
    given as already known (see :func:`read_file`).
    """

    articles: tuple[Article, ...]
    warnings: tuple[CorpusWarning, ...]
    unchanged: tuple[str, ...] = ()


def parse_article(raw: str, doc_id: str, path: str = "", content_hash: str = "") -> Article | None:
    """Cleans one scraped page (see :func:`bnptsearch.clean.clean`) into an Article.

    Returns None when nothing but site boilerplate is left.

    >>> a = parse_article("Judul Berita Hari Ini\\n\\nJAKARTA, KOMPAS.com – Polisi menangkap"
    ...                   " dua orang, Rabu (23/3/2022).\\n\\nTinggalkan Balasan", "x")
    >>> (a.title, a.place, a.source, a.date)
    ('Judul Berita Hari Ini', 'JAKARTA', 'KOMPAS.com', '2022-03-23')
    """
    page = clean(raw)
    if page is None:
        return None
    return Article(doc_id, page.title, page.body, page.source, page.place, page.date, None, path, content_hash)


def content_hash(data: bytes) -> str:
    """The hash that tells whether a file or record changed since it was indexed.

    >>> content_hash(b"")[:16]
    'e3b0c44298fc1c14'
    """
    return hashlib.sha256(data).hexdigest()


def duplicate_id_warning(path: str, doc_id: str, first: str, line: int | None = None) -> CorpusWarning:
    """The warning for an article of ``path`` whose doc_id was already read from ``first``.

    >>> str(duplicate_id_warning("b.jsonl", "x", "a.jsonl:2", 1))
    "b.jsonl:1: duplicate doc_id 'x' (already read from a.jsonl:2); skipped"
    """
    return CorpusWarning(path, f"duplicate doc_id {doc_id!r} (already read from {first}); skipped", line)


# --------------------------------------------------------------------------- files

# What read functions hand on internally: each article with its JSONL line (None for .txt),
# so a duplicate can be reported at its line.
_Located = tuple[Article, int | None]


def read_file(path: str | os.PathLike, known: Mapping[str, str] | None = None) -> CorpusLoad:
    """Reads one ``.txt`` or ``.jsonl`` file; problems inside it become warnings.

    ``known`` maps content hashes to doc_ids already indexed: JSONL records with one of
    those hashes are not parsed again, only listed in ``unchanged`` (cleaning is the costly
    part of reading a large archive file of which one line changed).
    Raises CorpusError if the file is missing, is a folder or has another extension.

    >>> read_file("corpus/004_712c4dcd13143a1e.txt").articles[0].source  # doctest: +SKIP
    'CNNBanten.id'
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise CorpusError(f"{path}: no such file")
    if path.is_dir():
        raise CorpusError(f"{path}: is a folder, not a file (use load_corpus)")
    if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
        expected = " or ".join(SUPPORTED_EXTENSIONS)
        raise CorpusError(f"{path}: unsupported file type {path.suffix!r} (expected {expected})")
    warnings: list[CorpusWarning] = []
    unchanged: list[str] = []
    articles = _dedupe(_read(path, warnings, known or {}, unchanged), {}, warnings)
    return CorpusLoad(tuple(articles), tuple(warnings), tuple(unchanged))


def load_corpus(folder: str | os.PathLike) -> CorpusLoad:
    """Reads every ``.txt`` and ``.jsonl`` file under ``folder``, recursively, sorted by path.

    Hidden files and folders (".git", macOS "._x.txt") are skipped and folder symlinks are
    not followed, so a link loop cannot recurse. A doc_id seen twice keeps its first article.
    A file given instead of a folder is read with :func:`read_file`.
    Raises CorpusError only if ``folder`` does not exist.

    >>> len(load_corpus("corpus").articles)                         # doctest: +SKIP
    5
    """
    folder = Path(folder)
    if not folder.exists():
        raise CorpusError(f"{folder}: no such folder")
    if not folder.is_dir():
        return read_file(folder)
    warnings: list[CorpusWarning] = []
    seen: dict[str, _Located] = {}
    articles: list[Article] = []
    for path in _corpus_files(folder, warnings):
        articles.extend(_dedupe(_read(path, warnings, {}, []), seen, warnings))
    return CorpusLoad(tuple(articles), tuple(warnings))


def corpus_files(folder: str | os.PathLike) -> tuple[list[Path], list[CorpusWarning]]:
    """The ``.txt``/``.jsonl`` files :func:`load_corpus` would read, sorted, and the folders
    it could not list. Raises CorpusError if ``folder`` does not exist.

    >>> corpus_files("corpus")[0][0].name                                  # doctest: +SKIP
    '000_d9719fe4b4a867df.txt'
    """
    folder = Path(folder)
    if not folder.exists():
        raise CorpusError(f"{folder}: no such folder")
    if not folder.is_dir():
        return [folder], []
    warnings: list[CorpusWarning] = []
    return _corpus_files(folder, warnings), warnings


def raw_text(path: str | os.PathLike, doc_id: str) -> str:
    """The article ``doc_id`` of ``path`` as it was before cleaning: the whole ``.txt`` file,
    or the JSONL record's ``"text"``. Raises CorpusError if it is not there any more."""
    path = Path(path)
    try:
        if path.suffix.lower() != ".jsonl":
            return _decode(path.read_bytes())[0]
        with path.open("rb") as file:
            for raw_line in file:
                try:
                    record = json.loads(_decode(raw_line.rstrip(b"\r\n"))[0])
                except ValueError:
                    continue
                if isinstance(record, dict) and record.get("id") == doc_id and isinstance(record.get("text"), str):
                    return record["text"]
    except OSError as error:
        raise CorpusError(f"{path}: cannot read file: {error.strerror or error}") from None
    raise CorpusError(f"{path}: no article {doc_id!r} any more")


def _corpus_files(folder: Path, warnings: list[CorpusWarning]) -> list[Path]:
    def unreadable(error: OSError) -> None:
        warnings.append(CorpusWarning(str(error.filename or folder), f"cannot read folder: {error.strerror or error}"))

    files: list[Path] = []
    for root, dirs, names in os.walk(folder, onerror=unreadable, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        files.extend(
            Path(root, name)
            for name in names
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in SUPPORTED_EXTENSIONS
        )
    return sorted(files)


def _dedupe(found: Iterable[_Located], seen: dict[str, _Located], warnings: list[CorpusWarning]) -> Iterator[Article]:
    """Passes on the first article of each doc_id; warns about later ones, naming the first."""
    for article, line in found:
        first = seen.get(article.doc_id)
        if first is None:
            seen[article.doc_id] = article, line
            yield article
            continue
        where = first[0].path if first[1] is None else f"{first[0].path}:{first[1]}"
        warnings.append(duplicate_id_warning(article.path, article.doc_id, where, line))


def _read(path: Path, warnings: list[CorpusWarning], known: Mapping[str, str], unchanged: list[str]) -> list[_Located]:
    """The articles of one file; never raises, problems go to ``warnings``."""
    try:
        return _READERS[path.suffix.lower()](path, warnings, known, unchanged)
    except OSError as error:
        warnings.append(CorpusWarning(str(path), f"cannot read file: {error.strerror or error}"))
        return []


def _read_txt(path: Path, warnings: list[CorpusWarning], known: Mapping[str, str], unchanged: list[str]) -> list[_Located]:
    """A page of text is one article; ``known`` is for files of many records (the index
    compares a whole page's hash itself)."""
    name = str(path)
    size = path.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        limit = _megabytes(MAX_ARTICLE_BYTES)
        warnings.append(CorpusWarning(name, f"{_megabytes(size)} is too large for one article (limit {limit}); skipped"))
        return []
    data = path.read_bytes()
    if b"\0" in data:
        warnings.append(_binary_file(name))
        return []
    text, problem = _decode(data)
    if problem:
        warnings.append(CorpusWarning(name, problem))
    if not text.strip():
        warnings.append(CorpusWarning(name, "empty file; skipped"))
        return []
    article = parse_article(text, path.stem, name, content_hash(data))
    if article is None:
        warnings.append(CorpusWarning(name, "nothing but site boilerplate; skipped"))
        return []
    return [(article, None)]


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.0f} MB"


def _decode(data: bytes) -> tuple[str, str | None]:
    """(text, the warning to give if the Windows-1252 fallback was needed).

    Scrapes that are not UTF-8 are in practice Windows-1252 (a superset of Latin-1 for
    printable text); its five undefined bytes become U+FFFD rather than failing the file.
    """
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "not valid UTF-8; decoded as Windows-1252"


def _binary_file(path: str) -> CorpusWarning:
    # NUL never occurs in text: an image or archive that was given a text extension.
    return CorpusWarning(path, "binary file (contains NUL bytes); skipped")


def _read_jsonl(
    path: Path, warnings: list[CorpusWarning], known: Mapping[str, str], unchanged: list[str]
) -> list[_Located]:
    name = str(path)
    found: list[_Located] = []
    problems: list[CorpusWarning] = []
    with path.open("rb") as file:
        if b"\0" in file.read(_BINARY_SNIFF_BYTES):
            warnings.append(_binary_file(name))
            return []
        file.seek(0)
        # Streamed line by line: a huge JSONL is never held whole in memory.
        for number, raw_line in enumerate(file, start=1):
            record_bytes = raw_line.rstrip(b"\r\n")
            if not record_bytes.strip():
                continue
            if len(record_bytes) > MAX_ARTICLE_BYTES:
                size = _megabytes(len(record_bytes))
                problems.append(CorpusWarning(name, f"record of {size} is too large for one article; line skipped", number))
                continue
            # The line's bytes without its line ending: CRLF and LF copies hash alike.
            record_hash = content_hash(record_bytes)
            if record_hash in known:
                unchanged.append(known[record_hash])
                continue
            text, problem = _decode(record_bytes)
            messages = [problem] if problem else []
            try:
                record = json.loads(text)
            except ValueError as error:
                messages.append(f"malformed JSON ({getattr(error, 'msg', error)}); line skipped")
            else:
                article = _record_article(record, name, record_hash, messages)
                if article is not None:
                    found.append((article, number))
            problems.extend(CorpusWarning(name, message, number) for message in messages)
    warnings.extend(problems[:_MAX_LINE_WARNINGS_PER_FILE])
    if len(problems) > _MAX_LINE_WARNINGS_PER_FILE:
        hidden = len(problems) - _MAX_LINE_WARNINGS_PER_FILE
        warnings.append(CorpusWarning(name, f"{hidden} more problems in this file not listed"))
    return found


_RECORD_REQUIRED = ("id", "text")
_RECORD_OPTIONAL = ("title", "source", "place", "date", "url")


def _record_article(record: object, path: str, record_hash: str, messages: list[str]) -> Article | None:
    """The article of one JSONL record, or None; problems are appended to ``messages``.

    The record's own fields win over what is extracted from its text.
    """
    if not isinstance(record, dict):
        messages.append(f"record is a JSON {type(record).__name__}, not an object; line skipped")
        return None
    for key in _RECORD_REQUIRED:
        if key not in record:
            messages.append(f'record has no "{key}"; line skipped')
            return None
    for key in _RECORD_REQUIRED + _RECORD_OPTIONAL:
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            messages.append(f'"{key}" must be a string, got {type(value).__name__}; line skipped')
            return None
    doc_id = record["id"].strip()
    if not doc_id:
        messages.append('"id" is empty; line skipped')
        return None
    fields = {key: (record.get(key) or "").strip() or None for key in _RECORD_OPTIONAL}
    page = clean(record["text"], title=fields["title"] or "")
    if page is None:
        messages.append("record text is empty or nothing but site boilerplate; line skipped")
        return None
    date = page.date
    if fields["date"]:
        date = metadata_date(fields["date"])
        if date is None:
            messages.append(f'"date" {fields["date"]!r} is not a date like 2024-05-14 or 14 Mei 2024; date taken from the text')
            date = page.date
    return Article(
        doc_id=doc_id,
        title=page.title,
        body=page.body,
        source=fields["source"] or page.source,
        place=fields["place"] or page.place,
        date=date,
        url=fields["url"],
        path=path,
        content_hash=record_hash,
    )


# One reader per file format, by extension (lower case). Each returns the file's articles
# and appends its problems to the warnings; an OSError is reported by the caller.
_Reader = Callable[[Path, list[CorpusWarning], Mapping[str, str], list[str]], list[_Located]]
_READERS: dict[str, _Reader] = {".txt": _read_txt, ".jsonl": _read_jsonl}
SUPPORTED_EXTENSIONS = tuple(_READERS)
