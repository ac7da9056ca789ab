"""The parsed form of key queries, pinned: a change to parsing shows here as a diff."""

from __future__ import annotations

from datetime import datetime

import pytest

from bnptsearch import Index, QueryError
from bnptsearch.query import SearchRequest, filter_query, parse_query
from bnptsearch.ranking import RankingParams

PARSED = [
    ('RAN PE', '(((((text:ran | title:ran^2.0) OR words:ran^0.3) OR ((text:pe | title:pe^2.0) OR words:pe^0.3)) OR (text:"rencana aksi nasional cegah tanggulang ekstrem" | title:"rencana aksi nasional cegah tanggulang ekstrem")))'),
    ('Rencana Aksi Nasional', '(((((text:rencana | title:rencana^2.0) OR words:rencana^0.3) OR ((text:aksi | title:aksi^2.0) OR words:aksi^0.3) OR ((text:nasional | title:nasional^2.0) OR words:nasional^0.3)) OR (text:"ran pe" | title:"ran pe")))'),
    ('teroris NOT bom', '(((text:teror | title:teror^2.0) OR words:teroris^0.3) ANDNOT ((text:bom | title:bom^2.0) OR words:bom^0.3))'),
    ('terorisme date:[2022 TO 2023]', '(((text:teror | title:teror^2.0) OR words:terorisme^0.3) AND date:[63776592000000000 TO 63839663999999999])'),
    ('"kerja sama" BNPT', '(((text:kerjasama | title:kerjasama^2.0) OR words:kerjasama^0.3) OR (((text:bnpt | title:bnpt^2.0) OR words:bnpt^0.3) OR (text:"badan nasional tanggulang teror" | title:"badan nasional tanggulang teror")))'),
    ('Apa yang dimaksud dengan deradikalisasi?', '((text:deradikalisasi | title:deradikalisasi^2.0) OR words:deradikalisasi^0.3)'),
    ('penyebaran~ khilafah', '(text:sebar~ OR ((text:khilafah | title:khilafah^2.0) OR words:khilafah^0.3))'),
    ('title:Surakarta', 'title:surakarta'),
    ('source:cnnbanten teroris', '(((text:teror | title:teror^2.0) OR words:teroris^0.3) AND source:cnnbanten)'),
    ('*:*', 'kind:passage'),
    ('NOT teroris', '(kind:passage ANDNOT ((text:teror | title:teror^2.0) OR words:teroris^0.3))'),
]


@pytest.mark.parametrize(("text", "parsed"), PARSED)
def test_parsed_form(seed_index: Index, text: str, parsed: str) -> None:
    schema = seed_index.searcher().whoosh.schema
    assert str(parse_query(text, schema, seed_index.acronyms())[0]) == parsed


def test_expansions_are_reported(seed_index: Index) -> None:
    schema = seed_index.searcher().whoosh.schema
    _, expansions = parse_query("RAN PE", schema, seed_index.acronyms())
    assert expansions == ["RAN PE → Rencana Aksi Nasional Pencegahan dan Penanggulangan Ekstremisme"]
    assert parse_query("RAN PE", schema)[1] == []  # no table: nothing expanded


def test_fuzzy_makes_every_word_typo_tolerant(seed_index: Index) -> None:
    schema = seed_index.searcher().whoosh.schema
    assert str(parse_query("peyebaran khilafah", schema, fuzzy=True)[0]) == "(text:yebar~ OR text:khilafah~2)"


def test_boosts_come_from_the_ranking_parameters(seed_index: Index) -> None:
    schema = seed_index.searcher().whoosh.schema
    ranking = RankingParams(title_boost=3.0, exact_boost=0.5)
    parsed, _ = parse_query("teroris", schema, ranking=ranking)
    assert str(parsed) == "((text:teror | title:teror^3.0) OR words:teroris^0.5)"


def test_a_request_parses_its_dates_once() -> None:
    request = SearchRequest("teroris", since="2022-03", until="2022")
    assert request.since_moment == datetime(2022, 3, 1)
    assert request.until_moment == datetime(2022, 12, 31, 23, 59, 59)
    assert SearchRequest("x", sources=["a"]).sources == ("a",)  # any sequence becomes a tuple


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"limit": 0}, "limit must be at least 1"),
        ({"offset": -1}, "offset cannot be negative"),
        ({"per_article": 0}, "per_article must be at least 1"),
        ({"since": "2022-13"}, "since must be a date"),
        ({"until": "kemarin"}, "until must be a date"),
        ({"since": "2023", "until": "2022"}, "is after until"),
    ],
)
def test_a_request_is_checked(options: dict, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        SearchRequest("teroris", **options)


def test_filter_query(seed_index: Index) -> None:
    schema = seed_index.searcher().whoosh.schema
    assert filter_query(SearchRequest("x"), schema) is None
    request = SearchRequest("x", sources=("CNN Banten",), since="2022", doc_ids=("d1", "d2"))
    assert str(filter_query(request, schema)) == (
        '((source:"cnn banten") AND date:[63776592000000000 TO ] AND (doc_id:d1 OR doc_id:d2))'
    )
