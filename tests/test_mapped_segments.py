"""Compound segments are read through their memory map, never copied whole into memory."""

from __future__ import annotations

import io
import os
import pickle

from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

from bnptsearch import Index
from bnptsearch.whoosh_compat import MappedFile, _MapReader


def _compound(index_path) -> CompoundStorage:
    storage = FileStorage(str(index_path))
    name = next(name for name in storage.list() if name.endswith(".seg"))
    return CompoundStorage(storage.open_file(name), use_mmap=True)


def test_sub_files_are_views_of_the_map(tmp_path, corpus_copy) -> None:
    Index.build(corpus_copy, tmp_path / "index")[0].close()
    compound = _compound(tmp_path / "index")
    for name in compound.list():
        mapped = compound.open_file(name)
        assert isinstance(mapped, MappedFile), name
        offset, length = compound.range(name)
        whole = compound._source[offset : offset + length]
        copy = io.BytesIO(whole)
        # Every way Whoosh reads a file gives what a copy would.
        assert mapped.read(7) == copy.read(7)
        assert mapped.tell() == copy.tell()
        mapped.seek(-3, os.SEEK_END), copy.seek(-3, os.SEEK_END)
        assert mapped.read() == copy.read() and mapped.read(5) == copy.read(5) == b""
        mapped.seek(1), copy.seek(1)
        mapped.seek(2, os.SEEK_CUR), copy.seek(2, os.SEEK_CUR)
        assert mapped.readline() == copy.readline()
        assert mapped.get(0, len(whole)) == whole
        mapped.close()


class _CountingLoad:
    """Counts the pickles loaded from the map itself (not from an in-memory window)."""

    def __init__(self, monkeypatch) -> None:
        self.count = 0
        load = pickle.load

        def counting(file, *args, **kwargs):
            self.count += isinstance(file, _MapReader)
            return load(file, *args, **kwargs)

        monkeypatch.setattr(pickle, "load", counting)


def test_pickles_read_from_the_map(tmp_path, monkeypatch) -> None:
    """Whoosh unpickles block headers straight from the file (read, readline, readinto);
    a short pickle is unpickled from a copy of the bytes it may take, a long one from the map."""
    storage = FileStorage(str(tmp_path))
    header = (128, 12345, 3.0, 1, 12, 200)
    values = [{"a": 1, "b": (2.5, "teks\n")}, list(range(300)), b"\n" * 5, header, header, list(range(40000)), header]
    protocols = [None, 2, None, None, 2, None, None]
    out = storage.create_file("parts")
    for value, protocol in zip(values, protocols):
        out.write_pickle(value, *([protocol] if protocol else []))
    out.close()
    assembled = StructFile(open(tmp_path / "segment.seg", "wb"))
    CompoundStorage.assemble(assembled, storage, ["parts"])
    compound = CompoundStorage(storage.open_file("segment.seg"), use_mmap=True)
    mapped = compound.open_file("parts")
    assert isinstance(mapped, MappedFile)
    loads = _CountingLoad(monkeypatch)
    read, windowed = [], []
    for _ in values:
        before = loads.count
        read.append(mapped.read_pickle())
        windowed.append(loads.count == before)
    assert read == values
    assert windowed == [True, False, True, True, True, False, True]
    assert mapped.read() == b""


def test_searching_a_mapped_index(tmp_path, corpus_copy) -> None:
    index, _ = Index.build(corpus_copy, tmp_path / "index")
    assert index.search("terorisme").hits
    index.close()
