"""Index lifecycle: build, incremental update by content hash, rebuild, versions, locking."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bnptsearch import Index, IndexNotFoundError, IndexOutdatedError
from bnptsearch.index import META_FILE

NEW_ARTICLE = """JAKARTA, DISWAY.ID – Densus 88 Antiteror Polri menangkap tiga terduga teroris di Bekasi pada Senin (5/6/2023).
Penangkapan dilakukan setelah penyelidikan panjang terhadap jaringan yang merencanakan serangan di Jakarta. Polisi menyita bahan peledak dan dokumen dari rumah para terduga. Menurut juru bicara, ketiganya terhubung dengan kelompok yang sudah lama diawasi aparat keamanan.
"""


def _doc_ids(index: Index, query: str) -> set[str]:
    return {h.doc_id for h in index.search(query, limit=50).hits}


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
        assert report.passages != passages_before or report.passages > 0


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
