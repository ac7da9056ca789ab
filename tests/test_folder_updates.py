"""An update of a corpus folder at archive scale (issue 17): the stat cache trusts the hash
of a file whose stat is unchanged (as git's index does) and never one that may have
changed; unchanged files are kept whole, so deletions are found without reading every
indexed article, and the plans are those of the whole-table planning before."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from bnptsearch import Index, update
from bnptsearch import index as index_module
from bnptsearch.store import SEGMENT_FILES, STAT_CACHE, _read_checked, _write_checked

from .test_small_changes import _outcome

STORY = "Jakarta – Densus 88 menangkap terduga teroris nomor {n} di Bekasi. Polisi menyita bahan peledak.\n"


def _jsonl(*ids: str, variant: str = "") -> str:
    return "".join(json.dumps({"id": doc_id, "text": STORY.format(n=doc_id + variant)}) + "\n" for doc_id in ids)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class _Hashed:
    """Counts the files hashed whole (a new file is hashed as it is read, not here)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.files: list[str] = []
        real = update._hash

        def counting(file: Path) -> str:
            self.files.append(Path(file).name)
            return real(file)

        monkeypatch.setattr(update, "_hash", counting)


@pytest.fixture
def quick_racy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files count as racily clean for 20 ms after their stat is recorded, not 2 s, so a
    test need not wait; tests sleep past it where a file must be clean."""
    monkeypatch.setattr(update, "_RACY_NS", 20_000_000)


def _settle() -> None:
    time.sleep(0.05)


def _built(tmp_path: Path) -> tuple[Path, Index]:
    corpus = tmp_path / "corpus"
    _write(corpus / "a.jsonl", _jsonl("a1", "a2", "a3"))
    _write(corpus / "b.jsonl", _jsonl("b1", "b2"))
    _write(corpus / "c.txt", STORY.format(n="c"))
    index, _ = Index.build(corpus, tmp_path / "index")
    return corpus, index


def _recorded(tmp_path: Path) -> tuple[Path, Index]:
    """:func:`_built`, then updated once its files are past the racy window (with
    ``quick_racy``), so that every file's stat and hash are recorded and trusted."""
    corpus, index = _built(tmp_path)
    _settle()
    index.update(corpus)
    _settle()
    return corpus, index


def test_an_unchanged_file_is_not_hashed_again(tmp_path: Path, monkeypatch, quick_racy) -> None:
    corpus, index = _built(tmp_path)
    hashed = _Hashed(monkeypatch)
    _settle()
    # Recorded by the first build as it read them; those read within 20 ms of being
    # written were racily clean then, so hashed again (and recorded again).
    assert not index.update(corpus).changed
    assert len(_read_checked(tmp_path / "index", STAT_CACHE)) == 3
    hashed.files.clear()
    _settle()
    report = index.update(corpus)
    assert not report.changed and report.unchanged == 6 and hashed.files == []
    index.close()


def test_same_size_edit_with_the_mtime_set_back_is_seen(tmp_path: Path, monkeypatch, quick_racy) -> None:
    corpus, index = _recorded(tmp_path)
    before = os.stat(corpus / "b.jsonl")
    # One character changed (the same length), the times put back.
    _write(corpus / "b.jsonl", _jsonl("b1", "b2").replace("nomor b1 ", "nomor b9 "))
    os.utime(corpus / "b.jsonl", ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(corpus / "b.jsonl")
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)
    report = index.update(corpus)  # the change time moved: hashed, and the edit found
    assert (report.added, report.updated, report.unchanged) == (0, 1, 5)
    assert "b9" in index.article("b1").body
    index.close()


def test_a_racily_clean_file_is_hashed_again(tmp_path: Path, monkeypatch) -> None:
    corpus, index = _built(tmp_path)
    # A file system whose timestamps did not move when the file was rewritten (coarse
    # timestamps: the rewrite fell in the tick of the write before): the stat is the same.
    real = update._file_stamp
    frozen = time.time_ns()

    def coarse(file: Path) -> tuple[int, int, int, int, int]:
        size, _, _, inode, device = real(file)
        return size, frozen, frozen, inode, device

    monkeypatch.setattr(update, "_file_stamp", coarse)
    index.update(corpus)  # recorded within the racy window of the files' times
    _write(corpus / "b.jsonl", _jsonl("b1", "b2").replace("nomor b1 ", "nomor b7 "))
    report = index.update(corpus)
    assert report.updated == 1 and "b7" in index.article("b1").body
    index.close()


@pytest.mark.parametrize("damage", [b"{not json", b'{"files": {}, "crc32": 1}', b"", None])
def test_a_damaged_or_missing_cache_means_hashing_everything(tmp_path: Path, monkeypatch, quick_racy, damage) -> None:
    corpus, index = _recorded(tmp_path)
    cache = tmp_path / "index" / STAT_CACHE
    if damage is None:
        cache.unlink()
    else:
        cache.write_bytes(damage)
    hashed = _Hashed(monkeypatch)
    _write(corpus / "a.jsonl", _jsonl("a1", "a2", "a3", variant="!"))
    report = index.update(corpus)  # no error, and nothing trusted
    assert (report.updated, report.unchanged, report.warnings) == (3, 3, ())
    assert sorted(hashed.files) == ["a.jsonl", "b.jsonl", "c.txt"]
    assert len(_read_checked(tmp_path / "index", STAT_CACHE)) == 3  # written anew
    index.close()


def test_a_cache_entry_of_another_shape_is_not_trusted(tmp_path: Path, monkeypatch, quick_racy) -> None:
    corpus, index = _recorded(tmp_path)
    folder = tmp_path / "index"
    entries = _read_checked(folder, STAT_CACHE)
    key = str((corpus / "b.jsonl").resolve())
    entries[key] = entries[key][:5] + ["soon", entries[key][6]]
    _write_checked(folder, STAT_CACHE, entries)
    hashed = _Hashed(monkeypatch)
    assert not index.update(corpus).changed and hashed.files == ["b.jsonl"]
    index.close()


def test_a_copied_corpus_is_hashed_again_not_trusted(tmp_path: Path, monkeypatch, quick_racy) -> None:
    corpus, index = _recorded(tmp_path)
    # Restored from a copy that keeps the times (cp -a, a backup), one file edited in it
    # with its size and times kept: new inodes and change times, so nothing is trusted.
    shutil.move(corpus, tmp_path / "moved")
    shutil.copytree(tmp_path / "moved", corpus)
    before = os.stat(corpus / "c.txt")
    _write(corpus / "c.txt", STORY.format(n="d"))
    os.utime(corpus / "c.txt", ns=(before.st_atime_ns, before.st_mtime_ns))
    hashed = _Hashed(monkeypatch)
    report = index.update(corpus)
    assert sorted(hashed.files) == ["a.jsonl", "b.jsonl", "c.txt"]
    assert (report.updated, report.unchanged) == (1, 5) and "nomor d" in index.article("c").body
    index.close()


def test_an_update_with_one_new_file_reads_no_other_article(tmp_path: Path, monkeypatch) -> None:
    corpus = tmp_path / "corpus"
    for name in ("a", "b"):
        _write(corpus / f"{name}.jsonl", _jsonl(*(f"{name}{n}" for n in range(50))))
    index, _ = Index.build(corpus, tmp_path / "index")
    _write(corpus / "baru.txt", STORY.format(n="baru"))
    claimed: list[str] = []
    real_take = update._Claims.take

    def take(self, doc_id, *args, **kwargs):
        claimed.append(doc_id)
        return real_take(self, doc_id, *args, **kwargs)

    def whole_table(*args, **kwargs):
        raise AssertionError("an update read every indexed article")

    monkeypatch.setattr(update._Claims, "take", take)
    monkeypatch.setattr(index_module, "_indexed_articles", whole_table)
    report = index.update(corpus)
    assert (report.added, report.unchanged, report.articles) == (1, 100, 101)
    assert claimed == ["baru"]  # the 100 articles of the unchanged files are kept whole
    index.close()


def test_an_update_reads_only_the_segments_new_since_the_last(tmp_path: Path, monkeypatch) -> None:
    corpus, index = _built(tmp_path)
    read: list[int] = []
    real = update._segment_files

    def counting(searcher, docnums):
        read.append(len(docnums))
        return real(searcher, docnums)

    monkeypatch.setattr(update, "_segment_files", counting)
    index.update(corpus)
    assert sum(read) == 6  # the build's own segment, not recorded yet
    read.clear()
    assert not index.update(corpus).changed and read == []  # every segment recorded
    _write(corpus / "d.txt", STORY.format(n="d"))
    assert index.update(corpus).added == 1 and read == []
    assert not index.update(corpus).changed and 1 <= sum(read) <= 7  # what that commit wrote or merged
    index.remove(["a2"])  # a deletion changes its segment's key: read again
    read.clear()
    report = index.update(corpus)
    assert (report.added, report.unchanged, report.articles) == (1, 6, 7) and sum(read) >= 1
    index.update(corpus)  # reads the segment that re-added a2
    read.clear()
    assert not index.update(corpus).changed and read == []
    index.close()


@pytest.mark.parametrize("damage", [b"{not json", b'{"entries": {"x:0": [["/a", "", "", "many"]]}, "crc32": 0}'])
def test_a_damaged_segment_record_is_read_again(tmp_path: Path, damage: bytes) -> None:
    corpus, index = _built(tmp_path)
    (tmp_path / "index" / SEGMENT_FILES).write_bytes(damage)
    _write(corpus / "b.jsonl", _jsonl("b1"))
    report = index.update(corpus)
    assert (report.deleted, report.unchanged, report.articles) == (1, 5, 5)
    assert _read_checked(tmp_path / "index", SEGMENT_FILES)  # written anew
    index.close()


def _scenario(root: Path) -> list:
    """A run of folder updates where files appear, change, go and fight over ids; returns
    every report (paths relative to ``root``) and what the index holds at the end."""
    corpus = root / "corpus"
    _write(corpus / "a.jsonl", _jsonl("m1", "m2", "dup"))
    _write(corpus / "b.txt", STORY.format(n="b"))
    _write(corpus / "sub" / "c.jsonl", _jsonl("c1", "c2"))
    _write(corpus / "z.jsonl", _jsonl("dup", "z1"))  # loses "dup" to a.jsonl
    index, _ = Index.build(corpus, root / "index")
    steps = [
        lambda: None,
        # New, edited, deleted.
        lambda: (
            _write(corpus / "new.txt", STORY.format(n="new")),
            _write(corpus / "a.jsonl", _jsonl("m1", "dup") + _jsonl("m2", variant="!")),
            (corpus / "b.txt").unlink(),
        ),
        # A file earlier in the order takes m1 from a.jsonl, unchanged.
        lambda: _write(corpus / "0first.jsonl", _jsonl("m1", "f1", variant="?")),
        # ...and leaves: m1 comes back from a.jsonl.
        lambda: (corpus / "0first.jsonl").unlink(),
        # A file later in the order wants c2 of sub/c.jsonl, unchanged.
        lambda: _write(corpus / "zz.jsonl", _jsonl("c2", "zz1", variant="#")),
        # The file that lost "dup" goes; an article removed by hand comes back.
        lambda: ((corpus / "z.jsonl").unlink(), index.remove(["c1"])),
        # Outside the folder: added, then the folder updated around it.
        lambda: index.add([_write(root / "ext" / "luar.jsonl", _jsonl("l1", "m2", variant="~"))]),
        # A record dropped from a file; a file renamed (a .txt's id is its name).
        lambda: (_write(corpus / "a.jsonl", _jsonl("m1", "dup")), (corpus / "new.txt").rename(corpus / "renamed.txt")),
        lambda: None,
    ]
    found = []
    for step in steps:
        step()
        found.append(index.update(corpus))
    return _outcome(index, found, root)


def _keep_each(self, key: str, name: str) -> int:
    """How unchanged files were planned before: every id indexed from it claimed in turn."""
    return sum(self.take(doc_id, key, name, indexed_here=True) for doc_id in self.indexed.ids_of(key))


def _whole_table(searcher, folder: Path):
    """Every indexed article, read into the table as before (it records nothing)."""
    table = update._indexed_articles(searcher)
    table.record = lambda: None  # type: ignore[attr-defined]
    return table


def test_folder_updates_plan_what_the_whole_table_planned(tmp_path: Path, monkeypatch) -> None:
    looked_up = _scenario(tmp_path / "lookup")
    nothing, changed, taken, back, later, removed, outside, dropped, last = looked_up[:9]
    assert nothing[:4] == [0, 0, 0, 7] and "z.jsonl: duplicate doc_id 'dup'" in nothing[6][0]
    assert changed[:4] == [1, 1, 1, 5]
    assert taken[:4] == [1, 1, 0, 6] and "a.jsonl: duplicate doc_id 'm1'" in taken[6][0]
    assert back[:4] == [0, 1, 1, 6]  # f1 gone with its file, m1 indexed from a.jsonl again
    assert later[:4] == [1, 0, 0, 7] and "zz.jsonl: duplicate doc_id 'c2'" in later[6][1]
    assert removed[:4] == [1, 0, 1, 6]  # c1 back; z1 deleted with its file
    assert outside[:4] == [0, 0, 0, 7] and dropped[:4] == [1, 0, 2, 5] and last[:4] == [0, 0, 0, 6]
    assert [row[0] for row in looked_up[9]] == ["c1", "c2", "dup", "l1", "m1", "renamed", "zz1"]
    # The same updates planned from every indexed article, each unchanged file's ids
    # claimed one by one, as before.
    monkeypatch.setattr(index_module, "_FolderLookup", _whole_table)
    monkeypatch.setattr(update._Claims, "keep", _keep_each)
    assert _scenario(tmp_path / "table") == looked_up


@pytest.mark.parametrize("duplicate", [False, True])
def test_an_emptied_corpus_folder_deletes_nothing(tmp_path: Path, monkeypatch, duplicate: bool) -> None:
    from bnptsearch.errors import CorpusError

    corpus, index = _built(tmp_path)
    with index:
        if duplicate:  # a damaged write's second document of an id: one more in the lookup's count
            counted = update._FolderLookup.__len__
            monkeypatch.setattr(update._FolderLookup, "__len__", lambda self: counted(self) + 1)
        for file in list(corpus.iterdir()):
            file.unlink()
        with pytest.raises(CorpusError, match="refusing to delete all 6 indexed articles"):
            index.update(corpus)
        assert index.counts()[0] == 6
