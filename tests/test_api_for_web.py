"""The API the web app needed: date sort, the month facet, whole-text highlighting,
read-only opening, and a distinct error for an unknown article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bnptsearch import ArticleNotFoundError, BnptSearchError, CorpusError, Index, QueryError
from bnptsearch.query import SearchRequest

from .conftest import SEED_CORPUS


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sort_by_date_orders_hits_by_their_article_date(seed_index: Index, sort: str) -> None:
    hits = seed_index.search("terorisme", sort=sort, limit=50).hits
    dated = [hit.date for hit in hits if hit.date]
    assert dated == sorted(dated, reverse=sort == "newest") and len(set(dated)) == 3
    # undated articles come last, and within one article the better passage first
    assert all(hit.date is None for hit in hits[len(dated) :]) and len(dated) < len(hits)
    first_day = [hit.score for hit in hits if hit.date == dated[0]]
    assert first_day == sorted(first_day, reverse=True)
    assert [hit.rank for hit in hits] == list(range(1, len(hits) + 1))


def test_date_sort_pages_and_caps_per_article_like_relevance(seed_index: Index) -> None:
    every = seed_index.search("terorisme", sort="oldest", limit=50, per_article=1).hits
    assert len({hit.doc_id for hit in every}) == len(every)
    page = seed_index.search("terorisme", sort="oldest", limit=2, offset=2, per_article=1).hits
    assert [hit.doc_id for hit in page] == [hit.doc_id for hit in every[2:4]]


def test_unknown_sort_is_a_query_error() -> None:
    with pytest.raises(QueryError, match="sort must be one of relevance, newest, oldest"):
        SearchRequest("x", sort="acak")


def test_month_facet_counts_articles_in_time_order(seed_index: Index) -> None:
    months = seed_index.search("terorisme", facets=True).facets["month"]
    assert months == {"(none)": 2, "2022-03": 1, "2022-07": 1, "2023-03": 1}


def test_highlight_marks_the_query_in_any_text(seed_index: Index) -> None:
    body = seed_index.article("004_712c4dcd13143a1e").body
    spans = seed_index.highlight(body, "RAN PE penangkapan")
    marked = {body[start:end] for start, end in spans}
    assert {"RAN PE", "penangkapan"} <= marked
    assert "Rencana Aksi Nasional Pencegahan" in marked  # the acronym's long form, as searched
    assert "Rencana Aksi Nasional Pencegahan" not in {
        body[s:e] for s, e in seed_index.highlight(body, "RAN PE", expand=False)
    }


def test_read_only_index_writes_nothing_and_refuses_writes(tmp_path: Path) -> None:
    Index.build(SEED_CORPUS, tmp_path / "index")[0].close()
    before = sorted(p.name for p in (tmp_path / "index").iterdir())
    with Index.open(tmp_path / "index", read_only=True) as index:
        assert index.search("RAN PE").expansions  # acronyms mined, but their cache not written
        with pytest.raises(BnptSearchError, match="read-only"):
            index.remove(["004_712c4dcd13143a1e"])
        with pytest.raises(BnptSearchError, match="read-only"):
            index.optimize()
    assert sorted(p.name for p in (tmp_path / "index").iterdir()) == before
    with pytest.raises(BnptSearchError, match="no index"):
        Index.open(tmp_path / "none", create=True, read_only=True)
    assert not (tmp_path / "none").exists()


def test_unknown_article_has_its_own_error_still_a_corpus_error(seed_index: Index) -> None:
    with pytest.raises(ArticleNotFoundError) as raised:
        seed_index.article("tidak_ada")
    assert isinstance(raised.value, CorpusError)


def test_article_of_a_jsonl_file_cleans_that_record_only(web_index_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bnptsearch.readers.records as records

    cleaned: list[str] = []
    real_clean = records.clean
    monkeypatch.setattr(records, "clean", lambda text, **kw: cleaned.append(text) or real_clean(text, **kw))
    with Index.open(web_index_path, read_only=True) as index:
        article = index.article("evil_url")  # hostile.jsonl holds three articles
    assert article.title == "Zebrakuda kedua" and article.source == "Contoh.id"
    assert len(cleaned) == 1


def test_indexes_of_one_folder_share_the_acronym_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bnptsearch.index as index_module

    Index.build(SEED_CORPUS, tmp_path / "index")[0].close()
    with Index.open(tmp_path / "index", read_only=True) as first, Index.open(tmp_path / "index", read_only=True) as second:
        table = first.acronyms()
        monkeypatch.setattr(index_module, "_read_acronym_cache", lambda *args: pytest.fail("read again"))
        assert second.acronyms() is table


def test_month_facet_and_date_sort_follow_commits(tmp_path: Path) -> None:
    Index.build(SEED_CORPUS, tmp_path / "index")[0].close()
    with Index.open(tmp_path / "index") as index:
        assert index.search("terorisme", facets=True).facets["month"].get("2024-05") is None
        for number, day in enumerate(("2024-05-02", "2019-01-15")):
            new = tmp_path / f"baru{number}.jsonl"
            record = {"id": f"baru{number}", "title": "Terorisme baru", "text": "Terorisme di Banten.", "date": day}
            new.write_text(json.dumps(record) + "\n", encoding="utf-8")
            index.add([new])
        assert index.search("terorisme", facets=True).facets["month"]["2024-05"] == 1
        assert index.search("terorisme", sort="newest").hits[0].doc_id == "baru0"
        assert index.search("terorisme", sort="oldest").hits[0].doc_id == "baru1"
        index.remove(["baru0"])
        assert "2024-05" not in index.search("terorisme", facets=True).facets["month"]
