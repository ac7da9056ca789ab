"""Whoosh's segment writer with a cheaper commit, and the one reader of Whoosh's stored
field lengths that bnptsearch uses outside Whoosh.

When Whoosh 2.7 writes a segment's postings it asks for the field length of every posting's
document, and its reader answers each of those from the per-document file (a seek and a
one-byte read, plus a check that the column file exists for fields without lengths: 17 % of
a 10k-passage build). :class:`SegmentWriter` reads each field's lengths once instead; the
segment written is the same (``tests/test_index.py`` compares it with Whoosh's own).
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter as _WhooshSegmentWriter

__all__ = ["SegmentWriter", "length_bytes"]


def length_bytes(perdoc, fieldname: str, doc_count: int) -> bytes | None:
    """A segment's stored length byte of ``fieldname`` for each of its ``doc_count``
    documents (0 where none is stored), or None if the field keeps no lengths.

    Whoosh 2.7 (pinned < 2.8) keeps them in a fixed-width column of unsigned bytes, read
    here as one block: through the column's ``__getitem__`` it is ~1 µs per document.
    """
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    stored = min(column._count, doc_count)
    return column._dbfile.get(column._basepos, stored) + bytes(doc_count - stored) if stored else bytes(doc_count)


class _Lengths:
    """A per-document reader's field lengths, each field read once into a list, answering
    as Whoosh's ``doc_field_length`` does (None for a stored 0)."""

    def __init__(self, reader, doc_count: int):
        self._reader = reader
        self._doc_count = doc_count
        self._fields: dict[str, list] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        lengths = self._fields.get(fieldname)
        if lengths is None:
            codes = length_bytes(self._reader, fieldname, self._doc_count)
            lengths = [default] * self._doc_count if codes is None else [_LENGTHS[code] for code in codes]
            self._fields[fieldname] = lengths
        return lengths[docnum]


_LENGTHS = [None] + [byte_to_length(code) for code in range(1, 256)]


class SegmentWriter(_WhooshSegmentWriter):
    """``ix.writer()`` with each field's lengths read once per commit instead of per posting."""

    def _flush_segment(self):
        # Whoosh's own _flush_segment, with the lengths reader wrapped.
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        lengths = _Lengths(reader, self.docnum) if reader else None
        self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
        self.fieldwriter.close()
        if reader:
            reader.close()
