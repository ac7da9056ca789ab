"""Read the news corpus: find the article files under a folder and hand each to its reader.

This module finds the files (skipping hidden ones and what ``.bnptsearchignore`` lists,
warning once about each file of a kind it does not read) and dispatches each to the reader
of its format (:mod:`bnptsearch.readers`: ``.txt`` pages, ``.jsonl`` archives, ``.html``
pages, ``.pdf``, ``.docx``, ``.csv``/``.tsv``/``.json`` exports); what is article and what
is site chrome in a page's text is decided by :mod:`bnptsearch.clean`.

>>> load = load_corpus("corpus")                                  # doctest: +SKIP
>>> [a.doc_id for a in load.articles][:2]                         # doctest: +SKIP
['000_d9719fe4b4a867df', '001_b906f770b361ad8d']

Bad input never stops :func:`load_corpus`: each problem becomes a :class:`CorpusWarning`
naming the file (and the line, for archives) and the remaining files are still read.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusError
from .idmap import IdLocations
from .readers import EXTENSIONS, SNIFF_BYTES, Format, describe, format_of
from .readers.base import (
    MAX_ARTICLE_BYTES,
    Article,
    CorpusWarning,
    Located,
    Reading,
    cannot_read,
    content_hash,
    file_content_hash,
)
from .readers.records import FIELDS, FIELDS_FILE, encodable, fields_for, parse_fields, save_fields
from .readers.txt import parse_article

__all__ = [
    "FIELDS",
    "FIELDS_FILE",
    "IGNORE_FILE",
    "MAX_ARTICLE_BYTES",
    "PARSER_VERSION",
    "SUPPORTED_EXTENSIONS",
    "Article",
    "CorpusLoad",
    "CorpusWarning",
    "content_hash",
    "corpus_files",
    "duplicate_id_warning",
    "encodable",
    "file_content_hash",
    "load_corpus",
    "parse_article",
    "parse_fields",
    "raw_text",
    "read_file",
    "readable_format",
    "save_fields",
    "stream_file",
]

# Bump when cleaning or metadata rules change: an index records it, because an unchanged
# file (same content hash) would otherwise keep the old cleaning until rebuilt.
PARSER_VERSION = "6"

# Every extension of a file the corpus loader reads.
SUPPORTED_EXTENSIONS = EXTENSIONS
# Glob patterns (one a line, gitignore-like) of paths under the corpus folder not to read
# and not to warn about.
IGNORE_FILE = ".bnptsearchignore"


@dataclass(frozen=True)
class CorpusLoad:
    """The articles read, in path (then line) order, and the problems met on the way.

    ``unchanged`` lists the ids of archive records skipped because their content hash was
    given as already known (see :func:`read_file`).
    """

    articles: tuple[Article, ...]
    warnings: tuple[CorpusWarning, ...]
    unchanged: tuple[str, ...] = ()


def duplicate_id_warning(path: str, doc_id: str, first: str, line: int | None = None) -> CorpusWarning:
    """The warning for an article of ``path`` whose doc_id was already read from ``first``.

    >>> str(duplicate_id_warning("b.jsonl", "x", "a.jsonl:2", 1))
    "b.jsonl:1: duplicate doc_id 'x' (already read from a.jsonl:2); skipped"
    """
    return CorpusWarning(path, f"duplicate doc_id {doc_id!r} (already read from {first}); skipped", line)


# --------------------------------------------------------------------------- files


def read_file(
    path: str | os.PathLike, known: Mapping[str, str] | None = None, fields: Mapping[str, str] | None = None
) -> CorpusLoad:
    """Reads one article file of any supported format; problems inside it become warnings.

    ``known`` maps content hashes to doc_ids already indexed: archive records with one of
    those hashes are not parsed again, only listed in ``unchanged`` (cleaning is the costly
    part of reading a large archive file of which one line changed). ``fields`` maps record
    fields to an export's column names (``{"title": "judul"}``); by default the mapping kept
    beside the file (:data:`FIELDS_FILE`) is used.
    Raises CorpusError if the file is missing, is a folder or is of no supported format.

    >>> read_file("corpus/004_712c4dcd13143a1e.txt").articles[0].source  # doctest: +SKIP
    'CNNBanten.id'
    """
    warnings: list[CorpusWarning] = []
    unchanged: list[str] = []
    articles = tuple(stream_file(path, known, warnings, unchanged, fields))
    return CorpusLoad(articles, tuple(warnings), tuple(unchanged))


def stream_file(
    path: str | os.PathLike,
    known: Mapping[str, str] | None = None,
    warnings: list[CorpusWarning] | None = None,
    unchanged: list[str] | None = None,
    fields: Mapping[str, str] | None = None,
    hashed: Callable[[str | None], None] | None = None,
) -> Iterator[Article]:
    """:func:`read_file`, one article at a time, so a JSONL file of any size is never held
    in memory whole; its problems are appended to ``warnings`` and the ids of ``known``
    records to ``unchanged`` as the iteration reaches them. Raises CorpusError at once if
    the file is missing, is a folder or is of no supported format.

    Once the file is read, ``hashed`` is called with the hash of the bytes read (see
    :func:`content_hash`), or None if its reader did not read it whole in one go, so that
    a new file need not be read a second time to be hashed.

    >>> next(stream_file("corpus/004_712c4dcd13143a1e.txt")).source  # doctest: +SKIP
    'CNNBanten.id'
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise CorpusError(f"{path}: no such file")
    if path.is_dir():
        raise CorpusError(f"{path}: is a folder, not a file (use load_corpus)")
    reading = Reading(
        path,
        known=known or {},
        warnings=[] if warnings is None else warnings,
        unchanged=[] if unchanged is None else unchanged,
    )
    found = _read(reading, fields)
    if found is None:
        raise _unsupported(path)
    articles = _dedupe(found, IdLocations(), reading.warnings, close=True)
    return articles if hashed is None else _then_hash(articles, reading, hashed)


def _then_hash(articles: Iterator[Article], reading: Reading, hashed: Callable[[str | None], None]) -> Iterator[Article]:
    yield from articles
    hashed(reading.file_hash)


def readable_format(path: str | os.PathLike) -> None:
    """Raises CorpusError if the file ``path`` is of no supported format (by its content
    and extension, as it would be read); a file that cannot be opened passes (reading it
    gives the warning)."""
    path = Path(path)
    try:
        file_format = _format(path)
    except OSError:
        return
    if file_format is None:
        raise _unsupported(path)


def _unsupported(path: Path) -> CorpusError:
    expected = ", ".join(SUPPORTED_EXTENSIONS)
    return CorpusError(f"{path}: unsupported file type {path.suffix!r} (expected {expected})")


def load_corpus(folder: str | os.PathLike, fields: Mapping[str, str] | None = None) -> CorpusLoad:
    """Reads every article file under ``folder``, recursively, sorted by path.

    Hidden files and folders (".git", macOS "._x.txt"), the ``x_files`` folder of a saved
    page ``x.html`` and paths listed in :data:`IGNORE_FILE` are skipped, and folder symlinks are not followed, so a link loop
    cannot recurse. Every other file of a kind that is not read gets one warning naming it.
    A doc_id seen twice keeps its first article. A file given instead of a folder is read
    with :func:`read_file`. Raises CorpusError only if ``folder`` does not exist.

    >>> len(load_corpus("corpus").articles)                         # doctest: +SKIP
    5
    """
    folder = Path(folder)
    if not folder.exists():
        raise CorpusError(f"{folder}: no such folder")
    if not folder.is_dir():
        return read_file(folder, fields=fields)
    warnings: list[CorpusWarning] = []
    seen = IdLocations()
    articles: list[Article] = []
    for path in _corpus_files(folder, warnings):
        reading = Reading(path, warnings=warnings)
        articles.extend(_dedupe(_read(reading, fields) or [], seen, warnings))
    seen.close()
    return CorpusLoad(tuple(articles), tuple(warnings))


def corpus_files(folder: str | os.PathLike) -> tuple[list[Path], list[CorpusWarning]]:
    """The article files :func:`load_corpus` would read, sorted, and the warnings about the
    folder (folders it could not list, files of a kind it does not read).
    Raises CorpusError if ``folder`` does not exist.

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
    """The article ``doc_id`` of ``path`` as it was before cleaning: the whole text file or
    web page, a record's text, a document's extracted text. Raises CorpusError if it is not
    there any more."""
    path = Path(path)
    try:
        file_format = _format(path)
        reading = Reading(path, fields=fields_for(path)[0] if file_format and file_format.records else {})
        text = file_format.raw(reading, doc_id) if file_format else None
    except OSError as error:
        raise CorpusError(f"{path}: {cannot_read(error)}") from None
    if text is None:
        raise CorpusError(f"{path}: no article {doc_id!r} any more")
    return text


def _format(path: Path) -> Format | None:
    with path.open("rb") as file:
        return format_of(path, file.read(SNIFF_BYTES))


def _read(reading: Reading, fields: Mapping[str, str] | None) -> Iterator[Located] | None:
    """The articles of one file as they are read, or None if it is of no supported format
    (known at once). Never raises: problems go to the reading's warnings."""
    try:
        file_format = _format(reading.path)
    except OSError as error:
        reading.warn(cannot_read(error))
        return iter(())
    if file_format is None:
        return None
    return _read_as(reading, file_format, fields)


def _read_as(reading: Reading, file_format: Format, fields: Mapping[str, str] | None) -> Iterator[Located]:
    try:
        if fields is not None:
            reading.fields = parse_fields(fields)
        elif file_format.records:
            reading.fields, problem = fields_for(reading.path)
            if problem:
                reading.warnings.append(problem)
        yield from file_format.read(reading)
    except OSError as error:
        reading.warn(cannot_read(error))


def _corpus_files(folder: Path, warnings: list[CorpusWarning]) -> list[Path]:
    def unreadable(error: OSError) -> None:
        warnings.append(CorpusWarning(str(error.filename or folder), f"cannot read folder: {error.strerror or error}"))

    ignore = _ignore_patterns(folder, warnings)
    files: list[Path] = []
    for root, dirs, names in os.walk(folder, onerror=unreadable, followlinks=False):
        relative = Path(root).relative_to(folder).as_posix()
        prefix = "" if relative == "." else relative + "/"
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and not _ignored(prefix + d, True, ignore) and not _page_assets(d, names)
        )
        for name in names:
            path = Path(root, name)
            if name.startswith(".") or _ignored(prefix + name, False, ignore):
                continue
            if os.path.splitext(name)[1].lower() in SUPPORTED_EXTENSIONS:
                files.append(path)
                continue
            try:
                with path.open("rb") as file:
                    head = file.read(SNIFF_BYTES)
            except OSError as error:
                warnings.append(CorpusWarning(str(path), cannot_read(error)))
                continue
            if format_of(path, head) is not None:
                files.append(path)  # a PDF without its extension, say
            else:
                message = f"not an article file ({describe(path, head)}); ignored (list it in {IGNORE_FILE} to silence this)"
                warnings.append(CorpusWarning(str(path), message))
    return sorted(files)


def _page_assets(folder: str, names: list[str]) -> bool:
    """Whether ``folder`` holds the images, scripts and styles of a page saved beside it
    ("Save page as…, complete" writes ``berita.html`` and ``berita_files/``): not articles,
    and not worth a warning each.

    >>> _page_assets("berita_files", ["berita.html"]), _page_assets("arsip_files", ["berita.html"])
    (True, False)
    """
    page = folder.removesuffix("_files")
    return page != folder and any(name in names for name in (f"{page}.html", f"{page}.htm"))


def _ignore_patterns(folder: Path, warnings: list[CorpusWarning]) -> list[str]:
    """The glob patterns of the folder's :data:`IGNORE_FILE` ("#" starts a comment)."""
    path = folder / IGNORE_FILE
    try:
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except FileNotFoundError:
        return []
    except OSError as error:
        warnings.append(CorpusWarning(str(path), cannot_read(error)))
        return []
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _ignored(relative: str, is_dir: bool, patterns: Iterable[str]) -> bool:
    """Whether the path (relative to the corpus folder, with "/") matches an ignore pattern.

    As in .gitignore: a pattern without "/" matches a name at any depth, one with "/" the
    path from the corpus folder, and one ending in "/" only folders.

    >>> _ignored("lampiran/foto.jpg", False, ["*.jpg"]), _ignored("a/draf", True, ["draf/"])
    (True, True)
    >>> _ignored("draf", False, ["draf/"]), _ignored("a/b.csv", False, ["b.csv", "/a/b.csv"])
    (False, True)
    """
    name = relative.rsplit("/", 1)[-1]
    for pattern in patterns:
        if pattern.endswith("/"):
            if not is_dir:
                continue
            pattern = pattern.rstrip("/")
        anchored = "/" in pattern
        if fnmatch.fnmatchcase(relative if anchored else name, pattern.lstrip("/")):
            return True
    return False


def _dedupe(
    found: Iterable[Located], seen: IdLocations, warnings: list[CorpusWarning], close: bool = False
) -> Iterator[Article]:
    """Passes on the first article of each doc_id; warns about later ones, naming the first.
    ``seen`` maps each id to the file and line it was first read from, not to the article,
    which is passed on and not kept; with ``close``, it is closed once ``found`` is read."""
    try:
        for article, line in found:
            first = seen.get(article.doc_id)
            if first is None:
                seen[article.doc_id] = article.path, line
                yield article
                continue
            where = first[0] if first[1] is None else f"{first[0]}:{first[1]}"
            warnings.append(duplicate_id_warning(article.path, article.doc_id, where, line))
    finally:
        if close:
            seen.close()
