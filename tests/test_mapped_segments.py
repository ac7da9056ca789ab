"""Segments are read through memory maps, never copied whole into memory: compound segments
(indexes written before segments were separate files) through their map, separate-file
segments through maps opened with their reader."""

from __future__ import annotations

import io
import os
import pickle
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

from bnptsearch import Index
from bnptsearch import index as index_module
from bnptsearch import search as search_module
from bnptsearch.schema import DOC_ID, TEXT
from bnptsearch.whoosh_compat import MappedFile, _MapReader, release_mapped_pages


def _compound(index_path) -> CompoundStorage:
    storage = FileStorage(str(index_path))
    name = next(name for name in storage.list() if name.endswith(".seg"))
    return CompoundStorage(storage.open_file(name), use_mmap=True)


def test_sub_files_are_views_of_the_map(tmp_path, corpus_copy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(index_module._WRITER_OPTIONS, "compound", True)  # as earlier versions wrote
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


def _contents(reader) -> tuple:
    """What queries read of a segment: stored fields, a column, lengths and postings."""
    return (
        [reader.stored_fields(docnum) for docnum in reader.all_doc_ids()],
        list(reader.column_reader(DOC_ID)),
        [reader.doc_field_length(docnum, TEXT) for docnum in reader.all_doc_ids()],
        list(reader.postings(TEXT, "teror").all_ids()),
    )


def test_a_reader_keeps_its_segment_files_when_a_merge_deletes_them(tmp_path, corpus_copy) -> None:
    # Segments are separate files, and Whoosh opens a column's file only when it is first
    # read: a merge that deletes them meanwhile must not break a reader of the generation before.
    path = tmp_path / "index"
    Index.build(corpus_copy, path)[0].close()
    assert not list(path.glob("*.seg"))
    indexname = next(path.glob("_passages*.toc")).name[1:].rsplit("_", 1)[0]
    ix = whoosh_index.open_dir(str(path), indexname=indexname)
    early, reference = ix.reader(), ix.reader()
    expected = _contents(reference)
    reference.close()
    segment_files = [file for file in path.iterdir() if whoosh_index.TOC._segment_pattern(indexname).fullmatch(file.name)]
    assert segment_files
    for file in segment_files:
        file.unlink()
    assert _contents(early) == expected and expected[3]
    early.close()
def _mapped_kb() -> int:
    """This process's resident file-backed pages (the mapped segments among them), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssFile:"):
            return int(line.split()[1])
    raise AssertionError("no RssFile in /proc/self/status")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc/self/status")
def test_searches_let_go_of_the_mapped_pages_they_read(tmp_path, corpus_copy, monkeypatch) -> None:
    corpus = tmp_path / "big"
    corpus.mkdir()
    words = [f"kata{n}" for n in range(4000)]
    for number in range(80):  # a segment of a few MB, read whole by the searches below
        text = " ".join(words[(number * 37 + k) % len(words)] for k in range(1000))
        (corpus / f"{number:03d}.txt").write_text(f"Judul {number}\n\n{text}\n")
    index, _ = Index.build(corpus, tmp_path / "index")
    queries = [" ".join(words[n : n + 40 : 4]) for n in range(0, 4000, 40)]
    expected = [index.search(query).hits for query in queries[:5]]
    monkeypatch.setattr(search_module, "RELEASE_PAGES_EVERY", 10**9)
    for query in queries:
        index.search(query)
    held = _mapped_kb()
    assert release_mapped_pages(index.searcher().whoosh.reader()) >= 1
    assert _mapped_kb() < held - 256  # at least 256 KiB of the index let go of
    # Read again, the pages come back from the page cache: the same answers.
    assert [index.search(query).hits for query in queries[:5]] == expected
    # Searches release them every RELEASE_PAGES_EVERY searches on their own.
    monkeypatch.setattr(search_module, "RELEASE_PAGES_EVERY", 3)
    for query in queries:
        index.search(query)
    assert _mapped_kb() < held - 256
    index.close()


def test_mining_the_acronyms_lets_go_of_the_stored_fields_it_read(tmp_path, corpus_copy, monkeypatch) -> None:
    # Mining reads every article's stored fields (the whole stored-fields files at a million
    # passages, ~500 MB of mapped pages): they are let go of at once, not 64 searches later.
    path = tmp_path / "index"
    Index.build(corpus_copy, path)[0].close()
    released: list[object] = []
    monkeypatch.setattr(index_module, "release_mapped_pages", released.append)
    with Index.open(path, read_only=True) as index:  # read-only: no acronym cache file is written
        assert index.search("FKPT").hits
        assert len(released) == 1
        assert index.search("FKPT").hits
        assert len(released) == 1  # mined once: the table is kept
