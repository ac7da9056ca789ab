"""Keyword queries as analysts type them (issue 14): typos, suggestions and ranking of short
queries on the seed corpus, each pinned to the article or passage expected first."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bnptsearch import Index
from bnptsearch.analysis import analyze
from bnptsearch.cli import cli
from bnptsearch.ranking import DEFAULT_RANKING, RankingParams

BELANDA = "000_d9719fe4b4a867df"
SURAKARTA = "003_219fc8fa0a90b567"
RAN_PE = "004_712c4dcd13143a1e"


def _highlighted(results) -> set[str]:
    return {hit.passage[start:end].lower() for hit in results.hits for start, end in hit.spans}


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("terorsme", "terorisme"),  # stems to "orsme": fuzzy stems never reach "teror"
        ("penanggulangn", "penanggulangan"),
        ("terorsme~", "terorisme"),
    ],
)
def test_fuzzy_matches_the_word_as_typed(seed_index: Index, query: str, found: str) -> None:
    results = seed_index.search(query, fuzzy=True)
    assert results.hits
    assert found in _highlighted(results)


def test_a_fuzzy_typo_next_to_a_correct_word_counts(seed_index: Index) -> None:
    results = seed_index.search("terorsme Banten", fuzzy=True, limit=3)
    assert {"terorisme", "banten"} <= _highlighted(results)


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("terorsme Banten", "terorisme Banten"),
        ("walkota Surakarta", "walikota Surakarta"),
        ("terorsme", "terorisme"),
    ],
)
def test_a_word_that_matches_nothing_gets_a_suggestion(seed_index: Index, query: str, suggestion: str) -> None:
    # The correct word alone finds plenty; the misspelt one must not be dropped silently.
    assert seed_index.search(query, fuzzy=False).suggestion == suggestion


@pytest.mark.parametrize(
    ("query", "corrected", "found"),
    [
        ("terorsme Banten", "terorisme Banten", "terorisme"),
        ("walkota Surakarta", "walikota Surakarta", "walikota"),
        ("penanggulangn", "penanggulangan", "penanggulangan"),
    ],
)
def test_a_word_that_matches_nothing_is_corrected_by_default(
    seed_index: Index, query: str, corrected: str, found: str
) -> None:
    results = seed_index.search(query, limit=3)
    assert (results.query, results.corrected, results.suggestion) == (query, corrected, None)
    assert any(found in span for span in _highlighted(results))
    exact = seed_index.search(query, fuzzy=False, limit=3)
    assert exact.corrected is None and not any(found in span for span in _highlighted(exact))


def test_short_words_are_not_corrected_unasked(seed_index: Index) -> None:
    # Two edits make "Adib" (boilerplate, not indexed) "asia": fine as a suggestion, not
    # to search in its place. Below five letters no word is corrected; one edit up to eight.
    results = seed_index.search("Adib Miftahul")
    assert results.corrected is None and results.hits == ()
    assert results.suggestion == seed_index.search("Adib Miftahul", fuzzy=False).suggestion == "asia Miftahul"
    assert seed_index.search("Content is protected").corrected is None  # "contact": two edits
    # Where something was found, the two-edit suggestion is left to --exact (it is slow).
    found = seed_index.search("Adib terorisme")
    assert found.hits and (found.corrected, found.suggestion) == (None, None)
    assert seed_index.search("Adib terorisme", fuzzy=False).suggestion == "asia terorisme"


def test_the_cli_says_what_it_searched_instead(seed_index: Index) -> None:
    text = _cli(seed_index, "query", "walkota Surakarta", "-n", "1")
    assert text.splitlines()[0] == "Showing results for: walikota Surakarta (--exact searches 'walkota Surakarta' as typed)"
    assert "matching 'walikota Surakarta'" in text.splitlines()[1]
    assert json.loads(_cli(seed_index, "query", "walkota Surakarta", "--json"))["corrected"] == "walikota Surakarta"
    assert _cli(seed_index, "query", "walkota Surakarta", "--exact").startswith("Did you mean: walikota Surakarta?")


@pytest.mark.parametrize("word", ["anak", "Bali", "Rabu", "jaksa", "kemitraaan"])
def test_a_word_in_the_index_is_never_corrected(seed_index: Index, word: str) -> None:
    # "kemitraaan" is the corpus's own typo: it occurs, so it is what the user meant to find.
    for fuzzy in (None, False):
        results = seed_index.search(word, fuzzy=fuzzy)
        assert results.hits
        assert results.suggestion is None and results.corrected is None


def test_suggestions_prefer_the_closest_word(seed_index: Index) -> None:
    # "walikota" is one edit from "walkota"; more frequent words two edits away lose.
    assert seed_index.search("walkota", fuzzy=False).suggestion == "walikota"
    assert seed_index.search("walkota").corrected == "walikota"


@pytest.mark.parametrize(
    ("query", "doc_id", "written"),
    [
        ("Sekretaris Utama BNPT", SURAKARTA, "Sestama"),
        ("Kepala Subdirektorat", "001_b906f770b361ad8d", "Kasubdit"),
    ],
)
def test_a_title_spelt_out_finds_its_abbreviation(seed_index: Index, query: str, doc_id: str, written: str) -> None:
    first = seed_index.search(query).hits[0]
    assert first.doc_id == doc_id
    assert any(written in first.passage[start:end] for start, end in first.spans)


def test_no_suggestion_for_the_words_of_a_long_form(seed_index: Index) -> None:
    # "Forum" occurs nowhere, but the query spells out FKPT, which does.
    assert seed_index.search("Forum Koordinasi Pencegahan Terorisme", fuzzy=False).suggestion is None
    assert seed_index.search("Forum Koordinasi Pencegahan Terorisme").corrected is None


def test_english_function_words_are_stopped(seed_index: Index) -> None:
    first = seed_index.search("United Nations Office on Drugs and Crime").hits[0]
    marked = [first.passage[start:end] for start, end in first.spans]
    assert "United Nations Office" in marked and "Drugs" in marked
    assert not any(" on " in f" {span} " or " and " in f" {span} " for span in marked)
    # ... but not the English words Indonesian news writes as acronyms: AS, IS.
    assert analyze("AS dan IS") == ["as", "is"]


def test_words_side_by_side_rank_first(seed_index: Index) -> None:
    first = seed_index.search("Detasemen Khusus").hits[0]
    assert first.doc_id == RAN_PE
    assert any("Detasemen Khusus" in first.passage[start:end] for start, end in first.spans)


ISSUE_EXAMPLES = [
    # 000's "... selaku Kepala BNPT", not 001's "Kepala Seksi ... BNPT" (BNPT in its title).
    ("siapa kepala BNPT", BELANDA, 449),
    # 001 names the forum by its acronym; 004 has koordinasi, pencegahan, terorisme apart.
    ("Forum Koordinasi Pencegahan Terorisme", "001_b906f770b361ad8d", 2400),
]


def _rank(index: Index, query: str, doc_id: str, start: int, ranking: RankingParams = DEFAULT_RANKING) -> int:
    hits = index.search(query, ranking=ranking, limit=10, per_article=None).hits
    return next(h.rank for h in hits if h.doc_id == doc_id and h.start == start)


@pytest.mark.parametrize(("query", "doc_id", "start"), ISSUE_EXAMPLES)
def test_the_issue_examples_rank_their_answer_first(seed_index: Index, query: str, doc_id: str, start: int) -> None:
    assert _rank(seed_index, query, doc_id, start) == 1


@pytest.mark.parametrize(("query", "doc_id", "start"), ISSUE_EXAMPLES)
def test_proximity_lifts_words_side_by_side(seed_index: Index, query: str, doc_id: str, start: int) -> None:
    def score(weight: float) -> float:
        hits = seed_index.search(query, ranking=RankingParams(proximity_weight=weight), limit=10, per_article=None).hits
        return next(h.score for h in hits if h.doc_id == doc_id and h.start == start)

    assert score(0.25) > score(0)


def test_an_acronym_weighs_what_its_long_form_weighs(seed_index: Index) -> None:
    # Boosted by the count of words (at most 1), "FKPT" weighed as one rare word.
    query, doc_id, start = ISSUE_EXAMPLES[1]
    assert _rank(seed_index, query, doc_id, start, RankingParams(acronym_idf_boost=False)) > 1


def test_a_word_in_the_title_and_the_passage_counts_once(seed_index: Index) -> None:
    # Summed, a title word counted twice in every passage of its article: 001's title has
    # "BNPT", and that outweighed 000's "Kepala BNPT" for "siapa kepala BNPT".
    hits = seed_index.search("Surakarta", explain=True, limit=10, per_article=None).hits
    titled = [hit for hit in hits if "Surakarta" in hit.title and "Surakarta" in hit.passage]
    assert titled
    for hit in titled:
        assert [t.field for t in hit.explanation if t.field in ("text", "title")] in (["text"], ["title"])
        assert hit.score == pytest.approx(sum(t.score for t in hit.explanation))


def _cli(index: Index, *args: str) -> str:
    return CliRunner().invoke(cli, [*args, "--index", str(index.path)]).stdout


def test_explain_shows_the_proximity_factor(seed_index: Index) -> None:
    hits = seed_index.search("siapa kepala BNPT", explain=True, limit=10).hits
    belanda = next(h for h in hits if h.doc_id == BELANDA and h.start == 449)
    (proximity,) = [f for f in belanda.factors if f.name == "proximity"]
    assert proximity.factor > 1
    # The hit's score is its terms' scores times its factors.
    assert belanda.score == pytest.approx(sum(t.score for t in belanda.explanation) * proximity.factor, rel=1e-3)
    assert seed_index.search("siapa kepala BNPT").hits[0].factors == ()
    text = _cli(seed_index, "query", "siapa kepala BNPT", "--explain", "-n", "10")
    assert f"proximity ×{proximity.factor:.2f}" in text
    listed = json.loads(_cli(seed_index, "query", "siapa kepala BNPT", "--explain", "-n", "10", "--json"))["hits"]
    assert {"name": "proximity", "factor": round(proximity.factor, 4)} in next(
        h["factors"] for h in listed if h["doc_id"] == BELANDA and h["passage"] == belanda.passage
    )
