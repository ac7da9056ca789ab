"""Tests of bnptsearch.text: sentence boundaries and the abbreviation table."""

from __future__ import annotations

import doctest

import pytest

from bnptsearch import text
from bnptsearch.text import ABBREVIATIONS, is_abbreviation, sentence_breaks


def sentences(value: str) -> list[str]:
    cuts, cursor = [], 0
    for end, start in sentence_breaks(value):
        cuts.append(value[cursor:end])
        cursor = start
    return [*cuts, value[cursor:]]


def test_a_sentence_ends_at_a_stop_before_a_capital_or_digit() -> None:
    assert sentences("Satu dua. Tiga? Empat! 5 orang… Lalu pergi.") == [
        "Satu dua.",
        "Tiga?",
        "Empat!",
        "5 orang…",
        "Lalu pergi.",
    ]
    # Lower case after the stop goes on: "tutur nya" after a quote, a number's thousands.
    assert sentences("Rp 1.000 saja. lalu pergi.") == ["Rp 1.000 saja. lalu pergi."]


def test_closing_and_opening_quotes_stay_with_their_sentence() -> None:
    assert sentences("“Kami siap.” Kata Kapolri. (Dia datang.) [Catatan.] Selesai.") == [
        "“Kami siap.”",
        "Kata Kapolri.",
        "(Dia datang.)",
        "[Catatan.]",
        "Selesai.",
    ]


@pytest.mark.parametrize(
    "value",
    [
        "Kata Komjen. Pol. Dr. Boy Rafli Amar hari ini.",
        "Dibuka oleh Letkol. Budi di Kab. Bogor, Kec. Cibinong.",
        "Hadir Drs. Ahmad, S.Sos., M.Si. dan Hj. Siti S.Pd. Hum. hari ini.",
        "Kepada Yth. Bapak Kapolri dan Sdr. Budi dkk. Semua hadir.",
        "Presiden B. J. Habibie dan dr. Terawan hadir.",
        "Kapolri (Jend. Pol. Listyo) hadir.",
        "Tinggal di Jl. Merdeka No. 5 sejak dulu.",
    ],
)
def test_abbreviations_do_not_end_a_sentence(value: str) -> None:
    assert sentences(value) == [value]


@pytest.mark.parametrize(
    ("value", "first"),
    [
        ("Harganya Rp1.000. Lalu naik.", "Harganya Rp1.000."),
        ("Mesin VVT-i. Tenaganya besar.", "Mesin VVT-i."),
        ("Dimuat di detik.com. Lalu ramai.", "Dimuat di detik.com."),
        ("Gelar Dr? Bukan.", "Gelar Dr?"),  # only a full stop can be an abbreviation's
    ],
)
def test_a_dotted_word_ends_a_sentence_unless_its_last_part_is_an_abbreviation(value: str, first: str) -> None:
    assert sentences(value)[0] == first


def test_the_table_is_lower_case_and_matched_case_blind() -> None:
    assert all(word == word.casefold() for word in ABBREVIATIONS)
    assert is_abbreviation("DR") and is_abbreviation("Dr") and is_abbreviation("dr")
    assert not is_abbreviation("") and not is_abbreviation("2")


def test_breaks_stay_inside_the_range_and_the_range_end_is_no_break() -> None:
    value = "Awal. Satu dua. Tiga empat. Akhir."
    start, end = value.index("Satu"), value.index(" Akhir")
    assert [(value[start:a], value[b:end]) for a, b in sentence_breaks(value, start, end)] == [
        ("Satu dua.", "Tiga empat.")
    ]


def test_a_long_text_of_abbreviations_is_linear() -> None:
    assert list(sentence_breaks("Dr. " * 500_000)) == []


def test_doctests() -> None:
    assert doctest.testmod(text).failed == 0
