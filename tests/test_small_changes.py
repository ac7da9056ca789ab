"""`add` and `remove` look up only the files and articles they touch (issue 17: reading every
indexed article first made adding one article grow with the index), and plan exactly what
the whole-index table planned; the column reads that make the look-ups cheap."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from whoosh.columns import VarBytesColumn
from whoosh.filedb.filestore import RamStorage
from whoosh.query import Term

from bnptsearch import Index, update
from bnptsearch import index as index_module
from bnptsearch.schema import ARTICLE_ID, ARTICLE_KIND, CONTENT_HASH, DOC_ID, FILE_HASH, KIND, ORIGIN, PATH
from bnptsearch.whoosh_compat import _VarBytesColumn, string_columns

STORY_1 = "Jakarta – Densus 88 menangkap terduga teroris di Bekasi pada Senin (5/6/2023). Polisi menyita bahan peledak.\n"
STORY_2 = "Surabaya – BNPT dan Pemprov Jawa Timur menandatangani nota kesepahaman pencegahan radikalisme di sekolah.\n"
STORY_3 = "Medan – Warga Deli Serdang mengikuti sosialisasi kontra radikalisasi bersama tokoh agama setempat.\n"
STORY_4 = "Poso – Satgas Madago Raya memburu sisa kelompok bersenjata di pegunungan Sulawesi Tengah.\n"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _jsonl(*records: tuple[str, str]) -> str:
    return "".join(json.dumps({"id": doc_id, "title": doc_id, "text": text}, ensure_ascii=False) + "\n" for doc_id, text in records)


class _WholeReadGuard:
    """``_indexed_articles`` that fails when asked for every article while ``on``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.on = False
        self.whole_reads = 0
        real = update._indexed_articles

        def guarded(searcher, which=None):
            if which is None:
                self.whole_reads += 1
                assert not self.on, "a small change read every indexed article"
            return real(searcher, which)

        for module in (update, index_module):
            monkeypatch.setattr(module, "_indexed_articles", guarded)


def _scenario(root: Path, guard: _WholeReadGuard | None = None) -> list:
    """Adds, re-adds, collides and removes on a small index; returns every report (paths
    relative to ``root``) and what the index holds at the end."""
    corpus, folder = root / "corpus", root / "index"
    _write(corpus / "arsip.jsonl", _jsonl(("m1", STORY_1), ("m2", STORY_2), ("berita", STORY_3)))
    _write(corpus / "x.txt", STORY_4)
    index, _ = Index.build(corpus, folder)
    steps = [
        lambda: index.add([_write(root / "dl1" / "baru.txt", STORY_1)], copy_to=corpus),
        # A name taken by another source's copy, then a name whose id a JSONL record has.
        lambda: index.add([_write(root / "dl2" / "baru.txt", STORY_2)], copy_to=corpus),
        lambda: index.add([_write(root / "dl3" / "berita.txt", STORY_4)], copy_to=corpus),
        # The same source again, changed: its own copy is replaced.
        lambda: index.add([_write(root / "dl1" / "baru.txt", STORY_3)], copy_to=corpus),
        # Outside the corpus: an id the corpus file (earlier in the order) already has.
        lambda: index.add([_write(root / "ext" / "luar.jsonl", _jsonl(("m1", STORY_4), ("l1", STORY_2)))]),
        lambda: index.add([_write(root / "ext" / "luar.jsonl", _jsonl(("m1", STORY_4), ("l1", STORY_3), ("l2", STORY_1)))]),
        lambda: index.add([root / "ext" / "luar.jsonl"]),
        # A file earlier in the order than the corpus file that has its id.
        lambda: index.add([_write(root / "a" / "awal.jsonl", _jsonl(("x", STORY_1)))]),
        lambda: index.remove(["m2", "nope", "l1", "m2"]),
    ]
    found = []
    for step in steps:
        if guard:
            guard.on = True
        report = step()
        if guard:
            guard.on = False
        found.append(report)
    found.append(index.update(corpus))
    return _outcome(index, found, root)


def _outcome(index: Index, found: list, root: Path) -> list:
    """The reports ``found`` and what ``index`` holds at the end (then closed), as JSON
    data with the paths relative to ``root``."""
    found.append(sorted(update._indexed_articles(index.searcher().whoosh).items()))
    index.close()
    text = json.dumps([[*_fields(item)] for item in found], default=str)
    return json.loads(text.replace(str(root), "ROOT"))


def _fields(item) -> list:
    if isinstance(item, list):
        return item
    return [item.added, item.updated, item.deleted, item.unchanged, item.articles, item.passages, item.warnings, item.notes]


def test_add_and_remove_do_not_read_every_article(tmp_path: Path, monkeypatch) -> None:
    guard = _WholeReadGuard(monkeypatch)
    reports = _scenario(tmp_path, guard)
    # Only the scenario's own read of the final table: an update of the corpus folder reads
    # no whole table either (tests/test_folder_updates.py).
    assert guard.whole_reads == 1
    added, renamed, id_taken, readded, outside, changed, unchanged, earlier, removed = reports[:9]
    assert added[:4] == [1, 0, 0, 0]
    assert "already holds another article (added from ROOT/dl1/baru.txt)" in renamed[7][0]
    assert "article id 'berita' is already taken" in id_taken[7][0]
    assert readded[:2] == [0, 1] and readded[7] == []
    assert outside[:2] == [1, 0] and any("'m1'" in warning for warning in outside[6])
    assert changed[:4] == [1, 1, 0, 0]
    assert unchanged[:4] == [0, 0, 0, 2]
    assert earlier[:2] == [0, 1] and any("ROOT/corpus/x.txt" in warning for warning in earlier[6])
    assert removed[2] == 2 and removed[6] == ["nope: no such article in the index"]


def test_add_and_remove_plan_what_the_whole_table_planned(tmp_path: Path, monkeypatch) -> None:
    looked_up = _scenario(tmp_path / "lookup")
    # The same steps planned from every indexed article, as before the look-ups.
    monkeypatch.setattr(index_module, "_IndexLookup", update._indexed_articles)
    assert _scenario(tmp_path / "table") == looked_up


@pytest.mark.parametrize("cutoff", [2**15, 3])
def test_one_value_column_reader_reads_the_values_whoosh_reads(cutoff: int) -> None:
    # Past the cutoff a column stores each document's offset (how the segments of a large
    # index are written); below it only the lengths.
    rng = random.Random(cutoff)
    values = [rng.choice([b"", b"a", "é".encode() * rng.randrange(1, 40)]) for _ in range(50)]
    storage = RamStorage()
    out = storage.create_file("column")
    writer = VarBytesColumn(write_offsets_cutoff=cutoff).writer(out)
    for docnum, value in enumerate(values):
        if value or docnum % 3:
            writer.add(docnum, value)
    writer.finish(len(values) + 4)  # documents past the last value read as b""
    out.close()
    length = storage.file_length("column")
    whoosh = VarBytesColumn().reader(storage.open_file("column"), 0, length, len(values) + 4)
    assert whoosh.had_stored_offsets == (cutoff < len(values))
    expected = [whoosh[docnum] for docnum in range(len(values) + 4)]
    for few in (True, False):
        ours = _VarBytesColumn(few=few).reader(storage.open_file("column"), 0, length, len(values) + 4)
        assert [ours[docnum] for docnum in range(len(values) + 4)] == expected
    with pytest.raises(IndexError):
        _VarBytesColumn(few=True).reader(storage.open_file("column"), 0, length, len(values) + 4)[len(values) + 4]


def test_string_columns_and_counts_of_an_index_with_segments_and_deletions(tmp_path: Path, corpus_copy: Path, monkeypatch) -> None:
    index, _ = Index.build(corpus_copy, tmp_path / "index")
    index.add([_write(tmp_path / "dl" / "baru.txt", STORY_1)])
    index.remove(["baru"])
    index.add([_write(tmp_path / "dl" / "lagi.jsonl", _jsonl(("l1", STORY_2), ("l2", STORY_3)))])
    searcher = index.searcher().whoosh
    reader = searcher.reader()
    assert len(reader.leaf_readers()) > 1 and reader.has_deletions()
    # The counts every update reports, from the segments' document frequencies less deletions.
    articles = sum(1 for _ in searcher.docs_for_query(Term(KIND, ARTICLE_KIND)))
    with monkeypatch.context() as patched:
        # Not by listing every article document (it grows with the index).
        patched.setattr(type(searcher), "docs_for_query", None)
        assert index.counts() == (articles, reader.doc_count() - articles) and articles == 7
    names = (ARTICLE_ID, CONTENT_HASH, PATH, FILE_HASH, ORIGIN, DOC_ID)
    whole = [reader.column_reader(name) for name in names]
    # Every document (deleted ones too), then a few, out of order.
    for docnums in (range(reader.doc_count_all()), [reader.doc_count_all() - 1, 0, 5, 3]):
        expected = [tuple(column[docnum] for column in whole) for docnum in docnums]
        assert list(string_columns(reader, names, docnums)) == expected
        assert list(string_columns(reader, names, docnums, few=True)) == expected
    index.close()
