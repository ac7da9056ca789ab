"""Read the news corpus: scraped ``.txt`` pages and ``.jsonl`` records become clean Articles.

A scrape of an Indonesian (WordPress-style) news site carries the article plus site chrome:
breadcrumbs, the headline printed twice, "BACA JUGA:" links to other stories, an author box,
"Check Also" teasers, a comment form. Everything that is not the article is removed here,
because whatever survives becomes searchable: a query for a celebrity named only in a
"BACA JUGA" link must not find a counter-terrorism article.

>>> load = load_corpus("corpus")                                  # doctest: +SKIP
>>> [a.doc_id for a in load.articles][:2]                         # doctest: +SKIP
['000_d9719fe4b4a867df', '001_b906f770b361ad8d']

Bad input never stops :func:`load_corpus`: each problem becomes a :class:`CorpusWarning`
naming the file (and the line, for JSONL) and the remaining files are still read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusError

__all__ = [
    "PARSER_VERSION",
    "SUPPORTED_EXTENSIONS",
    "Article",
    "CorpusLoad",
    "CorpusWarning",
    "corpus_files",
    "load_corpus",
    "parse_article",
    "raw_text",
    "read_file",
]

SUPPORTED_EXTENSIONS = (".txt", ".jsonl")
# Bump when cleaning or metadata rules change: an index records it, because an unchanged
# file (same content hash) would otherwise keep the old cleaning until rebuilt.
PARSER_VERSION = "3"

# One broken multi-gigabyte JSONL must not drown the report in a million lines.
_MAX_LINE_WARNINGS_PER_FILE = 20
# One article larger than this is not a news article (a dump, a log, a mis-saved file): it
# is skipped with a warning instead of being cut into hundreds of thousands of passages.
# JSONL archives may be any size; the limit applies to each record.
MAX_ARTICLE_BYTES = 10 * 2**20
# Enough to see whether a .jsonl is really binary without reading it all.
_BINARY_SNIFF_BYTES = 8192
# Headlines are short; a longer first line is a paragraph that merely lacks a full stop.
_MAX_HEADLINE_CHARS = 250
_MAX_HEADLINE_WORDS = 30
# A title made from a lede sentence is cut here (at a word) so a lede without full stops
# does not become a paragraph-long title.
_MAX_DERIVED_TITLE_CHARS = 200
# Only the start of the lede is looked at for its first sentence: keeps a huge one-line
# file linear.
_LEDE_SCAN_CHARS = 2000


@dataclass(frozen=True)
class Article:
    """One clean article; ``body`` paragraphs are separated by a blank line."""

    doc_id: str
    title: str
    body: str
    source: str | None
    place: str | None
    date: str | None
    url: str | None
    path: str
    content_hash: str


@dataclass(frozen=True)
class CorpusWarning:
    """A corpus problem that was skipped over.

    >>> str(CorpusWarning("news.jsonl", "malformed JSON; line skipped", 3))
    'news.jsonl:3: malformed JSON; line skipped'
    """

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class CorpusLoad:
    """The articles read, in path (then line) order, and the problems met on the way.

    ``unchanged`` lists the ids of JSONL records skipped because their content hash was
    given as already known (see :func:`read_file`).
    """

    articles: tuple[Article, ...]
    warnings: tuple[CorpusWarning, ...]
    unchanged: tuple[str, ...] = ()


# --------------------------------------------------------------------------- text cleanup

# Invisible characters scrapes carry (zero-width spaces, BOM, soft hyphens) would split
# words in the index; other control characters are noise. Odd line separators become "\n".
_TRANSLATE = {
    **dict.fromkeys(range(0x20), None),
    **dict.fromkeys(map(ord, "\x7f\u200b\u200c\u200d\u2060\ufeff\u00ad"), None),
    **dict.fromkeys(map(ord, "\n\x0b\x0c\x85\u2028\u2029"), "\n"),
    ord("\t"): " ",
}
# Runs of spaces and odd spaces (NBSP, tab): a lone " " is left alone, which keeps this
# pass cheap on big files.
_HSPACE = re.compile(r"[^\S\n]{2,}|[^\S\n ]")

_QUOTES_CLOSE = "”\"’')\\]"
# A line ending like this ends a sentence (or a list item / lead-in), so a line break after
# it is a real paragraph break rather than a hard wrap.
_LINE_ENDS_SENTENCE = re.compile(rf"[.!?…:;][{_QUOTES_CLOSE}]*$")
# "sel-" + "sel" across a wrap: reduplicated words keep their hyphen and lose the break.
_LINE_ENDS_HYPHENATED = re.compile(r"\w-$")

# Site footer: everything from one of these lines on is site chrome (author box, teasers of
# other stories, related links, comment form), never article text.
_FOOTER_LINE = re.compile(
    r"(?i:check also|tinggalkan (?:balasan|komentar)|leave a (?:reply|comment)"
    r"|(?:berita|artikel|postingan|tulisan) (?:terkait|lainnya)|baca berita lainnya"
    r"|related (?:posts?|articles?|news)|you (?:may|might) also like|post navigation"
    r"|navigasi (?:pos|tulisan)|komentar|comments?)\s*:?"
    # The WordPress author box: "About admin", "About Redaksi" (case-sensitive on purpose,
    # so an English sentence starting "about" is not taken for it).
    r"|About [^\s.!?]+(?: [^\s.!?]+)?"
)
# Single chrome lines that can sit anywhere in the text; dropped on their own.
_NOISE_LINE = re.compile(
    # Links to other stories, often in the middle of the article: "BACA JUGA:Wagub ...".
    r"(?i:(?:baca|simak|lihat)\s+(?:juga|pula))\s*(?:[:：|»>-]|–|—|$).*"
    r"|BACA JUGA\b.*"
    r"|(?i:error\s*:\s*content is protected\b).*"
    r"|(?i:alamat email anda tidak akan dipublikasikan|your email address will not be published).*"
    r"|(?i:ruas yang wajib ditandai|required fields are marked).*"
    r"|(?i:advertisements?|iklan|scroll to continue with content|share this|bagikan(?: ini)?"
    r"|suka ini|like this|loading\.*|memuat\.*)\s*:?"
    r"|(?i:tags?|topik)\s*:.*"
)

# Breadcrumb trail over the headline: "Home / Hukrim / <title>", "Beranda » Nasional".
_BREADCRUMB_SEPARATOR = re.compile(r"\s+[/»›>|]\s+|\s*(?:»|›)\s*")
_BREADCRUMB_START = re.compile(r"(?i:home|beranda|index|halaman utama)\b")
# Author lines above the article: "Penulis: Redaksi", "Editor: Budi".
_BYLINE = re.compile(r"(?i:oleh|penulis|editor|reporter|redaktur|author|by|ditulis oleh)\s*:\s*\S.{0,60}")
_NAV_MAX_WORDS = 2
_BREADCRUMB_STEP_MAX_WORDS = 4
# Longer than any header line (breadcrumb, label, byline, date): the article has begun.
_HEADER_MAX_CHARS = 400
# What a publication-date line holds besides the date itself.
_DATE_LINE_FILLER = re.compile(
    r"(?i:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad|monday|tuesday|wednesday|thursday"
    r"|friday|saturday|sunday|pukul|wib|wita|wit|diposting|dipublikasikan|diperbarui|terbit"
    r"|published|updated|posted|on)\b|\d{1,2}[:.]\d{2}(?::\d{2})?|[\s,|/·•()-]+"
)
_DATE_LINE_MAX_CHARS = 100
_PUNCTUATION = re.compile(r"[.!?,;:…]")

# --------------------------------------------------------------------------- metadata

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
# The first full date stated in the text. A range dates to its first day; a date without a
# year ("20 September") or a bare year range ("Tahun 2020-2024") is no date: a year is
# never guessed. Repetitions are bounded so a long list of numbers cannot backtrack badly.
_DATE = re.compile(
    # The lookahead lets the scan skip non-digits fast: dates are rare in long text.
    rf"(?=\d)(?:\b(?P<d>\d{{1,2}})(?:\s*{_DAY_SEP}\s*\d{{1,2}}){{0,3}}\s+(?P<m>{_MONTH})\b\.?"
    rf"(?:\s*{_DAY_SEP}\s*\d{{1,2}}\s+(?:{_MONTH})\b\.?)?,?\s+(?P<y>\d{{4}})\b"
    # "Rabu (23/3/2022)", "23-03-2022": day first, as Indonesian writes it.
    r"|(?<![\d/-])(?P<nd>\d{1,2})(?P<sep>[/-])(?P<nm>\d{1,2})(?P=sep)(?P<ny>\d{4})(?![\d/-])"
    r"|(?<![\d-])(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})(?![\d-]))",
    re.IGNORECASE,
)
_MIN_YEAR, _MAX_YEAR = 1900, 2100
# Record dates: "2023", "2023-03", "2023-03-07", or a timestamp whose date part is used.
_ISO_DATE = re.compile(r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})(?:[T ]\S+)?)?)?")

# The dateline opening a lede: "JAKARTA, DISWAY.ID – ", "Surabaya – ", "CNNBanten.id – ",
# "Jakarta (ANTARA) - ". The dash must have spaces round it and the story must go on with a
# capital, which tells "Surabaya – Perwakilan" from "praktik – praktik".
_DATELINE = re.compile(r"(?P<head>[^\s–—―][^–—―\n]{0,59}?)\s+(?:--?|[–—―])\s+(?=[“\"‘'(\[]?[A-Z0-9])")
_DATELINE_PAREN = re.compile(r"(?P<place>[^()]+?)\s*\((?P<source>[^()]+)\)")
_DOMAIN = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,6}")
_DATELINE_MAX_WORDS = 4

# The end of a sentence: a stop before whitespace and a capital (or the end of the text).
_SENTENCE_END = re.compile(rf"[.!?…]+[{_QUOTES_CLOSE}]*(?=\s+[“\"‘'(\[]?[A-Z0-9]|\s*$)")
# Titles and abbreviations that end in a full stop without ending the sentence.
_ABBREVIATIONS = frozenset(
    "dr drs dra prof ir h hj kh no nomor jl pol komjen irjen brigjen kombes akbp kompol ipda iptu"
    " aiptu bripka brigpol jend letjen mayjen laksda marsda kol sdr sdri bpk tn ny st sh se mm mh"
    " msi ssos kec kab kel prov dkk dll dsb tsb yth vs mr mrs ms".split()
)


# --------------------------------------------------------------------------- parsing


def parse_article(raw: str, doc_id: str, path: str = "", content_hash: str = "") -> Article | None:
    """Cleans one scraped article and extracts its title, dateline and date.

    Returns None when nothing but site boilerplate is left.

    >>> a = parse_article("Home / Hukum / Judul Berita Hari Ini\\n\\nJudul Berita Hari Ini\\n\\n"
    ...                   "JAKARTA, KOMPAS.com – Polisi menangkap\\ndua orang, Rabu (23/3/2022).\\n\\n"
    ...                   "BACA JUGA: Berita lain\\n\\nTinggalkan Balasan", "x")
    >>> (a.title, a.place, a.source, a.date)
    ('Judul Berita Hari Ini', 'JAKARTA', 'KOMPAS.com', '2022-03-23')
    >>> a.body
    'JAKARTA, KOMPAS.com – Polisi menangkap dua orang, Rabu (23/3/2022).'
    """
    return _parse(raw, doc_id, path, content_hash, record_title=None)


def _parse(raw: str, doc_id: str, path: str, content_hash: str, record_title: str | None) -> Article | None:
    """:func:`parse_article`; ``record_title`` is a JSONL record's title ("" when it has
    none), None for a scraped page whose title must be found in the text."""
    paragraphs, header_dates, crumb_title = _strip_header(_paragraphs(_clean_lines(raw)))
    if not paragraphs:
        return None

    if record_title is not None:
        # A record says what its title is; one without a title keeps none rather than a
        # title made from its first sentence, which would only count that sentence twice.
        title = record_title
        paragraphs = _drop_leading_repeats(paragraphs, title) if title else paragraphs
    else:
        title, paragraphs = _take_headline(paragraphs, crumb_title)
    if not paragraphs:
        return None

    place, source, lede = _dateline(paragraphs[0])
    if not title and record_title is None:
        title = crumb_title or _first_sentence(lede)
    body = "\n\n".join(paragraphs)
    date = _first_date(header_dates) or _first_date([title, body])
    return Article(doc_id, title, body, source, place, date, None, path, content_hash)


def _clean_lines(raw: str) -> list[str]:
    """Normalized, stripped lines, cut at the site footer, without chrome lines."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n").translate(_TRANSLATE)
    lines = []
    for line in _HSPACE.sub(" ", text).split("\n"):
        line = line.strip()
        if _FOOTER_LINE.fullmatch(line):
            break
        # Dropped outright (not left as a blank line): a "BACA JUGA" line wedged into the
        # middle of a sentence must not split that sentence into two paragraphs.
        if not _NOISE_LINE.fullmatch(line):
            lines.append(line)
    return lines


def _strip_header(paragraphs: list[str]) -> tuple[list[str], list[str], str]:
    """Drops breadcrumbs, navigation labels and bylines above the article.

    Returns the remaining paragraphs, the date-only lines dropped from the header (they date the
    article) and the title ending a breadcrumb trail ("" if none).
    """
    dates: list[str] = []
    crumb_title = ""
    for i, line in enumerate(paragraphs):
        if len(line) > _HEADER_MAX_CHARS:
            break  # header items are short: this is the article
        if _is_breadcrumb(line, last=i == len(paragraphs) - 1):
            tail = _BREADCRUMB_SEPARATOR.split(line)[-1]
            # The trail ends in the headline when it is long enough to be one.
            if len(tail.split()) >= 3:
                crumb_title = tail
            continue
        if len(line.split()) <= _NAV_MAX_WORDS and not _PUNCTUATION.search(line):
            continue  # "Informasi", "Detail Berita", "NASIONAL": section labels
        if _BYLINE.fullmatch(line):
            continue
        if _is_date_line(line):
            dates.append(line)  # "Senin, 7 Maret 2023 | 10:00 WIB"
            continue
        break
    else:
        return [], dates, crumb_title
    return paragraphs[i:], dates, crumb_title


def _is_breadcrumb(line: str, *, last: bool) -> bool:
    """ "Home / Hukrim / <title>", "Nasional » Hukum » <title>": short steps, then the page.

    A trail that does not start at "Home" counts only when text follows it: a record that is
    a single line such as "skor akhir (OSA / MAR / FER) ..." is content, not navigation.
    """
    crumbs = _BREADCRUMB_SEPARATOR.split(line)
    steps = crumbs[:-1]
    if not steps or not all(0 < len(step.split()) <= _BREADCRUMB_STEP_MAX_WORDS for step in steps):
        return False
    return bool(_BREADCRUMB_START.match(line)) or (len(crumbs) >= 3 and not last)


def _is_date_line(line: str) -> bool:
    """A line holding nothing but a publication date: "Rabu, 23/3/2022 - 10:15 WIB"."""
    if len(line) > _DATE_LINE_MAX_CHARS or not _DATE.search(line):
        return False
    return not _DATE_LINE_FILLER.sub("", _DATE.sub("", line))


def _paragraphs(lines: list[str]) -> list[str]:
    """Joins hard-wrapped lines; every other line break is a paragraph break.

    >>> _paragraphs(["Polisi telah", "melakukan penangkapan.", "", "Kedua.", "Ketiga,", "Lalu."])
    ['Polisi telah melakukan penangkapan.', 'Kedua.', 'Ketiga, Lalu.']
    """
    paragraphs: list[list[str]] = []  # pieces, joined once at the end: no quadratic "+="
    previous_blank = True
    for line in lines:
        if not line:
            previous_blank = True
            continue
        if not previous_blank and paragraphs:
            pieces = paragraphs[-1]
            last = pieces[-1]
            # A line that stops mid-sentence, continued in lowercase (or after a comma) on
            # the next, is one sentence the scraper wrapped at a fixed width.
            continues = line[0].islower() or last.endswith(",")
            if continues and not _LINE_ENDS_SENTENCE.search(last):
                pieces.append("" if _LINE_ENDS_HYPHENATED.search(last) else " ")
                pieces.append(line)
                continue
        paragraphs.append([line])
        previous_blank = False
    return ["".join(pieces) for pieces in paragraphs]


def _title_key(text: str) -> str:
    """What makes two printings of a headline the same: case and trailing stops ignored."""
    return text.casefold().rstrip(" .!?:;,…")


def _drop_leading_repeats(paragraphs: list[str], title: str) -> list[str]:
    """Removes the title's printings at the top of the body."""
    key = _title_key(title)
    start = 0
    while start < len(paragraphs) and _title_key(paragraphs[start]) == key:
        start += 1
    return paragraphs[start:]


def _take_headline(paragraphs: list[str], crumb_title: str) -> tuple[str, list[str]]:
    """Splits off a headline opening the text: ("", paragraphs) when there is none.

    A first line is the headline when it is printed again right below (the page title then
    the article title), when the breadcrumb trail ends with it, or when it reads like one:
    short, no dateline, no closing full stop, and the article goes on after it.
    """
    first = paragraphs[0]
    rest = _drop_leading_repeats(paragraphs[1:], first)
    repeated = len(rest) < len(paragraphs) - 1
    named_by_crumbs = bool(crumb_title) and _title_key(crumb_title) == _title_key(first)
    if repeated or named_by_crumbs or (rest and _is_headline(first)):
        return first.rstrip(" ."), rest
    return "", paragraphs


def _is_headline(line: str) -> bool:
    return (
        len(line) <= _MAX_HEADLINE_CHARS
        and len(line.split()) <= _MAX_HEADLINE_WORDS
        and (line[0].isupper() or line[0].isdigit())
        and line[-1] not in ".,;:…"
        and _dateline(line)[2] == line
    )


def _dateline(lede: str) -> tuple[str | None, str | None, str]:
    """(place, source, the lede after the dateline) of a lede; the lede itself if it has none.

    >>> _dateline("JAKARTA, DISWAY.ID – Salah satu upaya.")
    ('JAKARTA', 'DISWAY.ID', 'Salah satu upaya.')
    >>> _dateline("CNNBanten.id – Pemerintah Provinsi.")
    (None, 'CNNBanten.id', 'Pemerintah Provinsi.')
    """
    match = _DATELINE.match(lede)
    if not match:
        return None, None, lede
    head = match["head"]
    source = None
    paren = _DATELINE_PAREN.fullmatch(head)
    if paren:
        head, source = paren["place"], paren["source"].strip()
    parts = [part.strip() for part in head.split(",")]
    if len(parts) > 2 or (source and len(parts) > 1) or not all(map(_is_name, parts)):
        return None, None, lede
    if len(parts) == 2:
        place, source = parts
    elif _DOMAIN.fullmatch(parts[0]) and not source:
        place, source = None, parts[0]
    else:
        place = parts[0]
    if place and not place[0].isupper():
        return None, None, lede
    return place, source, lede[match.end() :]


def _is_name(part: str) -> bool:
    """A place or publisher: a few capitalized words, or a web domain ("detik.com")."""
    words = part.split()
    return bool(words) and (
        (len(words) == 1 and _DOMAIN.fullmatch(part) is not None)
        or (len(words) <= _DATELINE_MAX_WORDS and all(w[0].isupper() or w[0].isdigit() for w in words))
    )


def _first_sentence(text: str) -> str:
    """The first sentence, without its full stop, cut to a title's length.

    >>> _first_sentence("Kata Komjen. Pol. Boy hari ini. Lalu pergi.")
    'Kata Komjen. Pol. Boy hari ini'
    """
    head = text[:_LEDE_SCAN_CHARS]
    sentence = head
    for match in _SENTENCE_END.finditer(head):
        before = head[: match.start()].rsplit(None, 1)
        if match[0].startswith(".") and before and _is_abbreviation(before[-1]):
            continue
        sentence = head[: match.end()]
        break
    sentence = sentence.strip()
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1]
    if len(sentence) > _MAX_DERIVED_TITLE_CHARS:
        sentence = sentence[:_MAX_DERIVED_TITLE_CHARS].rsplit(" ", 1)[0] + " …"
    return sentence


def _is_abbreviation(word: str) -> bool:
    word = word.lstrip("“\"‘'(")
    # "S.Sos", "M.Si", single initials: dotted abbreviations, not sentence ends.
    return "." in word or (len(word) == 1 and word.isalpha()) or word.casefold() in _ABBREVIATIONS


def _first_date(texts: Iterable[str]) -> str | None:
    """The first valid full date stated in ``texts``, as ISO "YYYY-MM-DD".

    >>> _first_date(["Tahun 2020-2024, 20 September, lalu 26 -28 Juli 2022."])
    '2022-07-26'
    """
    for text in texts:
        for match in _DATE.finditer(text):
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
                return dt.date(year, month, day).isoformat()
            except ValueError:
                continue  # "31/2/2022": not a date, look further
    return None


def _iso_date(value: str) -> str | None:
    """A record's date as "YYYY", "YYYY-MM" or "YYYY-MM-DD"; None if it is not one.

    >>> _iso_date("2023-03"), _iso_date("2023-03-07T10:00:00Z"), _iso_date("2023-13")
    ('2023-03', '2023-03-07', None)
    """
    match = _ISO_DATE.fullmatch(value.strip())
    if not match:
        return None
    year, month, day = match["y"], match["m"], match["d"]
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return "-".join(part for part in (year, month, day) if part)


# --------------------------------------------------------------------------- files

# What read functions hand on internally: each article with its JSONL line (None for .txt),
# so a duplicate can be reported at its line.
_Located = tuple[Article, int | None]


def read_file(path: str | os.PathLike, known: Mapping[str, str] | None = None) -> CorpusLoad:
    """Reads one ``.txt`` or ``.jsonl`` file; problems inside it become warnings.

    ``known`` maps content hashes to doc_ids already indexed: JSONL records with one of
    those hashes are not parsed again, only listed in ``unchanged`` (cleaning is the costly
    part of reading a large archive file of which one line changed).
    Raises CorpusError if the file is missing, is a folder or has another extension.

    >>> read_file("corpus/004_712c4dcd13143a1e.txt").articles[0].source  # doctest: +SKIP
    'CNNBanten.id'
    """
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise CorpusError(f"{path}: no such file")
    if path.is_dir():
        raise CorpusError(f"{path}: is a folder, not a file (use load_corpus)")
    if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
        raise CorpusError(f"{path}: unsupported file type {path.suffix!r} (expected .txt or .jsonl)")
    warnings: list[CorpusWarning] = []
    unchanged: list[str] = []
    articles = _dedupe(_read(path, warnings, known or {}, unchanged), {}, warnings)
    return CorpusLoad(tuple(articles), tuple(warnings), tuple(unchanged))


def load_corpus(folder: str | os.PathLike) -> CorpusLoad:
    """Reads every ``.txt`` and ``.jsonl`` file under ``folder``, recursively, sorted by path.

    Hidden files and folders (".git", macOS "._x.txt") are skipped and folder symlinks are
    not followed, so a link loop cannot recurse. A doc_id seen twice keeps its first article.
    A file given instead of a folder is read with :func:`read_file`.
    Raises CorpusError only if ``folder`` does not exist.

    >>> len(load_corpus("corpus").articles)                         # doctest: +SKIP
    5
    """
    folder = Path(folder)
    if not folder.exists():
        raise CorpusError(f"{folder}: no such folder")
    if not folder.is_dir():
        return read_file(folder)
    warnings: list[CorpusWarning] = []
    seen: dict[str, _Located] = {}
    articles: list[Article] = []
    for path in _corpus_files(folder, warnings):
        articles.extend(_dedupe(_read(path, warnings, {}, []), seen, warnings))
    return CorpusLoad(tuple(articles), tuple(warnings))


def corpus_files(folder: str | os.PathLike) -> tuple[list[Path], list[CorpusWarning]]:
    """The ``.txt``/``.jsonl`` files :func:`load_corpus` would read, sorted, and the folders
    it could not list. Raises CorpusError if ``folder`` does not exist.

    >>> corpus_files("corpus")[0][0].name                                  # doctest: +SKIP
    '000_d9719fe4b4a867df.txt'
    """
    folder = Path(folder)
    if not folder.exists():
        raise CorpusError(f"{folder}: no such folder")
    if not folder.is_dir():
        return [folder], []
    warnings: list[CorpusWarning] = []
    return _corpus_files(folder, warnings), warnings


def raw_text(path: str | os.PathLike, doc_id: str) -> str:
    """The article ``doc_id`` of ``path`` as it was before cleaning: the whole ``.txt`` file,
    or the JSONL record's ``"text"``. Raises CorpusError if it is not there any more."""
    path = Path(path)
    try:
        if path.suffix.lower() != ".jsonl":
            return _decode(path.read_bytes())[0]
        with path.open("rb") as file:
            for raw_line in file:
                try:
                    record = json.loads(_decode(raw_line.rstrip(b"\r\n"))[0])
                except ValueError:
                    continue
                if isinstance(record, dict) and record.get("id") == doc_id and isinstance(record.get("text"), str):
                    return record["text"]
    except OSError as error:
        raise CorpusError(f"{path}: cannot read file: {error.strerror or error}") from None
    raise CorpusError(f"{path}: no article {doc_id!r} any more")


def _corpus_files(folder: Path, warnings: list[CorpusWarning]) -> list[Path]:
    def unreadable(error: OSError) -> None:
        warnings.append(CorpusWarning(str(error.filename or folder), f"cannot read folder: {error.strerror or error}"))

    files = []
    for root, dirs, names in os.walk(folder, onerror=unreadable, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        files.extend(
            Path(root, name)
            for name in names
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in SUPPORTED_EXTENSIONS
        )
    return sorted(files)


def _dedupe(found: Iterable[_Located], seen: dict[str, _Located], warnings: list[CorpusWarning]) -> Iterator[Article]:
    """Passes on the first article of each doc_id; warns about later ones, naming the first."""
    for article, line in found:
        first = seen.get(article.doc_id)
        if first is None:
            seen[article.doc_id] = article, line
            yield article
            continue
        where = first[0].path if first[1] is None else f"{first[0].path}:{first[1]}"
        message = f"duplicate doc_id {article.doc_id!r} (already read from {where}); skipped"
        warnings.append(CorpusWarning(article.path, message, line))


def _read(path: Path, warnings: list[CorpusWarning], known: Mapping[str, str], unchanged: list[str]) -> list[_Located]:
    """The articles of one file; never raises, problems go to ``warnings``."""
    try:
        if path.suffix.lower() == ".jsonl":
            return _read_jsonl(path, warnings, known, unchanged)
        return _read_txt(path, warnings)
    except OSError as error:
        warnings.append(CorpusWarning(str(path), f"cannot read file: {error.strerror or error}"))
        return []


def _read_txt(path: Path, warnings: list[CorpusWarning]) -> list[_Located]:
    name = str(path)
    size = path.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        warnings.append(CorpusWarning(name, f"{_megabytes(size)} is too large for one article (limit {_megabytes(MAX_ARTICLE_BYTES)}); skipped"))
        return []
    data = path.read_bytes()
    if b"\0" in data:
        warnings.append(CorpusWarning(name, "binary file (contains NUL bytes); skipped"))
        return []
    text, fallback = _decode(data)
    if fallback:
        warnings.append(CorpusWarning(name, "not valid UTF-8; decoded as Windows-1252"))
    if not text.strip():
        warnings.append(CorpusWarning(name, "empty file; skipped"))
        return []
    article = parse_article(text, path.stem, name, hashlib.sha256(data).hexdigest())
    if article is None:
        warnings.append(CorpusWarning(name, "nothing but site boilerplate; skipped"))
        return []
    return [(article, None)]


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.0f} MB"


def _decode(data: bytes) -> tuple[str, bool]:
    """(text, whether the Windows-1252 fallback was needed).

    Scrapes that are not UTF-8 are in practice Windows-1252 (a superset of Latin-1 for
    printable text); its five undefined bytes become U+FFFD rather than failing the file.
    """
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), True


def _read_jsonl(
    path: Path, warnings: list[CorpusWarning], known: Mapping[str, str], unchanged: list[str]
) -> list[_Located]:
    name = str(path)
    found: list[_Located] = []
    problems: list[CorpusWarning] = []
    with path.open("rb") as file:
        if b"\0" in file.read(_BINARY_SNIFF_BYTES):
            warnings.append(CorpusWarning(name, "binary file (contains NUL bytes); skipped"))
            return []
        file.seek(0)
        # Streamed line by line: a huge JSONL is never held whole in memory.
        for number, raw_line in enumerate(file, start=1):
            record_bytes = raw_line.rstrip(b"\r\n")
            if not record_bytes.strip():
                continue
            if len(record_bytes) > MAX_ARTICLE_BYTES:
                size = _megabytes(len(record_bytes))
                problems.append(CorpusWarning(name, f"record of {size} is too large for one article; line skipped", number))
                continue
            # The line's bytes without its line ending: CRLF and LF copies hash alike.
            content_hash = hashlib.sha256(record_bytes).hexdigest()
            if content_hash in known:
                unchanged.append(known[content_hash])
                continue
            text, fallback = _decode(record_bytes)
            messages = ["not valid UTF-8; decoded as Windows-1252"] if fallback else []
            try:
                record = json.loads(text)
            except ValueError as error:
                messages.append(f"malformed JSON ({getattr(error, 'msg', error)}); line skipped")
            else:
                article = _record_article(record, name, content_hash, messages)
                if article is not None:
                    found.append((article, number))
            problems.extend(CorpusWarning(name, message, number) for message in messages)
    warnings.extend(problems[:_MAX_LINE_WARNINGS_PER_FILE])
    if len(problems) > _MAX_LINE_WARNINGS_PER_FILE:
        hidden = len(problems) - _MAX_LINE_WARNINGS_PER_FILE
        warnings.append(CorpusWarning(name, f"{hidden} more problems in this file not listed"))
    return found


_RECORD_REQUIRED = ("id", "text")
_RECORD_OPTIONAL = ("title", "source", "place", "date", "url")


def _record_article(record: object, path: str, content_hash: str, messages: list[str]) -> Article | None:
    """The article of one JSONL record, or None; problems are appended to ``messages``.

    The record's own fields win over what is extracted from its text.
    """
    if not isinstance(record, dict):
        messages.append(f"record is a JSON {type(record).__name__}, not an object; line skipped")
        return None
    for key in _RECORD_REQUIRED:
        if key not in record:
            messages.append(f'record has no "{key}"; line skipped')
            return None
    for key in _RECORD_REQUIRED + _RECORD_OPTIONAL:
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            messages.append(f'"{key}" must be a string, got {type(value).__name__}; line skipped')
            return None
    doc_id = record["id"].strip()
    if not doc_id:
        messages.append('"id" is empty; line skipped')
        return None
    fields = {key: (record.get(key) or "").strip() or None for key in _RECORD_OPTIONAL}
    article = _parse(record["text"], doc_id, path, content_hash, record_title=fields["title"] or "")
    if article is None:
        messages.append("record text is empty or nothing but site boilerplate; line skipped")
        return None
    date = article.date
    if fields["date"]:
        date = _iso_date(fields["date"])
        if date is None:
            messages.append(f'"date" {fields["date"]!r} is not YYYY, YYYY-MM or YYYY-MM-DD; date taken from the text')
            date = article.date
    return Article(
        doc_id=doc_id,
        title=article.title,
        body=article.body,
        source=fields["source"] or article.source,
        place=fields["place"] or article.place,
        date=date,
        url=fields["url"],
        path=path,
        content_hash=content_hash,
    )
