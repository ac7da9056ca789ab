"""Index lifecycle: build, incremental update by content hash, rebuild, versions, locking."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from bnptsearch import (
    Index,
    IndexNotFoundError,
    IndexOutdatedError,
    QueryError,
    load_corpus,
    whoosh_compat,
)
from bnptsearch.schema import _article_documents, passage_schema
from bnptsearch.store import _WHOOSH_FILE, META_FILE, _write_lock
from bnptsearch.whoosh_compat import CompactPostingPool, SegmentWriter

from .conftest import SEED_CORPUS

NEW_ARTICLE = """JAKARTA, DISWAY.ID – Densus 88 Antiteror Polri menangkap tiga terduga teroris di Bekasi pada Senin (5/6/2023).
Penangkapan dilakukan setelah penyelidikan panjang terhadap jaringan yang merencanakan serangan di Jakarta. Polisi menyita bahan peledak dan dokumen dari rumah para terduga. Menurut juru bicara, ketiganya terhubung dengan kelompok yang sudah lama diawasi aparat keamanan.
"""


def _doc_ids(index: Index, query: str) -> set[str]:
    return {h.doc_id for h in index.search(query, limit=50).hits}


def _passages(index: Index) -> list[tuple]:
    """Every passage document's stored fields, in a stable order."""
    documents = index.searcher().whoosh.documents(kind="passage")
    return sorted(tuple(sorted((key, str(value)) for key, value in fields.items())) for fields in documents)


def test_open_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="bnptsearch index"):
        Index.open(tmp_path / "nowhere")


def test_incremental_add_change_delete(corpus_copy: Path, tmp_path: Path) -> None:
    index, report = Index.build(corpus_copy, tmp_path / "index")
    with index:
        assert (report.added, report.articles) == (5, 5)
        passages_before = report.passages

        unchanged = index.update(corpus_copy)
        assert (unchanged.added, unchanged.updated, unchanged.deleted, unchanged.unchanged) == (0, 0, 0, 5)
        assert not unchanged.changed

        (corpus_copy / "100_bekasi.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        (corpus_copy / "002_c1e97dfba439882a.txt").unlink()
        solo = corpus_copy / "003_219fc8fa0a90b567.txt"
        solo.write_text(solo.read_text(encoding="utf-8").replace("Gibran Rakabuming Raka", "Teguh Prakosa").replace("Gibran", "Teguh"), encoding="utf-8")
        # Touching a file without changing it must not re-index it (hash, not mtime).
        (corpus_copy / "000_d9719fe4b4a867df.txt").touch()

        report = index.update(corpus_copy)
        assert (report.added, report.updated, report.deleted, report.unchanged) == (1, 1, 1, 3)
        assert report.articles == 5
        assert _doc_ids(index, "penangkapan teroris Bekasi") >= {"100_bekasi"}
        assert _doc_ids(index, "Bali Work Plan") == set()
        assert _doc_ids(index, "Gibran") == set()
        assert _doc_ids(index, "Teguh Prakosa") == {"003_219fc8fa0a90b567"}
        # The updated index holds exactly what a fresh build of the changed corpus holds:
        # the deleted article's and the old version's passages are gone, none are doubled.
        fresh, rebuilt = Index.build(corpus_copy, tmp_path / "fresh")
        with fresh:
            assert (report.articles, report.passages) == (rebuilt.articles, rebuilt.passages)
            assert _passages(index) == _passages(fresh)
        # 32 seed passages, minus the deleted article's, plus the new one's, with the changed
        # one re-split (counts of this corpus: a change here means passages changed too).
        assert (passages_before, report.passages) == (32, 27)


def test_long_lived_index_object_sees_other_writers(corpus_copy: Path, tmp_path: Path) -> None:
    reader, _ = Index.build(corpus_copy, tmp_path / "index")
    with reader:
        assert _doc_ids(reader, "Bekasi") == set()
        (corpus_copy / "100_bekasi.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        with Index.open(tmp_path / "index") as writer:
            writer.update(corpus_copy)
        assert _doc_ids(reader, "Bekasi") == {"100_bekasi"}
        # A rebuild by someone else switches the live index; the reader follows it.
        Index.build(corpus_copy, tmp_path / "index")[0].close()
        assert _doc_ids(reader, "Bekasi") == {"100_bekasi"}


def test_rebuild_replaces_old_files(corpus_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "index"
    Index.build(corpus_copy, path)[0].close()
    files_before = {f.name for f in path.iterdir()}
    index, report = Index.build(corpus_copy, path)
    with index:
        assert report.articles == 5
        assert index.search("RAN PE").hits
    old_only = files_before - {f.name for f in path.iterdir()} - {META_FILE}
    assert old_only, "the old index files should be gone"
    assert not any(name in {f.name for f in path.iterdir()} for name in old_only)


def test_outdated_analyzer_version_is_detected(corpus_copy: Path, tmp_path: Path) -> None:
    path = tmp_path / "index"
    Index.build(corpus_copy, path)[0].close()
    meta = json.loads((path / META_FILE).read_text())
    meta["analyzer"] = "0+old"
    del meta["crc32"]  # as an older version wrote it (an edit that keeps it is damage)
    (path / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(IndexOutdatedError, match="--rebuild"):
        Index.open(path)
    Index.build(corpus_copy, path)[0].close()
    with Index.open(path) as index:
        assert index.info().articles == 5


def test_info_counts(seed_index: Index) -> None:
    info = seed_index.info()
    assert info.articles == 5
    assert info.passages >= 10
    assert "Tala stopwords" in info.analyzer


def test_missing_corpus_folder_keeps_the_index(corpus_copy: Path, tmp_path: Path) -> None:
    from bnptsearch import CorpusError

    index, _ = Index.build(corpus_copy, tmp_path / "index")
    with index:
        shutil.rmtree(corpus_copy)
        with pytest.raises(CorpusError):
            index.update(corpus_copy)
        assert index.info().articles == 5


def _jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


RECORDS = [
    {"id": f"j{i}", "title": f"Berita {i}", "text": f"Densus 88 menangkap terduga teroris nomor {i} di Bekasi. " * 5}
    for i in range(3)
]


def test_jsonl_line_change_reindexes_that_article_only(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    archive = corpus / "arsip.jsonl"
    archive.write_text(_jsonl(RECORDS), encoding="utf-8")
    index, report = Index.build(corpus, tmp_path / "index")
    with index:
        assert report.added == 3
        changed = [dict(RECORDS[0]), RECORDS[1], dict(RECORDS[2])]
        changed[0]["text"] = "Polisi menggagalkan penyelundupan senjata di Surabaya. " * 5
        del changed[2]
        archive.write_text(_jsonl(changed), encoding="utf-8")
        report = index.update(corpus)
        assert (report.added, report.updated, report.deleted, report.unchanged) == (0, 1, 1, 1)
        assert {h.doc_id for h in index.search("senjata Surabaya").hits} == {"j0"}
        # The unchanged article got the file's new hash: the next update reads nothing.
        again = index.update(corpus)
        assert (again.updated, again.unchanged) == (0, 2)


def test_articles_added_from_outside_the_corpus_survive_updates(corpus_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.txt"
    outside.write_text(NEW_ARTICLE, encoding="utf-8")
    index, _ = Index.build(corpus_copy, tmp_path / "index")
    with index:
        assert index.add([outside]).added == 1
        assert index.add([outside]).unchanged == 1
        report = index.update(corpus_copy)
        assert report.deleted == 0 and report.articles == 6
        assert index.remove(["elsewhere", "nope"]).deleted == 1
        assert index.info().articles == 5


def test_duplicate_ids_across_files_keep_the_first(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text(_jsonl(RECORDS[:1]), encoding="utf-8")
    (corpus / "b.jsonl").write_text(_jsonl([{"id": "j0", "text": "Isi lain yang berbeda sama sekali. " * 5}]), encoding="utf-8")
    index, report = Index.build(corpus, tmp_path / "index")
    with index:
        assert report.articles == 1
        assert any("duplicate doc_id 'j0'" in w for w in report.warnings)
        assert index.update(corpus).unchanged == 1


def test_bad_files_are_warnings_and_the_rest_is_indexed(corpus_copy: Path, tmp_path: Path) -> None:
    (corpus_copy / "biner.txt").write_bytes(b"\x00\x01\x02 data")
    (corpus_copy / "kosong.txt").write_text("", encoding="utf-8")
    (corpus_copy / "latin1.txt").write_bytes("Jakarta – Teroris ditangkap di Bekasi, kata Pak Andrés. Polisi menyita bahan peledak dari rumah terduga.".encode("cp1252"))
    (corpus_copy / "rusak.jsonl").write_text('{"id": "ok", "text": "Berita baik tentang kerja sama BNPT."}\n{broken\n', encoding="utf-8")
    index, report = Index.build(corpus_copy, tmp_path / "index")
    with index:
        text = "\n".join(report.warnings)
        assert "biner.txt" in text and "kosong.txt" in text and "latin1.txt" in text and "rusak.jsonl:2" in text
        assert report.articles == 7  # 5 seed articles, latin1 and the good JSONL line
        assert "latin1" in {h.doc_id for h in index.search("Andrés").hits}


def test_an_interrupted_rebuild_leaves_the_old_index(corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:
    from bnptsearch import update as update_module

    path = tmp_path / "index"
    Index.build(corpus_copy, path)[0].close()

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    # Fails while the new index's documents are being written.
    monkeypatch.setattr(update_module, "_article_documents", explode)
    with pytest.raises(RuntimeError):
        Index.build(corpus_copy, path)
    monkeypatch.undo()
    with Index.open(path) as index:
        assert index.info().articles == 5
        assert index.search("RAN PE Banten").hits
    live = {match.group(1) for f in path.iterdir() if (match := _WHOOSH_FILE.match(f.name))}
    assert len(live) == 1, "the half-written index's files are removed"


def test_a_second_writer_waits_then_fails_clearly(corpus_copy: Path, tmp_path: Path) -> None:
    from bnptsearch import IndexLockedError

    index, _ = Index.build(corpus_copy, tmp_path / "index")
    with index, _write_lock(tmp_path / "index", 1.0):
        blocked = Index.open(tmp_path / "index", lock_timeout=0.3)
        with pytest.raises(IndexLockedError, match="another process"):
            blocked.update(corpus_copy)
        # Readers are not blocked by a writer.
        assert blocked.search("RAN PE").hits
        blocked.close()


def test_an_unreadable_file_keeps_its_indexed_articles(corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:
    index, _ = Index.build(corpus_copy, tmp_path / "index")
    locked = (corpus_copy / "004_712c4dcd13143a1e.txt").resolve()
    real_open = Path.open

    def open_file(self: Path, *args, **kwargs):
        if self.resolve() == locked:
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", open_file)
    with index:
        report = index.update(corpus_copy)
        assert report.deleted == 0 and report.articles == 5
        assert any("004_712c4dcd13143a1e.txt: cannot read file" in w and "kept" in w for w in report.warnings)
        assert index.search("RAN PE Banten").hits[0].doc_id == "004_712c4dcd13143a1e"


def test_unchanged_records_of_a_changed_jsonl_are_not_parsed_again(tmp_path: Path, monkeypatch) -> None:
    from bnptsearch.readers import jsonl as records_module

    folder = tmp_path / "corpus"
    folder.mkdir()
    archive = folder / "arsip.jsonl"
    archive.write_text(_jsonl(RECORDS), encoding="utf-8")
    index, _ = Index.build(folder, tmp_path / "index")
    parsed: list[str] = []
    real = records_module.record_article
    monkeypatch.setattr(
        records_module, "record_article", lambda record, *rest: parsed.append(record["id"]) or real(record, *rest)
    )
    with index:
        extra = {"id": "j9", "title": "Baru", "text": "Kerja sama BNPT dengan Australia diperkuat tahun ini."}
        archive.write_text(_jsonl([*RECORDS, extra]), encoding="utf-8")
        report = index.update(folder)
        assert (report.added, report.unchanged) == (1, 3)
        assert parsed == ["j9"]


def _postings_and_block_stats(folder: Path, writer_class) -> list[tuple]:
    """Every term's postings and the length and weight bounds Whoosh keeps per block."""
    ix = whoosh_index.create_in(str(folder), passage_schema())
    writer = writer_class(ix)
    for article in load_corpus(SEED_CORPUS).articles:
        for document in _article_documents(article, "hash"):
            writer.add_document(**document)
    writer.commit()
    reader = ix.reader()
    found = []
    for fieldname, text in reader.all_terms():
        info = reader.term_info(fieldname, text)
        matcher = reader.postings(fieldname, text)
        blocks = []
        while matcher.is_active():
            blocks.append((matcher.block_min_length(), matcher.block_max_length(), matcher.block_max_weight()))
            if matcher.supports_block_quality():
                matcher.skip_to(matcher.block_max_id() + 1)
            else:
                matcher.next()
        postings = list(reader.postings(fieldname, text).all_items())  # ids and encoded values
        found.append((fieldname, text, info.min_length(), info.max_length(), postings, blocks))
    ix.close()
    return found


@pytest.mark.parametrize("limitmb", [None, 0.05, 0.003])
def test_segment_writer_writes_what_whoosh_writes(tmp_path: Path, limitmb: float | None, monkeypatch) -> None:
    # With a small sorting limit the postings spill into sorting runs (ours compressed
    # chunks, Whoosh's one pickle each); with the smallest, into more runs than Whoosh
    # opens at once, so it merges runs into runs first. Chunks of 7 postings: the seed
    # corpus's runs would otherwise fit in one.
    monkeypatch.setattr(whoosh_compat, "RUN_CHUNK_POSTINGS", 7)
    runs: list[int] = []
    write_run = CompactPostingPool._write_run
    monkeypatch.setattr(CompactPostingPool, "_write_run", lambda pool, f, items: runs.append(1) or write_run(pool, f, items))
    (tmp_path / "ours").mkdir()
    (tmp_path / "whoosh").mkdir()
    options = {} if limitmb is None else {"limitmb": limitmb}
    ours = _postings_and_block_stats(tmp_path / "ours", lambda ix: SegmentWriter(ix, **options))
    theirs = _postings_and_block_stats(tmp_path / "whoosh", lambda ix: ix.writer(**options))
    assert len(ours) > 1000
    assert ours == theirs
    assert len(runs) == 0 if limitmb is None else len(runs) > (5 if limitmb > 0.01 else 128)
    assert not [file for file in (tmp_path / "ours").rglob("*") if ".tmp" in str(file)]  # runs removed


def test_batch_search_runs_each_query_and_reports_bad_ones(seed_index: Index) -> None:
    queries = [("q1", "RAN PE Banten"), ("q2", "   "), ("q3", "kerja sama BNPT dengan Belanda")]
    found = list(seed_index.batch_search(queries, limit=3, per_article=1, expand=False))
    assert [qid for qid, _ in found] == ["q1", "q2", "q3"]
    assert isinstance(found[1][1], QueryError)
    for (_, query), (_, results) in zip(queries[::2], found[::2], strict=True):
        assert not isinstance(results, QueryError)
        # The same options as one search with them, and per_article=1 applied.
        assert results.hits == seed_index.search(query, limit=3, per_article=1, expand=False).hits
        assert len({hit.doc_id for hit in results.hits}) == len(results.hits) > 0


def test_search_takes_a_request_or_its_fields(seed_index: Index) -> None:
    from bnptsearch.query import SearchRequest

    request = SearchRequest(query="RAN PE", limit=2, expand=False)
    assert seed_index.search(request).hits == seed_index.search("RAN PE", limit=2, expand=False).hits
    with pytest.raises(TypeError):
        seed_index.search("RAN PE", no_such_option=True)
    with pytest.raises(TypeError, match="already holds"):
        seed_index.search(request, limit=5)


def test_update_batches_count_cpu_time_and_grow_with_the_work_committed(monkeypatch) -> None:
    from types import SimpleNamespace

    from bnptsearch import update as update_module

    clock = SimpleNamespace(now=0.0)
    # Each article takes one second of CPU; wall time hardly passes (a busy machine would
    # stretch it, which must not shrink the batches).
    monkeypatch.setattr(update_module, "time", SimpleNamespace(process_time=lambda: clock.now))
    batches: list[list[str]] = [[]]

    def write(writer, additions) -> int:
        for addition in additions:
            clock.now += 1.0
            batches[-1].append(addition.article.doc_id)
        return 1

    monkeypatch.setattr(update_module, "_write", write)
    additions = [
        update_module._Addition(SimpleNamespace(path=f"/corpus/{n:02d}.txt", doc_id=f"{n:02d}"), "hash", False)
        for n in range(20)
    ]
    passages = update_module._write_in_batches(
        lambda: object(), lambda _writer: batches.append([]), additions, batch_seconds=2.0, batch_growth=0.5
    )
    assert passages == 20
    # A batch ends after more than max(2 s, half the work committed before it).
    assert [len(batch) for batch in batches if batch] == [3, 3, 4, 6, 4]
