"""Whoosh's segment writer with a cheaper commit.

When Whoosh 2.7 writes a segment's postings it asks for the field length of every posting's
document, and its reader answers each of those from the per-document file (a seek and a
one-byte read: measured at 17 % of a 10k-passage build). :class:`SegmentWriter` reads each
field's lengths once instead; the segment written is the same.
"""

from __future__ import annotations

from whoosh.writing import SegmentWriter as _WhooshSegmentWriter

__all__ = ["SegmentWriter"]


class _Lengths:
    """A per-document reader's field lengths, each field read once into a list."""

    def __init__(self, reader, doc_count: int):
        self._reader = reader
        self._doc_count = doc_count
        self._fields: dict[str, list] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        lengths = self._fields.get(fieldname)
        if lengths is None:
            read = self._reader.doc_field_length
            lengths = self._fields[fieldname] = [read(d, fieldname, default) for d in range(self._doc_count)]
        return lengths[docnum]


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
