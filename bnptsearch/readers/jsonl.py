"""JSON Lines archives (``.jsonl``): one article record per line, read as a stream.

Each line is hashed on its own, so an update re-parses only the records that changed.
Fields are found by the corpus's field mapping (:mod:`bnptsearch.readers.records`).
"""

from __future__ import annotations

import json

from .base import MAX_ARTICLE_BYTES, CorpusWarning, Located, Reading, binary_file, content_hash, decode, is_utf16, megabytes
from .records import record_article, record_text, report_problems

__all__ = ["raw", "read"]

# Enough to see whether a .jsonl is really binary without reading it all.
_BINARY_SNIFF_BYTES = 8192


def read(reading: Reading) -> list[Located]:
    """The file's records as articles; a bad line is a warning and is skipped."""
    name = reading.name
    found: list[Located] = []
    problems: list[CorpusWarning] = []
    with reading.path.open("rb") as file:
        head = file.read(_BINARY_SNIFF_BYTES)
        if is_utf16(head):
            # Lines are split and hashed as bytes; a UTF-16 line would be cut in two.
            reading.warn("UTF-16 JSON Lines are not read; save the file as UTF-8; skipped")
            return []
        if b"\0" in head:
            binary_file(reading)
            return []
        file.seek(0)
        # Streamed line by line: a huge JSONL is never held whole in memory.
        for number, raw_line in enumerate(file, start=1):
            record_bytes = raw_line.rstrip(b"\r\n")
            if not record_bytes.strip():
                continue
            if len(record_bytes) > MAX_ARTICLE_BYTES:
                size = megabytes(len(record_bytes))
                problems.append(CorpusWarning(name, f"record of {size} is too large for one article; line skipped", number))
                continue
            # The line's bytes without its line ending: CRLF and LF copies hash alike.
            record_hash = content_hash(record_bytes)
            if record_hash in reading.known:
                reading.unchanged.append(reading.known[record_hash])
                continue
            text, problem = decode(record_bytes)
            messages = [problem] if problem else []
            try:
                record = json.loads(text)
            except ValueError as error:
                messages.append(f"malformed JSON ({getattr(error, 'msg', error)}); line skipped")
            else:
                article = record_article(record, reading.fields, name, record_hash, messages)
                if article is not None:
                    found.append((article, number))
            problems.extend(CorpusWarning(name, message, number) for message in messages)
    report_problems(reading, problems)
    return found


def raw(reading: Reading, doc_id: str) -> str | None:
    """The record's text, before cleaning."""
    with reading.path.open("rb") as file:
        for raw_line in file:
            try:
                record = json.loads(decode(raw_line.rstrip(b"\r\n"))[0])
            except ValueError:
                continue
            text = record_text(record, reading.fields, doc_id)
            if text is not None:
                return text
    return None
