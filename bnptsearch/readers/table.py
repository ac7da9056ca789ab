"""Spreadsheet and scraper exports: CSV, TSV and JSON arrays, one article per row or item.

Columns are found by the corpus's field mapping (:mod:`bnptsearch.readers.records`), e.g.
``id=link,title=judul,text=isi,date=tanggal,source=media``. CSV and TSV are read as a
stream (a quoted cell may span lines); a JSON file is parsed whole, up to
:data:`MAX_JSON_BYTES` (larger exports belong in JSON Lines).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator

from .base import CorpusWarning, Located, Reading, content_hash, decode, fits, is_utf16
from .records import LineProblems, record_article, record_text

__all__ = ["MAX_JSON_BYTES", "raw_csv", "raw_json", "raw_tsv", "read_csv", "read_json", "read_tsv"]

MAX_JSON_BYTES = 200 * 2**20
# A spreadsheet cell holding a whole article is long; the csv module's 128 kB default is not enough.
csv.field_size_limit(2**30)


def read_csv(reading: Reading) -> list[Located]:
    """Rows of a comma-separated file with a header row."""
    return _read_rows(reading, ",")


def read_tsv(reading: Reading) -> list[Located]:
    """Rows of a tab-separated file with a header row."""
    return _read_rows(reading, "\t")


def raw_csv(reading: Reading, doc_id: str) -> str | None:
    return _raw_row(reading, ",", doc_id)


def raw_tsv(reading: Reading, doc_id: str) -> str | None:
    return _raw_row(reading, "\t", doc_id)


def _lines(reading: Reading, problems: list[str]) -> Iterator[str]:
    """The file's lines, decoded: UTF-16 with a byte-order mark as a whole stream, anything
    else line by line (UTF-8, or Windows-1252 for a line that is not)."""
    with reading.path.open("rb") as file:
        if is_utf16(file.read(2)):
            file.seek(0)
            with io.TextIOWrapper(file, encoding="utf-16", errors="replace", newline="") as stream:
                yield from stream
            return
        file.seek(0)
        for number, raw_line in enumerate(file, 1):
            if number == 1 and raw_line.startswith(codecs.BOM_UTF8):
                raw_line = raw_line[len(codecs.BOM_UTF8) :]
            text, problem = decode(raw_line)
            if problem and not problems:
                problems.append(f"{problem} (from line {number})")
            yield text


def _rows(reading: Reading, delimiter: str, problems: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, {column: cell}) of each data row; blank rows are skipped."""
    rows = csv.reader(_lines(reading, problems), delimiter=delimiter)
    header = next(rows, None)
    if header is None:
        return
    line = rows.line_num + 1
    for cells in rows:
        if any(cell.strip() for cell in cells):
            yield line, dict(zip(header, cells))
        line = rows.line_num + 1


def _read_rows(reading: Reading, delimiter: str) -> list[Located]:
    found: list[Located] = []
    problems = LineProblems(reading)
    decoding: list[str] = []
    try:
        for line, row in _rows(reading, delimiter, decoding):
            # The row's cells, not its bytes: the same row hashes alike whatever the quoting.
            row_hash = content_hash(json.dumps(row, ensure_ascii=False).encode("utf-8", "surrogatepass"))
            if row_hash in reading.known:
                reading.unchanged.append(reading.known[row_hash])
                continue
            # Empty cells are missing values, as a spreadsheet means them.
            messages: list[str] = []
            cells = {k: v for k, v in row.items() if v.strip()}
            article = record_article(cells, reading.fields, reading.name, row_hash, messages)
            if article is not None:
                found.append((article, line))
            for message in messages:
                problems.add(message, line)
    except csv.Error as error:
        kind = "TSV" if delimiter == "\t" else "CSV"
        problems.add(f"malformed {kind} ({error}); rest of file skipped")
    reading.warnings.extend(CorpusWarning(reading.name, problem) for problem in decoding)
    problems.report()
    return found


def _raw_row(reading: Reading, delimiter: str, doc_id: str) -> str | None:
    for _, row in _rows(reading, delimiter, []):
        text = record_text(row, reading.fields, doc_id)
        if text is not None:
            return text
    return None


def read_json(reading: Reading) -> list[Located]:
    """The items of a JSON array of records (or of an object's one array of records, as
    ``{"data": [...]}``); warnings name the item by its number, from 1."""
    items = _items(reading)
    if items is None:
        return []
    found: list[Located] = []
    problems = LineProblems(reading)
    for number, item in enumerate(items, 1):
        item_hash = content_hash(json.dumps(item, ensure_ascii=False, sort_keys=True).encode("utf-8", "surrogatepass"))
        if item_hash in reading.known:
            reading.unchanged.append(reading.known[item_hash])
            continue
        messages: list[str] = []
        article = record_article(item, reading.fields, reading.name, item_hash, messages)
        if article is not None:
            found.append((article, number))
        for message in messages:
            problems.add(f"item {number}: {message}".replace("line skipped", "skipped"))
    problems.report()
    return found


def raw_json(reading: Reading, doc_id: str) -> str | None:
    for item in _items(reading) or []:
        text = record_text(item, reading.fields, doc_id)
        if text is not None:
            return text
    return None


def _items(reading: Reading) -> list[object] | None:
    """The records of a JSON file, or None with a warning."""
    if not fits(reading, MAX_JSON_BYTES, "a JSON file (save it as JSON Lines)"):
        return None
    text, problem = decode(reading.read_bytes())
    if problem:
        reading.warn(problem)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        reading.warn(f"malformed JSON ({getattr(error, 'msg', error)}); skipped")
        return None
    if isinstance(data, dict):
        arrays = [value for value in data.values() if isinstance(value, list)]
        if len(arrays) == 1:
            data = arrays[0]
    if not isinstance(data, list):
        reading.warn("not a JSON array of records; skipped")
        return None
    return data
