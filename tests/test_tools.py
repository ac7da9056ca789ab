"""Tools analysts expect (issue 14): sorting by date, listing the index, more like this,
article pages, unknown filter values, --build, and terminal output (wrapping, colour,
the commit phase of the progress bar). All on the seed corpus."""

from __future__ import annotations

import json
import re
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from click.testing import CliRunner

from bnptsearch import ArticlePage, ArticleSummary, Index, QueryError
from bnptsearch.cli import _ProgressBar, _use_color, cli
from bnptsearch.formats import format_output, wrap_visible
from bnptsearch.highlight import ANSI_MARKERS
from bnptsearch.query import MAX_PASTED_CHARS, MAX_QUERY_CHARS, SearchRequest

from .conftest import SEED_CORPUS

BANTEN = "004_712c4dcd13143a1e"  # CNNBanten.id, 2022-03-23
LOKAKARYA = "001_b906f770b361ad8d"  # 2022-07-26
UNODC = "002_c1e97dfba439882a"  # 2023-03-07
DISWAY = "000_d9719fe4b4a867df"  # DISWAY.ID, no date
SURAKARTA = "003_219fc8fa0a90b567"  # no source, no date
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture
def cli_run(seed_index: Index):
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None):
        return runner.invoke(cli, [*args, "--index", str(seed_index.path)], env=env)

    return invoke


def _articles(hits) -> list[str]:
    return list(dict.fromkeys(hit.doc_id for hit in hits))


# -- sorting -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "order", "expected"),
    [
        ("-date", "newest", [UNODC, LOKAKARYA, BANTEN]),
        ("newest", "newest", [UNODC, LOKAKARYA, BANTEN]),
        ("date", "oldest", [BANTEN, LOKAKARYA, UNODC]),
        ("oldest", "oldest", [BANTEN, LOKAKARYA, UNODC]),
    ],
)
def test_sort_by_date_puts_dated_articles_in_order_and_undated_last(seed_index: Index, sort, order, expected) -> None:
    results = seed_index.search("terorisme", sort=sort, per_article=1)
    assert results.sort == order
    found = _articles(results.hits)
    assert found[:3] == expected
    assert set(found[3:]) == {DISWAY, SURAKARTA}
    assert [hit.date for hit in results.hits][:3] == sorted([hit.date for hit in results.hits][:3], reverse=order == "newest")


def test_sort_by_date_with_no_match_ends(seed_index: Index) -> None:
    assert seed_index.search("zzzyyyxxx", sort="-date").hits == ()
    assert seed_index.search("zzzyyyxxx", sort="date", by_article=True).hits == ()


def test_relevance_stays_the_default_and_unknown_sorts_are_refused(seed_index: Index) -> None:
    assert seed_index.search("terorisme").sort == "relevance"
    scores = [hit.score for hit in seed_index.search("terorisme", per_article=None).hits]
    assert scores == sorted(scores, reverse=True)
    with pytest.raises(QueryError, match=r"sort must be one of relevance, newest, oldest \(or date, -date\), not 'tanggal'"):
        SearchRequest("x", sort="tanggal")


def test_cli_sort_and_json_say_the_order(cli_run) -> None:
    result = cli_run("query", "terorisme", "--sort", "-date", "--per-article", "1", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["sort"] == "newest"
    assert [hit["doc_id"] for hit in data["hits"]][:3] == [UNODC, LOKAKARYA, BANTEN]


# -- listing -------------------------------------------------------------------------------


def test_articles_lists_the_index(seed_index: Index) -> None:
    articles = seed_index.articles()
    assert [a.doc_id for a in articles] == sorted(p.stem for p in SEED_CORPUS.glob("*.txt"))
    assert sum(a.passages for a in articles) == seed_index.counts()[1]
    banten = next(a for a in articles if a.doc_id == BANTEN)
    assert (banten.source, banten.date) == ("CNNBanten.id", "2022-03-23")
    assert banten.title.startswith("Pemprov Banten")
    with pytest.raises(FrozenInstanceError):
        banten.title = "x"  # type: ignore[misc]
    assert isinstance(banten, ArticleSummary)


def test_articles_filters_and_sorts(seed_index: Index) -> None:
    assert [a.doc_id for a in seed_index.articles(sources=["cnnbanten.id"])] == [BANTEN]
    assert [a.doc_id for a in seed_index.articles(since="2022-06")] == [LOKAKARYA, UNODC]
    assert [a.doc_id for a in seed_index.articles(sort="-date")][:3] == [UNODC, LOKAKARYA, BANTEN]
    assert [a.doc_id for a in seed_index.articles(sort="date")][:3] == [BANTEN, LOKAKARYA, UNODC]
    with pytest.raises(QueryError, match="unknown sort"):
        seed_index.articles(sort="relevance")


def test_sources_counts_articles(seed_index: Index) -> None:
    assert seed_index.sources() == {"(none)": 3, "CNNBanten.id": 1, "DISWAY.ID": 1}


def test_cli_list_and_sources(cli_run) -> None:
    text = cli_run("list", "--sort", "-date")
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    assert lines[0].startswith(f"{UNODC}  2023-03-07")
    assert lines[-1] == "5 articles"
    rows = cli_run("list", "--source", "CNNBanten.id", "--format", "csv").stdout.splitlines()
    assert rows[0] == "doc_id,date,source,passages,title,url"
    assert rows[1].startswith(f"{BANTEN},2022-03-23,CNNBanten.id,9,Pemprov Banten")
    assert len(rows) == 2
    listed = json.loads(cli_run("list", "--since", "2023", "--format", "json").stdout)
    assert [a["doc_id"] for a in listed] == [UNODC]
    sources = cli_run("sources", "--format", "json")
    assert json.loads(sources.stdout) == {"(none)": 3, "CNNBanten.id": 1, "DISWAY.ID": 1}
    assert cli_run("sources").stdout.splitlines()[0] == "3  (none)"


def test_article_page(seed_index: Index) -> None:
    everything = [a.doc_id for a in seed_index.articles(sort="-date")]
    page = seed_index.article_page(sort="-date", offset=2, limit=2)
    assert [a.doc_id for a in page.articles] == everything[2:4]
    assert (page.total, page.offset) == (5, 2)
    assert seed_index.article_page(offset=10, limit=2).articles == ()
    with pytest.raises(QueryError, match="limit >= 1"):
        seed_index.article_page(limit=0)


def test_cli_list_pages_like_query(cli_run) -> None:
    everything = cli_run("list", "--sort", "-date").stdout.splitlines()[:-1]
    second = cli_run("list", "--sort", "-date", "-n", "2", "--page", "2").stdout.splitlines()
    assert second == [*everything[2:4], "Articles 3–4 of 5"]
    assert cli_run("list", "-n", "3").stdout.splitlines()[-1] == "Articles 1–3 of 5"
    assert cli_run("list", "--page", "2").stdout.splitlines() == ["No more articles (5 in all)."]
    assert len(json.loads(cli_run("list", "-n", "2", "--format", "json").stdout)) == 2
    by_id = cli_run("list").stdout.splitlines()[:-1]
    assert cli_run("query", "*", "-n", "2", "--page", "3").stdout.splitlines() == [by_id[4], "Articles 5–5 of 5"]


def test_a_missing_source_has_one_label(seed_index: Index, cli_run) -> None:
    # SURAKARTA has no source: "(none)" in the listing, the source counts and the facets.
    line = next(line for line in cli_run("list").stdout.splitlines() if line.startswith(SURAKARTA))
    assert "  (none)  " in line
    assert "(none)" in seed_index.sources()
    assert "(none)" in seed_index.search("BNPT", facets=True).facets["source"]


def test_query_star_or_empty_with_filters_lists_articles(cli_run) -> None:
    star = cli_run("query", "*")
    assert star.exit_code == 0, star.output
    assert star.stdout.splitlines()[-1] == "5 articles"
    filtered = cli_run("query", "", "--since", "2022-06", "--sort", "date")
    assert [line.split()[0] for line in filtered.stdout.splitlines()[:-1]] == [LOKAKARYA, UNODC]
    assert cli_run("query", "").exit_code == 1
    assert "articles are listed as" in cli_run("query", "*", "--format", "trec").output


# -- more like this ------------------------------------------------------------------------


def test_similar_excludes_the_article_and_gives_one_passage_per_article(seed_index: Index) -> None:
    results = seed_index.similar(BANTEN, limit=10)
    found = [hit.doc_id for hit in results.hits]
    assert BANTEN not in found
    assert len(found) == len(set(found)) >= 3
    assert results.like == BANTEN
    # The lokakarya on coordination against violent extremism is the closest in the corpus.
    assert found[0] == LOKAKARYA


def test_similar_unknown_article_lists_close_ids(seed_index: Index) -> None:
    with pytest.raises(QueryError, match=f"no article '004_712c' in the index; did you mean: {BANTEN}"):
        seed_index.similar("004_712c")


def test_cli_similar_and_like(cli_run) -> None:
    result = cli_run("similar", BANTEN, "-n", "2")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("Passages 1–2 of") and f"like {BANTEN}" in result.stdout
    assert BANTEN not in result.stdout.split("\n", 1)[1]
    uncapped = cli_run("similar", BANTEN, "--per-article", "0", "--format", "json")
    assert json.loads(uncapped.stdout)["grouped"] is None
    liked = json.loads(cli_run("query", "--like", BANTEN, "--json").stdout)
    assert BANTEN not in {hit["doc_id"] for hit in liked["hits"]}
    both = json.loads(cli_run("query", "Surakarta", "--like", BANTEN, "--json").stdout)
    assert both["hits"][0]["doc_id"] == SURAKARTA
    assert "Error: no article 'nope'" in cli_run("similar", "nope").output


def test_pasted_long_text_becomes_a_like_this_query(seed_index: Index) -> None:
    body = (SEED_CORPUS / f"{LOKAKARYA}.txt").read_text(encoding="utf-8")
    assert len(body) > MAX_QUERY_CHARS
    results = seed_index.search(body)
    assert results.hits[0].doc_id == LOKAKARYA
    with pytest.raises(QueryError, match="nothing to search for: the text has no word that the index holds"):
        seed_index.search("qwrtzx " * 300)
    with pytest.raises(QueryError, match="pasted text is limited to 100,000"):
        seed_index.search("kata " * (MAX_PASTED_CHARS // 5 + 1))


# -- pages of articles, totals that can be paged through -----------------------------------


def test_articles_flag_counts_limit_and_offset_in_articles(seed_index: Index) -> None:
    first = seed_index.search("terorisme", by_article=True, limit=2, count=True)
    second = seed_index.search("terorisme", by_article=True, limit=2, offset=2, count=True)
    assert len(_articles(first.hits)) == 2 and len(_articles(second.hits)) == 2
    assert not set(_articles(first.hits)) & set(_articles(second.hits))
    assert first.articles == 5
    assert all(count <= 3 for count in (sum(h.doc_id == d for h in first.hits) for d in _articles(first.hits)))


def test_cli_articles_header_counts_articles(cli_run) -> None:
    result = cli_run("query", "terorisme", "--articles", "-n", "2")
    lines = result.stdout.splitlines()
    assert lines[0] == "Articles 1–2 of 5 matching 'terorisme'"
    assert sum(1 for line in lines if re.match(r"\d+\. ", line)) == 2
    second = cli_run("query", "terorisme", "--articles", "-n", "2", "--page", "2").stdout.splitlines()
    assert second[0] == "Articles 3–4 of 5 matching 'terorisme'"
    assert re.match(r"3\. ", second[2])


def test_header_total_counts_what_can_be_paged_through(seed_index: Index, cli_run) -> None:
    results = seed_index.search("BNPT", per_article=1, count=True)
    pageable = results.total - results.grouped
    assert pageable == results.articles == len(results.hits)
    header = cli_run("query", "BNPT", "--per-article", "1", "-n", "2").stdout.splitlines()[0]
    assert header == (
        f"Passages 1–2 of {pageable} matching 'BNPT' "
        f"({results.grouped} more passages of the same articles grouped away; --per-article 0 shows them)"
    )
    data = json.loads(cli_run("query", "BNPT", "--per-article", "1", "--json").stdout)
    assert (data["total"], data["grouped"], data["articles"]) == (results.total, results.grouped, results.articles)
    # The last page the header promises has hits; the next says there are no more.
    last = cli_run("query", "BNPT", "--per-article", "1", "-n", "1", "--page", str(pageable)).stdout
    assert last.startswith(f"Passages {pageable}–{pageable} of {pageable}")
    after = cli_run("query", "BNPT", "--per-article", "1", "-n", "1", "--page", str(pageable + 1)).stdout
    assert after == "No more results.\n"


# -- unknown filter values, stopwords, a mistyped --index -----------------------------------


def test_unknown_source_and_doc_are_warned_with_close_matches(seed_index: Index, cli_run) -> None:
    results = seed_index.search("terorisme", sources=["CNN Bantn"], doc_ids=["000_d9719"])
    assert results.warnings == (
        "no source 'CNN Bantn' in the index; did you mean: CNNBanten.id?",
        f"no article '000_d9719' in the index; did you mean: {DISWAY}?",
    )
    assert seed_index.search("terorisme", sources=["CNNBanten.id"]).warnings == ()
    result = cli_run("query", "terorisme", "--source", "diswya")
    assert "warning: no source 'diswya' in the index; did you mean: DISWAY.ID?" in result.stderr
    listed = cli_run("list", "--source", "cnnbantn")
    assert "warning: no source 'cnnbantn' in the index; did you mean: CNNBanten.id?" in listed.stderr


def test_stopword_only_query_is_an_error_on_the_command_line(cli_run) -> None:
    result = cli_run("query", "yang dan di")
    assert result.exit_code == 1
    assert "Error: every word of 'yang dan di' is a stopword" in result.output


def test_mistyped_index_is_not_built_unless_asked(tmp_path: Path, corpus_copy: Path) -> None:
    runner = CliRunner()
    typo = tmp_path / "indx"
    result = runner.invoke(cli, ["query", "BNPT", "--index", str(typo), "--corpus", str(corpus_copy)])
    assert result.exit_code == 1
    assert f"Error: no index at {typo}; run `bnptsearch index --index {typo}` or pass --build" in result.output
    assert not typo.exists()
    built = runner.invoke(cli, ["query", "BNPT", "--index", str(typo), "--corpus", str(corpus_copy), "--build"])
    assert built.exit_code == 0, built.output
    assert Index.exists(typo)


# -- terminal output -----------------------------------------------------------------------


def test_wrapping_counts_visible_columns_only(seed_index: Index) -> None:
    results = seed_index.search("BNPT terorisme kerjasama", limit=5)
    text = format_output("query", "text", results, _view(width=80))
    visible = [ANSI.sub("", line) for line in text.splitlines()]
    assert "\x1b[" in text
    assert max(len(line) for line in visible) <= 80
    # Lines with highlights are filled to near the width, not broken early by their codes.
    highlighted = [len(ANSI.sub("", line)) for line in text.splitlines() if "\x1b[1;33m" in line]
    assert max(highlighted) > 70


def test_long_titles_wrap_between_words(seed_index: Index) -> None:
    results = seed_index.search("Lokakarya Internasional", limit=1)
    lines = ANSI.sub("", format_output("query", "text", results, _view(width=60))).splitlines()
    title = results.hits[0].title
    start = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    title_lines = []
    for line in lines[start:]:
        if LOKAKARYA in line:
            break
        title_lines.append(line)
    assert len(title_lines) > 1 and all(len(line) <= 60 for line in title_lines)
    assert " ".join(line[3:].strip() for line in title_lines) == title


def test_wrap_visible_breaks_only_between_words() -> None:
    coloured = "\x1b[1;33mKepala\x1b[0m \x1b[1;33mBNPT\x1b[0m hadir dalam lokakarya"
    assert wrap_visible(coloured, 20, "  ") == ["  \x1b[1;33mKepala\x1b[0m \x1b[1;33mBNPT\x1b[0m hadir", "  dalam lokakarya"]
    assert wrap_visible("Penanggulangan", 5) == ["Penanggulangan"]


def _view(width: int):
    from bnptsearch.formats import View

    return View(markers=ANSI_MARKERS, width=width, bold=("\x1b[1m", "\x1b[0m"))


def test_color_flags_and_no_color(cli_run, monkeypatch) -> None:
    forced = cli_run("query", "BNPT", "--color")
    assert "\x1b[1;33mBNPT\x1b[0m" in forced.stdout
    plain = cli_run("query", "BNPT", "--no-color")
    assert "\x1b[" not in plain.stdout and "**BNPT**" in plain.stdout
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert _use_color(None) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert _use_color(None) is False
    assert _use_color(True) is True
    monkeypatch.setenv("NO_COLOR", "")  # empty: not set (no-color.org)
    assert _use_color(None) is True


def test_build_reports_the_commit_phase(tmp_path: Path, capsys) -> None:
    stages: list[tuple[str, int, int]] = []
    index, _ = Index.build(SEED_CORPUS, tmp_path / "index", progress=lambda *step: stages.append(step))
    index.close()
    assert stages[-2:] == [("committing", 0, 1), ("committing", 1, 1)]
    assert {step[0] for step in stages[:-2]} <= {"reading", "indexing"} and stages[:-2]
    bar = _ProgressBar()
    bar("indexing", 5, 5)
    bar("committing", 0, 1)
    bar("committing", 1, 1)
    err = capsys.readouterr().err
    assert "committing: writing the index to disk …" in err
    assert re.search(r"committing: writing the index to disk … \d+\.\d s\s*\n$", err)


def test_listing_escapes_control_characters_from_articles() -> None:
    hostile = ArticleSummary("d1", "Judul\x1b[2J baru", "Sumber\x07", "2024-01-01", None, 2)
    listing = ArticlePage((hostile,), 1)
    for command, answer in (("list", listing), ("sources", {"Sumber\x1b]0;x\x07": 1})):
        text = format_output(command, "text", answer)
        assert "\x1b" not in text and "\x07" not in text, command
    assert "Judul\\x1b[2J baru" in format_output("list", "text", listing)


def test_pasted_text_with_undecodable_bytes_is_searched(seed_index: Index) -> None:
    body = (SEED_CORPUS / f"{LOKAKARYA}.txt").read_text(encoding="utf-8")
    results = seed_index.search(body[:3000] + "\udcff")
    assert results.hits[0].doc_id == LOKAKARYA


def test_new_tools_on_an_empty_index(tmp_path: Path) -> None:
    with Index.open(tmp_path / "index", create=True) as index:
        assert index.articles() == () and index.sources() == {}
        results = index.search("teroris", by_article=True, count=True, sources=["CNN"])
        assert results.hits == () and results.articles == 0 and results.warnings == ("no source 'CNN' in the index",)
        assert index.search("teroris", sort="-date").hits == ()
        with pytest.raises(QueryError, match="no article 'd1' in the index"):
            index.similar("d1")
