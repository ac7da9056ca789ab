"""Acronym mining on the seed corpus and query-time expansion."""

from __future__ import annotations

import pytest

from bnptsearch import Index, load_corpus
from bnptsearch.acronyms import Acronym, AcronymTable, mine_acronyms
from bnptsearch.query import parse_query
from bnptsearch.schema import passage_schema

from .conftest import SEED_CORPUS


@pytest.fixture(scope="module")
def mined() -> dict[str, set[str]]:
    pairs: dict[str, set[str]] = {}
    for article in load_corpus(SEED_CORPUS).articles:
        for acronym in mine_acronyms(article.body):
            pairs.setdefault(acronym.short, set()).add(acronym.long)
    return pairs


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("BNPT", "Badan Nasional Penanggulangan Terorisme"),
        ("CUTA", "Coordination Unit for Threat Analysis"),
        ("IIJ", "International Institute for Justice"),
        ("SCN", "Strong Cities Network"),
        ("RAN PE", "Rencana Aksi Nasional Pencegahan dan Penanggulangan Ekstremisme"),
        ("Densus", "Detasemen Khusus"),
        ("ASN", "Aparatur Sipil Negara"),
        ("Kepgub", "Keputusan Gubernur"),
        ("Pemprov", "Pemerintah Provinsi"),
        ("UNODC", "United Nations Office on Drugs and Crime"),
    ],
)
def test_seed_corpus_definitions_are_mined(mined: dict[str, set[str]], short: str, long: str) -> None:
    assert long in mined.get(short, set())


def test_no_acronym_from_dates_or_bylines(mined: dict[str, set[str]]) -> None:
    assert not any(short.startswith(("23/", "Duy")) for short in mined)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("menurut Badan Intelijen Negara (BIN) kemarin", [("BIN", "Badan Intelijen Negara")]),
        ("Lembaga Pemasyarakatan (Lapas) Nusakambangan", [("Lapas", "Lembaga Pemasyarakatan")]),
        ("JAD (Jamaah Ansharut Daulah) di Jawa", [("JAD", "Jamaah Ansharut Daulah")]),
        # Parentheses that are not definitions.
        ("pada Rabu (23/3/2022) di Serang", []),
        ("kata dia (tidak jelas)", []),
        ("Kantor Gubernur Banten (KTP)", []),
    ],
)
def test_mining_cases(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(a.short, a.long) for a in mine_acronyms(text)] == expected


def test_table_has_both_directions() -> None:
    table = AcronymTable([Acronym("RAN PE", "Rencana Aksi Nasional Pencegahan dan Penanggulangan Ekstremisme")])
    (to_long,) = table.rules_starting_with("ran")
    (to_short,) = table.rules_starting_with("rencana")
    assert to_long.trigger == ("ran", "pe") and len(to_long.alternative) == 6
    assert to_short.trigger == ("rencana", "aksi", "nasional") and to_short.alternative == ("ran", "pe")


@pytest.mark.parametrize(
    ("query", "acronym"),
    [("Rencana Aksi Nasional", "RAN PE"), ("Detasemen Khusus", "Densus")],
)
def test_long_form_finds_articles_using_the_acronym(seed_index: Index, query: str, acronym: str) -> None:
    results = seed_index.search(query, limit=20)
    assert results.expansions
    assert {"001_b906f770b361ad8d", "004_712c4dcd13143a1e"} <= {h.doc_id for h in results.hits}
    # 001 never writes the long form: it is found through the acronym, which is highlighted.
    best_001 = next(h for h in results.hits if h.doc_id == "001_b906f770b361ad8d")
    assert acronym in {best_001.passage[s:e] for s, e in best_001.spans}
    plain = seed_index.search(query, limit=20, expand=False).hits
    assert all(acronym not in h.passage for h in plain if h.doc_id == "001_b906f770b361ad8d")


def test_acronym_finds_long_form(seed_index: Index) -> None:
    results = seed_index.search("CUTA")
    assert results.expansions == ("CUTA → Coordination Unit for Threat Analysis",)
    assert results.hits[0].doc_id == "000_d9719fe4b4a867df"


def test_phrases_are_not_expanded(seed_index: Index) -> None:
    assert seed_index.search('"Detasemen Khusus"').expansions == ()


@pytest.mark.parametrize(
    ("query", "expanded"),
    [
        ("Kementerian Perindustrian", True),
        ("kementerian  perindustrian baru", True),
        ("Kemenperin", True),
        # Same stems (menteri industri), but the minister is not the ministry.
        ("Menteri Perindustrian", False),
        ("perindustrian kementerian", False),
    ],
)
def test_long_forms_expand_only_as_written(query: str, expanded: bool) -> None:
    table = AcronymTable([Acronym("Kemenperin", "Kementerian Perindustrian")])
    _, expansions = parse_query(query, passage_schema(), table)
    assert bool(expansions) is expanded
