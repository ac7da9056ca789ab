"""Ranking, highlights and query handling on the seed corpus."""

from __future__ import annotations

import re

import pytest

from bnptsearch import Index, QueryError

RAN_PE = "004_712c4dcd13143a1e"
SCN = "001_b906f770b361ad8d"
BALI = "002_c1e97dfba439882a"
SOLO = "003_219fc8fa0a90b567"
BELANDA = "000_d9719fe4b4a867df"


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("RAN PE Banten", RAN_PE),
        ("Strong Cities Network", SCN),
        ("Bali Work Plan", BALI),
        ("penangkapan teroris Tangerang", RAN_PE),
        ("Siapa yang menandatangani nota kesepahaman dengan BNPT?", SOLO),
        ("Gibran walikota Surakarta", SOLO),
    ],
)
def test_best_article(seed_index: Index, query: str, best: str) -> None:
    assert seed_index.search(query).hits[0].doc_id == best


def test_a_lede_ranks_as_body_text(seed_index: Index) -> None:
    # 000 has no headline. Its lede ("... BNPT perkuat kerjasama dengan NCTV Belanda ...")
    # was once indexed as its title too. Ranked as body text it comes first on its own
    # merits (it names Belanda), ahead of 003, whose real headline says "Kerjasama dengan
    # BNPT" (a word of the headline counts once, not again in each passage).
    hits = seed_index.search("kerja sama BNPT dengan Belanda", per_article=1).hits
    assert [hit.doc_id for hit in hits[:2]] == [BELANDA, SOLO]
    assert seed_index.search("NCTV Belanda kerjasama").hits[0].doc_id == BELANDA
    # No title words come from the lede: a title: query for them finds nothing of 000.
    assert all(hit.doc_id != BELANDA for hit in seed_index.search("title:Belanda", expand=False).hits)


def test_ran_pe_passage_mentions_ran_pe(seed_index: Index) -> None:
    hit = seed_index.search("RAN PE Banten").hits[0]
    assert "RAN PE" in hit.passage
    assert "**RAN PE**" in hit.highlighted


def test_hits_are_ranked_and_carry_metadata(seed_index: Index) -> None:
    hits = seed_index.search("terorisme", limit=5).hits
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    ran_pe = seed_index.search("RAN PE Banten").hits[0]
    assert (ran_pe.source, ran_pe.date) == ("CNNBanten.id", "2022-03-23")


def test_highlights_point_at_real_text_including_stem_matches(seed_index: Index) -> None:
    hit = seed_index.search("penangkapan teroris Tangerang").hits[0]
    marked = {hit.passage[s:e] for s, e in hit.spans}
    assert "penangkapan" in marked
    assert "tertangkap" in marked  # matched only through the stem
    for start, end in hit.spans:
        assert 0 <= start < end <= len(hit.passage)
        assert hit.passage[start:end].strip() == hit.passage[start:end]


def test_negated_terms_are_not_highlighted(seed_index: Index) -> None:
    for hit in seed_index.search("terorisme NOT Banten").hits:
        assert hit.doc_id != RAN_PE
        assert all("banten" not in hit.passage[s:e].lower() for s, e in hit.spans)


def test_passage_offsets_locate_it_in_the_article(seed_index: Index) -> None:
    from bnptsearch import load_corpus

    from .conftest import SEED_CORPUS

    bodies = {a.doc_id: a.body for a in load_corpus(SEED_CORPUS).articles}
    for hit in seed_index.search("ekstremisme berbasis kekerasan", limit=10).hits:
        assert bodies[hit.doc_id][hit.start : hit.end] == hit.passage


def test_query_syntax_still_works(seed_index: Index) -> None:
    phrase = seed_index.search('"Bali Work Plan"').hits
    assert phrase and all(h.doc_id == BALI for h in phrase)
    by_title = seed_index.search("title:Surakarta").hits
    assert by_title and {h.doc_id for h in by_title} == {SOLO}
    by_source = seed_index.search("source:cnnbanten").hits
    assert by_source and {h.doc_id for h in by_source} == {RAN_PE}
    both = seed_index.search("BNPT AND Belanda").hits
    assert both and all("belanda" in h.passage.lower() or "Belanda" in h.title for h in both)


def test_question_marks_and_stars_are_not_wildcards(seed_index: Index) -> None:
    assert seed_index.search("Bali?").hits[0].doc_id == BALI
    assert seed_index.search("Bali*").hits[0].doc_id == BALI


def test_compounds_match_both_spellings(seed_index: Index) -> None:
    joined = {h.doc_id for h in seed_index.search("kerjasama internasional", limit=20).hits}
    split = {h.doc_id for h in seed_index.search("kerja sama internasional", limit=20).hits}
    assert joined == split
    assert SCN in split and BELANDA in split


@pytest.mark.parametrize(
    ("query", "terms", "total"),
    [
        # Unbalanced syntax is read as the words it contains; operators alone are words.
        ('"unbalanced', ("unbalanced",), 0),
        # 18: the passages saying it (not those of 000 and 002 whose lede, once indexed as
        # their title, said it).
        ("(kerja sama", ("kerjasama",), 18),
        ("title:", ("title",), 0),
        # Nothing searchable is left: no hits, no error.
        (")", (), 0),
        ('"', (), 0),
        # Fuzzy words with an edit distance or prefix Whoosh cannot use match nothing.
        ("0~/2", (), 0),
        ("ab~1/5", (), 0),
    ],
)
def test_malformed_queries_are_read_leniently(seed_index: Index, query: str, terms: tuple, total: int) -> None:
    results = seed_index.search(query, count=True)
    assert (results.terms, results.total) == (terms, total)


@pytest.mark.parametrize("query", ["AND", "OR NOT", "a^"])
def test_operators_alone_are_english_stopwords_and_say_so(seed_index: Index, query: str) -> None:
    # The operators alone are words, English function words: stopwords (issue 14).
    with pytest.raises(QueryError, match="is a stopword"):
        seed_index.search(query, count=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        # A range left open was searched as its words ("2022", "to"): say what is wrong.
        ("date:[a TO", "unclosed range 'date:[a TO'"),
        ("[2022 TO", "unclosed range '[2022 TO'"),
        ("teroris date:{2022 TO 2023", "unclosed range 'date:{2022 TO 2023'"),
        ("title:[a", "unclosed range 'title:[a'"),
        # Whoosh reads a date it cannot parse as "match nothing".
        ("date:zzz", "'zzz' is not a parseable date"),
        ('date:""', "'' is not a parseable date"),
        ('words:"kerja keras"', "words: has no phrases"),
        ("teroris date:[2022-13 TO 2023]", "month must be in 1..12"),
    ],
)
def test_malformed_ranges_and_dates_are_errors(seed_index: Index, query: str, message: str) -> None:
    with pytest.raises(QueryError, match=re.escape(message)) as raised:
        seed_index.search(query)
    assert "\n" not in str(raised.value)


def test_a_bracket_that_is_no_range_is_still_read_as_words(seed_index: Index) -> None:
    assert seed_index.search("[Video] teroris", count=True).total == seed_index.search("video teroris", count=True).total


@pytest.mark.parametrize("limit", [1, 2, 3, 10])
def test_the_suggestion_does_not_depend_on_the_page_size(seed_index: Index, limit: int) -> None:
    # "teroris" matches many passages: no correction, however few of them are shown.
    assert seed_index.search("teroris", limit=limit).suggestion is None
    assert seed_index.search("teroris", limit=limit, offset=1).suggestion is None


@pytest.mark.parametrize("query", ["kind:article", "article_id:001_b906f770b361ad8d", "pid:x", "teroris path:corpus"])
def test_bookkeeping_fields_are_refused(seed_index: Index, query: str) -> None:
    # They would reach the per-article documents, which are not passages.
    with pytest.raises(QueryError, match="is not a field to search"):
        seed_index.search(query)


@pytest.mark.parametrize("query", ["", "   ", "x" * 5000])
def test_unusable_queries_raise_query_error(seed_index: Index, query: str) -> None:
    with pytest.raises(QueryError):
        seed_index.search(query)


def test_stopword_only_query_says_so(seed_index: Index) -> None:
    with pytest.raises(QueryError, match="every word of 'yang dan di' is a stopword"):
        seed_index.search("yang dan di")


def test_boilerplate_is_not_searchable(seed_index: Index) -> None:
    for query in ("Nikita Mirzani", "Adib Miftahul", "Tinggalkan Balasan", "Content is protected"):
        # As typed: by default a word that matches nothing may be replaced by a close one.
        assert seed_index.search(query, fuzzy=False).hits == (), query


def test_per_article_caps_passages(seed_index: Index) -> None:
    hits = seed_index.search("terorisme", limit=10, per_article=1).hits
    assert len({h.doc_id for h in hits}) == len(hits) == 5


def test_phrase_words_are_marked_only_where_the_phrase_stands(seed_index: Index) -> None:
    hit = seed_index.search('"Bali Work Plan" OR praktisi').hits[0]
    marked = [hit.passage[s:e] for s, e in hit.spans]
    assert "Bali Work Plan" in marked
    # An expansion's long form is a phrase too: in 001 only "RAN PE" is marked, not the
    # scattered words of "Rencana Aksi Nasional Pencegahan ... Ekstremisme".
    hit_001 = next(h for h in seed_index.search("RAN PE", limit=20).hits if h.doc_id == SCN)
    assert {hit_001.passage[s:e] for s, e in hit_001.spans} == {"RAN PE"}


def test_exact_form_ranks_above_other_forms_of_the_stem(tmp_path) -> None:
    corpus = tmp_path / "exact"
    corpus.mkdir()
    # Indexed first, so on a tie (no exact-form bonus) it would rank first.
    (corpus / "a_menangkap.txt").write_text(
        "Polisi Surakarta kemarin menangkap dua tersangka pencurian di pasar kota.\n", encoding="utf-8"
    )
    (corpus / "b_penangkapan.txt").write_text(
        "Polisi Surakarta kemarin melakukan penangkapan dua tersangka pencurian di pasar kota.\n", encoding="utf-8"
    )
    index, _ = Index.build(corpus, tmp_path / "index")
    hits = index.search("penangkapan", per_article=None).hits
    assert [hit.doc_id for hit in hits] == ["b_penangkapan", "a_menangkap"]
    explained = index.search("penangkapan", explain=True).hits[0].explanation
    assert {(t.field, t.term) for t in explained} >= {("text", "tangkap"), ("words", "penangkapan")}
    index.close()


def test_definition_question_frame_is_not_searched(seed_index: Index) -> None:
    question = seed_index.search("Apa yang dimaksud dengan terorisme?", limit=5)
    plain = seed_index.search("terorisme", limit=5)
    assert [h.doc_id for h in question.hits] == [h.doc_id for h in plain.hits]
    assert "maksud" not in question.terms
    assert "erti" not in seed_index.search("Apakah pengertian radikalisme").terms
    assert "erti" in seed_index.search("pengertian radikalisme").terms  # not a question: kept
    # A frame with nothing after it is searched as it stands.
    assert "maksud" in seed_index.search("apa yang dimaksud").terms
