"""Untrusted queries: every query costs bounded time and memory, and crashes become QueryErrors.

Shapes found adversarially on a 20k-passage index (issue 13): ``word~9`` ran for minutes
and took 880 MB, ``NOT a ANDNOT b`` raised ``KeyError: 'doc_id'``, a query with bytes that
are not UTF-8 raised ``UnicodeEncodeError``.
"""

from __future__ import annotations

import json
import random
import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh import query as wq

from bnptsearch import Index, QueryError
from bnptsearch.cli import cli
from bnptsearch.formats import to_text
from bnptsearch.query import MAX_EXPANSIONS, SearchRequest, parse_query
from bnptsearch.ranking import score_sum
from bnptsearch.results import SearchResults
from bnptsearch.schema import passage_schema
from bnptsearch.search import SCORED_FIELDS, Deadline, whoosh_top
from bnptsearch.vectorized import CollectionStats, top_documents
from bnptsearch.whoosh_compat import cap_expansions
from tests.conftest import SEED_CORPUS


def test_a_negation_inside_another_operator_never_returns_an_article_document(seed_index: Index) -> None:
    results = seed_index.search("NOT pemerintah ANDNOT presiden", count=True, limit=100, per_article=None)
    passages = seed_index.counts()[1]
    with_words = seed_index.search("pemerintah OR presiden", count=True).total
    assert results.total == len(results.hits) == passages - with_words
    assert all(hit.doc_id and hit.passage for hit in results.hits)


@pytest.mark.parametrize("query", ["polisi\udcff~", "\udcff", 'title:"a \ud800"'])
def test_a_query_that_is_not_valid_utf8_is_a_query_error(seed_index: Index, query: str) -> None:
    with pytest.raises(QueryError, match="not valid UTF-8"):
        seed_index.search(query)


@pytest.mark.parametrize(
    ("query", "edits"),
    [
        # The stem "antasanteror" is long: two edits at most, however many are asked for.
        ("pemberantasanterorisme~9", {"antasanteror": 2}),
        ("teror~5", {"teror": 1}),
        ("kata~-1terorisme~9", {"kata": 1, "1terorisme": 2}),
        ("teror~0", {"teror": 0}),
    ],
)
def test_fuzzy_edit_distance_is_capped_as_with_fuzzy(query: str, edits: dict) -> None:
    parsed = parse_query(query, passage_schema())[0]
    fuzzy = [node for node in parsed.leaves() if isinstance(node, wq.FuzzyTerm)]
    assert {node.text.lstrip("-"): node.maxdist for node in fuzzy} == edits


def test_a_range_or_fuzzy_word_expands_to_its_most_frequent_terms(seed_index: Index) -> None:
    reader = seed_index.searcher().whoosh.reader()
    everything = wq.TermRange("text", "a", "z")
    frequencies = {term: reader.doc_frequency("text", term) for _, term in everything.expanded_terms(reader)}
    capped, notes = cap_expansions(everything, reader, 3, lambda: False)
    kept = [term for _, term in capped.expanded_terms(reader)]
    assert len(kept) == 3
    assert min(frequencies[t] for t in kept) >= max(f for t, f in frequencies.items() if t not in kept)
    assert notes == [f"text:[a TO z] reaches {len(frequencies):,} terms; searched the 3 most frequent"]
    # The word as typed comes first, however rare.
    fuzzy, _ = cap_expansions(wq.FuzzyTerm("text", "teror", maxdist=2, prefixlength=0), reader, 1, lambda: False)
    assert [term for _, term in fuzzy.expanded_terms(reader)] == ["teror"]


def test_a_search_notes_the_cap_and_searches_the_capped_terms(seed_index: Index) -> None:
    reader = seed_index.searcher().whoosh.reader()
    reached = len(list(wq.TermRange("text", "a", "z").expanded_terms(reader)))
    results = seed_index.search("text:[a TO z]")
    assert reached > MAX_EXPANSIONS
    assert results.notes == (f"text:[a TO z] reaches {reached:,} terms; searched the 50 most frequent",)
    assert results.hits and not results.timed_out


def test_a_search_out_of_time_returns_what_it_has_with_a_note(seed_index: Index) -> None:
    results = seed_index.search("teroris NOT bom", timeout=1e-9, count=True, facets=True)
    assert results.timed_out
    assert results.notes[-1] == "search stopped after 1e-09 s; results may be incomplete"
    # A count cut short is no total.
    assert results.total is None and results.facets is None
    fast = seed_index.search("teroris NOT bom", count=True)
    assert not fast.timed_out and fast.notes == () and fast.total


def test_the_time_budget_is_checked(seed_index: Index) -> None:
    assert SearchRequest("x").timeout == 5.0
    assert SearchRequest("x", timeout=None).timeout is None
    for bad in (0, -1, float("nan")):
        with pytest.raises(QueryError, match="timeout must be a positive number"):
            SearchRequest("x", timeout=bad)


def test_whoosh_and_numpy_scoring_stop_at_the_deadline(seed_index: Index) -> None:
    searcher = seed_index.searcher().whoosh
    query = parse_query('teroris "nota kesepahaman"', searcher.schema)[0]
    assert whoosh_top(searcher, query, 10, deadline=Deadline(None)).scored_length() == 10
    spent = Deadline(0.0)
    assert whoosh_top(searcher, query, 10, deadline=spent).scored_length() == 0 and spent.hit
    summed = score_sum(query, SCORED_FIELDS)
    # The phrase (in its best-of-fields group) is scored by Whoosh's matchers.
    assert summed is not None and any(sum_.others for group, _ in summed.best_of for sum_ in group)
    stats = CollectionStats(searcher)
    full = dict(top_documents(stats, summed, 100))
    stopped = dict(top_documents(stats, summed, 100, lambda: True))
    assert sum(stopped.values()) < sum(full.values())


def _vocabulary_corpus(folder: Path, articles: int = 200, seed: int = 13) -> Path:
    """Articles of random long words: a large vocabulary, where a wide fuzzy word is costly."""
    rng = random.Random(seed)
    letters = "abdegiklmnoprstu"
    folder.mkdir()
    for number in range(articles):
        words = ["".join(rng.choice(letters) for _ in range(rng.randint(8, 16))) for _ in range(120)]
        (folder / f"a{number:04d}.txt").write_text(f"Judul {number}\n\n" + " ".join(words) + ".\n", encoding="utf-8")
    return folder


@pytest.mark.slow
def test_the_worst_queries_take_bounded_time_and_memory(tmp_path: Path) -> None:
    index, _ = Index.build(_vocabulary_corpus(tmp_path / "corpus"), tmp_path / "index")
    with index:
        index.search("teroris")
        for query, timeout in (
            # Bounded by the edit cap alone (no time budget): before it, seconds and hundreds
            # of MB here, minutes and 880 MB on a 20k-passage index.
            ("pemberantasanterorisme~9", None),
            ("kata~-1terorisme~9", None),
            # Every term of the index: bounded by the expansion cap and the time budget.
            ("text:[a TO z] words:[a TO z] abdegiklmnoprstu~9", 2.0),
        ):
            tracemalloc.start()
            started = time.perf_counter()
            index.search(query, timeout=timeout, count=True)
            seconds = time.perf_counter() - started
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            assert seconds < 10 and peak < 50_000_000, (query, seconds, peak)


def test_the_cli_prints_notes_on_stderr_and_takes_a_timeout(tmp_path: Path) -> None:
    where = ["--index", str(tmp_path / "index"), "--corpus", str(SEED_CORPUS)]
    runner = CliRunner()
    result = runner.invoke(cli, ["query", "teroris", "--timeout", "0.000000001", *where])
    assert result.exit_code == 0, result.output
    assert "note: search stopped after 1e-09 s; results may be incomplete" in result.stderr.splitlines()
    capped = runner.invoke(cli, ["query", "text:[a TO z]", "--json", *where])
    assert capped.exit_code == 0 and "searched the 50 most frequent" in capped.stderr
    payload = json.loads(capped.stdout)
    assert payload["timed_out"] is False and "searched the 50 most frequent" in payload["notes"][0]
    assert runner.invoke(cli, ["query", "teroris", "--timeout", "0", *where]).exit_code == 2


def test_batch_reports_a_query_note_as_a_warning(tmp_path: Path, seed_index: Index) -> None:
    queries = tmp_path / "queries.tsv"
    queries.write_text("q1\ttext:[a TO z]\nq2\tteroris\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["batch", str(queries), "--index", str(seed_index.path)])
    assert result.exit_code == 0, result.output
    assert [line.split(" reaches ")[0] for line in result.stderr.splitlines()] == ["warning: query q1: text:[a TO z]"]
    assert {line.split()[0] for line in result.stdout.splitlines()} == {"q1", "q2"}


def test_text_output_does_not_say_nothing_matches_when_time_ran_out() -> None:
    assert to_text(SearchResults("teroris", (), timed_out=True)) == "No passages found for 'teroris' in the time allowed.\n"
    assert to_text(SearchResults("teroris", ())) == "No passages match 'teroris'.\n"
