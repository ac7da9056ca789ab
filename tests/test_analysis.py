"""Golden cases for the analyzer chain (tokenizer, reduplication, compounds, stopwords)."""

from __future__ import annotations

import pickle

import pytest

from bnptsearch import analyze, analyze_tokens
from bnptsearch.analysis import (
    CompoundFilter,
    CompoundTable,
    IndonesianStemFilter,
    compounds,
    indonesian_analyzer,
    join_compounds,
    surface_analyzer,
    surface_words,
)
from bnptsearch.stemming import stem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Full reduplication is a plural: one term, and the same term as the single word.
        ("praktik-praktik", ["praktik"]),
        ("Praktik-Praktik", ["praktik"]),
        ("sel-sel jaringan", ["sel", "jaring"]),
        # Scraped text writes reduplication with a spaced dash too.
        ("praktik – praktik baik", ["praktik", "baik"]),
        # With an ending of the whole word it is one word too, the stem of the whole.
        ("menutup-nutupi", ["tutup"]),
        ("sebesar-besarnya", ["besar"]),
        # A clitic after a hyphen is no word of its own.
        ("rahmat-Mu", ["rahmat"]),
        ("DPR-nya", ["dpr"]),
        ("buku-buku-nya", ["buku"]),
        # Hyphenated words that are not reduplication stay separate words.
        ("Swiss-Bellin", ["swiss", "bellin"]),
        ("2020-2024", ["2020", "2024"]),
        # Open compounds are one term whichever way they are written.
        ("kerja sama", ["kerjasama"]),
        ("kerjasama", ["kerjasama"]),
        ("Ibu kota Thailand", ["ibukota", "thailand"]),
        ("ibukotanya", ["ibukota"]),
        ("Ibu kotanya Makassar", ["ibukota", "makassar"]),
        ("kerja samanya", ["kerjasama"]),
        ("sepakbola", ["sepakbola"]),
        ("sepak bola", ["sepakbola"]),
        ("wali kota", analyze("walikota")),
        ("Densus 88", analyze("Densus88")),
        # Tala stopwords go; content words stay, in order.
        ("yang dan di dengan", []),
        ("BNPT dengan Belanda", ["bnpt", "belanda"]),
    ],
)
def test_golden_terms(text: str, expected: list[str]) -> None:
    assert analyze(text) == expected


def test_stemming_joins_inflections_at_index_and_query_time() -> None:
    assert analyze("penangkapan")[0] == analyze("ditangkap")[0] == analyze("tangkap")[0]


def test_tokens_carry_surface_and_spans() -> None:
    text = "Praktik-praktik yang baik"
    tokens = analyze_tokens(text)
    assert [(t.surface, t.term) for t in tokens] == [
        ("Praktik-praktik", "praktik"),
        ("yang", None),
        ("baik", "baik"),
    ]
    for token in tokens:
        assert text[token.start : token.end] == token.surface


def test_clitic_and_affixed_reduplication_spans_cover_the_word() -> None:
    text = "kasih-Ku, menutup-nutupi"
    assert [(t.surface, t.term) for t in analyze_tokens(text)] == [("kasih-Ku", "kasih"), ("menutup-nutupi", "tutup")]
    assert surface_words(text) == ["kasih", "menutup-nutupi"]


def test_compound_span_covers_both_words() -> None:
    (token,) = analyze_tokens("kerja sama")
    assert (token.start, token.end, token.term) == (0, 10, "kerjasama")


@pytest.mark.parametrize(
    "text",
    ["Praktik-praktik kerja sama BNPT di Kota  Surakarta", "praktik – praktik, Jum'at 2020-2024 Densus88", "", "yang dan di"],
)
def test_surface_words_are_the_surface_analyzer_terms(text: str) -> None:
    assert surface_words(text) == [t.text for t in surface_analyzer()(text)]


def test_analyzer_pickles_into_a_schema() -> None:
    analyzer = pickle.loads(pickle.dumps(indonesian_analyzer()))
    assert [t.text for t in analyzer("Penangkapan teroris")] == analyze("Penangkapan teroris")


def test_analyzers_compare_equal_when_configured_alike() -> None:
    assert indonesian_analyzer() == indonesian_analyzer()
    assert hash(CompoundFilter()) == hash(CompoundFilter())
    assert CompoundFilter(CompoundTable(["ibu kota"])) == CompoundFilter(CompoundTable(["ibu kota"]))
    assert CompoundFilter(CompoundTable(["ibu kota"])) != CompoundFilter(CompoundTable(["wali kota"]))
    assert IndonesianStemFilter(str.lower) != IndonesianStemFilter(stem)
    assert surface_analyzer(stoplist=["yang"]) != surface_analyzer()


def test_tables_are_parameters() -> None:
    analyzer = indonesian_analyzer(stoplist=["teroris"], compounds=CompoundTable(["tindak pidana"]), stemfn=str.upper)
    assert [t.text for t in analyzer("Tindak pidana teroris, kerja sama")] == ["TINDAKPIDANA", "KERJA", "SAMA"]
    assert [t.text for t in surface_analyzer(stoplist=())("yang ditangkap")] == ["yang", "ditangkap"]


def test_a_configured_analyzer_pickles() -> None:
    analyzer = indonesian_analyzer(compounds=CompoundTable(["tindak pidana"]), stemfn=stem)
    restored = pickle.loads(pickle.dumps(analyzer))
    assert restored == analyzer
    assert [t.text for t in restored("tindak pidananya")] == ["tindakpidana"]


def test_the_default_filters_pickle_without_state() -> None:
    # The schemas of existing indexes hold them so: a stored table would break old indexes.
    assert CompoundFilter().__dict__ == {} and IndonesianStemFilter().__dict__ == {}


def test_query_and_token_joining_share_one_table() -> None:
    table = compounds()
    for first, second in table.joined:
        assert analyze(f"{first} {second}nya") == analyze(join_compounds(f"{first} {second}nya"))


def test_join_compounds_in_query_strings() -> None:
    assert join_compounds('"Kerja  Sama" internasional') == '"KerjaSama" internasional'
    assert join_compounds("pekerja samarinda") == "pekerja samarinda"
    assert join_compounds("Ibu kotanya") == "Ibukotanya"


def test_empty_and_punctuation_only_text() -> None:
    assert analyze("") == []
    assert analyze("?!… —") == []
