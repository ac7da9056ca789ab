"""Every date rule: dates stated in article text, record dates, and query date bounds.

An article is dated by the first full date its text states (:func:`first_date`) unless its
record or page metadata gives one (:func:`metadata_date`, read by the same rules); the index
stores the start of that day, month or year (:func:`period_start`), and a search's
``since``/``until`` bounds cover whole periods (:func:`query_bound`).

>>> first_date(["Rapat digelar Rabu (23/3/2022) di Serang."])
'2022-03-23'
>>> period_start(iso_date("2022-03"))
datetime.datetime(2022, 3, 1, 0, 0)
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Iterable
from datetime import date, datetime

from .errors import QueryError

__all__ = ["TEXT_DATE", "date_line", "first_date", "iso_date", "metadata_date", "period_start", "query_bound"]

_MONTHS = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "agustus": 8, "august": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}  # fmt: skip
# Longest first, so "Maret" is not read as "Mar" + "et".
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
# Between the days of a range: "26 -28 Juli", "7 & 8 Maret", "1 s.d. 3 Mei", "5 dan 6 Juni".
_DAY_SEP = r"(?:[-–—&,]|s/d|s\.d\.?|sampai(?:\s+dengan)?|hingga|dan)"
# A full date as Indonesian text writes it. A range dates to its first day; a date without
# a year ("20 September") or a bare year range ("Tahun 2020-2024") is no date: a year is
# never guessed. Repetitions are bounded so a long list of numbers cannot backtrack badly.
TEXT_DATE = re.compile(
    # The lookahead lets the scan skip non-digits fast: dates are rare in long text.
    rf"(?=\d)(?:\b(?P<d>\d{{1,2}})(?:\s*{_DAY_SEP}\s*\d{{1,2}}){{0,3}}\s+(?P<m>{_MONTH})\b\.?"
    rf"(?:\s*{_DAY_SEP}\s*\d{{1,2}}\s+(?:{_MONTH})\b\.?)?,?\s+(?P<y>\d{{4}})\b"
    # "Rabu (23/3/2022)", "23-03-2022": day first, as Indonesian writes it.
    r"|(?<![\d/-])(?P<nd>\d{1,2})(?P<sep>[/-])(?P<nm>\d{1,2})(?P=sep)(?P<ny>\d{4})(?![\d/-])"
    r"|(?<![\d-])(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})(?![\d-]))",
    re.IGNORECASE,
)
# Years outside this are typos or history, not a news article's date.
_MIN_YEAR, _MAX_YEAR = 1900, 2100
# Record dates: "2023", "2023-03", "2023-03-07", or a timestamp whose date part is used:
# "2024-05-14T09:30:00+07:00", "2024-05-14 09:30 +0700". The date is taken as written, not
# moved to UTC: it is the day the publisher dated the story in its own time zone.
_ISO_DATE = re.compile(
    r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT|WIB|WITA|WIT)?)?)?)?",
    re.IGNORECASE,
)
# What a line that states a date may hold besides the date: the weekday, the time and its
# zone, "pukul", "diperbarui"... ("Selasa, 14/05/2024 | 09:30 WIB", "Tue, 14 May 2024
# 09:30:00 +0700"). Such a line is a date line: a page's publication date, or a record's.
_DATE_LINE_FILLER = re.compile(
    r"(?i:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad|monday|tuesday|wednesday|thursday"
    r"|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun|pukul|jam|wib|wita|wit|utc|gmt"
    r"|diposting|dipublikasikan|diperbarui|terbit|published|updated|posted|on)\b"
    r"|\d{1,2}[:.]\d{2}(?::\d{2})?|[+-]\d{2}:?\d{2}\b|[\s,|/·•()-]+"
)
_DATE_LINE_MAX_CHARS = 100
# Query bounds are typed by people: "2022-3" is as good as "2022-03"; no timestamps.
_QUERY_DAY = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def first_date(texts: Iterable[str]) -> str | None:
    """The first valid full date stated in ``texts``, as ISO "YYYY-MM-DD".

    >>> first_date(["Tahun 2020-2024, 20 September, lalu 26 -28 Juli 2022."])
    '2022-07-26'
    >>> first_date(["Tanggal 31/2/2022 tidak ada.", "Dirilis 2023-03-07 pagi."])
    '2023-03-07'
    """
    for text in texts:
        for match in TEXT_DATE.finditer(text):
            parts: tuple[str, str | int, str]  # the month may be a name, looked up
            if match["d"]:
                parts = match["y"], _MONTHS[match["m"].casefold()], match["d"]
            elif match["nd"]:
                parts = match["ny"], match["nm"], match["nd"]
            else:
                parts = match["iy"], match["im"], match["id"]
            year, month, day = map(int, parts)
            if not _MIN_YEAR <= year <= _MAX_YEAR:
                continue
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                continue  # "31/2/2022": not a date, look further
    return None


def date_line(line: str) -> str | None:
    """The date of a line holding nothing but a date (with weekday, time, zone), as ISO;
    None for any other line.

    >>> date_line("Selasa, 14/05/2024 | 09:30 WIB"), date_line("Rapat pada 14 Mei 2024")
    ('2024-05-14', None)
    """
    if len(line) > _DATE_LINE_MAX_CHARS:
        return None
    rest, found = TEXT_DATE.subn("", line)
    if not found or _DATE_LINE_FILLER.sub("", rest):
        return None
    return first_date([line])


def metadata_date(value: str) -> str | None:
    """A date given as metadata (a record's ``"date"``, a page's meta tags) as ISO, read with
    the rules of :func:`iso_date` and, for a date written out, of dates in text; None if
    ``value`` is not a date.

    >>> metadata_date("2024-05-14T09:30:00+07:00"), metadata_date("14 Mei 2024 09:30 WIB")
    ('2024-05-14', '2024-05-14')
    >>> metadata_date("Selasa, 14/05/2024"), metadata_date("15 Agustus 2024"), metadata_date("kemarin")
    ('2024-05-14', '2024-08-15', None)
    """
    return iso_date(value) or date_line(value.strip())


def iso_date(value: str) -> str | None:
    """A record's date as "YYYY", "YYYY-MM" or "YYYY-MM-DD"; None if it is not one.

    >>> iso_date("2023-03"), iso_date("2023-03-07T10:00:00Z"), iso_date("2023-13")
    ('2023-03', '2023-03-07', None)
    """
    match = _ISO_DATE.fullmatch(value.strip())
    if not match:
        return None
    year, month, day = match["y"], match["m"], match["d"]
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return "-".join(part for part in (year, month, day) if part)


def period_start(value: str | None) -> datetime | None:
    """The first moment of an ISO year, month or day (as :func:`iso_date` gives); None for none.

    >>> period_start("2022"), period_start("2022-03-23"), period_start("")
    (datetime.datetime(2022, 1, 1, 0, 0), datetime.datetime(2022, 3, 23, 0, 0), None)
    """
    if not value:
        return None
    year, month, day = ([int(part) for part in value.split("-")[:3]] + [1, 1])[:3]
    return datetime(year, month, day)


def query_bound(value: str | None, name: str, *, end: bool) -> datetime | None:
    """A ``since``/``until`` bound: the first moment of the year, month or day ``value``,
    or with ``end`` its last second, so ``until="2022-03"`` includes March 31.

    Raises QueryError, naming the parameter ``name``, if ``value`` is not such a date.

    >>> query_bound("2022-02", "until", end=True), query_bound(None, "since", end=False)
    (datetime.datetime(2022, 2, 28, 23, 59, 59), None)
    >>> query_bound("23/3/2022", "since", end=False)
    Traceback (most recent call last):
    bnptsearch.errors.QueryError: since must be a date like 2022, 2022-03 or 2022-03-23, not '23/3/2022'
    """
    if value is None:
        return None
    match = _QUERY_DAY.fullmatch(value.strip())
    try:
        if not match:
            raise ValueError
        year, month, day = int(match[1]), int(match[2] or 0), int(match[3] or 0)
        if not end:
            return datetime(year, month or 1, day or 1)
        if not month:
            return datetime(year, 12, 31, 23, 59, 59)
        if not day:
            return datetime(year, month, monthrange(year, month)[1], 23, 59, 59)
        return datetime(year, month, day, 23, 59, 59)
    except ValueError:
        raise QueryError(f"{name} must be a date like 2022, 2022-03 or 2022-03-23, not {value!r}") from None
