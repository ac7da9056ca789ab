"""Tests of bnptsearch.dates: dates in text, record dates, period starts and query bounds."""

from __future__ import annotations

import doctest
from datetime import datetime

import pytest

from bnptsearch import dates
from bnptsearch.dates import date_line, first_date, iso_date, metadata_date, period_start, query_bound
from bnptsearch.errors import QueryError


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Pada tanggal 26 -28 Juli 2022 di Surabaya.", "2022-07-26"),
        ("Berlangsung pada 7 & 8 Maret 2023, di Jakarta.", "2023-03-07"),
        ("Pembahasan rancangan, Rabu (23/3/2022), di Serang.", "2022-03-23"),
        ("Acara digelar 30 Juni - 2 Juli 2022 di Bali.", "2022-06-30"),
        ("Acara pada 1 s.d. 3 Mei 2021.", "2021-05-01"),
        ("Diteken 17 Agt 2021 dan 18 Agu 2021.", "2021-08-17"),
        ("Dirilis 2023-03-07 pagi.", "2023-03-07"),
        ("Pada tanggal 20 September, Walikota menerima BNPT.", None),  # no year: never guessed
        ("Rencana aksi Tahun 2020-2024 dan Bali Work Plan 2019-2025.", None),
        ("Peraturan Presiden Nomor 7 tahun 2021 tentang RAN PE.", None),
        ("Tanggal 31/2/2022 tidak ada, 1/3/2022 ada.", "2022-03-01"),
        ("Pada 12 Maret 1066 terjadi sesuatu.", None),
    ],
)
def test_first_date_is_the_first_full_date_stated(text: str, date: str | None) -> None:
    assert first_date([text]) == date


def test_first_date_looks_at_the_texts_in_order() -> None:
    assert first_date(["Tanpa tanggal.", "Rabu (23/3/2022).", "7 Maret 2023."]) == "2022-03-23"
    assert first_date([]) is None


def test_a_long_list_of_numbers_is_scanned_in_linear_time() -> None:
    assert first_date(["1, " * 1_000_000]) is None


@pytest.mark.parametrize(
    ("value", "date"),
    [
        ("2023", "2023"),
        ("2023-03", "2023-03"),
        (" 2023-03-07 ", "2023-03-07"),
        ("2023-03-07T10:00:00Z", "2023-03-07"),
        ("2023-03-07 10:00", "2023-03-07"),
        ("2023-13", None),
        ("2023-02-30", None),
        ("2023-3", None),  # a record's date is ISO: two-digit months
        ("kemarin", None),
        ("", None),
    ],
)
def test_iso_date(value: str, date: str | None) -> None:
    assert iso_date(value) == date


@pytest.mark.parametrize(
    ("value", "date"),
    [
        # ISO, with time and zone: the day as the publisher wrote it, not moved to UTC.
        ("2024-05-14T09:30:00+07:00", "2024-05-14"),
        ("2024-05-14T23:30:00-05:00", "2024-05-14"),
        ("2024-05-14 09:30:00 +0700", "2024-05-14"),
        ("2024-05-14T09:30:00.123Z", "2024-05-14"),
        ("2024-05", "2024-05"),
        # Written out, as Indonesian pages and exports do: the rules of dates in text.
        ("15 Agustus 2024", "2024-08-15"),
        ("Selasa, 14/05/2024", "2024-05-14"),
        ("14 Mei 2024 09:30 WIB", "2024-05-14"),
        ("Selasa, 14 Mei 2024 | 09:30 WIB", "2024-05-14"),
        ("Diperbarui 3 Jan 2023, 10.15 WITA", "2023-01-03"),
        ("Tue, 14 May 2024 09:30:00 +0700", "2024-05-14"),
        ("14-05-2024", "2024-05-14"),
        # Not dates: no year is guessed, and a sentence is not a date.
        ("14 Mei", None),
        ("Rapat pada 14 Mei 2024 di Jakarta", None),
        ("31/02/2024", None),
        ("2024-05-14T09:30 sore hari", None),
        ("kemarin", None),
        ("", None),
    ],
)
def test_metadata_date_reads_iso_and_written_dates(value: str, date: str | None) -> None:
    assert metadata_date(value) == date


def test_a_date_line_is_dated_as_its_text_would_be() -> None:
    # The same rules as the text: a date line of a page header and a record's date agree.
    line = "Rabu, 23/3/2022 - 10:15 WIB"
    assert date_line(line) == first_date([line]) == metadata_date(line) == "2022-03-23"
    assert date_line("Rabu," + " " * 100 + "23/3/2022") is None  # too long for a date line


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2022", datetime(2022, 1, 1)),
        ("2022-03", datetime(2022, 3, 1)),
        ("2022-03-23", datetime(2022, 3, 23)),
        (None, None),
        ("", None),
    ],
)
def test_period_start(value: str | None, moment: datetime | None) -> None:
    assert period_start(value) == moment


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2022", datetime(2022, 1, 1), datetime(2022, 12, 31, 23, 59, 59)),
        ("2022-03", datetime(2022, 3, 1), datetime(2022, 3, 31, 23, 59, 59)),
        ("2024-2", datetime(2024, 2, 1), datetime(2024, 2, 29, 23, 59, 59)),  # leap year
        (" 2022-03-23 ", datetime(2022, 3, 23), datetime(2022, 3, 23, 23, 59, 59)),
    ],
)
def test_query_bound_covers_the_whole_period(value: str, start: datetime, end: datetime) -> None:
    assert query_bound(value, "since", end=False) == start
    assert query_bound(value, "until", end=True) == end


def test_query_bound_of_none_is_none() -> None:
    assert query_bound(None, "since", end=False) is None
    assert query_bound(None, "until", end=True) is None


@pytest.mark.parametrize("value", ["23/3/2022", "2022-13", "2022-02-30", "22", "", "kemarin", "2022-03-23T10:00"])
@pytest.mark.parametrize("end", [False, True])
def test_query_bound_rejects_what_is_not_a_date(value: str, end: bool) -> None:
    with pytest.raises(QueryError) as error:
        query_bound(value, "until", end=end)
    assert str(error.value) == f"until must be a date like 2022, 2022-03 or 2022-03-23, not {value!r}"


def test_doctests() -> None:
    assert doctest.testmod(dates).failed == 0
