"""Every use of Whoosh internals (not its public API), so a Whoosh upgrade touches this file.

All of it is written against Whoosh 2.7's ``whoosh3`` codec (pinned < 2.8):

- :class:`SegmentWriter`: when Whoosh writes a segment's postings it asks for the field
  length of every posting's document, and its reader answers each of those from the
  per-document file (a seek and a one-byte read, plus a check that the column file exists
  for fields without lengths: 17 % of a 10k-passage build). This writer reads each field's
  lengths once instead; the segment written is the same (``tests/test_index.py`` compares
  it with Whoosh's own).
- :class:`SegmentWriter` sorts postings in a :class:`CompactPostingPool`, whose sorting runs
  (what a large build or merge spills to disk) are compressed chunks, not one pickle each.
- :class:`SegmentWriter` also calls a ``before_commit`` hook with the files of the new
  generation once they are complete and just before the TOC is renamed into place (the
  commit point), so :mod:`bnptsearch.store` records their checksums before any reader can
  see that generation.
- :func:`leaf_length_bytes`, :func:`deleted_docs`, :func:`term_blocks` and
  :func:`read_block`: a segment's field lengths, deletions, a term's posting block headers
  and one block's postings as plain sequences, for
  :mod:`bnptsearch.vectorized` to score with numpy; :func:`term_positions`: a term's
  positions in a few documents, decoding only their blocks (the proximity rescore).
- :func:`cap_expansions`: fuzzy words and ranges limited to their most frequent terms,
  through the method Whoosh asks a multi-term query for its terms with.
- :func:`worker_writer`, :func:`finish_segment` and :meth:`SegmentWriter.add_segments`: a
  segment written by another process (a build worker, without the lock) and handed back to
  the writer that commits it, as Whoosh's own ``multiproc`` does (its ``MpWriter`` is not used:
  it forks, and it drops documents that have no terms).
- :func:`abandon` and :func:`remove_uncommitted`: undoing a write that failed (disk full,
  Ctrl-C), which Whoosh's ``cancel()`` leaves on disk.
- :func:`refreshed_searcher` and :func:`segment_key`: moving a searcher to a new commit
  while keeping the readers (and what was computed from them) of the segments that did
  not change; :func:`column`: a column reader kept with each segment's reader.
- :func:`string_columns`: columns of strings read for a few documents, without the whole
  offsets table Whoosh's reader loads first.
- :class:`MappedFile`: a compound segment's sub-files read through its memory map instead
  of copied into memory (installed into ``CompoundStorage.open_file`` on import).
- :class:`SegmentFiles`: a segment written as separate files (``compound=False``) opened
  whole when its reader is created (installed into ``SegmentReader.__init__`` on import).
- :func:`release_mapped_pages` lets go of the mapped pages of either kind read so far.

>>> writer = SegmentWriter(ix, limitmb=512)          # doctest: +SKIP
"""

from __future__ import annotations

import bisect
import heapq
import io
import mmap
import os
import pickle
import re
import shutil
import struct
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import suppress
from itertools import accumulate, islice, pairwise
from typing import Any, NamedTuple

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3LeafMatcher, _lenfield
from whoosh.columns import MultiColumnReader, VarBytesColumn
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.index import TOC, FileIndex, clean_files
from whoosh.reading import EmptyReader, MultiReader, SegmentReader, TermNotFound
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length
from whoosh.writing import MERGE_SMALL, PostingPool
from whoosh.writing import SegmentWriter as _WhooshSegmentWriter

__all__ = [
    "BYTE_LENGTHS",
    "BeforeCommit",
    "MappedFile",
    "SegmentFiles",
    "SegmentWriter",
    "TermBlocks",
    "abandon",
    "cap_expansions",
    "column",
    "deleted_docs",
    "finish_segment",
    "leaf_length_bytes",
    "read_block",
    "refreshed_searcher",
    "release_mapped_pages",
    "remove_uncommitted",
    "segment_key",
    "string_columns",
    "term_blocks",
    "term_positions",
    "worker_writer",
]


# A posting block's length, as Whoosh writes it (StructFile.write_int).
_INT = struct.Struct("!i")

# Called with (generation, {file name once committed: its name now}) for the TOC and every
# segment file of the generation being committed.
BeforeCommit = Callable[[int, dict[str, str]], None]

# Whoosh stores a field's length per document as one lossy byte: the length each of the 256
# codes stands for.
BYTE_LENGTHS: tuple[int, ...] = tuple(byte_to_length(code) for code in range(256))


def _length_bytes(perdoc: Any, fieldname: str, doc_count: int) -> bytes | None:
    """A segment's stored length byte of ``fieldname`` for each of its ``doc_count``
    documents (0 where none is stored), or None if the field keeps no lengths.

    Whoosh keeps them in a fixed-width column of unsigned bytes, read here as one block:
    through the column's ``__getitem__`` it is ~1 µs per document.
    """
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    stored = min(column._count, doc_count)
    return column._dbfile.get(column._basepos, stored) + bytes(doc_count - stored) if stored else bytes(doc_count)


def leaf_length_bytes(leaf: SegmentReader, fieldname: str) -> bytes:
    """One segment's length byte of ``fieldname`` per document (0 where it keeps none).

    >>> leaf_length_bytes(leaf, "text")[:3]           # doctest: +SKIP
    b'\\x1c!\\x17'
    """
    codes = _length_bytes(leaf._perdoc, fieldname, leaf.doc_count_all())
    return bytes(leaf.doc_count_all()) if codes is None else codes


def deleted_docs(leaf: SegmentReader) -> Iterable[int]:
    """The segment's deleted document numbers (its own numbering, not the searcher's)."""
    return leaf.deleted_docs_set


def _leaf_matcher(leaf: SegmentReader, fieldname: str, text: str, info: Any = None) -> Any:
    """The term's postings in ``leaf`` from the first, deleted documents included (Whoosh's
    ``postings`` wraps them to skip deleted documents); ``info``: the term's
    ``leaf.term_info``, if the caller has it (looking a term up is most of a rare word's
    cost); TermNotFound if the segment does not hold the term."""
    if info is None:
        info = leaf.term_info(fieldname, text)
    terms, field = leaf._terms, leaf.schema[fieldname]
    return terms._codec.postings_reader(terms._postfile, info, field.format, term=(fieldname, field.to_bytes(text)))


class TermBlocks(NamedTuple):
    """A term's posting blocks in one segment, as their headers describe them: per block,
    its last document number, highest weight, number of postings and where its data is
    (offset, length, zlib or not). A term stored inline (few postings) is one block whose
    postings ``inline`` already holds, as :func:`read_block` returns them."""

    lasts: list[int]
    max_weights: list[float]
    counts: list[int]
    spans: list[tuple[int, int, int]]
    inline: tuple[Sequence[int], Sequence[float]] | None = None


def term_blocks(leaf: SegmentReader, fieldname: str, text: str) -> tuple[Any, TermBlocks] | None:
    """The term's info in ``leaf`` (``doc_frequency()``, ``max_weight()``) and the headers
    of its posting blocks (see :class:`TermBlocks`), read without decoding any block; None
    if the segment does not hold the term.

    >>> term_blocks(leaf, "text", "tangkap")[1].lasts   # doctest: +SKIP
    [127, 301]
    """
    try:
        info = leaf.term_info(fieldname, text)
    except TermNotFound:
        return None
    return info, _term_blocks(leaf, fieldname, text, info)


def _term_blocks(leaf: SegmentReader, fieldname: str, text: str, info: Any) -> TermBlocks:
    matcher = _leaf_matcher(leaf, fieldname, text, info)
    if not isinstance(matcher, W3LeafMatcher):
        # Terms with few postings are stored inline, in a list matcher: one block.
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        if not ids:
            return TermBlocks([], [], [], [], ([], []))
        deltas = [ids[0]] + [b - a for a, b in pairwise(ids)]
        return TermBlocks([ids[-1]], [max(weights)], [len(ids)], [], (deltas, weights))
    # The headers read from one copy of the posting list, as W3LeafMatcher._goto reads them
    # from the file (a signed length, negative for the last block, then a pickled tuple):
    # through the matcher, a common word's thousands of headers cost 10 µs each.
    start, length = info.extent()
    # W3TermInfo.from_bytes keeps the length as unpack_int returns it, a 1-tuple (its
    # matcher never reads it).
    length = length[0] if isinstance(length, tuple) else length
    stream = io.BytesIO(leaf._terms._postfile.get(start, length))
    if stream.read(len(WHOOSH3_HEADER_MAGIC)) != WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"posting block tag error in {fieldname}:{text}")
    blocks = TermBlocks([], [], [], [])
    position, last = stream.tell(), False
    while not last:
        stream.seek(position)
        (size,) = _INT.unpack(stream.read(_INT.size))
        last = size < 0
        count, maxid, max_weight, compression, _, _ = pickle.load(stream)
        data = stream.tell()
        position += _INT.size + abs(size)
        blocks.lasts.append(maxid)
        blocks.max_weights.append(max_weight)
        blocks.counts.append(count)
        blocks.spans.append((start + data, position - data, compression))
    return blocks


def _block_data(leaf: SegmentReader, span: Sequence[int]) -> tuple[Any, Any, Any]:
    """The (ids, weights, values) a posting block's data holds, as Whoosh's writer
    minified them; ``span``: (offset, length, compression) of its data."""
    offset, length, compression = (int(number) for number in span)
    data = leaf._terms._postfile.get(offset, length)
    return pickle.loads(zlib.decompress(data) if compression else data)


def read_block(leaf: SegmentReader, span: Sequence[int], count: int) -> tuple[Sequence[int], Sequence[float]]:
    """The posting block at ``span`` (one of :func:`term_blocks`'s, in ``leaf``) of
    ``count`` postings decoded, as (id deltas, weights): its document numbers as
    differences from the one before (the first from 0), and their term frequencies.
    Deleted documents are included: the caller masks them. Decoded as Whoosh's
    ``W3LeafMatcher._read_data`` and ``_read_weights`` do, without a matcher walking to it.

    >>> _, blocks = term_blocks(leaf, "text", "tangkap")            # doctest: +SKIP
    >>> read_block(leaf, blocks.spans[0], blocks.counts[0])         # doctest: +SKIP
    ((0, 3, 1, 12), (1.0, 2.0, 1.0, 1.0))
    """
    ids, weights, _ = _block_data(leaf, span)
    # Whoosh's minified weights: None when all are 1, one float when all are equal.
    if weights is None or isinstance(weights, float):
        weights = [1.0 if weights is None else weights] * count
    return ids, weights


def term_positions(
    reader: Any, fieldname: str, text: str, docnums: Iterable[int], blocks: Callable[..., Any] | None = None
) -> dict[int, list[int]]:
    """The positions of a term in each of ``docnums`` (``reader``'s numbering) that holds
    it, decoding only the posting blocks that hold one of them, found from the blocks'
    headers: walking a common word's postings with ``skip_to`` and ``value_as`` decoded
    every block on the way. ``blocks(leaf, fieldname, text)``: the term's block headers
    in a segment, None if it holds no such term (default: :func:`term_blocks`'s; a cache
    of them may give its own, with ``lasts``, ``spans`` and ``inline``).

    >>> term_positions(searcher.reader(), "text", "teror", [17, 230])     # doctest: +SKIP
    {17: [3, 12]}
    """
    found: dict[int, list[int]] = {}
    wanted = sorted(set(docnums))
    for leaf, offset in reader.leaf_readers():
        # The wanted documents of this segment (a slice of them, sorted: not a scan per segment).
        inside = wanted[bisect.bisect_left(wanted, offset) : bisect.bisect_left(wanted, offset + leaf.doc_count_all())]
        here = [docnum - offset for docnum in inside]
        if not here:
            continue
        info = None
        if blocks is None:
            held = term_blocks(leaf, fieldname, text)
            info, headers = held if held is not None else (None, None)
        else:
            headers = blocks(leaf, fieldname, text)
        if headers is None:
            continue
        decode = leaf.schema[fieldname].format.decoder("positions")
        if headers.inline is not None:
            matcher = _leaf_matcher(leaf, fieldname, text, info)
            for docnum in here:
                if matcher.is_active() and matcher.id() < docnum:
                    matcher.skip_to(docnum)
                if matcher.is_active() and matcher.id() == docnum:
                    found[offset + docnum] = list(decode(matcher.value()))
            continue
        local = set(here)
        # Each block's last document number is in its header: the block of a document is
        # the first that ends at or after it.
        for number in sorted({bisect.bisect_left(headers.lasts, docnum) for docnum in here} - {len(headers.lasts)}):
            deltas, _, values = _block_data(leaf, headers.spans[number])
            for docnum, value in zip(accumulate(deltas), values):
                if docnum in local:
                    found[offset + docnum] = list(decode(value))
    return found


def cap_expansions(
    query: wq.Query, reader: Any, limit: int, expired: Callable[[], bool]
) -> tuple[wq.Query, list[str]]:
    """``query`` with each fuzzy word and range (Whoosh's multi-term queries) fixed to at
    most ``limit`` of the indexed terms it reaches, the most frequent first (a fuzzy word's
    own spelling before any other), and a note for each one cut. Terms are looked at until
    ``expired()``; the best of those seen so far are kept.

    >>> cap_expansions(FuzzyTerm("text", "teror"), reader, 50, lambda: False)   # doctest: +SKIP
    (FuzzyTerm('text', 'teror', ...), [])
    """
    notes: list[str] = []

    def cap(node: wq.Query) -> wq.Query:
        if not isinstance(node, wq.MultiTerm):
            return node.apply(cap)
        fieldname = node.field()
        # The word as typed, if the query has one: fuzzy words expand to str, ranges to bytes.
        text = getattr(node, "text", None)
        typed: set[str | bytes] = {text, text.encode("utf-8")} if isinstance(text, str) else set()
        reached = 0

        def ranked() -> Iterator[tuple[bool, int, str | bytes]]:
            nonlocal reached
            for reached, term in enumerate(node._btexts(reader), 1):  # noqa: B007 - counted for the note
                if reached % 256 == 0 and expired():
                    return
                yield term in typed, reader.doc_frequency(fieldname, term), term

        # A heap of `limit`, not a sorted list: a range may reach every term of the index.
        kept = [term for _, _, term in heapq.nlargest(limit, ranked())]
        if reached > limit:
            notes.append(f"{node} reaches {reached:,} terms; searched the {limit} most frequent")
        fixed = node.copy()
        # Whoosh asks a multi-term query for its terms with _btexts(reader), once per segment
        # and again for highlighting: every time, answer with the terms chosen here.
        fixed._btexts = lambda _reader: iter(kept)
        return fixed

    return cap(query), notes


class _Lengths:
    """A per-document reader's field lengths, each field read once into a list, answering
    as Whoosh's ``doc_field_length`` does (None for a stored 0)."""

    def __init__(self, reader: Any, doc_count: int):
        self._reader = reader
        self._doc_count = doc_count
        self._fields: dict[str, list[Any]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: Any = 0) -> Any:
        lengths = self._fields.get(fieldname)
        if lengths is None:
            codes = _length_bytes(self._reader, fieldname, self._doc_count)
            lengths = [default] * self._doc_count if codes is None else [_LENGTHS[code] for code in codes]
            self._fields[fieldname] = lengths
        return lengths[docnum]


# As Whoosh's doc_field_length answers: None where the stored code is 0.
_LENGTHS = (None, *BYTE_LENGTHS[1:])


class _RenameHook:
    """The storage a TOC is written to: calls ``before(temporary name, final name)`` just
    before the finished TOC is renamed into place; everything else goes to ``storage``."""

    def __init__(self, storage: Any, before: Callable[[str, str], None]):
        self._storage = storage
        self._before = before

    def __getattr__(self, name: str) -> Any:
        return getattr(self._storage, name)

    def rename_file(self, source: str, target: str, safe: bool = False) -> None:
        try:
            self._before(source, target)
        except BaseException:
            self._storage.delete_file(source)  # the commit did not happen: no stray TOC
            raise
        self._storage.rename_file(source, target, safe=safe)


def segment_files(storage: Any, indexname: str, segments: Iterable[Any]) -> list[str]:
    """The names of the files that hold ``segments`` (one ``.seg`` each when compound)."""
    wanted = {segment.segment_id() for segment in segments}
    pattern = TOC._segment_pattern(indexname)
    return sorted(name for name in storage if (match := pattern.match(name)) and match.group(1) in wanted)


def toc_filename(indexname: str, generation: int) -> str:
    """The name of generation ``generation``'s TOC file.

    >>> toc_filename("passages1a2b3c4d", 3)
    '_passages1a2b3c4d_3.toc'
    """
    return TOC._filename(indexname, generation)


# Whoosh's default policy (MERGE_SMALL) merges the smallest segments while their documents
# total less than a Fibonacci number of their count, which grows faster than an index's
# segments do: on a 1M-passage index of 17 segments built by two workers, about the tenth
# `Index.add` merged every segment, minutes of work. A commit merges only segments of
# at most MERGE_FACTOR times the documents it writes, or MERGE_FLOOR_DOCS: a build's
# batches (each a quarter of the work before it or more) may still merge everything before
# them, and an `add` only the small segments. `--optimize` merges all.
MERGE_FLOOR_DOCS = 10_000
MERGE_FACTOR = 4


def _merging_below(bound: int) -> Callable[[Any, list[Any]], list[Any]]:
    """Whoosh's MERGE_SMALL over the segments of at most ``bound`` documents; the larger
    ones stay as they are, in their place."""

    def policy(writer: Any, segments: list[Any]) -> list[Any]:
        kept = {id(segment) for segment in MERGE_SMALL(writer, [s for s in segments if s.doc_count_all() <= bound])}
        return [segment for segment in segments if segment.doc_count_all() > bound or id(segment) in kept]

    return policy


# Postings a sorting run stores per compressed chunk: a chunk per run is held while the
# runs are merged, so this bounds that memory (~1 MB a run) as well.
RUN_CHUNK_POSTINGS = 4096


class CompactPostingPool(PostingPool):
    """Whoosh's pool of postings to sort, with its sorting runs written as zlib-compressed
    pickles of :data:`RUN_CHUNK_POSTINGS` postings each instead of one protocol-2 pickle per
    posting: the runs a large build spills take less temporary disk and less CPU to write
    and read back. The postings, and their order, are the same.

    >>> writer.pool = CompactPostingPool(writer._tempstorage, writer.newsegment, limitmb=512)   # doctest: +SKIP
    """

    def _write_run(self, f: Any, items: Iterable[Any]) -> None:
        chunks = iter(items)
        try:
            while chunk := list(islice(chunks, RUN_CHUNK_POSTINGS)):
                data = zlib.compress(pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL), 1)
                f.write(struct.pack("<I", len(data)))
                f.write(data)
        finally:
            f.close()

    def _read_run(self, path: str) -> Iterator[Any]:
        f = self._open_run(path)
        try:
            while header := f.read(4):
                (size,) = struct.unpack("<I", header)
                yield from pickle.loads(zlib.decompress(f.read(size)))
        finally:
            f.close()
            self._remove_run(path)

    def _remove_run(self, path: str) -> None:
        # A failed write removes the writer's temporary folder (abandon) while a traceback
        # may still hold the run readers; each then tried to remove its run again when
        # freed, printing a traceback after the one-line error.
        with suppress(FileNotFoundError):
            self.tempstore.delete_file(path)


class SegmentWriter(_WhooshSegmentWriter):
    """``ix.writer()`` with each field's lengths read once per commit instead of per posting,
    sorting runs written compactly (:class:`CompactPostingPool`), a ``before_commit`` hook
    (see the module's docstring), and which lets go of its lock and files if it fails to
    start (a full disk: Whoosh's own would keep the index locked for the rest of the
    process)."""

    pool: Any  # Whoosh's PostingPool, then ours

    def __init__(self, ix: Any, before_commit: BeforeCommit | None = None, **options: Any) -> None:
        self._before_commit = before_commit
        self._joined: list[Iterable[Any]] = []
        try:
            super().__init__(ix, **options)
            # Nothing is in Whoosh's pool yet: ours takes its place with the same limit.
            self.pool = CompactPostingPool(self._tempstorage, self.newsegment, limitmb=self.pool.limit / (1 << 20))
        except BaseException:
            _release(self)
            raise

    def add_segments(self, segments: Iterable[Any]) -> None:
        """Commits ``segments`` with this writer's own: new segments of this index written by
        other writers (see :func:`finish_segment`), which the merge policy leaves as they are
        (as it does the segment this writer adds). ``segments`` is iterated during the
        commit, after the merge policy has run: it may be a generator that waits for them.

        >>> writer.add_segments(workers.finish())            # doctest: +SKIP
        """
        self._joined.append(segments)

    def _merge_segments(self, mergetype: Any, optimize: Any, merge: Any) -> list[Any]:
        # The policy merges (or clears) committed segments only: the joined ones are new.
        # Whoosh's own reading of the arguments, then the default policy bounded (see
        # _merging_below); a commit that joins workers' segments keeps Whoosh's.
        optimize = optimize if optimize is not None else self.optimize
        merge = merge if merge is not None else self.merge
        if (mergetype or self.mergetype) is None and not optimize and merge and not self._joined:
            mergetype = _merging_below(max(MERGE_FLOOR_DOCS, MERGE_FACTOR * self.docnum))
        kept = super()._merge_segments(mergetype, optimize, merge)
        return [*kept, *(segment for segments in self._joined for segment in segments)]

    def _commit_toc(self, segments: list[Any]) -> None:
        # Whoosh's own _commit_toc, with the TOC's storage wrapped to call the hook.
        storage = self.storage
        if self._before_commit is not None:
            hook = self._before_commit

            def before_rename(temporary: str, final: str) -> None:
                names = {name: name for name in segment_files(self.storage, self.indexname, segments)}
                hook(self.generation, names | {final: temporary})

            storage = _RenameHook(self.storage, before_rename)
        TOC(self.schema, segments, self.generation).write(storage, self.indexname)
        clean_files(self.storage, self.indexname, self.generation, segments)

    def _flush_segment(self) -> None:
        # Whoosh's own _flush_segment, with the lengths reader wrapped.
        self.perdocwriter.close()
        reader = self.per_document_reader() if self.codec.length_stats else None
        lengths = _Lengths(reader, self.docnum) if reader else None
        try:
            self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
            self.fieldwriter.close()
        finally:  # a write that fails (a full disk) must not leave the lengths files open
            if reader:
                reader.close()


def worker_writer(folder: str, indexname: str, **options: Any) -> SegmentWriter:
    """A writer of one new segment of the index ``indexname`` in ``folder``, for a process
    other than the one that commits: it takes no lock (the committing process holds it).
    Its segment goes to that process through :func:`finish_segment`.

    >>> writer = worker_writer("index", "passages1a2b3c4d", limitmb=256, compound=False)   # doctest: +SKIP
    """
    ix = FileStorage(folder).open_index(indexname)
    return SegmentWriter(ix, _lk=False, **options)


def finish_segment(writer: SegmentWriter) -> Any | None:
    """Writes out the segment of a :func:`worker_writer` (its postings sorted and written)
    and returns it, for the committing writer's :meth:`SegmentWriter.add_segments`; None if
    no document was added (its empty files are removed at that commit: no segment names them).

    Unlike ``commit()``, it leaves the index's temporary folder: the other workers' sorting
    runs are in it (Whoosh names it after the index, not the writer).

    >>> segment = finish_segment(writer)                  # doctest: +SKIP
    """
    segment = writer._finalize_segment() if writer._added else None
    if segment is None:
        writer._close_segment()
    writer.is_closed = True
    return segment


def abandon(writer: _WhooshSegmentWriter) -> None:
    """Cancels ``writer``, releasing its lock and temporary folder even when cancelling
    fails: Whoosh's ``cancel()`` first closes the new segment's files, which can itself fail
    on a full disk, and then the lock stays held by this process.

    >>> abandon(writer)                                   # doctest: +SKIP
    """
    if writer.is_closed:
        return
    try:
        writer.cancel()
    except Exception:  # whatever stopped it, the writer's files and lock must go
        _release(writer)


def _release(writer: _WhooshSegmentWriter) -> None:
    """Closes the files and releases the lock of a writer that failed half-way (in
    ``__init__`` or ``cancel()``), whatever of them it got to open."""
    for part in (getattr(writer, "perdocwriter", None), getattr(writer, "fieldwriter", None)):
        if part is not None:
            _close_files(part)
    if getattr(writer, "_tempstorage", None) is not None:
        with suppress(OSError):
            writer._tempstorage.destroy()
    if getattr(writer, "writelock", None) is not None and writer.writelock.locked:
        writer.writelock.release()
    writer.is_closed = True


def _close_files(part: Any, depth: int = 3) -> None:
    """Closes the files a segment part (per-document or field writer) holds open, a few
    attributes deep: its own ``close()`` stopped at the first write that failed. Closing a
    file whose flush fails still releases it (the error is ignored: nothing more is written)."""
    for value in vars(part).values():
        if isinstance(value, StructFile) and value.is_closed:
            continue  # Whoosh's StructFile raises a bare Exception when closed twice
        if isinstance(value, io.IOBase | StructFile):
            with suppress(OSError, ValueError):
                value.close()
        elif depth > 1 and hasattr(value, "__dict__") and not isinstance(value, type):
            _close_files(value, depth - 1)


def remove_uncommitted(ix: FileIndex) -> None:
    """Deletes the files of ``ix`` that its latest commit does not use: the segment files of
    a cancelled or killed commit, half-written TOC files, the writer's temporary folder.
    Whoosh deletes such files only at its next successful commit, and on a full disk there
    is none: they would keep it full.

    Only call it holding the index's write lock (no writer may be using those files).
    Best effort: errors are ignored.

    >>> remove_uncommitted(ix)                            # doctest: +SKIP
    """
    storage, name = ix.storage, ix.indexname
    with suppress(OSError):  # best effort: it runs while another error is on its way out
        generation = ix.latest_generation()
        clean_files(storage, name, generation, ix._segments())
        for filename in list(storage):
            # A TOC is written as "_<name>_<gen>.toc.<time>" and renamed when complete.
            if filename.startswith(f"_{name}_") and ".toc." in filename:
                storage.delete_file(filename)
            # The checksum manifest "_<name>_<gen>.sums" of a generation whose TOC never
            # became the commit point (bnptsearch.store writes it just before); the
            # committed generations' manifests stay.
            elif (match := re.fullmatch(rf"_{re.escape(name)}_([0-9]+)\.sums", filename)) and int(match.group(1)) > generation:
                storage.delete_file(filename)
    # The writer's temporary folder (FileStorage.temp_storage names it so).
    shutil.rmtree(os.path.join(storage.folder, f"{name}.tmp"), ignore_errors=True)


def segment_key(leaf: Any) -> tuple[str, int]:
    """What identifies a segment reader's contents: the segment's id and its number of
    deleted documents (a segment only changes by gaining deletions).

    >>> segment_key(leaf)                                 # doctest: +SKIP
    ('passages1a2b3c4d_k2j3h4g5f6d7s8a9', 0)
    """
    segment = leaf.segment() if isinstance(leaf, SegmentReader) else None
    return (segment.segment_id(), segment.deleted_count()) if segment is not None else ("", 0)


def refreshed_searcher(ix: FileIndex, old: Searcher) -> Searcher:
    """A searcher of ``ix``'s latest commit that reuses ``old``'s readers of the segments
    the commit left as they were, and closes its other readers; ``old`` must not be used
    (or closed) afterwards.

    Whoosh's own ``Searcher.refresh()`` reuses a reader whenever the segment id matches,
    so a reused reader kept reporting documents deleted since; here a reader is reused only
    if its segment also has the same number of deletions. Opening every segment again for
    each commit of another process is what made queries under a writer slow.

    >>> searcher = refreshed_searcher(ix, searcher)      # doctest: +SKIP
    """
    reusable = {segment_key(leaf): leaf for leaf, _ in old.reader().leaf_readers() if isinstance(leaf, SegmentReader)}
    readers = []
    try:
        # Inside the try: a commit deletes the TOC before it, which may be the one listed.
        toc = ix._read_toc()
        for segment in toc.segments:
            leaf = reusable.pop((segment.segment_id(), segment.deleted_count()), None)
            readers.append(leaf or SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation))
    except OSError:
        # A writer deleted the TOC or a segment between our finding and opening it: let
        # Whoosh open the latest commit from scratch (it retries).
        for reader in readers + list(reusable.values()):
            reader.close()
        return ix.searcher()
    for leaf in reusable.values():
        leaf.close()
    if not readers:
        return Searcher(EmptyReader(toc.schema), fromindex=ix)
    if len(readers) == 1:
        readers[0]._gen = toc.generation  # Searcher.up_to_date() compares it with the TOC's
        return Searcher(readers[0], fromindex=ix)
    return Searcher(MultiReader(readers, generation=toc.generation), fromindex=ix)


def column(reader: Any, fieldname: str) -> Any:
    """``reader.column_reader(fieldname)``, each segment's part made once per segment reader.

    Whoosh makes a new column reader at every call, and for a column of strings (the article
    id of every passage) that reads the whole offsets table: ~20 ms a query at 20k passages.
    Kept on the segment reader, it lasts as long as the segment is unchanged (across
    refreshes too, see :func:`refreshed_searcher`).

    >>> column(searcher.reader(), "doc_id")[17]          # doctest: +SKIP
    '004_712c4dcd13143a1e'
    """
    if not isinstance(reader, MultiReader):
        return _leaf_column(reader, fieldname)
    parts, offsets = [], []
    for leaf, offset in zip(reader.readers, reader.doc_offsets):
        if leaf.has_column(fieldname):
            parts.append(_leaf_column(leaf, fieldname))
            offsets.append(offset)
    return MultiColumnReader(parts, offsets)


def _leaf_column(leaf: Any, fieldname: str) -> Any:
    cached = leaf.__dict__.setdefault("_bnptsearch_columns", {})
    if fieldname not in cached:
        cached[fieldname] = leaf.column_reader(fieldname)
    return cached[fieldname]



def string_columns(
    reader: Any, fieldnames: Sequence[str], docnums: Iterable[int], *, few: bool = False
) -> Iterator[tuple[str, ...]]:
    """The values of the columns ``fieldnames`` (sortable ``ID`` fields: strings) of each
    document of ``docnums``, read segment by segment and decoded as Whoosh's ``ID`` field
    does (UTF-8), without Whoosh's two wrappers per value (the segment's, the decoding).

    With ``few`` only those documents' offsets and lengths are read, where the column keeps
    them (a segment of more than 2**15 documents), and the readers are kept with the
    segment for the next look-up: Whoosh's reader reads every document's first (five
    columns took 0.25 s at 100k passages, ten times that at 1M) where adding one article
    looks up a handful of documents. A smaller segment's lengths are read whole either way,
    and its offsets summed from them in C rather than in Whoosh's Python loop.

    >>> next(string_columns(searcher.reader(), ["article_id", "path"], [1234], few=True))   # doctest: +SKIP
    ('004_712c4dcd13143a1e', '/corpus/004.txt')
    """
    for name in fieldnames:
        assert isinstance(reader.schema[name].column_type, VarBytesColumn), name
    leaves = reader.leaf_readers()
    starts = [start for _, start in leaves]
    first, end, columns = 0, -1, []
    for docnum in docnums:
        if not first <= docnum < end:
            number = bisect.bisect_right(starts, docnum) - 1
            leaf, first = leaves[number]
            end = first + leaf.doc_count_all()
            columns = [_string_column(leaf, name, few) for name in fieldnames]
        local = docnum - first
        yield tuple(column[local].decode("utf-8") for column in columns)


def _string_column(leaf: Any, fieldname: str, few: bool) -> Any:
    if not few:
        return leaf.column_reader(fieldname, column=_VarBytesColumn(few=False), translate=False)
    cached = leaf.__dict__.setdefault("_bnptsearch_few", {})
    if fieldname not in cached:
        cached[fieldname] = leaf.column_reader(fieldname, column=_VarBytesColumn(few=True), translate=False)
    return cached[fieldname]


class _VarBytesColumn(VarBytesColumn):
    """A :class:`VarBytesColumn` read by :class:`_VarBytesReader`."""

    def __init__(self, few: bool) -> None:
        super().__init__()
        self._few = few

    def reader(self, dbfile: Any, basepos: int, length: int, doccount: int) -> Any:
        return _VarBytesReader(dbfile, basepos, length, doccount, self._few)


class _VarBytesReader(VarBytesColumn.Reader):  # type: ignore[misc]
    """Whoosh's reader of a :class:`VarBytesColumn` (the layout its ``Writer.finish``
    writes: values, lengths, offsets if there are more than the cutoff's documents, then the
    arrays' type codes); with ``few``, stored offsets and lengths are read one document's
    at a time, when asked (see :func:`string_columns`)."""

    def __init__(self, dbfile: Any, basepos: int, length: int, doccount: int, few: bool) -> None:
        self._few = few
        super().__init__(dbfile, basepos, length, doccount)

    def _read_offsets_and_lengths(self) -> None:
        dbfile, end = self._dbfile, self._basepos + self._length - 1
        self._one_by_one = False
        if chr(dbfile.get_byte(end)) != "X":
            # No stored offsets (at most 2**15 documents): the lengths, then their sums.
            code = chr(dbfile.get_byte(end))
            self._lengths = dbfile.get_array(end - self._doccount * struct.calcsize(code), code, self._doccount)
            self._offsets = array("q", accumulate(self._lengths, initial=0))
        elif not self._few:
            super()._read_offsets_and_lengths()
        else:
            self._one_by_one = True
            self._lens_code, self._offsets_code = chr(dbfile.get_byte(end - 2)), chr(dbfile.get_byte(end - 1))
            self._offsets_start = (end - 2) - self._doccount * struct.calcsize(self._offsets_code)
            self._lens_start = self._offsets_start - self._doccount * struct.calcsize(self._lens_code)

    def __getitem__(self, docnum: int) -> bytes:
        if not self._one_by_one:
            return super().__getitem__(docnum)  # type: ignore[no-any-return]
        if not 0 <= docnum < self._doccount:
            raise IndexError(docnum)
        get_array = self._dbfile.get_array
        code = self._lens_code
        length = get_array(self._lens_start + docnum * struct.calcsize(code), code, 1)[0]
        if not length:
            return b""
        code = self._offsets_code
        offset = get_array(self._offsets_start + docnum * struct.calcsize(code), code, 1)[0]
        return self._dbfile.get(self._basepos + offset, length)  # type: ignore[no-any-return]

# Bytes copied to unpickle from memory: a posting block's header (a tuple of six numbers,
# protocol 2) is about 40; a longer pickle is read from the file as Whoosh reads it.
_PICKLE_WINDOW = 256


class _MapReader:
    """A read-only file over ``length`` bytes of a memory map from ``offset``: reads copy
    only the bytes asked for."""

    def __init__(self, source: Any, offset: int, length: int) -> None:
        self._source = source
        self._start = offset
        self._end = offset + length
        self._pos = offset

    def read(self, size: int | None = -1) -> bytes:
        end = self._end if size is None or size < 0 else min(self._pos + size, self._end)
        data = self._source[self._pos : end]
        self._pos = max(self._pos, end)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        newline = self._source.find(b"\n", self._pos, self._end)
        end = self._end if newline < 0 else newline + 1
        return self.read(end - self._pos if size is None or size < 0 else min(size, end - self._pos))

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: self._start, os.SEEK_CUR: self._pos, os.SEEK_END: self._end}[whence]
        self._pos = max(self._start, base + offset)
        return self._pos - self._start

    def tell(self) -> int:
        return self._pos - self._start

    def load_pickle(self) -> Any:
        """Unpickles the pickle here: from an in-memory copy of the next bytes when it fits
        in :data:`_PICKLE_WINDOW` of them (a posting block's header does), else from this file."""
        window = io.BytesIO(self._source[self._pos : min(self._pos + _PICKLE_WINDOW, self._end)])
        try:
            value = pickle.load(window)
        except (EOFError, pickle.UnpicklingError):  # cut short by the window (or damaged)
            return pickle.load(self)
        self._pos += window.tell()
        return value

    def close(self) -> None:
        self._source = b""


class MappedFile(BufferFile):
    """A sub-file of a memory-mapped compound segment, read in place.

    Whoosh's ``BufferFile`` wraps the sub-file's memoryview in a ``BytesIO``, which copies
    it: opening a 1M-passage index copied its 1.4 GB segment into memory, 0.9 s of a cold
    query and most of a query process's RSS. Here reads and ``get`` slice the map, so only
    the bytes used are read (and the page cache, not the process, holds the file).

    >>> MappedFile.open(storage, "passages_abc.pst").read(4)   # doctest: +SKIP
    b'...'
    """

    def __init__(self, source: Any, offset: int, length: int, name: str | None = None) -> None:
        # BufferFile.__init__ would copy the buffer into a BytesIO: its attributes, set here.
        self._buf = memoryview(source)[offset : offset + length]
        self._name = name
        self.file = _MapReader(source, offset, length)
        self.onclose = None
        self.is_real = False
        self.is_closed = False

    def close(self) -> None:
        super().close()
        # An exported view would keep the map open after the segment is closed.
        self._buf.release()

    def read_pickle(self) -> Any:
        """The pickle at the current position. ``pickle.load`` reads a file an opcode at a
        time: 19 calls of a Python ``read`` per posting block header, which cost more than
        decoding the blocks that pruning leaves; from a ``BytesIO`` they are C calls."""
        return self.file.load_pickle()

    @staticmethod
    def open(storage: CompoundStorage, name: str, *args: Any, **kwargs: Any) -> StructFile:
        """``storage.open_file(name)``: a :class:`MappedFile` when the segment is mapped."""
        if storage._source is None or storage.is_closed:
            return _whoosh_open_file(storage, name, *args, **kwargs)  # or Whoosh's error
        offset, length = storage.range(name)
        return MappedFile(storage._source, offset, length, name=name)


def release_mapped_pages(reader: Any) -> int:
    """Drops the pages of ``reader``'s memory-mapped segments from this process's resident
    memory (``MADV_DONTNEED``), and says how many segments it did. The pages stay in the
    page cache, shared with other processes: reading one again maps it back (a minor
    fault, no disk read). Without this, a long-running process's RSS grows with every part
    of the index it has read: 939 of 1,077 MB after 600 queries at a million passages.

    >>> release_mapped_pages(searcher.reader())           # doctest: +SKIP
    14
    """
    released = 0
    if not hasattr(mmap, "MADV_DONTNEED"):  # not on Windows
        return released
    for leaf, _ in reader.leaf_readers():
        storage = getattr(leaf, "_storage", None)
        if isinstance(storage, SegmentFiles):
            maps = storage.maps()
        else:
            compound = getattr(storage, "a", None)  # OverlayStorage(compound, folder)
            source = getattr(compound, "_source", None)
            live = isinstance(compound, CompoundStorage) and not compound.is_closed
            maps = [source] if live and isinstance(source, mmap.mmap) else []
        for source in maps:
            source.madvise(mmap.MADV_DONTNEED)
        released += bool(maps)
    return released


_whoosh_open_file = CompoundStorage.open_file
CompoundStorage.open_file = MappedFile.open  # type: ignore[method-assign]


class SegmentFiles:
    """The storage a reader of a segment written as separate files reads from: every file
    of the segment, opened when the reader is created and read in place (memory-mapped).

    Whoosh opens a separate-file segment's column files lazily, when a query first reads
    that column, by then a writer's merge may have deleted them (the reader of the previous
    generation then failed). A file opened (mapped) before it is deleted stays readable on
    POSIX until closed, so a reader sees its generation whole, as with a compound file.
    Writing separate files is what lets a commit skip copying every new segment into a
    compound file (a whole index's worth of writing per merge).

    >>> SegmentFiles(ix.storage, segment).open_file("passages_abc.pst").read(4)   # doctest: +SKIP
    b'...'
    """

    def __init__(self, storage: Any, segment: Any) -> None:
        self._storage = storage
        self._files: dict[str, Any] = {}
        try:
            for name in segment.list_files(storage):
                self._files[name] = _mapped(os.path.join(storage.folder, name))
        except BaseException:
            self.close()
            raise

    def __getattr__(self, name: str) -> Any:
        # Anything else (caches, temporary storage) goes to the folder's storage.
        return getattr(self._storage, name)

    def file_exists(self, name: str) -> bool:
        return name in self._files or self._storage.file_exists(name)

    def file_length(self, name: str) -> int:
        return len(self._files[name]) if name in self._files else self._storage.file_length(name)

    def open_file(self, name: str, *args: Any, **kwargs: Any) -> StructFile:
        if name not in self._files:
            return self._storage.open_file(name, *args, **kwargs)
        source = self._files[name]
        return MappedFile(source, 0, len(source), name=name)

    def maps(self) -> list[mmap.mmap]:
        """The memory maps of this segment's files (small files are read, not mapped)."""
        return [source for source in self._files.values() if isinstance(source, mmap.mmap) and not source.closed]

    def close(self) -> None:
        for source in self._files.values():
            if isinstance(source, mmap.mmap):
                # A sub-file still open elsewhere keeps its map until it is collected.
                with suppress(BufferError):
                    source.close()
        self._files = {}


# Files up to this size are read into memory rather than mapped: a mapping holds a file
# descriptor, and a segment has a file per column.
_MAP_FROM_BYTES = 1 << 16


def _mapped(path: str) -> bytes | mmap.mmap:
    """The bytes of the file at ``path``: read if small, else a read-only memory map."""
    with open(path, "rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        if size <= _MAP_FROM_BYTES:
            return stream.read()
        return mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)


_whoosh_segment_reader_init = SegmentReader.__init__


def _segment_reader_init(self: SegmentReader, storage: Any, schema: Any, segment: Any, *args: Any, **kwargs: Any) -> None:
    # Whoosh's own, with a separate-file segment's files opened now (see SegmentFiles).
    if not segment.is_compound() and hasattr(storage, "folder"):
        storage = SegmentFiles(storage, segment)
    _whoosh_segment_reader_init(self, storage, schema, segment, *args, **kwargs)


SegmentReader.__init__ = _segment_reader_init  # type: ignore[method-assign]
