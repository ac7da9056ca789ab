"""Archive records (JSONL lines, CSV/TSV rows, JSON array items) → Articles, by a field mapping.

An export names its columns its own way ("judul", "isi", "tanggal"); a field mapping says
which column holds which field. Unmapped fields keep their own name, so the default mapping
is today's JSONL record: ``{"id", "text"}`` plus optional ``title``, ``source``, ``place``,
``date``, ``url``, ``author``. Column names are matched without regard to case.

>>> fields = parse_fields("id=link, title=judul, text=isi")
>>> fields
{'id': 'link', 'title': 'judul', 'text': 'isi'}
>>> messages = []
>>> a = record_article({"link": 7, "Judul": "Densus", "isi": "Jakarta – Polisi menangkap."}, fields, "x.csv", "h", messages)
>>> (a.doc_id, a.title, a.place, messages)
('7', 'Densus', 'Jakarta', [])

The mappings a corpus is read with are kept in a small file in its folder
(:data:`FIELDS_FILE`: ``{"*": {...}, "ekspor.csv": {...}}``, one mapping per file name or
glob), so a later ``index`` reads the folder the same way.
"""

from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Mapping
from pathlib import Path

from ..clean import clean
from ..corpus_copy import write_into
from ..dates import metadata_date
from ..errors import CorpusError
from .base import Article, CorpusWarning, Reading

__all__ = [
    "FIELDS",
    "FIELDS_FILE",
    "fields_for",
    "parse_fields",
    "record_article",
    "record_text",
    "LineProblems",
    "encodable",
    "record_values",
    "save_fields",
]

# Every field a record can give, required ones first.
FIELDS = ("id", "text", "title", "source", "place", "date", "url", "author")
_REQUIRED = FIELDS[:2]
_OPTIONAL = FIELDS[2:]
# Hidden, so the corpus walker does not take it for an article file.
FIELDS_FILE = ".bnptsearch-fields.json"
# One broken multi-gigabyte archive must not drown the report in a million lines.
_MAX_LINE_WARNINGS_PER_FILE = 20


def parse_fields(spec: str | Mapping[str, str]) -> dict[str, str]:
    """A field mapping from ``"field=column,…"`` (or a dict); raises CorpusError if a field
    is unknown or a pair is not ``field=column``.

    >>> parse_fields({"date": "tanggal"})
    {'date': 'tanggal'}
    """
    pairs = spec.items() if isinstance(spec, Mapping) else (_pair(item) for item in spec.split(",") if item.strip())
    fields: dict[str, str] = {}
    for name, column in pairs:
        name, column = str(name).strip().lower(), str(column).strip()
        if name not in FIELDS:
            raise CorpusError(f"unknown field {name!r} in the field mapping (fields: {', '.join(FIELDS)})")
        if not column:
            raise CorpusError(f"field {name!r} is mapped to no column")
        fields[name] = column
    return fields


def _pair(item: str) -> tuple[str, str]:
    name, equals, column = item.partition("=")
    if not equals:
        raise CorpusError(f"{item.strip()!r} in the field mapping is not FIELD=COLUMN (e.g. title=judul)")
    return name, column


def save_fields(folder: str | os.PathLike, fields: Mapping[str, str], files: str = "*") -> bool:
    """Keeps ``fields`` as the mapping of the files under ``folder`` that match the glob
    ``files`` (a file name, or "*" for all of them); returns whether it changed (then files
    already indexed need ``index --rebuild`` to be read with it). An empty mapping removes
    the entry (back to the default record fields).

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> save_fields(folder, {"title": "judul"}), save_fields(folder, {"id": "no"}, "data.tsv")
    (True, True)
    >>> fields_for(Path(folder, "data.tsv"))[0], fields_for(Path(folder, "lain.csv"))[0]
    ({'id': 'no'}, {'title': 'judul'})
    """
    path = Path(folder) / FIELDS_FILE
    fields = parse_fields(fields)
    try:
        entries = _load(path) if path.exists() else {}
    except (OSError, ValueError, CorpusError) as error:
        raise CorpusError(f"{path}: cannot read the field mapping ({error}); fix or delete it") from None
    if entries.get(files, {}) == fields:
        return False
    if fields:
        entries[files] = fields
    else:
        entries.pop(files, None)
    if not entries:
        path.unlink(missing_ok=True)
        return True
    # Written as `add` writes into the corpus: atomically, never through a symlink.
    write_into((json.dumps(entries, ensure_ascii=False, indent=1) + "\n").encode("utf-8"), folder, FIELDS_FILE, replace=True)
    return True


def fields_for(path: Path) -> tuple[dict[str, str], CorpusWarning | None]:
    """The field mapping of the file ``path``, from the nearest :data:`FIELDS_FILE` in its
    folder or a folder above: the entry naming the file (its path from there), else the
    first glob matching it, else "*"; the default ({}) without one. A broken mapping file
    gives a warning."""
    path = path.resolve()
    for folder in path.parents:
        candidate = folder / FIELDS_FILE
        if candidate.is_file():
            try:
                entries = _load(candidate)
            except (OSError, ValueError, CorpusError) as error:
                return {}, CorpusWarning(str(candidate), f"cannot read the field mapping ({error}); default fields used")
            relative = path.relative_to(folder).as_posix()
            globs = [files for files in entries if files != "*" and fnmatch.fnmatchcase(relative, files)]
            key = relative if relative in entries else next(iter(globs), "*")
            return entries.get(key, {}), None
    return {}, None


def _load(path: Path) -> dict[str, dict[str, str]]:
    """The entries of a mapping file: {files glob: {field: column}}."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(value, dict) for value in data.values()):
        raise CorpusError('expected a JSON object {"files glob": {"field": "column"}}')
    return {str(files): parse_fields(fields) for files, fields in data.items()}


class LineProblems:
    """An archive file's line problems, at most a screenful of them listed: the rest are
    only counted (a broken multi-gigabyte file may have millions), so memory stays flat."""

    def __init__(self, reading: Reading) -> None:
        self.reading = reading
        self.listed: list[CorpusWarning] = []
        self.hidden = 0

    def add(self, message: str, line: int | None = None) -> None:
        if len(self.listed) < _MAX_LINE_WARNINGS_PER_FILE:
            self.listed.append(CorpusWarning(self.reading.name, message, line))
        else:
            self.hidden += 1

    def report(self) -> None:
        """Adds the problems to the reading's warnings (once the file is read)."""
        self.reading.warnings.extend(self.listed)
        if self.hidden:
            self.reading.warn(f"{self.hidden} more problems in this file not listed")


def encodable(text: str) -> bool:
    """Whether ``text`` can be stored: not if it has a lone surrogate (from a JSON
    ``"\\ud800"`` escape, or a file name that is not UTF-8).

    >>> encodable("Jakarta"), encodable("\\ud800")
    (True, False)
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def record_values(record: Mapping[object, object], fields: Mapping[str, str]) -> dict[str, object]:
    """The fields a record gives, by the mapping (a mapped column missing from the record
    falls back on the field's own name); an integer id becomes its decimal string.

    >>> record_values({"Link": 12, "text": "Isi."}, {"id": "link", "text": "isi"})
    {'id': '12', 'text': 'Isi.'}
    """
    by_column = {str(key).strip().casefold(): value for key, value in record.items()}
    values: dict[str, object] = {}
    for name in FIELDS:
        column = fields.get(name, name).casefold()
        key = column if column in by_column else name
        if key in by_column:
            values[name] = by_column[key]
    doc_id = values.get("id")
    if isinstance(doc_id, int) and not isinstance(doc_id, bool):
        values["id"] = str(doc_id)
    return values


def record_article(
    record: object, fields: Mapping[str, str], path: str, record_hash: str, messages: list[str]
) -> Article | None:
    """The article of one record, or None; problems are appended to ``messages``.

    The record's own fields win over what is extracted from its text. An integer id (a
    spreadsheet row number, a database key) becomes its decimal string.
    """
    if not isinstance(record, dict):
        messages.append(f"record is a JSON {type(record).__name__}, not an object; line skipped")
        return None
    values = record_values(record, fields)
    for name in _REQUIRED:
        if values.get(name) is None:  # missing, or null
            messages.append(f'record has no "{fields.get(name, name)}"; line skipped')
            return None
    for name in FIELDS:
        value = values.get(name)
        if value is not None and not isinstance(value, str):
            messages.append(f'"{fields.get(name, name)}" must be a string, got {type(value).__name__}; line skipped')
            return None
        if value and not encodable(value):
            messages.append(f'"{fields.get(name, name)}" is not valid Unicode (a lone surrogate); line skipped')
            return None
    doc_id = str(values.get("id") or "").strip()
    if not doc_id:
        messages.append(f'"{fields.get("id", "id")}" is empty; line skipped')
        return None
    given = {name: str(values.get(name) or "").strip() or None for name in _OPTIONAL}
    page = clean(str(values.get("text") or ""), title=given["title"] or "")
    if page is None:
        messages.append("record text is empty or nothing but site boilerplate; line skipped")
        return None
    date = page.date
    if given["date"]:
        date = metadata_date(given["date"])
        if date is None:
            messages.append(f'"date" {given["date"]!r} is not a date like 2024-05-14 or 14 Mei 2024; date taken from the text')
            date = page.date
    return Article(
        doc_id=doc_id,
        title=page.title,
        body=page.body,
        source=given["source"] or page.source,
        place=given["place"] or page.place,
        date=date,
        url=given["url"],
        path=path,
        content_hash=record_hash,
        author=given["author"],
    )


def record_text(record: object, fields: Mapping[str, str], doc_id: str) -> str | None:
    """The uncleaned text of ``record`` if it is the record of ``doc_id``, else None."""
    if not isinstance(record, dict):
        return None
    values = record_values(record, fields)
    text, found_id = values.get("text"), values.get("id")
    return text if isinstance(text, str) and isinstance(found_id, str) and found_id.strip() == doc_id else None
