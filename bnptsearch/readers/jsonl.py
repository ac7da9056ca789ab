"""JSON Lines archives (``.jsonl``): one article record per line, read as a stream.

Each line is hashed on its own, so an update re-parses only the records that changed.
Fields are found by the corpus's field mapping (:mod:`bnptsearch.readers.records`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from .base import MAX_ARTICLE_BYTES, Located, Reading, binary_file, content_digest, content_hash, decode, is_utf16, megabytes
from .records import LineProblems, record_article, record_text

__all__ = ["raw", "read"]

# Enough to see whether a .jsonl is really binary without reading it all.
_BINARY_SNIFF_BYTES = 8192


def read(reading: Reading) -> Iterator[Located]:
    """The file's records as articles, yielded as they are read (a JSONL file of any size
    is never held in memory whole); a bad line is a warning and is skipped. The line
    problems are added to the reading's warnings once the file is read."""
    problems = LineProblems(reading)
    with reading.path.open("rb") as file:
        head = file.read(_BINARY_SNIFF_BYTES)
        if is_utf16(head):
            # Lines are split and hashed as bytes; a UTF-16 line would be cut in two.
            reading.warn("UTF-16 JSON Lines are not read; save the file as UTF-8; skipped")
            return
        if b"\0" in head:
            binary_file(reading)
            return
        file.seek(0)
        # The file's hash is taken as it is parsed: one pass over a file of any size.
        digest = content_digest()
        # Streamed line by line: a huge JSONL is never held whole in memory.
        for number, raw_line in enumerate(file, start=1):
            digest.update(raw_line)
            record_bytes = raw_line.rstrip(b"\r\n")
            if not record_bytes.strip():
                continue
            if len(record_bytes) > MAX_ARTICLE_BYTES:
                problems.add(f"record of {megabytes(len(record_bytes))} is too large for one article; line skipped", number)
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
            except RecursionError:
                messages.append("JSON nested too deeply; line skipped")
            else:
                article = record_article(record, reading.fields, reading.name, record_hash, messages)
                if article is not None:
                    yield article, number
            for message in messages:
                problems.add(message, number)
    reading.file_hash = digest.hexdigest()
    problems.report()


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
