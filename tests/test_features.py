"""Analyst features: filters, facets, grouping, typos, phrases, explain, pagination, formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bnptsearch import Index, QueryError
from bnptsearch.cli import cli

RAN_PE = "004_712c4dcd13143a1e"
BALI = "002_c1e97dfba439882a"
BELANDA = "000_d9719fe4b4a867df"


def _docs(results) -> set[str]:
    return {h.doc_id for h in results.hits}


def test_source_filter(seed_index: Index) -> None:
    results = seed_index.search("terorisme", sources=["CNNBanten.id"], limit=20)
    assert results.hits and _docs(results) == {RAN_PE}
    assert seed_index.search("terorisme", sources=["DISWAY.ID"]).hits[0].doc_id == BELANDA
    assert seed_index.search("terorisme", sources=["nowhere.example"]).hits == ()


def test_date_filters_in_options_and_syntax(seed_index: Index) -> None:
    from_2023 = seed_index.search("terorisme", since="2023", limit=20)
    assert _docs(from_2023) == {BALI}
    in_2022 = seed_index.search("terorisme", since="2022-01-01", until="2022-12-31", limit=20)
    assert _docs(in_2022) == {RAN_PE, "001_b906f770b361ad8d"}
    syntax = seed_index.search("terorisme date:[2022 TO 2022]", limit=20)
    assert _docs(syntax) == _docs(in_2022)
    assert syntax.total == in_2022.total
    march = seed_index.search("terorisme", since="2022-03", until="2022-03", limit=20)
    assert _docs(march) == {RAN_PE}


@pytest.mark.parametrize(("since", "until"), [("yesterday", None), ("2022-13", None), ("2023", "2022")])
def test_bad_dates_are_query_errors(seed_index: Index, since: str, until: str | None) -> None:
    with pytest.raises(QueryError):
        seed_index.search("terorisme", since=since, until=until)


def test_doc_filter_and_syntax_filters_narrow(seed_index: Index) -> None:
    assert _docs(seed_index.search("terorisme", doc_ids=[BALI], limit=20)) == {BALI}
    assert _docs(seed_index.search("terorisme source:disway", limit=20)) == {BELANDA}


def test_facets_count_articles_not_passages(seed_index: Index) -> None:
    facets = seed_index.search("terorisme", facets=True).facets
    assert facets["source"] == {"(none)": 3, "CNNBanten.id": 1, "DISWAY.ID": 1}
    assert facets["year"] == {"(none)": 2, "2022": 2, "2023": 1}


def test_per_article_grouping(seed_index: Index) -> None:
    capped = seed_index.search("terorisme", limit=20, per_article=2)
    counts = [sum(h.doc_id == d for h in capped.hits) for d in _docs(capped)]
    assert max(counts) == 2
    uncapped = seed_index.search("terorisme", limit=20, per_article=None)
    assert max(sum(h.doc_id == d for h in uncapped.hits) for d in _docs(uncapped)) > 2
    grouped = capped.by_article()
    assert [g.doc_id for g in grouped] == list(dict.fromkeys(h.doc_id for h in capped.hits))


def test_pagination_and_total(seed_index: Index) -> None:
    everything = seed_index.search("terorisme", limit=30, per_article=None, count=True)
    page2 = seed_index.search("terorisme", limit=5, offset=5, per_article=None, count=True)
    assert [h.rank for h in page2.hits] == [6, 7, 8, 9, 10]
    assert [h.passage for h in page2.hits] == [h.passage for h in everything.hits[5:10]]
    assert page2.total == everything.total == len(everything.hits)
    assert seed_index.search("terorisme").total is None  # counting costs a pass: on request


def test_corpus_typos_are_reachable_by_fuzzy_search(seed_index: Index) -> None:
    # 000 only ever writes the misspelling "peyebaran".
    assert BELANDA not in _docs(seed_index.search("penyebaran", limit=20))
    assert BELANDA in _docs(seed_index.search("penyebaran~", limit=20))
    fuzzy = seed_index.search("penyebaran", fuzzy=True, limit=20)
    hit = next(h for h in fuzzy.hits if h.doc_id == BELANDA)
    assert "peyebaran" in {hit.passage[s:e] for s, e in hit.spans}


def test_did_you_mean(seed_index: Index) -> None:
    results = seed_index.search("Surakrta walkota", fuzzy=False)
    assert results.hits == ()
    assert results.suggestion == "surakarta walikota"
    assert seed_index.search("Surakarta", fuzzy=False).suggestion is None


def test_phrases_survive_stemming_and_proximity(seed_index: Index) -> None:
    # "kerja sama internasional" is written "kerjasama internasional" in 000 and 002.
    phrase = seed_index.search('"kerja sama internasional"', limit=20)
    assert {BELANDA, BALI} <= _docs(phrase)
    assert seed_index.search('"pemprov yayasan"').hits == ()
    near = seed_index.search('"pemprov yayasan"~3')
    assert _docs(near) == {RAN_PE}


def test_explain_lists_matched_terms(seed_index: Index) -> None:
    hit = seed_index.search("teroris Banten", explain=True).hits[0]
    fields_terms = {(t.field, t.term) for t in hit.explanation}
    assert {("text", "banten"), ("title", "banten")} & fields_terms
    assert abs(sum(t.score for t in hit.explanation) - hit.score) / hit.score < 0.2
    assert seed_index.search("teroris Banten").hits[0].explanation == ()


def test_negation_excludes(seed_index: Index) -> None:
    assert RAN_PE not in _docs(seed_index.search("terorisme NOT Banten", limit=30))


@pytest.fixture
def cli_run(seed_index: Index):
    def invoke(*args: str):
        return CliRunner().invoke(cli, [*args, "--index", str(seed_index.path)])

    return invoke


def test_cli_formats(cli_run) -> None:
    as_json = json.loads(cli_run("query", "Bali Work Plan", "--format", "json").stdout)
    assert as_json["hits"][0]["doc_id"] == BALI and as_json["total"] >= 1
    lines = cli_run("query", "Bali Work Plan", "--format", "jsonl").stdout.splitlines()
    assert json.loads(lines[0])["query"] == "Bali Work Plan"
    rows = list(csv.DictReader(io.StringIO(cli_run("query", "Bali Work Plan", "--format", "csv").stdout)))
    assert rows[0]["doc_id"] == BALI and "**Bali Work Plan**" in rows[0]["highlighted"]
    trec = cli_run("query", "Bali Work Plan", "--format", "trec").stdout.split()
    assert trec[:4] == ["1", "Q0", BALI, "1"]
    page = cli_run("query", "Bali Work Plan", "--format", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and "<mark>Bali Work Plan</mark>" in page


def test_html_escapes_passage_text(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    record = {"id": "xss", "title": "Uji <b>judul</b>", "text": "Teks <script>alert(1)</script> tentang terorisme."}
    (corpus / "a.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    index, _ = Index.build(corpus, tmp_path / "index")
    index.close()
    page = CliRunner().invoke(cli, ["query", "terorisme", "--format", "html", "--index", str(tmp_path / "index")]).stdout
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>judul</b>" not in page


def test_cli_filters_facets_page_and_explain(cli_run) -> None:
    result = cli_run("query", "terorisme", "--since", "2022", "--until", "2022", "--facets", "--articles")
    assert result.exit_code == 0
    assert "year: 2022 (2)" in result.stdout
    assert "2023" not in result.stdout
    page = cli_run("query", "terorisme", "-n", "2", "--page", "2", "--per-article", "0")
    assert page.stdout.startswith("Passages 3–4 of ")
    explained = cli_run("query", "teroris Banten", "--explain", "-n", "1")
    assert "matched: " in explained.stdout and "query: " in explained.stderr
    bad = cli_run("query", "terorisme", "--since", "kemarin")
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: since must be a date")


def test_cli_did_you_mean(cli_run) -> None:
    result = cli_run("query", "Surakrta", "--exact")
    assert result.exit_code == 0
    assert result.stdout.startswith("Did you mean: surakarta?")
